r"""Diagrams of chapter 1, drawn with matplotlib: a neuron, a fully connected network, a biological
neuron.

The seed article's figures were images that got lost; here they are code, so they render with the
course's Chinese font, follow the course style and can be checked by tests.

In :func:`draw_neuron` and :func:`draw_network` the neurons and connections carry a ``gid``, so
that tests (and curious readers) can count what was drawn:

- :data:`NODE_GID` -- a neuron or an input/bias node (a circle);
- :data:`EDGE_GID` -- a connection between two neurons, or an arrow into or out of a neuron.

Decorations (titles, the activation box, the flow arrow, the biological neuron's shapes) have no
``gid``.

A fully connected network with layer sizes :math:`n_0, n_1, \dots, n_{L}` has
:math:`\sum_{k=0}^{L} n_k` neurons and :math:`\sum_{k=1}^{L} n_{k-1} n_k` connections (one weight
each), see :func:`network_edges`.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch, Polygon

from nnlib.plotting import subplots

#: ``gid`` of every drawn neuron (a :class:`~matplotlib.patches.Circle`).
NODE_GID = "node"
#: ``gid`` of every drawn connection or arrow.
EDGE_GID = "edge"
#: ``gid`` of the layer titles of :func:`draw_network`.
LAYER_LABEL_GID = "layer-label"

#: Largest layer :func:`draw_network` accepts: beyond this the circles become too small to read.
MAX_LAYER_SIZE = 12

_INPUT_COLOR = "#dbe9f6"
_HIDDEN_COLOR = "#dff0d8"
_OUTPUT_COLOR = "#fde2cf"
_LINE_COLOR = "#555555"


def validate_layer_sizes(layer_sizes: Sequence[int]) -> tuple[int, ...]:
    """Check a list of layer sizes and return it as a tuple of ``int``.

    Valid: a sequence of at least 2 integers (input and output layer), each between 1 and
    :data:`MAX_LAYER_SIZE`. Booleans are not integers here.

    Raises:
        TypeError: if ``layer_sizes`` is not a sequence or an entry is not an integer.
        ValueError: if there are fewer than 2 layers or a size is outside ``1..MAX_LAYER_SIZE``.
    """
    if isinstance(layer_sizes, str | bytes) or not isinstance(layer_sizes, Sequence):
        raise TypeError(
            "layer_sizes must be a sequence of ints such as [3, 4, 2], "
            f"got {type(layer_sizes).__name__}"
        )
    sizes: list[int] = []
    for size in layer_sizes:
        if isinstance(size, bool):
            raise TypeError(f"layer sizes must be ints, got bool {size!r}")
        try:
            sizes.append(operator.index(size))
        except TypeError:
            raise TypeError(
                f"layer sizes must be ints, got {type(size).__name__} {size!r}"
            ) from None
    if len(sizes) < 2:
        raise ValueError(
            f"need at least 2 layers (input and output), got {len(sizes)}: {list(sizes)}"
        )
    bad = [s for s in sizes if not 1 <= s <= MAX_LAYER_SIZE]
    if bad:
        raise ValueError(
            f"every layer size must be an int in 1..{MAX_LAYER_SIZE}, got {bad} in {sizes}"
        )
    return tuple(sizes)


def network_edges(layer_sizes: Sequence[int]) -> list[tuple[int, int, int]]:
    r"""List the connections of a fully connected network, one per weight.

    Each connection is ``(k, i, j)``: neuron ``i`` of layer ``k`` feeds neuron ``j`` of layer
    ``k + 1``. Only neighbouring layers are connected, and every pair of them is, so the count is

    .. math:: \sum_{k=1}^{L} n_{k-1}\, n_k .

    This is also the number of entries of the weight matrices of ``nn.Linear(n_{k-1}, n_k)``,
    whose weight has shape ``[n_k, n_{k-1}]``: ``weight[j, i]`` belongs to connection
    ``(k, i, j)``.

    Raises:
        TypeError, ValueError: as :func:`validate_layer_sizes`.
    """
    sizes = validate_layer_sizes(layer_sizes)
    return [
        (k, i, j)
        for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
        for i in range(n_in)
        for j in range(n_out)
    ]


def layer_names(n_layers: int) -> list[str]:
    """Chinese names of the layers: 输入层, 隐藏层 (numbered if several), 输出层.

    Raises:
        ValueError: if ``n_layers`` is smaller than 2.
    """
    if n_layers < 2:
        raise ValueError(f"n_layers must be >= 2 (input and output layer), got {n_layers}")
    hidden = n_layers - 2
    if hidden == 1:
        middle = ["隐藏层"]
    else:
        middle = [f"隐藏层 {k}" for k in range(1, hidden + 1)]
    return ["输入层", *middle, "输出层"]


def _blank_axes(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure with one axes, no ticks or grid, equal aspect, data limits ``[0, w] x [0, h]``."""
    fig, ax = subplots(1, figsize=(width, height))
    ax.set_axis_off()
    ax.set_aspect("equal")
    return fig, ax


