r"""Activation functions: one registry that every experiment of the course loops over.

Two views of the same functions live here:

- :data:`ACTIVATIONS` maps a name to a factory of a ``torch.nn`` module. Adding an entry adds it
  to every plot and table that iterates over the registry (:func:`activation_names`,
  :func:`get_activation`).
- :data:`SCRATCH` maps the same names to from-scratch implementations of the function **and of
  its derivative**, written with elementary tensor operations only (``exp``, ``log1p``, ``erf``,
  ``where``), so that chapter 2 can check them against PyTorch and autograd
  (:func:`get_scratch`).

:func:`derivative` computes :math:`f'(x)` of any element-wise function by autograd; the chapter,
the experiments and the tests all use it as the reference the from-scratch derivatives must match.

Softmax acts on a whole vector rather than element by element, so it is not in the registries;
:func:`softmax` (max-shifted, numerically stable), :func:`softmax_naive` (the textbook formula,
which overflows) and :func:`softmax_jacobian` implement it.

Conventions at the kinks (where the derivative is undefined) follow PyTorch's autograd, so the
from-scratch derivatives equal ``torch.autograd.grad`` everywhere: ReLU's derivative at 0 is 0,
Leaky ReLU's and PReLU's is the negative slope, ELU's is :math:`\alpha`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import torch
from torch import Tensor, nn

from nnlib.validation import check_float_tensor

#: Slope of Leaky ReLU for negative inputs (Maas et al., 2013; PyTorch's default).
LEAKY_SLOPE = 0.01
#: Initial slope of PReLU for negative inputs (He et al., 2015; PyTorch's default).
PRELU_INIT = 0.25
#: :math:`\alpha` of ELU, the value it approaches for large negative inputs is :math:`-\alpha`.
ELU_ALPHA = 1.0

#: name -> factory returning a fresh ``nn.Module`` (element-wise activations only; softmax acts
#: on a whole vector and is therefore not in this registry).
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "identity": nn.Identity,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE),
    "prelu": lambda: nn.PReLU(init=PRELU_INIT),
    "elu": lambda: nn.ELU(alpha=ELU_ALPHA),
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "softplus": nn.Softplus,
}


#: name -> how figures and tables of the course write it (registry keys are code, not prose).
DISPLAY_NAMES: dict[str, str] = {
    "identity": "恒等（identity）",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "prelu": "PReLU",
    "elu": "ELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "softplus": "Softplus",
}


def activation_names() -> list[str]:
    """Return the valid activation names, in registry order."""
    return list(ACTIVATIONS)


def display_name(name: str) -> str:
    """The printed name of a registered activation (``"relu"`` -> ``"ReLU"``); a name without an
    entry in :data:`DISPLAY_NAMES` is shown as it is.

    Raises:
        ValueError: if ``name`` is not in :data:`ACTIVATIONS`; the message lists the valid names.
    """
    get_activation(name)  # validates
    return DISPLAY_NAMES.get(name, name)


def get_activation(name: str) -> nn.Module:
    """Build a fresh activation module from its registry name.

    Raises:
        ValueError: if ``name`` is unknown; the message lists the valid names.
    """
    try:
        factory = ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; valid names: {', '.join(activation_names())}"
        ) from None
    return factory()


def derivative(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    r"""The derivative :math:`f'(x_i)` of an element-wise function at every element, by autograd.

    Computed as the gradient of :math:`\sum_i f(x_i)` with respect to :math:`x`: because
    :math:`f` acts on each element separately, :math:`\partial/\partial x_i` only sees
    :math:`f(x_i)`, so the gradient's element :math:`i` is :math:`f'(x_i)`. ``x`` itself is not
    modified and needs no ``requires_grad``; ``fn`` may be a function or an ``nn.Module``.

    Raises:
        TypeError: if ``x`` is not a floating-point tensor (autograd needs floats; an integer
            tensor such as ``torch.arange(5)`` has no derivative).
        ValueError: if ``fn`` is not element-wise (its output shape differs from the input's).
    """
    check_float_tensor("x", x, "derivative")
    x = x.detach().clone().requires_grad_(True)
    y = fn(x)
    if not isinstance(y, Tensor) or y.shape != x.shape:
        got = tuple(y.shape) if isinstance(y, Tensor) else type(y).__name__
        raise ValueError(f"fn must be element-wise (output shape {tuple(x.shape)}), got {got}")
    (grad,) = torch.autograd.grad(y.sum(), x)
    return grad


# --------------------------------------------------------------------------------------------
# From-scratch element-wise activations and their derivatives
# --------------------------------------------------------------------------------------------


def identity(x: Tensor) -> Tensor:
    r"""Identity :math:`f(x) = x` (the output activation of regression)."""
    return x.clone()


def identity_grad(x: Tensor) -> Tensor:
    r"""Derivative of the identity: :math:`f'(x) = 1`."""
    return torch.ones_like(x)


