r"""The course figure style and the plotting helpers every chapter shares.

Every figure of the book is drawn through this module, so the Chinese font, the sizes and the
white background (readable when the site is switched to dark mode) are set in one place.

Conventions: helpers return the :class:`~matplotlib.figure.Figure` they drew; a notebook cell
assigns it (``fig = plot_curves(...)``) so that no object repr is stored in the notebook.

Resolution: a figure is laid out at :data:`SCREEN_DPI` (its size on the page: ``figsize`` inches
times 110 CSS pixels) but, in Jupyter, stored as a larger PNG (:func:`figure_png`, resolution
:func:`stored_dpi`) with the page size in the output's metadata. The PDF edition prints each
figure at its true size, at most :data:`PRINT_MAX_WIDTH_CM` wide, at :data:`PRINT_DPI` or more;
the web site serves copies with :data:`SCREEN_SCALE` pixels per CSS pixel
(``_ext/site_quality.py``), sharp on phone and laptop screens at a fraction of the bytes.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nnlib.font_hook import register_now
from nnlib.fonts import register_chinese_font

#: Default size of a one-panel figure, in inches; two panels are twice as wide. Chosen so that a
#: figure stays legible when the page is read on a phone (it is scaled to the screen width).
PANEL_SIZE: tuple[float, float] = (3.2, 2.6)

#: Pixels per inch of a figure's size on the page (one CSS pixel per dot).
SCREEN_DPI = 110

#: Dots per inch of every figure in the PDF edition.
PRINT_DPI = 300

#: The PDF prints a figure at its true size (``figsize``), but never wider than this.
PRINT_MAX_WIDTH_CM = 14.0

#: Pixels per CSS pixel of the copies the web site serves (2: sharp on high-density screens).
SCREEN_SCALE = 2

_STYLE = {
    "figure.dpi": SCREEN_DPI,
    "savefig.dpi": SCREEN_DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.grid": True,
    "grid.alpha": 0.35,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "lines.linewidth": 1.8,
    "figure.constrained_layout.use": True,
}


#: One colour per activation function for every figure of the course that compares them
#: (keys are :data:`nnlib.activations.ACTIVATIONS` names).
ACTIVATION_COLORS: dict[str, str] = {
    "identity": "#7f7f7f",
    "sigmoid": "#1f77b4",
    "tanh": "#ff7f0e",
    "relu": "#2ca02c",
    "leaky_relu": "#d62728",
    "prelu": "#9467bd",
    "elu": "#8c564b",
    "gelu": "#e377c2",
    "silu": "#17becf",
    "softplus": "#bcbd22",
}


def use_course_style() -> None:
    """Apply the course style: Chinese font (see :mod:`nnlib.fonts`) plus sizes and colours,
    and, inside IPython, show figures through :func:`figure_png`.

    Safe to call many times; every helper of this module calls it first.
    """
    register_chinese_font()
    rcParams.update(_STYLE)
    _show_figures_at_print_resolution()


# ``import nnlib.plotting`` alone gives Chinese labels to a learner's own figures (the font
# only; the course style is applied by use_course_style / start_chapter).
register_now()


def stored_dpi(width_in: float) -> float:
    r"""Pixels per inch :func:`figure_png` stores for a figure ``width_in`` inches wide.

    Enough for both editions and no more: :data:`PRINT_DPI` on paper, where the figure is
    printed :math:`p = \min(w, w_{\max})` inches wide (:data:`PRINT_MAX_WIDTH_CM`), and
    :data:`SCREEN_SCALE` pixels per CSS pixel on the site:

    .. math:: \text{dpi}(w) = \max\Big(300 \cdot \frac{p}{w},\ 2 \times 110\Big).

    A 3.2-inch panel is stored at 300 dpi, a 6.4-inch pair at 258, anything from 7.5 inches at
    220: a wide figure is printed shrunk, so it needs fewer pixels per inch of its own size.

    Raises:
        ValueError: if ``width_in`` is not positive.
    """
    if not width_in > 0:
        raise ValueError(f"width_in must be > 0, got {width_in!r}")
    printed = min(width_in, PRINT_MAX_WIDTH_CM / 2.54)
    return max(PRINT_DPI * printed / width_in, SCREEN_SCALE * SCREEN_DPI)


def figure_png(fig: Figure) -> tuple[str, dict[str, int]] | None:
    r"""The PNG IPython stores for ``fig``: base64 text at :func:`stored_dpi` plus its page size.

    The metadata ``{"width": w, "height": h}`` is the figure's size at :data:`SCREEN_DPI`,
    :math:`w = \operatorname{round}(110 \cdot \text{width in inches})`; Jupyter and the book
    display the image at that size. The figure is saved whole, with no ``bbox_inches="tight"``
    crop: its constrained layout already fits it (and the crop would lay it out twice). Returns
    ``None`` for a figure without axes, which IPython then does not display.
    """
    if not fig.axes:
        return None
    from PIL import Image, PngImagePlugin

    dpi = stored_dpi(float(fig.get_figwidth()))
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    screen_dpi = fig.dpi
    fig.set_dpi(dpi)
    try:
        rgba, size = canvas.print_to_buffer()
    finally:
        fig.set_dpi(screen_dpi)
    # RGB, not matplotlib's RGBA: the figures are opaque (white background), and an alpha
    # channel would print into the PDF as a second, greyscale image per figure.
    image = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1).convert("RGB")
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", f"Matplotlib version{matplotlib.__version__} (nnlib figure_png)")
    buffer = io.BytesIO()
    # zlib level 1: a quarter faster to write than the default 6 for these large images; the
    # site and the PDF compress their own copies again.
    image.save(buffer, format="png", dpi=(dpi, dpi), pnginfo=info, compress_level=1)
    width, height = (round(side * SCREEN_DPI) for side in fig.get_size_inches())
    return base64.b64encode(buffer.getvalue()).decode("ascii"), {"width": width, "height": height}


def _show_figures_at_print_resolution() -> None:
    """Make the running IPython shell (if any) format figures with :func:`figure_png`.

    Matplotlib's inline backend registers its own PNG formatter when its module is first loaded,
    which happens lazily at the first figure; it is loaded here first, so that this formatter
    replaces that one for every :class:`~matplotlib.figure.Figure`, the first included.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing displays figures
        return
    shell = get_ipython()
    if shell is None:
        return
    if "inline" in matplotlib.get_backend(auto_select=False):
        import matplotlib_inline.backend_inline  # noqa: F401 - configures IPython on import
    shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)