def _node(
    ax: Axes, x: float, y: float, r: float, color: str, label: str = "", size: float = 10
) -> None:
    """Draw one neuron: a filled circle, optionally with a label inside."""
    ax.add_patch(
        Circle((x, y), r, facecolor=color, edgecolor=_LINE_COLOR, lw=1.2, zorder=3, gid=NODE_GID)
    )
    if label:
        ax.text(x, y, label, ha="center", va="center", fontsize=size, zorder=4)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], **kwargs: Any) -> None:
    """Draw one directed connection from ``start`` to ``end`` (``kwargs`` override the style)."""
    style = {"arrowstyle": "-|>", "mutation_scale": 10, "color": _LINE_COLOR, "lw": 1.1}
    style.update(kwargs)
    ax.add_patch(FancyArrowPatch(start, end, zorder=2, gid=EDGE_GID, **style))


def draw_neuron(n_inputs: int = 3, *, symbolic: bool = True) -> Figure:
    r"""Draw one artificial neuron: weighted inputs, bias, sum, activation, output.

    The neuron computes

    .. math:: y = f\Big(\sum_{i=1}^{n} w_i x_i + b\Big) = f(\mathbf{w}^\top \mathbf{x} + b).

    Drawn: ``n_inputs`` input nodes :math:`x_i`, each with an arrow labelled :math:`w_i` into the
    summation node :math:`\Sigma`; a bias node :math:`b` with its arrow into :math:`\Sigma`; the
    activation box :math:`f`; the output arrow :math:`y`. So there are ``n_inputs + 2`` nodes
    (inputs, bias, :math:`\Sigma`) and ``n_inputs + 3`` arrows (inputs, bias,
    :math:`\Sigma\to f`, output).

    Args:
        n_inputs: number of inputs drawn, 1 to :data:`MAX_LAYER_SIZE`.
        symbolic: if true (and ``n_inputs >= 3``) the last input is called :math:`x_n` with weight
            :math:`w_n`, and a vertical ellipsis above it stands for the inputs not drawn;
            otherwise the inputs are numbered :math:`1..n`.

    Raises:
        TypeError: if ``n_inputs`` is not an int.
        ValueError: if ``n_inputs`` is outside ``1..MAX_LAYER_SIZE``.
    """
    try:
        n_inputs = validate_layer_sizes([n_inputs, 1])[0]
    except (TypeError, ValueError) as err:
        raise type(err)(
            f"n_inputs must be an int in 1..{MAX_LAYER_SIZE}, got {n_inputs!r}"
        ) from None
    gap = symbolic and n_inputs >= 3
    slots = n_inputs + (1 if gap else 0)
    half = (slots - 1) / 2
    top = max(half + 0.95, 2.3)  # room for the 输入 label and the bias node above the sum
    bottom = min(-half - 0.5, -1.6) - 0.55  # room for the labels and the formula
    fig, ax = _blank_axes(0.62 * 10.4, 0.62 * (top - bottom) + 0.35)
    ax.set_xlim(0, 10.4)
    ax.set_ylim(bottom, top)
    r, r_sum = 0.38, 0.48
    slot_ys = [(slots - 1) / 2 - k for k in range(slots)]
    ys = slot_ys[:-2] + slot_ys[-1:] if gap else slot_ys
    names = [str(k + 1) for k in range(n_inputs)]
    if gap:
        names[-1] = "n"
        ax.text(1.0, slot_ys[-2], r"$\vdots$", ha="center", va="center", fontsize=13)
    sx, sy = 5.2, 0.0
    for k, (y, name) in enumerate(zip(ys, names, strict=True)):
        _node(ax, 1.0, y, r, _INPUT_COLOR, f"$x_{{{name}}}$", 11)
        end = (sx - r_sum, sy + 0.25 * y / max(1.0, (slots - 1) / 2))
        _arrow(ax, (1.0 + r, y), end, shrinkB=1)
        t = 0.3  # weight label at 30 % of the arrow, just above it
        wx = 1.0 + r + (end[0] - 1.0 - r) * t
        wy = y + (end[1] - y) * t
        ax.text(
            wx, wy + 0.1, f"$w_{{{name}}}$", ha="center", va="bottom", fontsize=10, color="#1f4e79"
        )
        if k == 0:
            ax.text(1.0, y + r + 0.15, "输入", ha="center", va="bottom", fontsize=10)
    _node(ax, sx, sy, r_sum, "#ffffff", r"$\Sigma$", 14)
    by = 1.75
    _node(ax, sx, by, r, _HIDDEN_COLOR, "$b$", 11)
    ax.text(sx + r + 0.15, by, "偏置", ha="left", va="center", fontsize=10)
    _arrow(ax, (sx, by - r), (sx, sy + r_sum))
    ax.text(sx, sy - r_sum - 0.15, "加权求和", ha="center", va="top", fontsize=10)
    ax.text(sx, sy - r_sum - 0.6, r"$z=\sum_i w_i x_i+b$", ha="center", va="top", fontsize=10)
    box_x = 7.4
    ax.add_patch(
        FancyBboxPatch(
            (box_x - 0.42, sy - 0.38),
            0.84,
            0.76,
            boxstyle="round,pad=0.05",
            facecolor=_OUTPUT_COLOR,
            edgecolor=_LINE_COLOR,
            lw=1.2,
            zorder=3,
        )
    )
    ax.text(box_x, sy, "$f$", ha="center", va="center", fontsize=13, zorder=4)
    ax.text(box_x, sy - r_sum - 0.15, "激活函数", ha="center", va="top", fontsize=10)
    _arrow(ax, (sx + r_sum, sy), (box_x - 0.48, sy))
    _arrow(ax, (box_x + 0.48, sy), (9.5, sy))
    ax.text(9.6, sy, "$y$", ha="left", va="center", fontsize=13)
    ax.text(9.55, sy - r_sum - 0.15, "输出", ha="center", va="top", fontsize=10)
    ax.text(
        sx,
        bottom + 0.1,
        r"$y = f(w_1x_1 + w_2x_2 + \cdots + w_nx_n + b)$",
        ha="center",
        va="bottom",
        fontsize=11,
    )
    ax.set_title("人工神经元")
    return fig


