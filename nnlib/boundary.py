r"""Figures for 2-D classifiers: the data points and a model's decision boundary.

Built on :func:`nnlib.plotting.subplots`, so the course style and Chinese font apply. The two
classes are told apart by colour **and** marker shape (readable in grey scale and for colour
vision deficiencies).
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import nn

from nnlib.plotting import PANEL_SIZE, subplots, use_course_style
from nnlib.training import evaluating

#: (colour, marker, legend label) per class index.
CLASS_STYLES: tuple[tuple[str, str, str], ...] = (
    ("#1f77b4", "o", "类别 0"),
    ("#d62728", "^", "类别 1"),
    ("#2ca02c", "s", "类别 2"),
)


def _target_axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is None:
        return subplots(1, figsize=(PANEL_SIZE[0] * 1.2, PANEL_SIZE[1] * 1.2))
    use_course_style()
    return ax.figure, ax


def plot_points(
    x: torch.Tensor, y: torch.Tensor, *, title: str = "", ax: Axes | None = None
) -> Figure:
    """Scatter 2-D points ``x`` (``[n, 2]``) coloured and shaped by their labels ``y``.

    Raises:
        ValueError: if ``x`` is not ``[n, 2]``, ``y`` is not ``[n]``, or a label is outside
            ``0 .. len(CLASS_STYLES) - 1``.
    """
    if x.dim() != 2 or x.shape[1] != 2 or y.shape != (len(x),):
        raise ValueError(f"expected x [n, 2] and y [n], got {list(x.shape)} and {list(y.shape)}")
    labels = sorted(int(c) for c in torch.unique(y))
    if labels and not 0 <= labels[0] <= labels[-1] < len(CLASS_STYLES):
        raise ValueError(f"labels must be in 0..{len(CLASS_STYLES) - 1}, got {labels}")
    fig, ax = _target_axes(ax)
    for c in labels:
        colour, marker, name = CLASS_STYLES[c]
        pts = x[y == c].numpy()
        ax.scatter(pts[:, 0], pts[:, 1], s=14, c=colour, marker=marker, label=name, alpha=0.85)
    ax.set_title(title)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best", markerscale=1.2, frameon=True, framealpha=0.85)
    return fig


def _grid_scores(
    model: nn.Module, x: torch.Tensor, resolution: int, padding: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid coordinates around ``x`` and the model's outputs ``[resolution, resolution, C]``."""
    if resolution < 2:
        raise ValueError(f"resolution must be >= 2, got {resolution}")
    if x.dim() != 2 or x.shape[1] != 2:
        raise ValueError(f"expected x of shape [n, 2], got {list(x.shape)}")
    x = x.float()
    low = (x.min(dim=0).values - padding).tolist()
    high = (x.max(dim=0).values + padding).tolist()
    gx = torch.linspace(low[0], high[0], resolution)
    gy = torch.linspace(low[1], high[1], resolution)
    xx, yy = torch.meshgrid(gx, gy, indexing="xy")
    with evaluating(model):
        scores = model(torch.stack([xx.flatten(), yy.flatten()], dim=1))
    return xx.numpy(), yy.numpy(), scores.reshape(*xx.shape, -1).numpy()


def decision_grid(
    model: nn.Module, x: torch.Tensor, resolution: int = 150, padding: float = 0.4
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Evaluate ``model`` on a square grid of ``resolution``² points around ``x`` (± ``padding``).

    Returns the grid coordinates ``xx``, ``yy`` and the predicted class
    :math:`\arg\max_c f(x)_c` at every grid point (same for logits and probabilities).

    Raises:
        ValueError: if ``resolution < 2`` or ``x`` is not ``[n, 2]``.
    """
    xx, yy, scores = _grid_scores(model, x, resolution, padding)
    return xx, yy, scores.argmax(axis=-1)


def plot_decision_boundary(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    title: str = "",
    ax: Axes | None = None,
    resolution: int = 150,
    padding: float = 0.4,
    around: torch.Tensor | None = None,
) -> Figure:
    r"""Shade the region each class is predicted in, draw the boundary, then the points ``(x, y)``.

    For two classes the boundary is the smooth curve :math:`f(x)_1 = f(x)_0` (where the two
    scores tie); for more classes it follows the grid cells where the predicted class changes.
    The grid covers the points ``around`` (default: ``x``) ± ``padding`` and the axes are
    limited to it: pass the same ``around`` (e.g. training and test points together) to panels
    that are compared, so that they show the same region. Errors as in :func:`decision_grid`
    and :func:`plot_points`.
    """
    xx, yy, scores = _grid_scores(model, x if around is None else around, resolution, padding)
    pred = scores.argmax(axis=-1)
    fig, ax = _target_axes(ax)
    colours = [c for c, _, _ in CLASS_STYLES]
    levels = np.arange(len(CLASS_STYLES) + 1) - 0.5
    ax.contourf(xx, yy, pred, levels=levels, colors=colours, alpha=0.15)
    if scores.shape[-1] == 2:
        diff = scores[..., 1] - scores[..., 0]
        if diff.min() < 0 < diff.max():
            ax.contour(xx, yy, diff, levels=[0.0], colors="black", linewidths=1.0)
    elif np.unique(pred).size > 1:
        ax.contour(xx, yy, pred, levels=levels[1:-1], colors="black", linewidths=1.0)
    plot_points(x, y, title=title, ax=ax)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    return fig
