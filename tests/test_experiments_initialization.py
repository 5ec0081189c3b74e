"""Tests for nnlib.experiments.initialization."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from nnlib import plotting, set_seed  # noqa: E402
from nnlib.experiments import initialization as ex  # noqa: E402
from nnlib.init import INIT_LABELS  # noqa: E402
from nnlib.models import make_mlp  # noqa: E402
from nnlib.training import train_regressor  # noqa: E402


def test_check_weights_within_one_percent_and_table() -> None:
    names = ["uniform", "normal", "kaiming_uniform", "xavier_normal", "default"]
    rows = ex.check_weights(names, fan_in=300, fan_out=200)
    assert [r.name for r in rows] == names
    assert all(r.std_rel_error < 0.01 for r in rows)
    table = ex.format_weight_checks(rows)
    assert all(INIT_LABELS[name] in table for name in names)
    lines = table.splitlines()
    assert len(lines) == len(names) + 2
    # CJK characters count two columns each: "|s-σ|/σ" ends where the percentages end.
    header, first = lines[0], lines[2]
    end = ex._display_width(header[: header.index("|s-σ|/σ") + 7])
    assert ex._display_width(first[: first.index("%") + 1]) == end
    assert ex._pad("权重", 6, ">") == "  权重" and ex._display_width("a权") == 3


def test_check_weights_rejects_constant() -> None:
    with pytest.raises(ValueError, match="constant"):
        ex.check_weights(["zeros"])


def test_sample_weight_shape_and_seed() -> None:
    a = ex.sample_weight("xavier_uniform", 6, 4, seed=5)
    assert a.shape == (4, 6)
    assert torch.equal(a, ex.sample_weight("xavier_uniform", 6, 4, seed=5))


def test_histograms_one_panel_per_method() -> None:
    fig = ex.plot_weight_histograms(["normal", "xavier_uniform", "default"], 50, 40, ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["正态 N(0, 1)", "Xavier 均匀", "PyTorch 默认"]
    assert all(ax.get_ylabel() == "密度" for ax in visible)
    # one legend for the whole figure, none inside a panel
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in visible)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["实测直方图（颜色区分方法）", "公式的密度", "公式的边界"]
    # the legend's histogram swatch is neutral grey, not one panel's colour
    swatch = fig.legends[0].legend_handles[0]
    assert matplotlib.colors.to_hex(swatch.get_facecolor(), keep_alpha=False) == "#8c8c8c"
    # one shared x axis (N(0, 1) sets it), so the narrow methods look narrow; they get an inset
    assert len({ax.get_xlim() for ax in visible}) == 1 and visible[0].get_xlim()[1] > 4
    assert [len(ax.child_axes) for ax in visible] == [0, 1, 1]
    # each panel is filled with its method's course colour
    face = matplotlib.colors.to_hex(visible[1].patches[0].get_facecolor(), keep_alpha=False)
    assert face == plotting.init_color("xavier_uniform")
    plt.close(fig)
    with pytest.raises(ValueError, match="constant"):
        ex.plot_weight_histograms(["ones"], 5, 5)


def test_constant_init_never_breaks_symmetry() -> None:
    set_seed(0)
    model = make_mlp([3, 6, 2], "tanh", "constant")
    x, y = torch.randn(16, 3), torch.randn(16, 2)
    losses = train_regressor(model, x, y, steps=20, lr=0.1, optimizer="sgd").losses
    assert len(losses) == 20 and losses[-1] < losses[0]
    assert ex.unit_spread(model[0]) < 1e-6
    set_seed(0)
    other = make_mlp([3, 6, 2], "tanh", "kaiming_normal")
    assert ex.unit_spread(other[0]) > 0.1


def test_unit_spread_is_the_largest_pairwise_difference() -> None:
    layer = nn.Linear(2, 3)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[0.0, 1.0], [2.0, -3.0], [-1.0, 0.5]]))
        layer.bias.copy_(torch.tensor([0.0, 0.5, 0.25]))
    # column ranges: weight 3.0 and 4.0, bias 0.5 -> 4.0 (units 0 and 1, second input)
    assert ex.unit_spread(layer) == pytest.approx(4.0)
    no_bias = nn.Linear(2, 3, bias=False)
    with torch.no_grad():
        no_bias.weight.fill_(0.7)
    assert ex.unit_spread(no_bias) == 0.0


def test_zero_init_only_last_bias_gets_gradient() -> None:
    set_seed(0)
    model = make_mlp([3, 5, 5, 2], "relu", "zeros")
    nn.functional.mse_loss(model(torch.randn(8, 3)), torch.randn(8, 2)).backward()
    grads = ex.nonzero_grads(model)
    assert [name for name, nonzero in grads.items() if nonzero] == ["4.bias"]


@pytest.mark.parametrize(
    ("init", "ratio"), [("xavier_normal", 1 / math.sqrt(2)), ("kaiming_normal", 1.0)]
)
def test_relu_theory_ratio_per_layer(init: str, ratio: float) -> None:
    th = ex.theory_profile("relu", init, width=64, depth=8)
    for a, b in zip(th.forward[:-1], th.forward[1:], strict=True):
        assert b / a == pytest.approx(ratio)
    for a, b in zip(th.backward[:-1], th.backward[1:], strict=True):
        assert a / b == pytest.approx(ratio)
    assert th.backward[-1] == 1.0 and th.weight_grad == []


def test_default_theory_reaches_bias_fixed_point() -> None:
    n = 100
    th = ex.theory_profile("relu", "default", width=n, depth=40)
    # v = v / 6 + 1 / (3 n)  =>  v* = 2 / (5 n)
    assert th.forward[-1] == pytest.approx(math.sqrt(2 / (5 * n)), rel=1e-6)
    assert ex.weight_variance_scale("default", n) == pytest.approx((1 / 3, 1 / (3 * n)))


def test_tanh_xavier_theory_decays_like_one_over_sqrt_2l() -> None:
    th = ex.theory_profile("tanh", "xavier_normal", width=512, depth=200)
    assert th.forward[199] * math.sqrt(2 * 200) == pytest.approx(1.0, abs=0.05)
    assert ex.theory_profile("identity", "xavier_normal", depth=3).forward == pytest.approx(
        [1.0] * 3
    )


def test_theory_rejects_unknown_activation() -> None:
    with pytest.raises(ValueError, match="valid names: identity, relu, tanh, sigmoid"):
        ex.theory_profile("gelu", "xavier_normal")


@pytest.mark.parametrize(("activation", "init"), list(ex.DEPTH_SETTINGS.values()))
def test_depth_profile_follows_theory(activation: str, init: str) -> None:
    measured = ex.depth_profile(activation, init, width=256, depth=8, batch=64)
    theory = ex.theory_profile(activation, init, width=256, depth=8)
    assert len(measured.forward) == len(measured.backward) == len(measured.weight_grad) == 8
    for m, t in zip(
        measured.forward + measured.backward, theory.forward + theory.backward, strict=True
    ):
        assert 0.7 < m / t < 1.4


def test_depth_profile_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError, match="width, depth"):
        ex.depth_profile("relu", "xavier_normal", width=0)


def test_plot_depth_profiles_draws_measured_and_theory() -> None:
    fig = ex.plot_depth_profiles({"a": [1, 2, 3]}, {"a": [1, 2, 4]}, title="t", ylabel="y")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 3
    plt.close(fig)
    # a DEPTH_SETTINGS label gets its init's colour and its activation's line style
    fig = ex.plot_depth_profiles(
        {"tanh + Xavier": [1, 2], "ReLU + Kaiming": [1, 1]}, title="t", ylabel="y", backward=True
    )
    tanh, relu = fig.axes[0].get_lines()[:2]
    assert tanh.get_color() == plotting.SETTING_COLORS["tanh + Xavier"]
    assert tanh.get_linestyle() == "-."
    assert relu.get_color() == plotting.init_color("kaiming_normal") and relu.get_linestyle() == "-"
    assert any("反向" in t.get_text() for t in fig.axes[0].texts)
    plt.close(fig)
    # theory: open circles, no line, so a measured curve under it stays visible
    fig = ex.plot_depth_profiles(
        {"tanh + Xavier": [1, 2, 3]}, {"tanh + Xavier": [1, 2, 3]}, title="t", ylabel="y"
    )
    theory = fig.axes[0].get_lines()[1]
    assert theory.get_linestyle() == "None" and theory.get_marker() == "o"
    assert theory.get_markerfacecolor() == "none"
    plt.close(fig)
    with pytest.raises(ValueError, match="labels differ"):
        ex.plot_depth_profiles({"a": [1]}, {"b": [1]}, title="t", ylabel="y")


def test_linear_classes_deterministic_and_balanced_enough() -> None:
    x, y = ex.linear_classes(n=200, dim=5, classes=3, seed=1)
    assert x.shape == (200, 5) and y.shape == (200,)
    assert torch.equal(y, ex.linear_classes(n=200, dim=5, classes=3, seed=1)[1])
    assert set(y.tolist()) == {0, 1, 2}


def test_train_deep_relu_runs_and_records_losses() -> None:
    result = ex.train_deep_relu("kaiming_normal", depth=4, width=16, steps=15, lr=0.05, n=64)
    assert len(result.losses) == len(result.grad_norms) == 15 and 0.0 <= result.accuracy <= 1.0
    assert all(g > 0 for g in result.grad_norms)
    assert result.losses[-1] < result.losses[0]
    # Same seed, same run; Adam takes no momentum, so none is passed to it.
    again = ex.train_deep_relu("kaiming_normal", depth=4, width=16, steps=15, lr=0.05, n=64)
    assert again == result
    adam = ex.train_deep_relu("kaiming_normal", depth=4, width=16, steps=5, optimizer="adam")
    assert len(adam.losses) == 5


def test_deep_relu_problem_builds_the_training_network() -> None:
    model, x, y = ex.deep_relu_problem("xavier_normal", depth=5, width=8, n=32)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (16, 8),
        (8, 8),
        (8, 8),
        (8, 8),
        (8, 4),
    ]
    assert sum(isinstance(m, nn.ReLU) for m in model) == 4
    assert all(torch.equal(m.bias, torch.zeros_like(m.bias)) for m in linears)
    assert model(x).shape == (32, 4) and y.shape == (32,)
    again, _, _ = ex.deep_relu_problem("xavier_normal", depth=5, width=8, n=32)
    assert torch.equal(model[0].weight, again[0].weight)


def test_train_deep_relu_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="valid names: sgd, adam"):
        ex.train_deep_relu("kaiming_normal", depth=2, steps=1, optimizer="lbfgs")
    with pytest.raises(ValueError, match="'sgd' only"):
        ex.train_deep_relu("kaiming_normal", depth=2, steps=1, optimizer="adam", momentum=0.9)
    with pytest.raises(ValueError, match="valid names: uniform"):
        ex.train_deep_relu("he", depth=2, steps=1)


def test_measure_profile_on_a_hand_initialised_model() -> None:
    set_seed(0)
    model = make_mlp([64] * 5, "relu", "xavier_normal")
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.01)
    prof = ex.measure_profile(model, torch.randn(32, 64), torch.randn(32, 64))
    theory = ex.variance_recursion("relu", scale=64 * 0.01**2, depth=4)
    for m, t in zip(prof.forward, theory.forward, strict=True):
        assert 0.7 < m / t < 1.4
    with pytest.raises(ValueError, match="shape"):
        ex.measure_profile(model, torch.randn(32, 64), torch.randn(32, 3))
    with pytest.raises(ValueError, match="no nn.Linear"):
        ex.measure_profile(nn.Sequential(nn.ReLU()), torch.randn(2, 3), torch.randn(2, 3))


def test_variance_recursion_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="scale, bias_var"):
        ex.variance_recursion("relu", scale=-1.0)


def test_signal_and_gradient_figure_shares_the_y_axis() -> None:
    fwd = {"ReLU + Xavier": [1.0, 0.5], "ReLU + Kaiming": [1.0, 1.0]}
    bwd = {"ReLU + Xavier": [0.5, 1.0], "ReLU + Kaiming": [1.0, 1.0]}
    fig = ex.plot_signal_and_gradient(fwd, bwd, fwd, bwd)
    left, right = fig.axes
    assert left.get_shared_y_axes().joined(left, right)
    assert len(fig.legends) == 1 and len(left.get_lines()) == 5  # 2 measured, 2 theory, 1 key
    plt.close(fig)
    with pytest.raises(ValueError, match="labels differ"):
        ex.plot_signal_and_gradient(fwd, {"x": [1.0, 1.0]})


def test_depth_profile_gives_every_layer_the_same_init() -> None:
    # Kaiming on all layers, the last included: the theory's last layer keeps sqrt(2).
    prof = ex.depth_profile("relu", "kaiming_normal", width=256, depth=3, batch=64)
    assert 0.8 < prof.forward[-1] / math.sqrt(2) < 1.25


def test_final_std_spread_shrinks_with_width() -> None:
    narrow = torch.tensor(ex.final_std_over_seeds("relu", "kaiming_normal", 16, depth=20))
    wide = torch.tensor(ex.final_std_over_seeds("relu", "kaiming_normal", 256, depth=20))
    assert len(narrow) == len(wide) == 8
    assert wide.log().std() < narrow.log().std()
    with pytest.raises(ValueError, match="default"):
        ex.final_std_over_seeds("relu", "default", 8)


def test_label_entropy_and_majority() -> None:
    h, majority = ex.label_entropy(torch.tensor([0, 0, 1, 1]))
    assert h == pytest.approx(math.log(2)) and majority == 0.5
    h, majority = ex.label_entropy(torch.tensor([2, 2, 2]))
    assert h == pytest.approx(0.0) and majority == 1.0


def test_training_comparison_has_reference_lines_and_zoom() -> None:
    runs = {
        name: [ex.train_deep_relu(name, depth=3, width=8, steps=4, n=32, seed=s) for s in (0, 1)]
        for name in ("kaiming_normal", "xavier_normal", "default")
    }
    fig = ex.plot_training_comparison(runs, entropy=1.3)
    left, right = fig.axes
    assert len(fig.legends) == 1
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:3] == ["Kaiming 正态", "Xavier 正态", "PyTorch 默认"]
    assert any("ln 4" in label for label in labels) and any("H" in label for label in labels)
    assert right.get_ylim()[0] == pytest.approx(1.3 - 0.03)
    plt.close(fig)
    with pytest.raises(ValueError, match="zoom names"):
        ex.plot_training_comparison({"kaiming_normal": runs["kaiming_normal"]}, entropy=1.0)


def test_training_uses_the_same_data_for_every_seed() -> None:
    _, x0, y0 = ex.deep_relu_problem("xavier_normal", depth=2, width=4, seed=0, n=16)
    m1, x1, y1 = ex.deep_relu_problem("xavier_normal", depth=2, width=4, seed=1, n=16)
    assert torch.equal(x0, x1) and torch.equal(y0, y1)
    _, x2, _ = ex.deep_relu_problem("xavier_normal", depth=2, width=4, n=16, data_seed=5)
    assert not torch.equal(x0, x2)


def test_deep_relu_problem_output_gain_redraws_only_the_output_layer() -> None:
    base, x, y = ex.deep_relu_problem("kaiming_normal", depth=4, width=16, seed=2)
    lecun, x2, _ = ex.deep_relu_problem("kaiming_normal", depth=4, width=16, seed=2, output_gain=1)
    assert torch.equal(x, x2)
    for a, b in zip(base[:-1], lecun[:-1], strict=True):  # hidden layers unchanged
        if isinstance(a, nn.Linear):
            assert torch.equal(a.weight, b.weight)
    assert not torch.equal(base[-1].weight, lecun[-1].weight)
    wide, _, _ = ex.deep_relu_problem("kaiming_normal", depth=3, width=4000, seed=0, output_gain=1)
    assert abs(wide[-1].weight.std().item() * math.sqrt(4000) - 1) < 0.05  # std = gain/sqrt(fan_in)
    zero, _, _ = ex.deep_relu_problem("kaiming_normal", depth=4, width=16, output_gain=0)
    assert (zero[-1].weight == 0).all()
    assert ex.train_deep_relu("kaiming_normal", depth=4, width=16, steps=2, output_gain=0).losses[
        0
    ] == pytest.approx(math.log(4))  # zero logits: the loss of a uniform guess over 4 classes
    with pytest.raises(ValueError, match="output_gain"):
        ex.deep_relu_problem("kaiming_normal", output_gain=-1.0)