def _as_numpy(values: Any) -> np.ndarray:
    """Convert a tensor, list or array to a 1-D-or-more NumPy array (detaching tensors)."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=float)


def subplots(ncols: int = 1, nrows: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """:func:`matplotlib.pyplot.subplots` with the course style and panel size applied.

    Raises:
        ValueError: if ``ncols`` or ``nrows`` is smaller than 1.
    """
    if ncols < 1 or nrows < 1:
        raise ValueError(f"ncols and nrows must be >= 1, got ncols={ncols}, nrows={nrows}")
    use_course_style()
    kwargs.setdefault("figsize", (PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows))
    return plt.subplots(nrows, ncols, **kwargs)


def figure_for(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The figure and axes to draw into: ``ax`` and its figure (with the course style applied),
    or a new one-panel figure of ``figsize`` when ``ax`` is ``None``."""
    if ax is None:
        fig, new_ax = subplots(1, figsize=figsize)
        return fig, new_ax
    use_course_style()
    return ax.figure, ax


def function_and_grad(
    fn: Callable[[Any], Any], x_range: tuple[float, float] = (-8.0, 8.0), num: int = 1001
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Evaluate an element-wise function and its derivative by autograd on a grid.

    For :math:`x_1, \dots, x_n` evenly spaced in ``x_range``, returns :math:`x`, :math:`f(x)` and
    :math:`f'(x)`, the derivative computed as the gradient of :math:`\sum_i f(x_i)` (valid because
    :math:`f` acts on each element separately, so :math:`\partial/\partial x_i` only sees
    :math:`f(x_i)`).

    Raises:
        ValueError: if the range is empty, ``num < 2``, or ``fn`` is not element-wise (its output
            shape differs from its input shape).
    """
    import torch

    from nnlib.activations import derivative

    low, high = x_range
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}")
    if num < 2:
        raise ValueError(f"num must be >= 2, got {num}")
    x = torch.linspace(low, high, num)
    grad = derivative(fn, x)  # raises ValueError if fn is not element-wise
    with torch.no_grad():
        y = fn(x)
    return _as_numpy(x), _as_numpy(y), _as_numpy(grad)


def plot_function_and_grad(
    fn: Callable[[Any], Any],
    name: str,
    x_range: tuple[float, float] = (-8.0, 8.0),
    num: int = 1001,
    axes: Sequence[Axes] | None = None,
    color: str | None = None,
) -> Figure:
    """Draw an element-wise function (left) and its autograd derivative (right), side by side.

    Titles are ``"{name} 函数图像"`` and ``"{name} 导数图像"``; the y axes are labelled
    :math:`f(x)` and :math:`f'(x)`. The derivative panel always
    includes 0 on its y axis. Where the derivative jumps (a kink of ``fn``, e.g. ReLU at 0), the
    curve is broken instead of drawn as a vertical segment, and the value autograd returns at
    the kink is marked with a dot. See :func:`function_and_grad` for how the derivative is
    computed and for the errors raised.

    Args:
        axes: optional pair ``(function_axes, derivative_axes)`` to draw into, e.g. one row of a
            ``subplots(ncols=2, nrows=k)`` grid that compares several functions; by default a
            new two-panel figure is made. The figure of the axes is returned.
        color: one colour for both curves, e.g. the activation's course colour from
            :data:`ACTIVATION_COLORS`; by default the function is drawn in ``C0`` and the
            derivative in ``C1``.

    Raises:
        ValueError: if ``axes`` is given and is not exactly two axes.
    """
    if axes is not None and len(axes) != 2:
        raise ValueError(f"axes must be a pair (function_axes, derivative_axes), got {len(axes)}")
    x, y, grad = function_and_grad(fn, x_range, num)
    if axes is None:
        fig, (ax_f, ax_d) = subplots(2)
    else:
        ax_f, ax_d = axes
        fig = ax_f.figure
    ax_f.plot(x, y, color=color or "C0")
    ax_f.set_title(f"{name} 函数图像")
    ax_f.set_xlabel("$x$")
    ax_f.set_ylabel("$f(x)$")
    span = float(np.ptp(grad)) if grad.size else 0.0
    jumps = np.flatnonzero(np.abs(np.diff(grad)) > 0.2 * span) if span > 0 else np.array([], int)
    x_d, g_d = x.astype(float), grad.astype(float)
    if jumps.size:
        x_d = np.insert(x_d, jumps + 1, np.nan)
        g_d = np.insert(g_d, jumps + 1, np.nan)
    ax_d.plot(x_d, g_d, color=color or "C1")
    for k in jumps:  # the grid point at (or nearest to) the kink carries autograd's value there
        at = k if abs(x[k]) <= abs(x[k + 1]) else k + 1
        ax_d.plot([x[at]], [grad[at]], "o", color=color or "C1", markersize=5)
    low, high = ax_d.get_ylim()
    pad = 0.05 * (high - low)
    ax_d.set_ylim(min(low, -pad), max(high, pad))
    ax_d.set_title(f"{name} 导数图像")
    ax_d.set_xlabel("$x$")
    ax_d.set_ylabel("$f\\,'(x)$")
    return fig


def plot_curves(
    x: Any,
    curves: Mapping[str, Any],
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    logy: bool = False,
    ax: Axes | None = None,
    styles: Sequence[str] | None = None,
    colors: Sequence[str | None] | None = None,
) -> Figure:
    """Draw several labelled curves that share one x axis, with a legend.

    Args:
        x: the x values, shared by every curve.
        curves: legend label -> y values (same length as ``x``).
        title, xlabel, ylabel: texts of the panel.
        logy: use a logarithmic y axis (for quantities spanning many orders of magnitude).
        ax: draw into this axes instead of a new figure.
        styles: optional matplotlib format strings, one per curve (e.g. ``["-", "--"]``).
        colors: optional colours, one per curve (``None`` keeps the default cycle), e.g. from
            :data:`ACTIVATION_COLORS`.

    Raises:
        ValueError: if ``curves`` is empty, a curve's length differs from ``x``, or ``styles``
            has the wrong length.
    """
    if not curves:
        raise ValueError("curves must contain at least one label -> values entry")
    xs = _as_numpy(x)
    if styles is not None and len(styles) != len(curves):
        raise ValueError(f"styles must have one entry per curve ({len(curves)}), got {len(styles)}")
    if colors is not None and len(colors) != len(curves):
        raise ValueError(f"colors must have one entry per curve ({len(curves)}), got {len(colors)}")
    fig, ax = figure_for(ax, (PANEL_SIZE[0] * 1.5, PANEL_SIZE[1] * 1.2))
    for i, (label, values) in enumerate(curves.items()):
        ys = _as_numpy(values)
        if ys.shape != xs.shape:
            raise ValueError(
                f"curve {label!r} has shape {ys.shape}, but x has shape {xs.shape}; they must match"
            )
        extra = {"color": colors[i]} if colors is not None and colors[i] is not None else {}
        ax.plot(xs, ys, styles[i] if styles else "-", label=label, **extra)
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return fig


# --------------------------------------------------------------------------------------------
# Initialisation methods: one colour per method, course-wide (chapter 3, and any later figure
# that compares initialisations). Kaiming and Xavier keep one colour for their normal and
# uniform versions; in a depth figure the activation is told apart by the line style.
# --------------------------------------------------------------------------------------------

#: init name (see :func:`nnlib.init.init_names`) -> colour.
INIT_COLORS: dict[str, str] = {
    "kaiming_normal": "#2ca02c",
    "kaiming_uniform": "#2ca02c",
    "xavier_normal": "#ff7f0e",
    "xavier_uniform": "#ff7f0e",
    "default": "#d62728",
    "normal": "#9467bd",
    "uniform": "#8c564b",
    "zeros": "#7f7f7f",
    "ones": "#7f7f7f",
    "constant": "#7f7f7f",
}

#: activation -> line style of a depth curve (measured values; theory is drawn as open circles).
ACTIVATION_LINESTYLES: dict[str, str] = {"relu": "-", "tanh": "-.", "sigmoid": "--"}

#: One colour per activation + initialisation configuration (chapter 3's depth and gradient
#: figures): every ReLU configuration keeps its init's colour (as in the training figure, whose
#: networks are ReLU networks), and tanh + Xavier gets a colour of its own, so that the two
#: Xavier configurations are never told apart by the line style alone.
SETTING_COLORS: dict[str, str] = {
    "tanh + Xavier": "#1f77b4",
    "ReLU + Xavier": INIT_COLORS["xavier_normal"],
    "ReLU + Kaiming": INIT_COLORS["kaiming_normal"],
    "ReLU + PyTorch 默认": INIT_COLORS["default"],
}


def init_color(name: str) -> str:
    """The course colour of the initialisation method ``name``.

    Raises:
        ValueError: if ``name`` has no colour; the message lists the valid names.
    """
    try:
        return INIT_COLORS[name]
    except KeyError:
        valid = ", ".join(INIT_COLORS)
        raise ValueError(f"no colour for init {name!r}; valid names: {valid}") from None


#: One colour per training method (chapter 5), used by every figure that compares them:
#: optimizers (mini-batch SGD, full-batch gradient descent, SGD with momentum, Adam) and the
#: activation + initialisation set-ups revisited on real data.
METHOD_COLORS: dict[str, str] = {
    "小批量 SGD": "C0",
    "全批量梯度下降": "C7",
    "SGD + 动量": "C2",
    "Adam": "C3",
    # the set-ups take the colour of their initialisation (INIT_COLORS above)
    "ReLU + Kaiming": INIT_COLORS["kaiming_normal"],
    "sigmoid + 默认初始化": INIT_COLORS["default"],
    "全零权重": INIT_COLORS["zeros"],
}
