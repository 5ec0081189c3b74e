r"""Chapter 3 experiments: initialisations measured against their formulas, and deep networks.

Every function is seeded and small enough for a CPU. The depth experiments follow Glorot &
Bengio (2010) and He et al. (2015): a plain MLP of ``depth`` square layers of width ``n``,

.. math::

    z_l = W_l h_{l-1} + b_l, \qquad h_l = f(z_l), \qquad h_0 = x,

is run forwards on a batch of standard-normal inputs, and a standard-normal gradient
:math:`g = \partial L / \partial z_L` is sent back from the output. The *mean-field* theory
(weights independent of the signal, width large) predicts, for zero-mean weights,

.. math::

    \operatorname{Var}[z_l] = n \operatorname{Var}[w]\, \mathbb{E}[f(z_{l-1})^2]
        + \operatorname{Var}[b], \qquad
    \operatorname{Var}[\delta_{l-1}] = n \operatorname{Var}[w]\, \mathbb{E}[f'(z_{l-1})^2]\,
        \operatorname{Var}[\delta_l],

with :math:`\delta_l = \partial L / \partial z_l`. :func:`theory_profile` evaluates these
recursions; :func:`depth_profile` measures the same quantities.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from torch import nn

from nnlib.activations import get_activation
from nnlib.init import DEFAULT, INIT_LABELS, get_init, init_linear_, weight_distribution
from nnlib.models import forward_recording_linear, make_mlp
from nnlib.plotting import (
    ACTIVATION_LINESTYLES,
    PANEL_SIZE,
    SETTING_COLORS,
    init_color,
    subplots,
)
from nnlib.training import accuracy, train_classifier
from nnlib.utils import set_seed

# --------------------------------------------------------------------------------------------
# Weights against their formulas
# --------------------------------------------------------------------------------------------


def sample_weight(
    name: str, fan_in: int = 1000, fan_out: int = 1000, seed: int = 0
) -> torch.Tensor:
    """Build ``nn.Linear(fan_in, fan_out)``, initialise it with ``name`` and return its weight.

    The weight has shape ``[fan_out, fan_in]``; ``"default"`` returns PyTorch's own draw.

    Raises:
        ValueError: if ``name`` is unknown (the message lists the valid names).
    """
    get_init(name)  # validate before drawing
    set_seed(seed)
    layer = init_linear_(nn.Linear(fan_in, fan_out), name)
    return layer.weight.detach().clone()


@dataclass(frozen=True)
class WeightCheck:
    """Measured statistics of one initialised weight next to the formula's values."""

    name: str
    fan_in: int
    fan_out: int
    mean: float
    std: float
    min: float
    max: float
    theory_mean: float
    theory_std: float
    theory_low: float | None
    theory_high: float | None

    @property
    def std_rel_error(self) -> float:
        """:math:`|s - \\sigma| / \\sigma`, the relative error of the measured std."""
        return abs(self.std - self.theory_std) / self.theory_std