def draw_network(layer_sizes: Sequence[int] = (3, 4, 2), *, node_labels: bool = True) -> Figure:
    r"""Draw a fully connected feed-forward network with labelled layers.

    Layer ``k`` is a column of ``layer_sizes[k]`` circles; every neuron of layer ``k`` is joined to
    every neuron of layer ``k + 1`` and to nothing else (no connection inside a layer, none that
    skips a layer). Columns are titled by :func:`layer_names` (输入层, 隐藏层, 输出层) with their
    sizes: "3 个输入" for the input layer (it computes nothing), "4 个神经元" for the others.
    Drawn: :math:`\sum_k n_k` nodes and ``len(network_edges(layer_sizes))`` =
    :math:`\sum_k n_{k-1} n_k` edges, plus one arrow marking the direction of information flow
    (that arrow has no ``gid``).

    Args:
        layer_sizes: neurons per layer, input layer first, e.g. ``[3, 4, 2]``.
        node_labels: write :math:`x_i` in input nodes, :math:`h_j` in hidden nodes and :math:`y_j`
            in output nodes.

    Raises:
        TypeError, ValueError: as :func:`validate_layer_sizes`.
    """
    sizes = validate_layer_sizes(layer_sizes)
    n_layers = len(sizes)
    tallest = max(sizes)
    dx = 2.2
    x_lo, x_hi = -0.9, dx * (n_layers - 1) + 0.9
    y_lo, y_hi = -1.1, tallest + 0.75
    scale = min(0.62, 6.4 / (x_hi - x_lo), 6.0 / (y_hi - y_lo))  # inches per data unit
    fig, ax = _blank_axes(scale * (x_hi - x_lo), scale * (y_hi - y_lo))
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    r = 0.3
    centre = (tallest - 1) / 2
    positions = [
        [(k * dx, centre + (n - 1) / 2 - i) for i in range(n)] for k, n in enumerate(sizes)
    ]
    for k, i, j in network_edges(sizes):
        (x0, y0), (x1, y1) = positions[k][i], positions[k + 1][j]
        ax.plot([x0, x1], [y0, y1], color=_LINE_COLOR, lw=0.8, alpha=0.75, zorder=1, gid=EDGE_GID)
    names = layer_names(n_layers)
    symbols = ["x"] + ["h"] * (n_layers - 2) + ["y"]
    colors = [_INPUT_COLOR] + [_HIDDEN_COLOR] * (n_layers - 2) + [_OUTPUT_COLOR]
    for k, column in enumerate(positions):
        for i, (x, y) in enumerate(column):
            label = f"${symbols[k]}_{{{i + 1}}}$" if node_labels else ""
            _node(ax, x, y, r, colors[k], label, 9)
        ax.text(
            k * dx,
            tallest - 0.35,
            f"{names[k]}\n{sizes[k]} 个{'输入' if k == 0 else '神经元'}",
            ha="center",
            va="bottom",
            fontsize=10,
            gid=LAYER_LABEL_GID,
        )
    flow = FancyArrowPatch(
        (0, -0.85),
        ((n_layers - 1) * dx, -0.85),
        arrowstyle="-|>",
        mutation_scale=12,
        color="#1f4e79",
        lw=1.2,
    )
    ax.add_patch(flow)
    ax.text(
        (n_layers - 1) * dx / 2,
        -0.75,
        "信息流动方向（前馈）",
        ha="center",
        va="bottom",
        fontsize=10,
        color="#1f4e79",
    )
    return fig


