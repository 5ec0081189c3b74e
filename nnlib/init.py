r"""Parameter initialisation: one registry of the methods chapter 3 compares, with their formulas.

Each registry entry is an :class:`InitMethod`: a ``torch.nn.init`` call that fills the weight of a
:class:`torch.nn.Linear` in place, plus the distribution that call draws from, written in terms of

.. math::

    \text{fan\_in} = \text{in\_features}, \qquad \text{fan\_out} = \text{out\_features},

because a Linear weight has shape ``[out_features, in_features]`` (``y = x W^T + b``). The
registry's names are the course's names; :func:`init_linear_` applies one to a layer and sets the
bias to zero. ``"default"`` means PyTorch's own ``nn.Linear`` initialisation, left untouched:
weight and bias both :math:`\mathcal{U}(-1/\sqrt{\text{fan\_in}},\ 1/\sqrt{\text{fan\_in}})`.

References: Glorot & Bengio (2010), *Understanding the difficulty of training deep feedforward
neural networks*; He et al. (2015), *Delving deep into rectifiers*.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn

Initializer = Callable[[torch.Tensor], object]
Kind = Literal["uniform", "normal", "constant"]

#: The value the ``"constant"`` entry fills a weight with.
CONSTANT_VALUE = 0.5

#: Name meaning "leave PyTorch's default ``nn.Linear`` initialisation untouched".
DEFAULT = "default"


@dataclass(frozen=True)
class WeightDistribution:
    r"""The distribution every entry of a weight is drawn from (i.i.d.).

    ``kind`` is ``"uniform"`` (:math:`\mathcal{U}(\text{low}, \text{high})`), ``"normal"``
    (:math:`\mathcal{N}(\text{mean}, \text{std}^2)`) or ``"constant"`` (every entry equals
    ``mean``; ``std`` is 0).
    """

    kind: Kind
    mean: float
    std: float
    low: float | None = None
    high: float | None = None

    @classmethod
    def uniform(cls, low: float, high: float) -> WeightDistribution:
        r""":math:`\mathcal{U}(a, b)`: mean :math:`(a+b)/2`, std :math:`(b-a)/\sqrt{12}`."""
        if not low < high:
            raise ValueError(f"uniform needs low < high, got low={low}, high={high}")
        return cls("uniform", (low + high) / 2, (high - low) / math.sqrt(12), low, high)

    @classmethod
    def normal(cls, mean: float, std: float) -> WeightDistribution:
        r""":math:`\mathcal{N}(\mu, \sigma^2)`."""
        if not std > 0:
            raise ValueError(f"normal needs std > 0, got {std}")
        return cls("normal", mean, std)

    @classmethod
    def constant(cls, value: float) -> WeightDistribution:
        """Every entry equals ``value``."""
        return cls("constant", value, 0.0, value, value)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        r"""Probability density at ``x``: :math:`\frac{1}{b-a}` on :math:`[a, b]` for uniform,
        :math:`\frac{1}{\sigma\sqrt{2\pi}} e^{-(x-\mu)^2 / (2\sigma^2)}` for normal.

        Raises:
            ValueError: for a constant (it has no density).
        """
        x = np.asarray(x, dtype=float)
        if self.kind == "uniform":
            assert self.low is not None and self.high is not None
            inside = (x >= self.low) & (x <= self.high)
            return np.where(inside, 1.0 / (self.high - self.low), 0.0)
        if self.kind == "normal":
            u = (x - self.mean) / self.std
            return np.exp(-0.5 * u**2) / (self.std * math.sqrt(2 * math.pi))
        raise ValueError("a constant has no density; valid kinds for pdf: uniform, normal")


@dataclass(frozen=True)
class InitMethod:
    r"""One initialisation method: the ``torch.nn.init`` call and the distribution it draws from.

    Attributes:
        fill: in-place function applied to a weight tensor of shape ``[fan_out, fan_in]``.
        distribution: ``(fan_in, fan_out) -> WeightDistribution``, the theory the fill follows.
        formula: the distribution in LaTeX, for tables.
        call: the equivalent ``torch.nn.init`` call, as text.

    Calling the method fills a tensor: ``INITIALIZERS["xavier_normal"](w)``.
    """

    fill: Initializer
    distribution: Callable[[int, int], WeightDistribution]
    formula: str
    call: str

    def __call__(self, tensor: torch.Tensor) -> object:
        return self.fill(tensor)


GAIN_RELU = math.sqrt(2.0)


def _kaiming_std(fan_in: int, fan_out: int) -> float:
    # He et al. (2015): Var[w] = 2 / fan_in keeps E[x^2] constant through ReLU layers.
    return GAIN_RELU / math.sqrt(fan_in)


def _xavier_std(fan_in: int, fan_out: int) -> float:
    # Glorot & Bengio (2010): Var[w] = 2 / (fan_in + fan_out), a compromise between the forward
    # (fan_in) and the backward (fan_out) condition.
    return math.sqrt(2.0 / (fan_in + fan_out))


def _symmetric_uniform(std: float) -> WeightDistribution:
    bound = math.sqrt(3.0) * std  # U(-a, a) has std a / sqrt(3)
    return WeightDistribution.uniform(-bound, bound)


#: name -> :class:`InitMethod`, applied to a weight tensor of shape ``[out_features, in_features]``.
#: ``uniform`` and ``normal`` use ``torch.nn.init``'s default arguments, U(0, 1) and N(0, 1), as
#: the seed article's code does; the Kaiming entries use the ReLU gain :math:`\sqrt{2}` (equal to
#: PyTorch's default ``nonlinearity="leaky_relu", a=0``); the Xavier entries use gain 1.
INITIALIZERS: dict[str, InitMethod] = {
    "uniform": InitMethod(
        nn.init.uniform_,
        lambda fi, fo: WeightDistribution.uniform(0.0, 1.0),
        r"\mathcal{U}(0, 1)",
        "nn.init.uniform_(w)",
    ),
    "normal": InitMethod(
        nn.init.normal_,
        lambda fi, fo: WeightDistribution.normal(0.0, 1.0),
        r"\mathcal{N}(0, 1)",
        "nn.init.normal_(w)",
    ),
    "zeros": InitMethod(
        nn.init.zeros_,
        lambda fi, fo: WeightDistribution.constant(0.0),
        "0",
        "nn.init.zeros_(w)",
    ),
    "ones": InitMethod(
        nn.init.ones_,
        lambda fi, fo: WeightDistribution.constant(1.0),
        "1",
        "nn.init.ones_(w)",
    ),
    "constant": InitMethod(
        lambda w: nn.init.constant_(w, CONSTANT_VALUE),
        lambda fi, fo: WeightDistribution.constant(CONSTANT_VALUE),
        str(CONSTANT_VALUE),
        f"nn.init.constant_(w, {CONSTANT_VALUE})",
    ),
    "kaiming_normal": InitMethod(
        lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
        lambda fi, fo: WeightDistribution.normal(0.0, _kaiming_std(fi, fo)),
        r"\mathcal{N}\left(0, \frac{2}{\text{fan\_in}}\right)",
        'nn.init.kaiming_normal_(w, nonlinearity="relu")',
    ),
    "kaiming_uniform": InitMethod(
        lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"),
        lambda fi, fo: _symmetric_uniform(_kaiming_std(fi, fo)),
        r"\mathcal{U}\left(\pm\sqrt{\frac{6}{\text{fan\_in}}}\right)",
        'nn.init.kaiming_uniform_(w, nonlinearity="relu")',
    ),
    "xavier_normal": InitMethod(
        nn.init.xavier_normal_,
        lambda fi, fo: WeightDistribution.normal(0.0, _xavier_std(fi, fo)),
        r"\mathcal{N}\left(0, \frac{2}{\text{fan\_in} + \text{fan\_out}}\right)",
        "nn.init.xavier_normal_(w)",
    ),
    "xavier_uniform": InitMethod(
        nn.init.xavier_uniform_,
        lambda fi, fo: _symmetric_uniform(_xavier_std(fi, fo)),
        r"\mathcal{U}\left(\pm\sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}\right)",
        "nn.init.xavier_uniform_(w)",
    ),
}

#: PyTorch's own ``nn.Linear.reset_parameters``: ``kaiming_uniform_(w, a=sqrt(5))``, whose gain
#: :math:`\sqrt{2/(1+a^2)} = 1/\sqrt{3}` gives the bound :math:`\sqrt{3}\cdot\text{gain}/\sqrt{
#: \text{fan\_in}} = 1/\sqrt{\text{fan\_in}}`; the bias is drawn from the same interval.
PYTORCH_DEFAULT = InitMethod(
    lambda w: nn.init.kaiming_uniform_(w, a=math.sqrt(5)),
    lambda fi, fo: WeightDistribution.uniform(-1 / math.sqrt(fi), 1 / math.sqrt(fi)),
    r"\mathcal{U}\left(\pm\frac{1}{\sqrt{\text{fan\_in}}}\right)",
    "nn.init.kaiming_uniform_(w, a=math.sqrt(5))",
)


#: name -> the Chinese label figures and tables use for the method (never a registry key).
INIT_LABELS: dict[str, str] = {
    "uniform": "均匀 U(0, 1)",
    "normal": "正态 N(0, 1)",
    "zeros": "全 0",
    "ones": "全 1",
    "constant": f"常数 {CONSTANT_VALUE}",
    "kaiming_normal": "Kaiming 正态",
    "kaiming_uniform": "Kaiming 均匀",
    "xavier_normal": "Xavier 正态",
    "xavier_uniform": "Xavier 均匀",
    DEFAULT: "PyTorch 默认",
}


def init_names() -> list[str]:
    """Return the valid initialisation names (the registry plus ``"default"``)."""
    return [*INITIALIZERS, DEFAULT]


def get_init(name: str) -> InitMethod:
    """Return the :class:`InitMethod` called ``name`` (``"default"`` gives PyTorch's default).

    Raises:
        ValueError: if ``name`` is unknown; the message lists the valid names.
    """
    if name == DEFAULT:
        return PYTORCH_DEFAULT
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown init {name!r}; valid names: {', '.join(init_names())}") from None


def fans(weight: torch.Tensor) -> tuple[int, int]:
    r"""Return ``(fan_in, fan_out)`` of a Linear weight of shape ``[out_features, in_features]``.

    :math:`\text{fan\_in}` is the number of inputs each output unit sums over (``shape[1]``);
    :math:`\text{fan\_out}` the number of units each input feeds (``shape[0]``).

    Raises:
        ValueError: if ``weight`` is not 2-D.
    """
    if weight.dim() != 2:
        raise ValueError(
            f"a Linear weight is 2-D [out_features, in_features], got {weight.dim()}-D"
        )
    fan_out, fan_in = weight.shape
    return int(fan_in), int(fan_out)


def weight_distribution(name: str, fan_in: int, fan_out: int) -> WeightDistribution:
    """The theoretical distribution of the weights that ``name`` draws for the given fans.

    Raises:
        ValueError: if ``name`` is unknown or a fan is not a positive integer.
    """
    method = get_init(name)
    for arg, value in (("fan_in", fan_in), ("fan_out", fan_out)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(
                f"{arg} 是一个单元连着的输入或输出个数，应是正整数，得到 {value!r}"
                f"（{type(value).__name__}）"
            )
    if fan_in < 1 or fan_out < 1:
        raise ValueError(f"fans must be positive, got fan_in={fan_in}, fan_out={fan_out}")
    fan_in, fan_out = int(fan_in), int(fan_out)
    return method.distribution(fan_in, fan_out)


def init_linear_(layer: nn.Linear, name: str) -> nn.Linear:
    """Re-initialise ``layer`` in place with the method ``name`` and return it.

    The weight is filled by the registry entry and the bias set to zero; ``"default"`` keeps
    PyTorch's own initialisation of both.

    Raises:
        TypeError: if ``layer`` is not an ``nn.Linear``.
        ValueError: if ``name`` is unknown; the message lists the valid names.
    """
    if not isinstance(layer, nn.Linear):
        raise TypeError(f"layer must be an nn.Linear, got {type(layer).__name__}")
    method = get_init(name)
    if name == DEFAULT:
        return layer
    with torch.no_grad():
        method(layer.weight)
        if layer.bias is not None:
            layer.bias.zero_()
    return layer
