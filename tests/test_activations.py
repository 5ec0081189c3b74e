"""Tests for the from-scratch activations in nnlib.activations, against torch and autograd."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

from nnlib.activations import (
    SCRATCH,
    activation_names,
    derivative,
    elu_grad,
    get_activation,
    get_scratch,
    leaky_relu_grad,
    prelu,
    prelu_grad,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_jacobian,
    softmax_naive,
    softplus,
    tanh,
)

# A grid with the interesting points: the kink at 0, moderate values, and extremes.
GRID = torch.cat(
    [torch.linspace(-12.0, 12.0, 2401), torch.tensor([0.0, -100.0, 100.0, -1e4, 1e4, 30.0])]
)


def test_scratch_registry_matches_module_registry() -> None:
    assert list(SCRATCH) == activation_names()


@pytest.mark.parametrize("name", activation_names())
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_scratch_function_matches_torch(name: str, dtype: torch.dtype) -> None:
    x = GRID.to(dtype)
    module = get_activation(name).to(dtype)
    with torch.no_grad():
        expected = module(x)
    torch.testing.assert_close(get_scratch(name).fn(x), expected)


@pytest.mark.parametrize("name", activation_names())
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_scratch_derivative_matches_autograd(name: str, dtype: torch.dtype) -> None:
    x = GRID.to(dtype)
    expected = derivative(get_activation(name).to(dtype), x)
    torch.testing.assert_close(get_scratch(name).grad(x), expected)


@pytest.mark.parametrize("name", activation_names())
def test_scratch_derivative_matches_central_differences(name: str) -> None:
    # Away from the kink at 0, in float64, (f(x+h) - f(x-h)) / 2h is accurate to ~1e-10.
    x = torch.linspace(-6.0, 6.0, 1201, dtype=torch.float64)
    x = x[x.abs() > 1e-3]
    fn, grad = get_scratch(name)
    h = 1e-6
    numeric = (fn(x + h) - fn(x - h)) / (2 * h)
    torch.testing.assert_close(grad(x), numeric, atol=1e-7, rtol=1e-6)


def test_kink_conventions_follow_pytorch_autograd() -> None:
    zero = torch.zeros(1)
    assert relu_grad(zero).item() == 0.0
    assert leaky_relu_grad(zero).item() == pytest.approx(0.01)
    assert prelu_grad(zero).item() == pytest.approx(0.25)
    assert elu_grad(zero, alpha=2.0).item() == 2.0
    for slope in (0.01, 0.2):
        expected = derivative(torch.nn.LeakyReLU(slope), zero)
        assert leaky_relu_grad(zero, slope).item() == pytest.approx(expected.item())


def test_sigmoid_and_tanh_facts() -> None:
    x = torch.linspace(-20.0, 20.0, 4001, dtype=torch.float64)
    s, ds = sigmoid(x), sigmoid_grad(x)
    assert 0.0 < s.min() and s.max() < 1.0
    assert ds.max().item() == 0.25 and abs(x[ds.argmax()].item()) < 1e-12
    assert sigmoid_grad(torch.zeros(1)).item() == 0.25
    torch.testing.assert_close(tanh(x), 2 * sigmoid(2 * x) - 1)
    # In float32 both inputs of the seed article give exactly 1: the 100x difference is gone.
    assert torch.equal(sigmoid(torch.tensor([100.0, 1e4])), torch.ones(2))
    # Stable: no overflow for very negative inputs.
    assert torch.isfinite(sigmoid(torch.tensor([-1e4]))).all()


def test_prelu_with_custom_weight_and_slope_gradient() -> None:
    x = torch.tensor([-2.0, -1.0, 0.5, 3.0])
    a = torch.tensor(0.1, requires_grad=True)
    y = F.prelu(x, a.reshape(1))
    torch.testing.assert_close(prelu(x, 0.1), y.detach())
    torch.testing.assert_close(prelu_grad(x, 0.1), torch.tensor([0.1, 0.1, 1.0, 1.0]))
    (da,) = torch.autograd.grad(y.sum(), a)
    assert da.item() == pytest.approx(float(torch.clamp(x, max=0).sum()))  # df/da = min(x, 0)


def test_softplus_gap_to_relu_is_at_most_log2() -> None:
    x = torch.linspace(-30.0, 30.0, 6001, dtype=torch.float64)
    gap = softplus(x) - torch.relu(x)
    assert gap.min() > 0
    assert gap.max().item() == pytest.approx(math.log(2.0))


def test_softmax_stable_vs_naive() -> None:
    z = torch.tensor([1000.0, 1001.0, 1002.0])
    assert torch.isnan(softmax_naive(z)).all()
    assert torch.isnan(softmax_naive(-z)).all()  # 0 / 0 after underflow
    torch.testing.assert_close(
        softmax(z), torch.tensor([0.0900, 0.2447, 0.6652]), atol=1e-4, rtol=0
    )
    torch.testing.assert_close(softmax(z), torch.softmax(z, dim=0))
    small = torch.tensor([0.2, 0.02, 0.15, 3.75])
    torch.testing.assert_close(softmax_naive(small), softmax(small))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_matches_torch_along_dim(dim: int) -> None:
    torch.manual_seed(0)
    z = 10 * torch.randn(4, 5)
    p = softmax(z, dim=dim)
    torch.testing.assert_close(p, torch.softmax(z, dim=dim))
    torch.testing.assert_close(p.sum(dim=dim), torch.ones(p.shape[dim - 1 if dim == 0 else 0]))


def test_two_class_softmax_is_sigmoid_of_difference() -> None:
    z = torch.randn(100, 2, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(softmax(z)[:, 0], sigmoid(z[:, 0] - z[:, 1]))


def test_softmax_jacobian_matches_autograd() -> None:
    z = torch.tensor([0.5, -1.0, 2.0, 0.0], dtype=torch.float64)
    expected = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, dim=0), z)
    torch.testing.assert_close(softmax_jacobian(z), expected)
    torch.testing.assert_close(softmax_jacobian(z).sum(dim=0), torch.zeros(4, dtype=z.dtype))
    with pytest.raises(ValueError, match="1-D"):
        softmax_jacobian(torch.zeros(2, 2))


def test_unknown_scratch_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="valid names: identity, sigmoid, tanh, relu"):
        get_scratch("swish")


def test_derivative_by_autograd() -> None:
    x = torch.linspace(-3.0, 3.0, 61, dtype=torch.float64)
    torch.testing.assert_close(derivative(torch.sin, x), torch.cos(x))
    torch.testing.assert_close(derivative(lambda v: v**3, x), 3 * x**2)
    assert not x.requires_grad  # the input is left untouched
    relu_at = derivative(torch.nn.ReLU(), torch.tensor([-1.0, 0.0, 2.0]))
    torch.testing.assert_close(relu_at, torch.tensor([0.0, 0.0, 1.0]))  # 0 at the kink
    with pytest.raises(ValueError, match="element-wise"):
        derivative(lambda v: v.sum(), x)  # not element-wise: one output for many inputs


def test_get_activation_builds_fresh_modules_and_names_valid_ones() -> None:
    a, b = get_activation("prelu"), get_activation("prelu")
    assert isinstance(a, torch.nn.PReLU) and a is not b and a.weight is not b.weight
    assert isinstance(get_activation("leaky_relu"), torch.nn.LeakyReLU)
    assert get_activation("leaky_relu").negative_slope == 0.01
    with pytest.raises(ValueError, match="valid names: identity, sigmoid, tanh, relu"):
        get_activation("swish")
    with pytest.raises(ValueError, match="valid names"):
        get_activation(["relu"])  # type: ignore[arg-type]


def test_display_names_cover_the_registry() -> None:
    from nnlib.activations import activation_names, display_name

    assert display_name("relu") == "ReLU" and display_name("leaky_relu") == "Leaky ReLU"
    assert all(display_name(n) for n in activation_names())
    with pytest.raises(ValueError, match="valid names"):
        display_name("relu6")


def test_register_and_unregister_activation() -> None:
    from torch import nn

    from nnlib.activations import (
        activation_names,
        display_name,
        get_activation,
        get_scratch,
        register_activation,
        unregister_activation,
    )

    def mish(x: torch.Tensor) -> torch.Tensor:
        return x * torch.tanh(F.softplus(x))

    def mish_grad(x: torch.Tensor) -> torch.Tensor:
        t = torch.tanh(F.softplus(x))
        return t + x * torch.sigmoid(x) * (1 - t * t)

    register_activation("mish_test", nn.Mish, mish, mish_grad, display="Mish")
    try:
        assert "mish_test" in activation_names() and display_name("mish_test") == "Mish"
        xs = torch.linspace(-6, 6, 241, dtype=torch.float64)
        torch.testing.assert_close(get_scratch("mish_test").grad(xs), derivative(nn.Mish(), xs))
        assert isinstance(get_activation("mish_test"), nn.Mish)
        with pytest.raises(ValueError, match="already registered"):
            register_activation("mish_test", nn.Mish, mish, mish_grad)
    finally:
        unregister_activation("mish_test")
    assert "mish_test" not in activation_names()
    with pytest.raises(ValueError, match="valid names"):
        unregister_activation("mish_test")
    with pytest.raises(ValueError, match="callable"):
        register_activation("bad", nn.Mish, mish, 3)  # type: ignore[arg-type]