def draw_biological_neuron() -> Figure:
    """Draw a schematic biological neuron with Chinese labels.

    Labelled parts: 突触 (synapses, where an upstream axon terminal meets a dendrite: the part an
    artificial neuron's weight stands for), 树突 (dendrites), 细胞体 (soma), 细胞核 (nucleus),
    轴丘 (axon hillock), 轴突 (axon), 髓鞘 (myelin sheath), 轴突末梢 (axon terminals), plus an
    arrow for the direction the signal travels.
    Simple shapes, not anatomy: the point is where signals enter, where they are integrated and
    where the output leaves.
    """
    fig, ax = _blank_axes(0.47 * 12.4, 0.47 * 6.0 + 0.3)
    ax.set_xlim(-0.4, 12.0)
    ax.set_ylim(-0.4, 5.6)
    cx, cy = 3.2, 2.9
    body = "#f4d6c6"
    edge = "#8c4a2f"
    # Dendrites: branching lines on the left of the soma.
    # (end of trunk dy, [(branch dx, branch dy), ...])
    dendrites = [
        (1.3, [(-0.9, 0.5), (-0.6, -0.3), (-0.75, 0.05)]),
        (0.2, [(-1.0, 0.45), (-0.8, -0.35)]),
        (-1.0, [(-0.7, 0.3), (-1.0, -0.35), (-0.3, -0.7)]),
    ]
    for trunk_dy, branches in dendrites:
        x0, y0 = cx - 0.7, cy + trunk_dy * 0.45
        x1, y1 = cx - 2.0, cy + trunk_dy
        ax.plot([x0, x1], [y0, y1], color=edge, lw=2.2, zorder=1, solid_capstyle="round")
        for bx, by in branches:
            ax.plot(
                [x1, x1 + bx], [y1, y1 + by], color=edge, lw=1.3, zorder=1, solid_capstyle="round"
            )
    # Synapses: upstream axon terminals (small knobs) touching the tips of two dendrite branches.
    synapses = [(cx - 2.0 - 0.9, cy + 1.3 + 0.5), (cx - 2.0 - 1.0, cy - 1.0 - 0.35)]
    for sx, sy in synapses:
        ax.plot([sx - 0.55, sx - 0.12], [sy, sy], color="#1f4e79", lw=1.3, zorder=1)
        ax.add_patch(
            Circle((sx - 0.1, sy), 0.09, facecolor="#1f4e79", edgecolor="#1f4e79", zorder=2)
        )
    ax.add_patch(Ellipse((cx, cy), 1.9, 1.6, facecolor=body, edgecolor=edge, lw=1.5, zorder=2))
    ax.add_patch(Circle((cx - 0.1, cy), 0.33, facecolor="#b5654a", edgecolor=edge, zorder=3))
    # Axon hillock: a cone where the axon leaves the soma.
    ax.add_patch(
        Polygon(
            [(cx + 0.85, cy + 0.35), (cx + 0.85, cy - 0.35), (cx + 1.5, cy)],
            closed=True,
            facecolor=body,
            edgecolor=edge,
            lw=1.2,
            zorder=2,
        )
    )
    ax.plot([cx + 1.5, 10.0], [cy, cy], color=edge, lw=2.2, zorder=1)
    for x in (5.3, 6.7, 8.1):
        ax.add_patch(
            FancyBboxPatch(
                (x, cy - 0.18),
                1.0,
                0.36,
                boxstyle="round,pad=0.02",
                facecolor="#fbeee6",
                edgecolor=edge,
                lw=1.0,
                zorder=2,
            )
        )
    for dy in (0.7, 0.0, -0.7):
        ax.plot([10.0, 10.8], [cy, cy + dy], color=edge, lw=1.4, zorder=1)
        ax.add_patch(Circle((10.85, cy + dy), 0.12, facecolor=edge, edgecolor=edge, zorder=2))

    def label(text: str, xy: tuple[float, float], xytext: tuple[float, float]) -> None:
        ax.annotate(
            text,
            xy=xy,
            xytext=xytext,
            ha="center",
            va="center",
            fontsize=10,
            arrowprops={"arrowstyle": "-", "color": "#777777", "lw": 0.8},
        )

    label("树突\n(dendrite)", (1.2, cy + 1.5), (1.5, 5.0))
    label("突触\n(synapse)", synapses[1], (0.35, 0.75))
    label("细胞体\n(soma)", (cx + 0.4, cy + 0.7), (3.6, 5.0))
    label("细胞核\n(nucleus)", (cx - 0.1, cy - 0.3), (2.2, 0.75))
    label("轴丘\n(axon hillock)", (cx + 1.2, cy - 0.15), (5.0, 1.0))
    label("轴突\n(axon)", (6.5, cy + 0.05), (6.5, 4.6))
    label("髓鞘\n(myelin)", (8.6, cy - 0.2), (8.6, 1.2))
    label("轴突末梢\n(axon terminal)", (10.85, cy + 0.8), (10.6, 4.9))
    flow = FancyArrowPatch(
        (0.4, -0.2), (10.9, -0.2), arrowstyle="-|>", mutation_scale=12, color="#1f4e79", lw=1.2
    )
    ax.add_patch(flow)
    ax.text(8.3, -0.05, "信号传递方向", ha="center", va="bottom", fontsize=10, color="#1f4e79")
    ax.set_title("生物神经元（示意）")
    return fig