def sigmoid(x: Tensor) -> Tensor:
    r"""Logistic sigmoid :math:`\sigma(x) = \dfrac{1}{1 + e^{-x}}`, range :math:`(0, 1)`.

    Computed as :math:`1/(1+e^{-|x|})` for :math:`x \ge 0` and :math:`e^{-|x|}/(1+e^{-|x|})` for
    :math:`x < 0`, so ``exp`` never sees a large positive argument and never overflows.
    """
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: Tensor) -> Tensor:
    r"""Derivative of the sigmoid: :math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`, range
    :math:`(0, 0.25]`, maximum :math:`0.25` at :math:`x = 0`."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x: Tensor) -> Tensor:
    r"""Hyperbolic tangent, range :math:`(-1, 1)`:

    .. math:: \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1.

    Computed as :math:`\operatorname{sign}(x)\,(1 - e^{-2|x|})/(1 + e^{-2|x|})` (with ``expm1`` for
    accuracy near 0), which never overflows.
    """
    m = torch.expm1(-2.0 * x.abs())  # e^{-2|x|} - 1, in (-1, 0]
    return torch.sign(x) * (-m / (2.0 + m))


def tanh_grad(x: Tensor) -> Tensor:
    r"""Derivative of tanh: :math:`\tanh'(x) = 1 - \tanh^2(x)`, range :math:`(0, 1]`, maximum
    :math:`1` at :math:`x = 0`."""
    t = tanh(x)
    return 1.0 - t * t


def relu(x: Tensor) -> Tensor:
    r"""Rectified linear unit :math:`\operatorname{ReLU}(x) = \max(0, x)`."""
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_grad(x: Tensor) -> Tensor:
    r"""Derivative of ReLU: :math:`1` for :math:`x > 0`, :math:`0` for :math:`x < 0`.

    Undefined at :math:`x = 0`; like PyTorch's autograd we return :math:`0` there.
    """
    return (x > 0).to(x.dtype)


def leaky_relu(x: Tensor, negative_slope: float = LEAKY_SLOPE) -> Tensor:
    r"""Leaky ReLU :math:`f(x) = x` for :math:`x > 0`, :math:`\alpha x` otherwise
    (:math:`\alpha` = ``negative_slope``, 0.01 by default; Maas et al., 2013)."""
    return torch.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x: Tensor, negative_slope: float = LEAKY_SLOPE) -> Tensor:
    r"""Derivative of Leaky ReLU: :math:`1` for :math:`x > 0`, :math:`\alpha` for :math:`x \le 0`
    (PyTorch's convention at 0). Never zero, so a unit can always still learn."""
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))


def prelu(x: Tensor, weight: float | Tensor = PRELU_INIT) -> Tensor:
    r"""Parametric ReLU :math:`f(x) = x` for :math:`x > 0`, :math:`a x` otherwise, where the slope
    :math:`a` (``weight``) is learned (He et al., 2015; PyTorch initialises :math:`a = 0.25`)."""
    return torch.where(x > 0, x, weight * x)