def check_weights(
    names: Sequence[str], fan_in: int = 1000, fan_out: int = 1000, seed: int = 0
) -> list[WeightCheck]:
    """Draw one ``fan_out x fan_in`` weight per random method and compare it with its formula.

    With :math:`N` = ``fan_in * fan_out`` i.i.d. entries, the sample std has a relative standard
    error of about :math:`1/\\sqrt{2N}` for a normal (:math:`\\approx 0.07\\%` for
    :math:`N = 10^6`), so a tolerance of 1% is very loose.

    Raises:
        ValueError: for an unknown name, or a constant method (nothing random to check).
    """
    rows = []
    for name in names:
        dist = weight_distribution(name, fan_in, fan_out)
        if dist.kind == "constant":
            raise ValueError(f"{name!r} is a constant init; check_weights needs a random one")
        w = sample_weight(name, fan_in, fan_out, seed)
        rows.append(
            WeightCheck(
                name,
                fan_in,
                fan_out,
                w.mean().item(),
                w.std().item(),
                w.min().item(),
                w.max().item(),
                dist.mean,
                dist.std,
                dist.low,
                dist.high,
            )
        )
    return rows


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: 2 for a wide (CJK) character, else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` display columns (``"<"`` left, ``">"`` right)."""
    fill = " " * max(0, width - _display_width(text))
    return text + fill if align == "<" else fill + text


def format_weight_checks(rows: Sequence[WeightCheck]) -> str:
    r"""A fixed-width text table of :func:`check_weights` rows, Chinese headers, 4 decimals.

    Columns: method (its Chinese label, :data:`nnlib.init.INIT_LABELS`), measured std
    :math:`s`, the formula's std :math:`\sigma`, relative error :math:`|s - \sigma| / \sigma`,
    measured ``[min, max]`` and the formula's bounds (``-`` for a normal, which has none).
    Headers are short: a browser draws a CJK character narrower than two monospace columns,
    so every CJK character in the header shifts the columns after it.
    """

    def bounds(low: float | None, high: float | None) -> str:
        return "-" if low is None or high is None else f"[{low:+.4f}, {high:+.4f}]"

    columns = [("方法", 16, "<"), ("实测 s", 10, ">"), ("公式 σ", 10, ">")]
    columns += [("|s-σ|/σ", 10, ">"), ("  实测 [min, max]", 22, "<"), ("  公式边界", 22, "<")]

    def line(cells: Sequence[str]) -> str:
        padded = (_pad(c, w, a) for c, (_, w, a) in zip(cells, columns, strict=True))
        return "".join(padded).rstrip()

    lines = [line([text for text, _, _ in columns])]
    for r in rows:
        cells = [
            INIT_LABELS[r.name],
            f"{r.std:.4f}",
            f"{r.theory_std:.4f}",
            f"{r.std_rel_error:.2%}",
        ]
        cells += [f"  {bounds(r.min, r.max)}", f"  {bounds(r.theory_low, r.theory_high)}"]
        lines.append(line(cells))
    lines.insert(1, "-" * max(_display_width(text) for text in lines))
    return "\n".join(lines)


def plot_weight_histograms(
    names: Sequence[str],
    fan_in: int = 1000,
    fan_out: int = 1000,
    seed: int = 0,
    ncols: int = 2,
    bins: int = 80,
    sharex: bool = True,
) -> Figure:
    """Histogram (as a density) of each method's weights, with the formula's density on top.

    Each panel is titled with the method's Chinese label (:data:`nnlib.init.INIT_LABELS`), states
    the formula's standard deviation and is filled with the method's course colour; the formula's
    density is a thin black line (a bell curve for a normal, a flat segment for a uniform, whose
    bounds are dotted grey lines). With ``sharex`` (the default) every panel has the same x axis,
    so that the widths can be compared by eye; a panel whose distribution is less than a fifth as
    wide as the widest one gets an inset (``放大``) with its own x scale, where the histogram and
    the formula can be compared. One legend for the whole figure, below the panels, with a grey
    swatch for the histograms (each panel has its own colour).

    Raises:
        ValueError: for an unknown or constant method, or ``ncols < 1``.
    """
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
    dists = {name: weight_distribution(name, fan_in, fan_out) for name in names}
    for name, dist in dists.items():
        if dist.kind == "constant":
            raise ValueError(f"{name!r} is a constant init; it has no histogram to compare")

    def extent(dist: object) -> tuple[float, float]:
        half = 4.5 * dist.std if dist.kind == "normal" else 0.65 * (dist.high - dist.low)
        return dist.mean - half, dist.mean + half

    widest = max(dist.std for dist in dists.values())
    shared = (
        (min(extent(d)[0] for d in dists.values()), max(extent(d)[1] for d in dists.values()))
        if sharex
        else None
    )
    nrows = math.ceil(len(names) / ncols)
    fig, axes = subplots(ncols, nrows, squeeze=False, sharex=sharex)

    def draw(ax: object, name: str, w: np.ndarray, lo: float, hi: float) -> None:
        dist = dists[name]
        ax.hist(
            w,
            bins=bins,
            density=True,
            histtype="stepfilled",  # one polygon instead of `bins` bar patches
            color=init_color(name),
            alpha=0.55,
        )
        xs = np.linspace(lo, hi, 400)
        ax.plot(xs, dist.pdf(xs), color="black", lw=0.9)
        if dist.kind == "uniform":
            for edge in (dist.low, dist.high):
                ax.axvline(edge, color="0.45", ls=":", lw=1.2)
            ax.set_ylim(0, 1.35 / (dist.high - dist.low))  # room above the flat top

    for ax, name in zip(axes.flat, names, strict=False):
        dist = dists[name]
        w = sample_weight(name, fan_in, fan_out, seed).flatten().numpy()
        lo, hi = shared if shared is not None else extent(dist)
        draw(ax, name, w, lo, hi)
        ax.set_xlim(lo, hi)
        ax.set_title(INIT_LABELS[name])
        ax.text(0.03, 0.95, f"σ = {dist.std:.4g}", transform=ax.transAxes, va="top", fontsize=9)
        ax.set_xlabel("权重值")
        ax.set_ylabel("密度")
        if shared is not None and dist.std < 0.2 * widest:
            inset = ax.inset_axes((0.62, 0.42, 0.36, 0.5))
            own_lo, own_hi = extent(dist)
            draw(inset, name, w, own_lo, own_hi)
            inset.set_xlim(own_lo, own_hi)
            inset.set_title("放大", fontsize=8, pad=2)
            inset.tick_params(labelsize=7)
            inset.set_yticks([])
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    handles = [
        Patch(facecolor="0.55", alpha=0.55, label="实测直方图（颜色区分方法）"),
        Line2D([], [], color="black", lw=0.9, label="公式的密度"),
    ]
    if any(dist.kind == "uniform" for dist in dists.values()):
        handles.append(Line2D([], [], color="0.45", ls=":", lw=1.2, label="公式的边界"))
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))
    return fig


# --------------------------------------------------------------------------------------------
# Symmetry: constant and zero initialisation
# --------------------------------------------------------------------------------------------


def unit_spread(layer: nn.Linear) -> float:
    r"""Largest difference between two units of ``layer`` in any one parameter.

    Unit :math:`i` is row :math:`i` of the weight with its bias appended, :math:`\theta_i`; the
    spread is :math:`\max_k \left(\max_i \theta_{ik} - \min_i \theta_{ik}\right)
    = \max_{i, j, k} |\theta_{ik} - \theta_{jk}|`. Zero means every unit computes the same
    function: the layer is still symmetric.
    """
    w = layer.weight.detach()
    if layer.bias is not None:
        w = torch.cat([w, layer.bias.detach()[:, None]], dim=1)
    return (w.amax(dim=0) - w.amin(dim=0)).max().item()


def nonzero_grads(model: nn.Module) -> dict[str, bool]:
    """``parameter name -> whether its gradient has a non-zero entry`` (after ``backward``)."""
    return {
        name: p.grad is not None and bool(p.grad.abs().max() > 0)
        for name, p in model.named_parameters()
    }


# --------------------------------------------------------------------------------------------
# Depth: forward and backward through a deep MLP
# --------------------------------------------------------------------------------------------

#: The four settings of the depth experiments: label -> (activation, init name).
DEPTH_SETTINGS: dict[str, tuple[str, str]] = {
    "tanh + Xavier": ("tanh", "xavier_normal"),
    "ReLU + Xavier": ("relu", "xavier_normal"),
    "ReLU + Kaiming": ("relu", "kaiming_normal"),
    "ReLU + PyTorch 默认": ("relu", DEFAULT),
}


@contextmanager
def flush_denormals() -> Iterator[None]:
    """Flush denormal floats to zero inside the block (x86 CPUs), then restore the default.

    Vanishing signals (ReLU + Xavier at depth 30) produce numbers below ``1e-38`` whose slow
    CPU path made one training run here several times slower; flushing them changes nothing
    visible.
    """
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


@dataclass(frozen=True)
class DepthProfile:
    r"""Per-layer standard deviations, layer :math:`l = 1, \dots, L`.

    ``forward[l-1]`` is :math:`\operatorname{std}(z_l)`; ``backward[l-1]`` is
    :math:`\operatorname{std}(\delta_l)`, :math:`\delta_l = \partial L / \partial z_l`;
    ``weight_grad[l-1]`` is :math:`\operatorname{std}(\partial L / \partial W_l)`.
    """

    forward: list[float]
    backward: list[float]
    weight_grad: list[float]


def depth_profile(
    activation: str,
    init: str,
    width: int = 256,
    depth: int = 30,
    batch: int = 128,
    seed: int = 0,
    bias: bool = True,
    weight_scale: float = 1.0,
) -> DepthProfile:
    r"""Measure the forward and backward signal of ``make_mlp([width] * (depth + 1))`` at init.

    Input :math:`x \sim \mathcal{N}(0, I)` (``batch`` rows); the gradient sent back from the
    output is :math:`g \sim \mathcal{N}(0, I)`, i.e. :math:`L = \sum g \odot z_L`. The network is
    built with ``set_seed(seed)``, the data drawn with ``seed + 1``. Every layer, the last one
    included, gets ``init`` (``output_init=init``): the experiment compares a stack of identical
    layers. Biases are zero for every registry init and PyTorch's own for ``"default"``.
    ``weight_scale`` multiplies every weight after the init (the variance by its square): 1.0
    leaves the network exactly as ``init`` made it.

    Raises:
        ValueError: for unknown names, non-positive sizes or a non-positive ``weight_scale``.
    """
    if width < 1 or depth < 1 or batch < 2:
        raise ValueError(f"need width, depth >= 1 and batch >= 2, got {width}, {depth}, {batch}")
    if not weight_scale > 0:
        raise ValueError(f"weight_scale must be > 0, got {weight_scale}")
    set_seed(seed)
    model = make_mlp([width] * (depth + 1), activation, init, bias=bias, output_init=init)
    if weight_scale != 1.0:
        with torch.no_grad():
            for layer in model:
                if isinstance(layer, nn.Linear):
                    layer.weight.mul_(weight_scale)
    gen = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(batch, width, generator=gen)
    g = torch.randn(batch, width, generator=gen)
    return measure_profile(model, x, g)


def measure_profile(model: nn.Sequential, x: torch.Tensor, g: torch.Tensor) -> DepthProfile:
    r"""Run ``model`` on ``x``, send ``g`` back from the output, and record every Linear layer.

    ``g`` plays the role of :math:`\partial L / \partial z_L` (the loss is
    :math:`L = \sum g \odot z_L`). Any ``nn.Sequential`` of Linear layers and activations works,
    however its weights were initialised.

    Raises:
        ValueError: if ``model`` has no Linear layer or its output shape differs from ``g``'s.
    """
    with flush_denormals():
        h, zs = forward_recording_linear(model, x)
        if not zs:
            raise ValueError("model has no nn.Linear layer to measure")
        if h.shape != g.shape:
            raise ValueError(
                f"g must have the output's shape {tuple(h.shape)}, got {tuple(g.shape)}"
            )
        h.backward(g)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    return DepthProfile(
        forward=[z.detach().std().item() for z in zs],
        backward=[z.grad.std().item() for z in zs],
        weight_grad=[m.weight.grad.std().item() for m in linears],
    )


#: Gauss-Hermite nodes and weights (probabilists' form, weight function exp(-x^2 / 2)).
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(80)


def _gauss_moments(fn: Callable[[np.ndarray], np.ndarray], var: float) -> float:
    r""":math:`\mathbb{E}[\phi(z)]` for :math:`z \sim \mathcal{N}(0, \text{var})`, by Gauss-Hermite
    quadrature with 80 nodes (exact for polynomials up to degree 159)."""
    return float(np.sum(_WEIGHTS * fn(math.sqrt(var) * _NODES)) / math.sqrt(2 * math.pi))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


#: activation -> (E[f(z)^2], E[f'(z)^2]) for z ~ N(0, v): closed forms where they are simple.
_MOMENTS: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "identity": (lambda v: v, lambda v: 1.0),
    "relu": (lambda v: v / 2, lambda v: 0.5),
    "tanh": (
        lambda v: _gauss_moments(lambda z: np.tanh(z) ** 2, v),
        lambda v: _gauss_moments(lambda z: (1 - np.tanh(z) ** 2) ** 2, v),
    ),
    "sigmoid": (
        lambda v: _gauss_moments(lambda z: _sigmoid(z) ** 2, v),
        lambda v: _gauss_moments(lambda z: (_sigmoid(z) * (1 - _sigmoid(z))) ** 2, v),
    ),
}


def weight_variance_scale(init: str, width: int) -> tuple[float, float]:
    r"""``(n Var[w], Var[b])`` of a square ``width x width`` layer initialised with ``init``.

    :math:`n\operatorname{Var}[w]` is 1 for Xavier, 2 for Kaiming (ReLU gain) and 1/3 for
    PyTorch's default, whose bias has :math:`\operatorname{Var}[b] = 1/(3n)`; other biases are 0.

    Raises:
        ValueError: for an unknown name.
    """
    dist = weight_distribution(init, width, width)
    bias_var = 1 / (3 * width) if init == DEFAULT else 0.0
    return width * (dist.std**2 + dist.mean**2), bias_var


def theory_profile(
    activation: str, init: str, width: int = 256, depth: int = 30, input_var: float = 1.0
) -> DepthProfile:
    r"""The mean-field prediction of :func:`depth_profile` for a registry init.

    Uses :func:`weight_variance_scale` and :func:`variance_recursion`.

    Raises:
        ValueError: for an activation without moments here or an unknown init.
    """
    scale, bias_var = weight_variance_scale(init, width)
    return variance_recursion(activation, scale, bias_var, depth, input_var)


def variance_recursion(
    activation: str, scale: float, bias_var: float = 0.0, depth: int = 30, input_var: float = 1.0
) -> DepthProfile:
    r"""Evaluate the recursions of the module docstring for square layers.

    With :math:`s = n\operatorname{Var}[w]` (``scale``):
    :math:`\operatorname{Var}[z_1] = s\cdot\text{input\_var} + \operatorname{Var}[b]`,
    :math:`\operatorname{Var}[z_l] = s\,\mathbb{E}[f(z_{l-1})^2] + \operatorname{Var}[b]`, and
    backwards from :math:`\operatorname{Var}[\delta_L] = 1`:
    :math:`\operatorname{Var}[\delta_{l-1}]
    = s\,\mathbb{E}[f'(z_{l-1})^2]\operatorname{Var}[\delta_l]`.
    Returns standard deviations; ``weight_grad`` is not predicted (it depends on the batch) and
    is empty.

    Raises:
        ValueError: for an activation without moments here (valid: identity, relu, tanh,
            sigmoid), a negative ``scale``/``bias_var`` or ``depth < 1``.
    """
    if activation not in _MOMENTS:
        raise ValueError(
            f"no theory for activation {activation!r}; valid names: {', '.join(_MOMENTS)}"
        )
    if scale < 0 or bias_var < 0 or depth < 1:
        raise ValueError(
            f"need scale, bias_var >= 0 and depth >= 1, got {scale}, {bias_var}, {depth}"
        )
    second, slope = _MOMENTS[activation]
    fwd = [scale * input_var + bias_var]
    for _ in range(depth - 1):
        fwd.append(scale * second(fwd[-1]) + bias_var)
    bwd = [1.0]
    for v in reversed(fwd[:-1]):  # delta_l from delta_{l+1}
        bwd.append(scale * slope(v) * bwd[-1])
    bwd.reverse()
    return DepthProfile(
        forward=[math.sqrt(v) for v in fwd], backward=[math.sqrt(v) for v in bwd], weight_grad=[]
    )


def _setting_style(label: str, index: int) -> dict[str, object]:
    """Line colour and style of a depth curve: the configuration's course colour
    (:data:`nnlib.plotting.SETTING_COLORS`) and the activation's line style for a
    :data:`DEPTH_SETTINGS` label, matplotlib's colour cycle otherwise."""
    if label in DEPTH_SETTINGS:
        activation, _init = DEPTH_SETTINGS[label]
        return {"color": SETTING_COLORS[label], "ls": ACTIVATION_LINESTYLES.get(activation, "-")}
    return {"color": f"C{index}", "ls": "-"}


def _draw_depth_panel(
    ax: object,
    measured: Mapping[str, Sequence[float]],
    theory: Mapping[str, Sequence[float]] | None,
    title: str,
    ylabel: str,
    backward: bool,
) -> None:
    """One log-scale panel of per-layer values (see :func:`plot_depth_profiles`)."""
    if not measured:
        raise ValueError("measured must contain at least one label -> values entry")
    if theory is not None and list(measured) != list(theory):
        raise ValueError(f"labels differ: {list(measured)} vs {list(theory)}")
    depth = len(next(iter(measured.values())))
    layers = np.arange(1, depth + 1)
    for i, (label, values) in enumerate(measured.items()):
        ax.plot(layers, np.asarray(values, dtype=float), label=label, **_setting_style(label, i))
    if theory is not None:
        # Open circles every third layer, not a line: a line drawn over a measured curve that
        # agrees with it (tanh) would hide that curve's dash-dot style.
        every = max(1, depth // 10)
        for i, values in enumerate(theory.values()):
            color = _setting_style(list(measured)[i], i)["color"]
            ax.plot(
                layers,
                np.asarray(values, dtype=float),
                color=color,
                ls="none",
                marker="o",
                ms=4.5,
                mfc="none",
                mew=1.2,
                markevery=(i % every, every),
            )
        ax.plot([], [], color="0.3", ls="none", marker="o", mfc="none", label="圆圈：理论预测")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("层号 $l$（输入 → 输出）")
    ax.set_ylabel(ylabel)
    if backward:
        ax.annotate(
            "← 反向：梯度从输出层往回传",
            xy=(0.97, 0.04),
            xycoords="axes fraction",
            ha="right",
            fontsize=9,
            color="0.25",
        )


def plot_depth_profiles(
    measured: Mapping[str, Sequence[float]],
    theory: Mapping[str, Sequence[float]] | None = None,
    *,
    title: str,
    ylabel: str,
    backward: bool = False,
) -> Figure:
    """Log-scale curves per layer: measured (lines) and, if given, theory (open circles, same
    colour, every few layers).

    A :data:`DEPTH_SETTINGS` label is drawn in its configuration's course colour
    (:data:`nnlib.plotting.SETTING_COLORS`) with its activation's line style; layers are numbered
    from 1. ``backward=True`` adds a "← 反向" cue (for quantities sent from the output back).

    Raises:
        ValueError: if ``measured`` is empty or ``theory`` has other labels than ``measured``.
    """
    fig, ax = subplots(1, figsize=(PANEL_SIZE[0] * 1.6, PANEL_SIZE[1] * 1.6))
    _draw_depth_panel(ax, measured, theory, title, ylabel, backward)
    # Below the axes, in two columns: the curves fill every corner of the panel.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    return fig


def plot_signal_and_gradient(
    forward: Mapping[str, Sequence[float]],
    backward: Mapping[str, Sequence[float]],
    theory_forward: Mapping[str, Sequence[float]] | None = None,
    theory_backward: Mapping[str, Sequence[float]] | None = None,
) -> Figure:
    r"""The chapter's depth figure: :math:`\operatorname{std}(z_l)` (left) and
    :math:`\operatorname{std}(\delta_l)` (right) per layer, on one shared log-scale y axis,
    one legend below both panels. Styles as in :func:`plot_depth_profiles`.

    Raises:
        ValueError: if a mapping is empty, or labels differ between the mappings.
    """
    if list(forward) != list(backward):
        raise ValueError(f"labels differ: {list(forward)} vs {list(backward)}")
    fig, (ax_f, ax_b) = subplots(2, figsize=(PANEL_SIZE[0] * 2.4, PANEL_SIZE[1] * 1.6), sharey=True)
    _draw_depth_panel(
        ax_f, forward, theory_forward, "前向：各层 $z_l$ 的标准差", "标准差（对数坐标）", False
    )
    _draw_depth_panel(ax_b, backward, theory_backward, r"反向：各层 $\delta_l$ 的标准差", "", True)
    handles, labels = ax_f.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4 if len(labels) <= 4 else 3)
    return fig


def final_std_over_seeds(
    activation: str,
    init: str,
    width: int,
    depth: int = 30,
    seeds: Sequence[int] = range(8),
    batch: int = 32,
) -> list[float]:
    r""":math:`\operatorname{std}(z_L)` of a fresh ``depth``-layer square network, once per seed.

    Forward pass only, zero biases, every layer's weight drawn by the registry entry ``init``
    from ``set_seed(seed)``; input :math:`x \sim \mathcal{N}(0, I)` drawn after the weights. Used
    to show how much a finite width makes one network deviate from the mean-field theory
    (:func:`theory_profile`): the deviations of :math:`\log s_L` shrink like
    :math:`1/\sqrt{\text{width}}`.

    Raises:
        ValueError: for an unknown name, ``"default"`` (it has a random bias), or bad sizes.
    """
    if init == DEFAULT:
        raise ValueError("final_std_over_seeds needs a registry init with zero bias, not 'default'")
    method = get_init(init)
    act = get_activation(activation)  # validates the name
    if width < 1 or depth < 1 or batch < 2:
        raise ValueError(f"need width, depth >= 1 and batch >= 2, got {width}, {depth}, {batch}")
    out = []
    for seed in seeds:
        set_seed(seed)
        weights = []
        for _ in range(depth):
            w = torch.empty(width, width)
            method(w)
            weights.append(w)
        h = torch.randn(batch, width)
        with torch.no_grad(), flush_denormals():
            for i, w in enumerate(weights):
                z = h @ w.T
                h = act(z) if i < depth - 1 else z
        out.append(z.std().item())
    return out


# --------------------------------------------------------------------------------------------
# Training a deep ReLU network
# --------------------------------------------------------------------------------------------


def linear_classes(
    n: int = 256, dim: int = 16, classes: int = 4, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Generated data: :math:`x \sim \mathcal{N}(0, I_{\text{dim}})`, label
    :math:`\arg\max_k (x^\top A)_k` for a random :math:`A \in \mathbb{R}^{\text{dim}\times K}`.

    Linearly separable, so a network that trains at all reaches 100% training accuracy.
    """
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, dim, generator=gen)
    a = torch.randn(dim, classes, generator=gen)
    return x, (x @ a).argmax(dim=1)


@dataclass(frozen=True)
class TrainResult:
    r"""One run: loss and gradient norm :math:`\lVert \nabla_\theta L \rVert_2` per step (both
    measured before that step's update) and the final training accuracy."""

    losses: list[float]
    accuracy: float
    grad_norms: list[float]


def deep_relu_problem(
    init: str,
    depth: int = 30,
    width: int = 64,
    seed: int = 0,
    n: int = 32,
    data_seed: int = 0,
    output_gain: float | None = None,
) -> tuple[nn.Sequential, torch.Tensor, torch.Tensor]:
    r"""The training problem of :func:`train_deep_relu`: ``(model, x, y)`` before any step.

    ``model`` has ``depth`` Linear layers (16 inputs, hidden width ``width``, one output per
    class) with ReLU between them, built by :func:`nnlib.models.make_mlp` with ``init`` after
    ``set_seed(seed)``: the hidden layers get ``init``, the output layer
    :func:`nnlib.models.output_init_for` ``(init)`` (Xavier after Kaiming); biases zero, PyTorch's
    own for ``"default"``; ``(x, y)`` is :func:`linear_classes` with ``n``
    samples and ``data_seed``: every ``seed`` trains on the same data.

    ``output_gain`` (optional) then redraws the output layer's weight from
    :math:`\mathcal{N}(0, \text{gain}^2/\text{fan\_in})`: :math:`\sqrt{2}` is Kaiming's forward
    view (a ReLU feeds the layer), 1 is LeCun's (``kaiming_normal_(w, nonlinearity="linear")``),
    0 a zero output layer. The hidden layers are the same as without it.

    Raises:
        ValueError: for an unknown init, non-positive sizes or a negative ``output_gain``.
    """
    if output_gain is not None and not output_gain >= 0:
        raise ValueError(f"output_gain must be >= 0 or None, got {output_gain}")
    x, y = linear_classes(n=n, seed=data_seed)
    classes = int(y.max()) + 1
    set_seed(seed)
    model = make_mlp([x.shape[1], *[width] * (depth - 1), classes], "relu", init)
    if output_gain is not None:
        last = model[-1]
        with torch.no_grad():
            last.weight.normal_(0.0, output_gain / math.sqrt(last.in_features))
    return model, x, y


def train_deep_relu(
    init: str,
    depth: int = 30,
    width: int = 64,
    steps: int = 40,
    lr: float = 1e-3,
    momentum: float | None = None,
    optimizer: str = "sgd",
    seed: int = 0,
    n: int = 32,
    data_seed: int = 0,
    output_gain: float | None = None,
) -> TrainResult:
    """Train the network of :func:`deep_relu_problem` on its data (cross-entropy, full batch);
    ``output_gain`` is passed on to it.

    Uses :func:`nnlib.training.train_classifier`: SGD with momentum 0.9 by default (He et al.
    2015 trained with SGD and momentum), or ``optimizer="adam"`` (which takes no momentum). Runs
    with denormal floats flushed to zero (see :func:`flush_denormals`).

    A 30-layer network trained with momentum is chaotic: the last bits of rounding change the
    loss curve after a few dozen steps. Compare several seeds, not single runs.

    Raises:
        ValueError: for an unknown init or optimizer, or a bad ``steps``, ``lr``, ``momentum``.
    """
    if momentum is None:
        momentum = 0.9 if optimizer == "sgd" else 0.0
    model, x, y = deep_relu_problem(init, depth, width, seed, n, data_seed, output_gain)
    with flush_denormals():
        history = train_classifier(
            model, x, y, steps=steps, lr=lr, optimizer=optimizer, momentum=momentum
        )
    return TrainResult(history.losses, accuracy(model, x, y), history.grad_norms)


def label_entropy(y: torch.Tensor) -> tuple[float, float]:
    r"""``(H, majority)`` of integer labels: the entropy :math:`H = -\sum_k p_k \ln p_k` of the
    class frequencies :math:`p_k` (the lowest cross-entropy a model that ignores its input can
    reach on these labels) and the largest :math:`p_k` (that model's best accuracy)."""
    freq = torch.bincount(y).double() / len(y)
    freq = freq[freq > 0]
    return -(freq * freq.log()).sum().item(), freq.max().item()


def plot_training_comparison(
    runs: Mapping[str, Sequence[TrainResult]],
    entropy: float,
    *,
    zoom: Sequence[str] = ("xavier_normal", "default"),
) -> Figure:
    r"""Training loss per step, one colour per init (:data:`nnlib.plotting.INIT_COLORS`).

    ``runs`` maps an init name to its runs (one per seed): each run is a thin line, the mean over
    the seeds a thick one. Left: every init, with reference lines :math:`\ln 4` (uniform guess
    over 4 classes) and ``entropy`` (:math:`H`, the best input-ignoring model, see
    :func:`label_entropy`). Right: the inits in ``zoom`` close to :math:`H`.

    Raises:
        ValueError: if ``runs`` is empty or a ``zoom`` name is not in it.
    """
    if not runs:
        raise ValueError("runs must map at least one init name to its runs")
    missing = [name for name in zoom if name not in runs]
    if missing:
        raise ValueError(f"zoom names {missing} are not in runs: {list(runs)}")
    fig, (ax_all, ax_zoom) = subplots(2, figsize=(PANEL_SIZE[0] * 2.4, PANEL_SIZE[1] * 1.35))
    for ax, names in ((ax_all, list(runs)), (ax_zoom, list(zoom))):
        for name in names:
            losses = np.array([r.losses for r in runs[name]], dtype=float)
            steps = np.arange(1, losses.shape[1] + 1)
            color = init_color(name)
            for curve in losses:
                ax.plot(steps, curve, color=color, lw=0.6, alpha=0.45)
            ax.plot(steps, losses.mean(axis=0), color=color, lw=2, label=INIT_LABELS[name])
        ax.axhline(math.log(4), color="0.2", ls="--", lw=1, label=r"$\ln 4$：四类等概率猜")
        ax.axhline(entropy, color="0.2", ls=":", lw=1.4, label="$H$：只按类别比例猜")
        ax.set_xlabel("训练步数")
    ax_all.set_ylabel("交叉熵损失（训练集）")
    ax_all.set_title("30 层 ReLU 网络：细线为单个种子，粗线为平均")
    ax_zoom.set_title(r"放大：$H$ 与 $\ln 4$ 附近")
    zoom_losses = np.array([r.losses for name in zoom for r in runs[name]], dtype=float)
    ax_zoom.set_ylim(entropy - 0.03, max(math.log(4), float(zoom_losses.max())) + 0.01)
    handles, labels = ax_all.get_legend_handles_labels()
    # Three columns: five entries in one row are wider than the figure.
    fig.legend(handles, labels, loc="outside lower center", ncol=min(3, len(labels)))
    return fig


__all__ = [
    "DEPTH_SETTINGS",
    "DepthProfile",
    "TrainResult",
    "WeightCheck",
    "check_weights",
    "deep_relu_problem",
    "depth_profile",
    "final_std_over_seeds",
    "flush_denormals",
    "format_weight_checks",
    "label_entropy",
    "linear_classes",
    "measure_profile",
    "nonzero_grads",
    "plot_depth_profiles",
    "plot_signal_and_gradient",
    "plot_training_comparison",
    "plot_weight_histograms",
    "sample_weight",
    "theory_profile",
    "train_deep_relu",
    "unit_spread",
    "variance_recursion",
    "weight_variance_scale",
]
