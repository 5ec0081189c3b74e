r"""Evaluating a classifier: confusion matrix, the standard error of an accuracy, and figures.

The accuracy :math:`\hat p` measured on :math:`n` independent test examples is a sample
proportion, so its standard error (标准误差) is

.. math:: \operatorname{SE}(\hat p) = \sqrt{\hat p (1 - \hat p) / n},

the typical distance between :math:`\hat p` and the accuracy on unlimited data from the same
source. A confusion matrix (混淆矩阵) :math:`M` counts :math:`M_{ij}` = examples of true class
:math:`i` predicted as class :math:`j`: its diagonal holds the correct predictions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nnlib.plotting import (
    METHOD_COLORS,
    PANEL_SIZE,
    _as_numpy,
    figure_for,
    subplots,
    use_course_style,
)
from nnlib.validation import check_labels, positive_int


def confusion_matrix(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``[num_classes, num_classes]`` int64 counts: entry ``[i, j]`` is the number of examples of
    true class ``i`` predicted as ``j``. Row sums are the class sizes, the trace the number of
    correct predictions.

    Labels may be tensors, lists or NumPy arrays of whole numbers (``1.0`` counts as 1; ``0.5``
    is an error, not class 0).

    Raises:
        TypeError: if a label sequence cannot be read as numbers or ``num_classes`` is not a
            positive integer.
        ValueError: if the label tensors differ in shape, or hold a label that is not a whole
            number or lies outside ``0 .. num_classes - 1``.
    """
    num_classes = positive_int("num_classes", num_classes)
    y_true = check_labels("y_true", y_true)
    y_pred = check_labels("y_pred", y_pred)
    if y_true.shape != y_pred.shape or y_true.dim() != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of the same length, got {list(y_true.shape)} and "
            f"{list(y_pred.shape)}"
        )
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(f"{name} holds labels outside 0 .. {num_classes - 1}")
    flat = y_true.to(torch.int64) * num_classes + y_pred.to(torch.int64)
    return torch.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def accuracy_standard_error(accuracy: float, n: int) -> float:
    r""":math:`\sqrt{\hat p (1 - \hat p) / n}` for an accuracy ``accuracy`` measured on ``n``
    examples.

    Raises:
        ValueError: if ``accuracy`` is outside [0, 1] or ``n < 1``.
    """
    if not 0 <= accuracy <= 1:
        raise ValueError(f"accuracy must be in [0, 1], got {accuracy!r}")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n!r}")
    return math.sqrt(accuracy * (1 - accuracy) / n)


def mean_and_std(values: Sequence[float]) -> tuple[float, float]:
    r"""Mean and sample standard deviation :math:`\sqrt{\sum (v_i - \bar v)^2 / (k - 1)}` of
    ``k`` values (the spread between runs with different seeds); the std of one value is 0.

    Raises:
        ValueError: if ``values`` is empty.
    """
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError("values must not be empty")
    return float(arr.mean()), float(arr.std(ddof=1)) if arr.size > 1 else 0.0


def plot_runs(
    x: Any,
    runs: Mapping[str, Any],
    *,
    ax: Axes,
    colors: Mapping[str, str] | None = None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    logy: bool = False,
) -> Figure:
    """Draw, for each label, the mean over runs as a line and the min..max band of the runs.

    Args:
        x: shared x values (length ``T``).
        runs: label -> array ``[runs, T]`` (one row per seed).
        ax: the axes to draw into.
        colors: label -> colour; defaults to :data:`nnlib.plotting.METHOD_COLORS` where the label
            is a key there, else matplotlib's cycle.

    Raises:
        ValueError: if ``runs`` is empty or a label's array is not ``[runs, len(x)]``.
    """
    if not runs:
        raise ValueError("runs must contain at least one label -> [runs, T] entry")
    use_course_style()
    xs = _as_numpy(x)
    colors = dict(METHOD_COLORS) | dict(colors or {})
    for i, (label, values) in enumerate(runs.items()):
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != xs.shape[0]:
            raise ValueError(
                f"runs[{label!r}] must have shape [runs, {xs.shape[0]}], got {arr.shape}"
            )
        color = colors.get(label, f"C{i}")
        ax.plot(xs, arr.mean(axis=0), color=color, label=label)
        ax.fill_between(xs, arr.min(axis=0), arr.max(axis=0), color=color, alpha=0.2, lw=0)
    if np.all(xs == np.round(xs)):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs: whole numbers only
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax.figure