def prelu_grad(x: Tensor, weight: float | Tensor = PRELU_INIT) -> Tensor:
    r"""Derivative of PReLU with respect to its input: :math:`1` for :math:`x > 0`, :math:`a` for
    :math:`x \le 0`. (With respect to the slope: :math:`\partial f/\partial a = \min(x, 0)`.)"""
    a = torch.as_tensor(weight, dtype=x.dtype)
    return torch.where(x > 0, torch.ones_like(x), a.expand_as(x))


def elu(x: Tensor, alpha: float = ELU_ALPHA) -> Tensor:
    r"""Exponential linear unit :math:`f(x) = x` for :math:`x > 0`, :math:`\alpha(e^{x} - 1)`
    otherwise (Clevert et al., 2015); bounded below by :math:`-\alpha`."""
    return torch.where(x > 0, x, alpha * torch.expm1(torch.clamp(x, max=0.0)))


def elu_grad(x: Tensor, alpha: float = ELU_ALPHA) -> Tensor:
    r"""Derivative of ELU: :math:`1` for :math:`x > 0`, :math:`\alpha e^{x} = f(x) + \alpha` for
    :math:`x \le 0` (PyTorch's convention at 0, so the value there is :math:`\alpha`)."""
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(torch.clamp(x, max=0.0)))


def _normal_cdf(x: Tensor) -> Tensor:
    r""":math:`\Phi(x) = \tfrac12\,(1 + \operatorname{erf}(x/\sqrt2))`."""
    return 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


def _normal_pdf(x: Tensor) -> Tensor:
    r""":math:`\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}`."""
    return torch.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def gelu(x: Tensor) -> Tensor:
    r"""Gaussian error linear unit :math:`\operatorname{GELU}(x) = x\,\Phi(x)`, with :math:`\Phi`
    the standard normal CDF (Hendrycks & Gimpel, 2016); the exact form, not the tanh
    approximation. Minimum :math:`\approx -0.170` at :math:`x \approx -0.752`."""
    return x * _normal_cdf(x)


def gelu_grad(x: Tensor) -> Tensor:
    r"""Derivative of GELU: :math:`\Phi(x) + x\,\varphi(x)`, :math:`\varphi` the normal density."""
    return _normal_cdf(x) + x * _normal_pdf(x)


def silu(x: Tensor) -> Tensor:
    r"""SiLU / Swish (:math:`\beta = 1`): :math:`f(x) = x\,\sigma(x)`, named SiLU by Hendrycks &
    Gimpel (2016), used by Elfwing et al. (2017) and found again as Swish by Ramachandran et al.
    (2017). Minimum :math:`\approx -0.2785` at :math:`x \approx -1.278`; slope 0.5 at 0."""
    return x * sigmoid(x)


def silu_grad(x: Tensor) -> Tensor:
    r"""Derivative of SiLU: :math:`\sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)`."""
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def softplus(x: Tensor) -> Tensor:
    r"""Softplus :math:`f(x) = \ln(1 + e^{x})`, a smooth ReLU with :math:`0 < f(x) - \max(0, x)
    \le \ln 2`.

    Computed as :math:`\max(0, x) + \ln(1 + e^{-|x|})` (``log1p``), which never overflows.
    """
    return torch.clamp(x, min=0.0) + torch.log1p(torch.exp(-x.abs()))


def softplus_grad(x: Tensor) -> Tensor:
    r"""Derivative of softplus: the sigmoid, :math:`f'(x) = \sigma(x)`."""
    return sigmoid(x)


class ScratchActivation(NamedTuple):
    """A from-scratch activation: the function and its derivative, both element-wise."""

    fn: Callable[[Tensor], Tensor]
    grad: Callable[[Tensor], Tensor]


#: name -> from-scratch (function, derivative), with the same names and default parameters as
#: :data:`ACTIVATIONS` (PReLU at its initial slope 0.25).
SCRATCH: dict[str, ScratchActivation] = {
    "identity": ScratchActivation(identity, identity_grad),
    "sigmoid": ScratchActivation(sigmoid, sigmoid_grad),
    "tanh": ScratchActivation(tanh, tanh_grad),
    "relu": ScratchActivation(relu, relu_grad),
    "leaky_relu": ScratchActivation(leaky_relu, leaky_relu_grad),
    "prelu": ScratchActivation(prelu, prelu_grad),
    "elu": ScratchActivation(elu, elu_grad),
    "gelu": ScratchActivation(gelu, gelu_grad),
    "silu": ScratchActivation(silu, silu_grad),
    "softplus": ScratchActivation(softplus, softplus_grad),
}


