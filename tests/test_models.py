"""Tests for nnlib.models: the seed article's network, init via apply, parameter counting."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from nnlib import set_seed
from nnlib.models import (
    SeedNet,
    check_input_width,
    count_parameters,
    init_by_next_activation,
    make_mlp,
    mlp_parameter_count,
    output_init_for,
    seed_net_sequential,
)


def test_seed_net_shapes_probabilities_and_26_parameters() -> None:
    set_seed(0)
    model = SeedNet()
    out = model(torch.randn(5, 3))
    assert out.shape == (5, 2)
    torch.testing.assert_close(out.sum(dim=-1), torch.ones(5))
    assert (out > 0).all()
    per_layer = [p.numel() for p in model.parameters()]
    assert per_layer == [9, 3, 6, 2, 4, 2]
    assert count_parameters(model) == 26 == mlp_parameter_count([3, 3, 2, 2])


def test_seed_net_forward_is_the_documented_formula() -> None:
    # y = softmax(W3 relu(W2 sigmoid(W1 x + b1) + b2) + b3), written out with matrices
    set_seed(3)
    model = SeedNet()
    x = torch.randn(6, 3)
    w1, b1 = model.linear1.weight, model.linear1.bias
    w2, b2 = model.linear2.weight, model.linear2.bias
    w3, b3 = model.out.weight, model.out.bias
    h1 = torch.sigmoid(x @ w1.T + b1)
    h2 = torch.clamp(h1 @ w2.T + b2, min=0)
    z = h2 @ w3.T + b3
    expected = torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True)
    torch.testing.assert_close(model(x), expected)


def test_seed_net_weight_init_distributions() -> None:
    # Xavier-normal std = sqrt(2 / (fan_in + fan_out)); Kaiming-normal (ReLU) std = sqrt(2 / fan_in)
    set_seed(0)
    w1 = torch.stack([SeedNet().linear1.weight.detach() for _ in range(3000)])
    set_seed(0)
    w2 = torch.stack([SeedNet().linear2.weight.detach() for _ in range(3000)])
    assert w1.std().item() == pytest.approx((2 / 6) ** 0.5, rel=0.03)
    assert w2.std().item() == pytest.approx((2 / 3) ** 0.5, rel=0.03)
    assert abs(w1.mean().item()) < 0.02 and abs(w2.mean().item()) < 0.03


def test_sequential_version_matches_class_version_under_same_seed() -> None:
    set_seed(7)
    a = SeedNet()
    set_seed(7)
    b = seed_net_sequential()
    assert list(a.state_dict()) == list(b.state_dict())
    for key, value in a.state_dict().items():
        torch.testing.assert_close(b.state_dict()[key], value, rtol=0, atol=0)
    x = torch.randn(8, 3)
    torch.testing.assert_close(a(x), b(x))


def test_forward_runs_on_call_not_at_instantiation() -> None:
    class Counting(SeedNet):
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            self.calls += 1
            return super().forward(x)

    model = Counting()
    assert model.calls == 0
    model(torch.zeros(2, 3))
    assert model.calls == 1


@pytest.mark.parametrize("shape", [(5, 4), (5, 2), (4,), ()])
def test_wrong_input_width_names_expected_width(shape) -> None:
    with pytest.raises(ValueError, match=r"expects inputs of shape \[batch, 3\]"):
        SeedNet()(torch.zeros(shape))


def test_check_input_width_rejects_non_tensor() -> None:
    with pytest.raises(TypeError, match="torch.Tensor"):
        check_input_width([[1.0, 2.0, 3.0]], 3, "Net")  # type: ignore[arg-type]
    check_input_width(torch.zeros(4, 3), 3, "Net")  # no error
    check_input_width(torch.zeros(2, 4, 3), 3, "Net")  # extra leading dims are fine
    assert SeedNet()(torch.zeros(3)).shape == (2,)  # one unbatched sample, as nn.Linear allows


def test_init_by_next_activation_picks_xavier_or_kaiming_and_keeps_biases() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(200, 300), nn.Tanh(), nn.Linear(300, 300), nn.ReLU(), nn.Linear(300, 10)
    )
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.apply(init_by_next_activation)
    after = model.state_dict()
    assert after["0.weight"].std().item() == pytest.approx((2 / 500) ** 0.5, rel=0.03)
    assert after["2.weight"].std().item() == pytest.approx((2 / 300) ** 0.5, rel=0.03)
    torch.testing.assert_close(after["4.weight"], before["4.weight"])  # followed by nothing
    for key in ("0.bias", "2.bias", "4.bias"):
        torch.testing.assert_close(after[key], before[key])


def test_init_by_next_activation_ignores_non_sequential() -> None:
    layer = nn.Linear(3, 3)
    before = layer.weight.detach().clone()
    init_by_next_activation(layer)
    torch.testing.assert_close(layer.weight.detach(), before)


@pytest.mark.parametrize(
    ("sizes", "bias", "expected"),
    [
        ([3, 3, 2, 2], True, 26),
        ([3, 3, 2, 2], False, 19),
        ([4, 8, 8, 3], True, 139),
        ([2, 1], True, 3),
    ],
)
def test_mlp_parameter_count_matches_built_model(sizes, bias, expected) -> None:
    assert mlp_parameter_count(sizes, bias=bias) == expected
    assert count_parameters(make_mlp(sizes, bias=bias)) == expected


def test_count_parameters_trainable_only() -> None:
    model = make_mlp([3, 4, 2])
    model[0].weight.requires_grad_(False)
    assert count_parameters(model) == 26
    assert count_parameters(model, trainable_only=True) == 26 - 12


@pytest.mark.parametrize("sizes", [[3], [3, 0]])
def test_mlp_parameter_count_rejects_bad_sizes(sizes) -> None:
    with pytest.raises(ValueError, match="sizes needs at least 2|positive int"):
        mlp_parameter_count(sizes)


@pytest.mark.parametrize("sizes", [[3, 2.5], [3, True]])
def test_mlp_parameter_count_rejects_widths_that_are_not_integers(sizes) -> None:
    with pytest.raises(TypeError, match=r"sizes\[1\] 应是正整数"):
        mlp_parameter_count(sizes)


def test_forward_recording_linear_returns_every_linear_output_with_grads() -> None:
    import torch

    from nnlib.models import forward_recording_linear

    set_seed(0)
    model = make_mlp([4, 5, 3, 2], activation="relu")
    x = torch.randn(6, 4)
    out, zs = forward_recording_linear(model, x)
    torch.testing.assert_close(out, model(x))
    assert [tuple(z.shape) for z in zs] == [(6, 5), (6, 3), (6, 2)]
    assert zs[-1] is out  # the last module is a Linear
    torch.testing.assert_close(zs[0], model[0](x))
    out.sum().backward()
    assert all(z.grad is not None for z in zs)
    with torch.no_grad():
        _, zs = forward_recording_linear(model, x)
    assert not any(z.requires_grad for z in zs)
    with pytest.raises(TypeError, match="nn.Sequential"):
        forward_recording_linear(nn.Linear(2, 2), x)


@pytest.mark.parametrize(
    ("init", "expected_last"),
    [
        ("kaiming_normal", "xavier_normal"),
        ("kaiming_uniform", "xavier_uniform"),
        ("xavier_normal", "xavier_normal"),
        ("default", "default"),
        ("zeros", "zeros"),
    ],
)
def test_output_layer_gets_gain_one_after_kaiming(init: str, expected_last: str) -> None:
    assert output_init_for(init) == expected_last
    torch.manual_seed(0)
    model = make_mlp([64, 256, 256, 128], init=init)
    hidden_std = model[2].weight.std().item()
    last_std = model[4].weight.std().item()
    if init == "kaiming_normal":
        # Kaiming: sqrt(2 / 256); Xavier on the output layer: sqrt(2 / (256 + 128)).
        assert abs(hidden_std - math.sqrt(2 / 256)) < 0.05 * math.sqrt(2 / 256)
        assert abs(last_std - math.sqrt(2 / 384)) < 0.05 * math.sqrt(2 / 384)


def test_output_init_override_and_same_random_stream() -> None:
    torch.manual_seed(0)
    all_kaiming = make_mlp([8, 16, 4], init="kaiming_normal", output_init="kaiming_normal")
    torch.manual_seed(0)
    default_out = make_mlp([8, 16, 4], init="kaiming_normal")
    # Same normal draws, only rescaled: Kaiming (fan_in 16) vs Xavier (fans 16 and 4).
    ratio = math.sqrt(2 / 16) / math.sqrt(2 / 20)
    torch.testing.assert_close(all_kaiming[2].weight, default_out[2].weight * ratio)
    torch.testing.assert_close(all_kaiming[0].weight, default_out[0].weight)


def test_output_init_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="kaiming_normal"):
        make_mlp([2, 3, 1], init="kaiming_normal", output_init="he")
