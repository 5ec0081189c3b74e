"""Tests for nnlib.data (toy data sets), nnlib.training (loop, accuracy) and nnlib.boundary."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from nnlib import set_seed  # noqa: E402
from nnlib.boundary import decision_grid, plot_decision_boundary, plot_points  # noqa: E402
from nnlib.data import (  # noqa: E402
    DATASETS,
    make_circles,
    make_moons,
    make_toy_split,
    train_test_split,
)
from nnlib.models import make_mlp  # noqa: E402
from nnlib.training import (  # noqa: E402
    History,
    accuracy,
    evaluating,
    predict_proba,
    train_classifier,
    train_regressor,
)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_datasets_shapes_balance_and_determinism(name) -> None:
    x, y = DATASETS[name](n_samples=101, noise=0.1, seed=3)
    assert x.shape == (101, 2) and x.dtype == torch.float32
    assert y.shape == (101,) and y.dtype == torch.int64
    assert int((y == 0).sum()) == 50 and int((y == 1).sum()) == 51
    x2, y2 = DATASETS[name](n_samples=101, noise=0.1, seed=3)
    torch.testing.assert_close(x2, x, rtol=0, atol=0)
    assert torch.equal(y2, y)
    x3, _ = DATASETS[name](n_samples=101, noise=0.1, seed=4)
    assert not torch.equal(x3, x)


def test_generators_leave_global_rng_alone() -> None:
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    make_moons(50, seed=1)
    torch.testing.assert_close(torch.rand(3), expected)


def test_noise_free_moons_and_circles_lie_on_their_curves() -> None:
    x, y = make_moons(200, noise=0.0)
    outer, inner = x[y == 0], x[y == 1]
    torch.testing.assert_close(outer.norm(dim=1), torch.ones(len(outer)))
    assert (outer[:, 1] >= 0).all()
    centre = torch.tensor([1.0, 0.5])
    torch.testing.assert_close((inner - centre).norm(dim=1), torch.ones(len(inner)))
    x, y = make_circles(200, noise=0.0, factor=0.3)
    radii = x.norm(dim=1)
    torch.testing.assert_close(radii[y == 0], torch.ones(100))
    torch.testing.assert_close(radii[y == 1], torch.full((100,), 0.3))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: make_moons(1), "n_samples"),
        (lambda: make_moons(10, noise=-0.1), "noise"),
        (lambda: make_circles(10, factor=1.5), "factor"),
        (lambda: make_toy_split("spirals"), "valid names: moons, circles, blobs"),
        (lambda: train_test_split(torch.zeros(4, 2), torch.zeros(3)), "same length"),
        (lambda: train_test_split(torch.zeros(4, 2), torch.zeros(4), 0.0), "test_fraction"),
    ],
)
def test_data_errors(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_split_is_a_partition() -> None:
    x = torch.arange(20.0).reshape(10, 2)
    y = torch.arange(10)
    split = train_test_split(x, y, test_fraction=0.3, seed=1)
    assert len(split.y_test) == 3 and len(split.y_train) == 7
    assert sorted(torch.cat([split.y_train, split.y_test]).tolist()) == list(range(10))
    torch.testing.assert_close(split.x_train[:, 0], 2.0 * split.y_train)  # rows stay paired
    assert repr(split) == "Split(train=7, test=3)"


def _moons_model() -> tuple[nn.Module, object]:
    split = make_toy_split("moons", n_samples=300, noise=0.15, seed=0)
    set_seed(0)
    return make_mlp([2, 16, 16, 2], activation="relu", init="kaiming_normal"), split


def test_training_learns_moons_and_is_deterministic(capsys) -> None:
    model, split = _moons_model()
    history = train_classifier(
        model,
        split.x_train,
        split.y_train,
        steps=200,
        x_test=split.x_test,
        y_test=split.y_test,
        eval_every=100,
        log_every=100,
    )
    assert isinstance(history, History)
    assert len(history.losses) == len(history.grad_norms) == 200
    assert history.steps[0] == 1 and history.steps[-1] == 200
    assert history.eval_steps == [100, 200] and len(history.test_acc) == 2
    assert history.losses[-1] < 0.5 * history.losses[0]
    assert accuracy(model, split.x_test, split.y_test) >= 0.9
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("step  100  loss ")
    again, _ = _moons_model()
    h2 = train_classifier(again, split.x_train, split.y_train, steps=200)
    assert h2.losses == history.losses


def test_predict_proba_and_accuracy() -> None:
    model = nn.Linear(2, 3)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]))
        model.bias.zero_()
    x = torch.tensor([[2.0, 0.0], [0.0, 2.0], [-1.0, -1.0], [2.0, 0.0]])
    probs = predict_proba(model, x)
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(4))
    torch.testing.assert_close(probs[0], torch.softmax(torch.tensor([2.0, 0.0, -2.0]), dim=0))
    assert accuracy(model, x, torch.tensor([0, 1, 2, 1])) == pytest.approx(0.75)
    assert model.training  # mode restored


@pytest.mark.parametrize("start_in_training", [True, False])
def test_evaluating_restores_mode_and_builds_no_graph(start_in_training) -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    model.train(start_in_training)
    with evaluating(model) as inside:
        assert inside is model and not model.training and not model[1].training
        out = model(torch.ones(3, 2))
        assert not out.requires_grad
    assert model.training is start_in_training and model[1].training is start_in_training
    with pytest.raises(RuntimeError, match="boom"), evaluating(model):
        raise RuntimeError("boom")
    assert model.training is start_in_training  # restored after an exception too


def test_predict_proba_and_accuracy_ignore_dropout_and_keep_eval_mode() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.9))
    x = torch.randn(50, 2)
    with torch.no_grad():
        expected = torch.softmax(model[0](x), dim=-1)
    torch.testing.assert_close(predict_proba(model, x), expected)  # dropout is off
    model.eval()
    accuracy(model, x, torch.zeros(50, dtype=torch.int64))
    assert not model.training


def test_softmax_in_forward_bounds_the_loss_from_below() -> None:
    # CE(softmax(p), y) >= log(1 + (C - 1) / e) for probabilities p: the double-softmax floor.
    model, split = _moons_model()
    double = nn.Sequential(model, nn.Softmax(dim=-1))
    history = train_classifier(double, split.x_train, split.y_train, steps=100)
    assert min(history.losses) >= math.log(1 + math.exp(-1))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"optimizer": "rmsprop"}, "valid names: sgd, adam"),
        ({"steps": 0}, "steps"),
        ({"lr": 0.0}, "lr"),
        ({"log_every": -1}, "log_every"),
        ({"optimizer": "sgd", "momentum": 1.0}, r"momentum must be in \[0, 1\)"),
        ({"optimizer": "adam", "momentum": 0.9}, "option of optimizer 'sgd' only"),
    ],
)
def test_training_errors(kwargs, match) -> None:
    model, split = _moons_model()
    with pytest.raises(ValueError, match=match):
        train_classifier(model, split.x_train, split.y_train, **kwargs)


def test_training_rejects_mismatched_shapes() -> None:
    model, split = _moons_model()
    with pytest.raises(ValueError, match=r"x 的形状应是 \[n, 特征数\]"):
        train_classifier(model, split.x_train, split.y_train[:-1])


def test_decision_grid_and_plots() -> None:
    model = nn.Linear(2, 2)
    with torch.no_grad():  # class 1 where x1 > 0
        model.weight.copy_(torch.tensor([[-1.0, 0.0], [1.0, 0.0]]))
        model.bias.zero_()
    x = torch.tensor([[-1.0, -1.0], [1.0, 1.0]])
    xx, yy, pred = decision_grid(model, x, resolution=11, padding=0.0)
    assert xx.shape == yy.shape == pred.shape == (11, 11)
    assert (pred[xx > 0] == 1).all() and (pred[xx < 0] == 0).all()
    fig = plot_decision_boundary(model, x, torch.tensor([0, 1]), title="决策边界")
    assert fig.axes[0].get_title() == "决策边界"
    plt.close(fig)
    fig = plot_points(x, torch.tensor([0, 1]))
    plt.close(fig)
    assert model.training  # plotting measured the model without changing its mode
    with pytest.raises(ValueError, match="resolution"):
        decision_grid(model, x, resolution=1)
    with pytest.raises(ValueError, match="labels must be in"):
        plot_points(x, torch.tensor([0, 7]))


def test_three_class_boundary_follows_the_argmax() -> None:
    model = nn.Linear(2, 3)
    with torch.no_grad():  # class 0 left, class 1 right, class 2 top
        model.weight.copy_(torch.tensor([[-1.0, 0.0], [1.0, 0.0], [0.0, 2.0]]))
        model.bias.zero_()
    x = torch.tensor([[-1.0, -1.0], [1.0, -1.0], [0.0, 1.0]])
    xx, yy, pred = decision_grid(model, x, resolution=21, padding=0.0)
    assert set(np.unique(pred).tolist()) == {0, 1, 2}
    assert pred[0, 0] == 0 and pred[0, -1] == 1 and pred[-1, 10] == 2  # corners and top middle
    fig = plot_decision_boundary(model, x, torch.tensor([0, 1, 2]))
    assert len(fig.axes[0].collections) > 3  # filled regions, boundary lines and three scatters
    plt.close(fig)


def test_train_regressor_fits_a_line_and_checks_shapes() -> None:
    x = torch.linspace(-1, 1, 50).unsqueeze(1)
    y = 3 * x - 0.5
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    history = train_regressor(model, x, y, steps=400, lr=0.05)
    assert history.losses[-1] < 1e-4 < history.losses[0]
    torch.testing.assert_close(model.weight.detach(), torch.tensor([[3.0]]), rtol=0, atol=1e-2)
    with pytest.raises(ValueError, match="model outputs"):
        train_regressor(nn.Linear(1, 2), x, y, steps=1)
    with pytest.raises(ValueError, match=r"y of shape \[n, k\]"):
        train_regressor(model, x, y.squeeze(1), steps=1)
    with pytest.raises(ValueError, match="weight_decay"):
        train_classifier(model, x, y.squeeze(1).long(), weight_decay=-1.0)


def test_sgd_momentum_follows_the_velocity_formula() -> None:
    # L(w) = mean((w x - y)^2) with x = 1, y = 0: gradient 2 w.  v <- mu v + g, w <- w - lr v.
    x, y = torch.ones(4, 1), torch.zeros(4, 1)
    lr, mu = 0.1, 0.9
    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(1.0)
    history = train_regressor(model, x, y, steps=3, lr=lr, optimizer="sgd", momentum=mu)
    w, v, expected = 1.0, 0.0, []
    for _ in range(3):
        expected.append(w**2)
        v = mu * v + 2 * w
        w -= lr * v
    assert history.losses == pytest.approx(expected)
    assert model.weight.item() == pytest.approx(w)
    # momentum=0 is plain gradient descent: w <- (1 - 2 lr) w.
    plain = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        plain.weight.fill_(1.0)
    train_regressor(plain, x, y, steps=3, lr=lr, optimizer="sgd")
    assert plain.weight.item() == pytest.approx((1 - 2 * lr) ** 3)


def test_validation_split_keeps_the_test_set_and_partitions() -> None:
    x = torch.arange(40.0).reshape(20, 2)
    y = torch.arange(20)
    plain = train_test_split(x, y, test_fraction=0.25, seed=3)
    split = train_test_split(x, y, test_fraction=0.25, seed=3, val_fraction=0.2)
    assert plain.x_val is None and plain.y_val is None
    torch.testing.assert_close(split.x_test, plain.x_test)  # the test set does not move
    assert (len(split.y_train), len(split.y_val), len(split.y_test)) == (11, 4, 5)
    every = torch.cat([split.y_train, split.y_val, split.y_test]).tolist()
    assert sorted(every) == list(range(20))
    torch.testing.assert_close(split.x_val[:, 0], 2.0 * split.y_val)  # rows stay paired
    assert repr(split) == "Split(train=11, val=4, test=5)"
    toy = make_toy_split("blobs", n_samples=100, noise=0.5, seed=1, val_fraction=0.2)
    assert toy.x_val.shape == (20, 2) and toy.y_val.dtype == torch.int64
    torch.testing.assert_close(toy.x_test, make_toy_split("blobs", 100, 0.5, seed=1).x_test)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"val_fraction": -0.1}, "val_fraction must be >= 0"),
        ({"val_fraction": 0.01}, "leaves an empty part"),
        ({"val_fraction": 0.75}, "leaves an empty part"),
    ],
)
def test_validation_split_errors(kwargs, match) -> None:
    x, y = torch.zeros(20, 2), torch.zeros(20, dtype=torch.int64)
    with pytest.raises(ValueError, match=match):
        train_test_split(x, y, test_fraction=0.25, **kwargs)


def test_training_records_validation_and_step_zero(capsys) -> None:
    split = make_toy_split("moons", n_samples=200, noise=0.15, seed=0, val_fraction=0.25)
    set_seed(0)
    model = make_mlp([2, 8, 2], activation="relu", init="kaiming_normal")
    before = accuracy(model, split.x_val, split.y_val)
    history = train_classifier(
        model,
        split.x_train,
        split.y_train,
        steps=20,
        x_val=split.x_val,
        y_val=split.y_val,
        x_test=split.x_test,
        y_test=split.y_test,
        eval_every=10,
        eval_at_start=True,
        log_every=10,
    )
    assert history.eval_steps == [0, 10, 20]
    assert history.val_acc[0] == before and len(history.test_acc) == 3
    assert history.val_acc[-1] == accuracy(model, split.x_val, split.y_val)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("step    0  (before training)  train acc")
    assert "val acc" in lines[1] and "test acc" in lines[1]
    with pytest.raises(ValueError, match="eval_at_start=True needs eval_every"):
        train_classifier(model, split.x_train, split.y_train, steps=1, eval_at_start=True)


def test_weight_decay_in_adam_is_an_l2_penalty_on_biases_too() -> None:
    # With a zero loss gradient, Adam's first step on w is -lr * sign(lambda * w): the penalty
    # is rescaled by Adam (a step of lr, whatever lambda), and it moves the bias as well.
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(2.0)
        model.bias.fill_(-3.0)
    x = torch.zeros(4, 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.1, weight_decay=1e-3)
    opt.zero_grad()
    nn.functional.mse_loss(model(x), model(x).detach()).backward()
    opt.step()
    torch.testing.assert_close(model.weight, torch.tensor([[1.9]]), rtol=0, atol=1e-6)
    torch.testing.assert_close(model.bias, torch.tensor([-2.9]), rtol=0, atol=1e-6)


def test_boundary_panels_share_the_region_given_by_around() -> None:
    model = nn.Linear(2, 2)
    left = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    right = torch.tensor([[-2.0, 0.5], [0.5, 3.0]])
    both = torch.cat([left, right])
    labels = torch.tensor([0, 1])
    fig, (ax_a, ax_b) = plt.subplots(1, 2)
    plot_decision_boundary(model, left, labels, ax=ax_a, around=both, padding=0.0)
    plot_decision_boundary(model, right, labels, ax=ax_b, around=both, padding=0.0)
    assert ax_a.get_xlim() == ax_b.get_xlim() == (-2.0, 1.0)
    assert ax_a.get_ylim() == ax_b.get_ylim() == (0.0, 3.0)
    plt.close(fig)


@pytest.mark.parametrize("kwargs", [{}, {"momentum": 0.9}, {"momentum": 0.9, "weight_decay": 1e-3}])
def test_fused_sgd_of_train_classifier_is_the_plain_sgd_loop_bit_for_bit(kwargs) -> None:
    """``train_classifier`` builds SGD with ``fused=True``: on the course's numerics path it
    gives exactly the weights of the textbook loop with ``torch.optim.SGD``."""
    x, y = torch.randn(64, 4, generator=torch.Generator().manual_seed(1)), torch.arange(64) % 3
    set_seed(0)
    fused = make_mlp([4, 16, 3], activation="relu", init="kaiming_normal")
    plain = make_mlp([4, 16, 3], activation="relu", init="kaiming_normal")
    plain.load_state_dict(fused.state_dict())
    train_classifier(fused, x, y, steps=50, lr=0.1, optimizer="sgd", **kwargs)
    opt = torch.optim.SGD(plain.parameters(), lr=0.1, **kwargs)
    for _ in range(50):
        opt.zero_grad()
        nn.functional.cross_entropy(plain(x), y).backward()
        opt.step()
    for a, b in zip(fused.parameters(), plain.parameters(), strict=True):
        assert torch.equal(a, b)


def test_start_chapter_freezes_import_time_objects() -> None:
    import gc

    from nnlib import start_chapter

    try:
        start_chapter(0)
        assert gc.get_freeze_count() > 100_000  # torch's and matplotlib's import-time objects
    finally:
        gc.unfreeze()