def get_scratch(name: str) -> ScratchActivation:
    """Return the from-scratch ``(fn, grad)`` pair registered under ``name``.

    Raises:
        ValueError: if ``name`` is unknown; the message lists the valid names.
    """
    try:
        return SCRATCH[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; valid names: {', '.join(SCRATCH)}"
        ) from None


# --------------------------------------------------------------------------------------------
# Softmax
# --------------------------------------------------------------------------------------------


def softmax_naive(z: Tensor, dim: int = -1) -> Tensor:
    r"""Textbook softmax :math:`p_i = e^{z_i} / \sum_j e^{z_j}` along ``dim``, **without** the
    max shift: for large logits :math:`e^{z}` overflows to ``inf`` and the result is ``nan``
    (for very negative logits it underflows to :math:`0/0`). For demonstrations only."""
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)


def softmax(z: Tensor, dim: int = -1) -> Tensor:
    r"""Numerically stable softmax along ``dim``:

    .. math:: p_i = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}}, \qquad m = \max_j z_j,

    equal to :math:`e^{z_i}/\sum_j e^{z_j}` because the factor :math:`e^{-m}` cancels. Every
    exponent is :math:`\le 0`, so nothing overflows, and the largest term is exactly 1, so the
    denominator is at least 1.

    Raises:
        TypeError: if ``z`` is not a floating-point tensor (a list: ``torch.tensor([...])``).
    """
    check_float_tensor("z", z, "softmax")
    shifted = z - z.amax(dim=dim, keepdim=True)
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)


def softmax_jacobian(z: Tensor) -> Tensor:
    r"""Jacobian of softmax for a 1-D logit vector: :math:`\dfrac{\partial p_i}{\partial z_j}
    = p_i(\delta_{ij} - p_j)`, i.e. :math:`\operatorname{diag}(p) - p\,p^{\top}`.

    Raises:
        ValueError: if ``z`` is not 1-D.
    """
    if z.dim() != 1:
        raise ValueError(f"z must be a 1-D logit vector, got shape {tuple(z.shape)}")
    p = softmax(z)
    return torch.diag(p) - torch.outer(p, p)


def register_activation(
    name: str,
    factory: Callable[[], nn.Module],
    fn: Callable[[Tensor], Tensor],
    grad: Callable[[Tensor], Tensor],
    display: str | None = None,
) -> None:
    """Add an activation to both registries at once: ``factory`` to :data:`ACTIVATIONS`, the
    from-scratch ``(fn, grad)`` to :data:`SCRATCH`, and ``display`` (default: ``name``) to
    :data:`DISPLAY_NAMES`. Every loop over :func:`activation_names` then includes it.

    Raises:
        ValueError: if ``name`` is already registered (the message lists the names taken), or if
            ``factory``, ``fn`` or ``grad`` is not callable.
    """
    if name in ACTIVATIONS or name in SCRATCH:
        raise ValueError(
            f"activation {name!r} is already registered; taken: {', '.join(ACTIVATIONS)}"
        )
    if not (callable(factory) and callable(fn) and callable(grad)):
        raise ValueError("factory, fn and grad must all be callable")
    ACTIVATIONS[name] = factory
    SCRATCH[name] = ScratchActivation(fn, grad)
    DISPLAY_NAMES[name] = display if display is not None else name


def unregister_activation(name: str) -> None:
    """Remove an activation added by :func:`register_activation` from all three registries.

    Raises:
        ValueError: if ``name`` is not registered; the message lists the valid names.
    """
    get_activation(name)  # validates
    del ACTIVATIONS[name]
    SCRATCH.pop(name, None)
    DISPLAY_NAMES.pop(name, None)