def plot_image_grid(
    images: Any,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 10,
    title: str = "",
    panel: float = 0.75,
) -> Figure:
    """Draw grey-level images (``[n, h, w]``, dark = ink) in a grid with an optional caption each.

    Raises:
        ValueError: if there are no images, they are not ``[n, h, w]``, ``titles`` has the wrong
            length, or ``ncols < 1``.
    """
    arr = _as_numpy(images)
    if arr.ndim != 3 or arr.shape[0] == 0:
        raise ValueError(f"images must have shape [n, height, width] with n >= 1, got {arr.shape}")
    if titles is not None and len(titles) != len(arr):
        raise ValueError(f"titles must have one entry per image ({len(arr)}), got {len(titles)}")
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
    ncols = min(ncols, len(arr))
    nrows = math.ceil(len(arr) / ncols)
    caption = 0.3 if titles is not None else 0.0
    fig, axes = subplots(
        ncols, nrows, figsize=(panel * ncols, (panel + caption) * nrows + 0.35 * bool(title))
    )
    axes = np.atleast_1d(axes).ravel()
    for k, ax in enumerate(axes):
        ax.axis("off")
        if k < len(arr):
            ax.imshow(arr[k], cmap="gray_r", vmin=0, interpolation="nearest")
            if titles is not None:
                ax.set_title(titles[k], fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def plot_confusion_matrix(
    matrix: torch.Tensor, *, title: str = "混淆矩阵", ax: Axes | None = None
) -> Figure:
    """Draw a confusion matrix (rows: true class, columns: predicted class) with its counts.

    Raises:
        ValueError: if ``matrix`` is not square.
    """
    m = _as_numpy(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"matrix must be square, got shape {m.shape}")
    fig, ax = figure_for(ax, (PANEL_SIZE[0] * 1.4, PANEL_SIZE[0] * 1.3))
    c = m.shape[0]
    # square-root colour scale: the few off-diagonal errors stay visible next to the big diagonal
    ax.imshow(np.sqrt(m), cmap="Blues")
    for i in range(c):
        for j in range(c):
            if m[i, j]:
                white = m[i, j] > 0.5 * m.max()
                ax.text(
                    j,
                    i,
                    f"{int(m[i, j])}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if white else "black",
                )
    ax.set_xticks(range(c))
    ax.set_yticks(range(c))
    ax.grid(False)
    ax.set_xlabel("预测类别")
    ax.set_ylabel("真实类别")
    ax.set_title(title)
    return fig


def plot_class_probabilities(
    probs: Any, true_label: int, *, title: str = "", ax: Axes | None = None
) -> Figure:
    """Bar chart of one example's class probabilities; the true class's bar is drawn in a
    different colour and the predicted class (the tallest bar) is labelled.

    Raises:
        ValueError: if ``probs`` is not 1-D or ``true_label`` is not a valid class.
    """
    p = _as_numpy(probs)
    if p.ndim != 1:
        raise ValueError(f"probs must be 1-D (one example), got shape {p.shape}")
    if not 0 <= true_label < len(p):
        raise ValueError(f"true_label must be in 0 .. {len(p) - 1}, got {true_label}")
    fig, ax = figure_for(ax, (PANEL_SIZE[0] * 1.4, PANEL_SIZE[1]))
    colors = ["0.65"] * len(p)
    colors[true_label] = "C2"
    bars = ax.bar(range(len(p)), p, color=colors)
    bars[true_label].set_label(f"真实类别 {true_label}")
    pred = int(p.argmax())
    ax.annotate(
        "预测", (pred, p[pred]), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9
    )
    ax.set_xticks(range(len(p)))
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("类别")
    ax.set_ylabel("softmax 概率")
    ax.set_title(title)
    ax.legend(loc="upper left")
    return fig


def plot_early_stopping(history: Any, *, title_suffix: str = "") -> Figure:
    """Two panels for one early-stopped run: the training and validation loss (linear axis, so a
    small rise of the validation loss stays visible) and the validation accuracy, each with the
    best epoch as a dashed line and the epochs run after it shaded grey.

    Args:
        history: a :class:`nnlib.minibatch.EpochHistory` (``train_loss``, ``val_loss``,
            ``val_acc``, ``best_epoch``, ``epochs``).
        title_suffix: appended to both panel titles, e.g. ``"（种子 0）"``.

    Raises:
        ValueError: if the history has no epochs or its best epoch is not one of them.
    """
    epochs = list(history.epochs)
    if not epochs:
        raise ValueError("history has no epochs to draw")
    best = history.best_epoch
    if not 1 <= best <= len(epochs):
        raise ValueError(f"best_epoch must be in 1 .. {len(epochs)}, got {best}")
    fig, (ax_loss, ax_acc) = subplots(2, figsize=(9.6, 3.4))
    ax_loss.plot(epochs, history.train_loss, color="C0", label="训练损失")
    ax_loss.plot(epochs, history.val_loss, color="C1", label="验证损失")
    ax_loss.set_ylim(bottom=0)
    ax_loss.set(title=f"损失{title_suffix}", xlabel="轮次", ylabel="交叉熵损失（线性纵轴）")
    ax_acc.plot(epochs, history.val_acc, color="C1", marker=".", label="验证准确率")
    ax_acc.set(title=f"验证集准确率与早停{title_suffix}", xlabel="轮次", ylabel="准确率")
    for ax in (ax_loss, ax_acc):
        ax.axvline(best, color="C2", ls="--", lw=1.2, label=f"最好的一轮（第 {best} 轮）")
        ax.axvspan(best, epochs[-1], color="0.85", alpha=0.5, lw=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_loss.legend(fontsize=8)
    ax_acc.legend(loc="lower right", fontsize=8)
    note = f"灰色：最好一轮之后又训练了 {epochs[-1] - best} 轮"
    ax_acc.text(0.02, 0.06, note, transform=ax_acc.transAxes, fontsize=8)
    return fig
