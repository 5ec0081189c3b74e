r"""Chapter 6 (what networks are good and bad at): the figures and the repeated runs.

The chapter shows each computation once in the open; these helpers draw its figures and repeat
the runs that several section notebooks (and the exercise checkers' tests) need:

- :func:`plot_layer_boundaries`: the lines :math:`w_1 x_1 + w_2 x_2 + b = 0` of a 2-D network's
  first-layer ReLU units, and the zero sets of some second-layer units (polygonal lines);
- :func:`plot_lr_losses`: training-loss curves per learning rate, the diverging ones on their
  own panel so they do not squash the others;
- :func:`plot_overfitting`: a decision boundary with the test points faint below it, next to
  the train / validation / test accuracy curves and the early-stopping step;
- :func:`weight_decay_runs`: train, validation and test accuracy of the chapter's overfitting
  network with a given ``weight_decay``, one entry per seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import torch
from matplotlib.figure import Figure
from torch import nn

from nnlib.boundary import CLASS_STYLES, plot_decision_boundary, plot_points
from nnlib.data import Split
from nnlib.models import make_mlp
from nnlib.plotting import plot_curves, subplots
from nnlib.training import History, accuracy, train_classifier
from nnlib.utils import set_seed

__all__ = ["plot_layer_boundaries", "plot_lr_losses", "plot_overfitting", "weight_decay_runs"]


def plot_layer_boundaries(
    net: nn.Sequential,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    xlim: tuple[float, float] = (-1.6, 2.6),
    ylim: tuple[float, float] = (-1.2, 1.7),
    n_second: int = 3,
    resolution: int = 300,
) -> tuple[Figure, dict[int, int]]:
    r"""Two panels with shared axes over the points ``(x, y)``.

    Left: each first-layer unit :math:`j` of ``net`` (``net[0]`` a ``Linear(2, H)``) as its line
    :math:`W_{j1} x_1 + W_{j2} x_2 + b_j = 0`. Right: the zero set of the pre-activation
    :math:`z_2 = \operatorname{ReLU}(x W_1^\top + b_1) W_2^\top + b_2` of the first ``n_second``
    second-layer units (``net[2]``) whose :math:`z_2` changes sign on the grid.

    Returns:
        The figure and, per drawn second-layer unit, the number of distinct first-layer
        activation patterns (regions where :math:`z_2` is affine) that its zero set crosses:
        one straight piece per region.

    Raises:
        ValueError: if ``net[0]`` does not take 2 inputs or fewer than ``n_second`` units of
            ``net[2]`` cross zero on the grid.
    """
    w1, b1 = net[0].weight.detach(), net[0].bias.detach()
    w2, b2 = net[2].weight.detach(), net[2].bias.detach()
    if w1.shape[1] != 2:
        raise ValueError(f"net[0] must take 2 inputs, got {w1.shape[1]}")
    gx, gy = torch.meshgrid(
        torch.linspace(*xlim, resolution), torch.linspace(*ylim, resolution), indexing="xy"
    )
    grid = torch.stack([gx.flatten(), gy.flatten()], dim=1)
    pre1 = grid @ w1.T + b1
    layer1_on = pre1 > 0
    z2 = torch.relu(pre1) @ w2.T + b2
    crossing = [j for j in range(z2.shape[1]) if z2[:, j].min() < 0 < z2[:, j].max()]
    if len(crossing) < n_second:
        raise ValueError(f"only {len(crossing)} second-layer units cross zero, need {n_second}")
    crossing = crossing[:n_second]

    fig, (ax1, ax2) = subplots(2, sharex=True, sharey=True, figsize=(8.0, 3.4))
    plot_points(x, y, title="第 1 层：每个神经元一条直线", ax=ax1)
    xs = torch.tensor(xlim)
    for (w_a, w_b), b in zip(w1.tolist(), b1.tolist(), strict=True):
        ax1.plot(xs, -(w_a * xs + b) / w_b, color="0.3", linewidth=0.8)
    plot_points(x, y, title=f"第 2 层：{n_second} 个神经元的分界线", ax=ax2)
    styles = ("-", "--", ":", "-.")
    pieces = {}
    for k, j in enumerate(crossing):
        ax2.contour(
            gx,
            gy,
            z2[:, j].reshape(resolution, resolution),
            levels=[0.0],
            colors="black",
            linestyles=styles[k % len(styles)],
            linewidths=1.4,
        )
        near = z2[:, j].abs() < 0.02  # grid points next to the zero set
        pieces[j] = len(set(map(tuple, layer1_on[near].tolist())))
    ax1.set_xlim(*xlim)
    ax1.set_ylim(*ylim)
    return fig, pieces


def plot_lr_losses(
    steps: Sequence[int],
    losses: Mapping[float, Sequence[float]],
    *,
    diverged: Iterable[float],
    title: str = "",
) -> Figure:
    r"""Training loss per learning rate on a log axis, in two panels.

    Left: the learning rates not in ``diverged`` and the reference line :math:`\ln 2` (guessing
    50 % on two classes). Right: the ``diverged`` ones on their own log axis, which may reach
    :math:`10^{20}`; drawn on one axis they would squash the others into one band.

    Raises:
        ValueError: if ``diverged`` names a learning rate missing from ``losses`` or leaves none.
    """
    diverged = list(diverged)
    if not set(diverged) <= set(losses) or len(diverged) >= len(losses):
        raise ValueError(f"diverged {diverged} must be a proper subset of {list(losses)}")
    kept = [lr for lr in losses if lr not in diverged]
    ln2 = [math.log(2)] * len(steps)
    fig, (ax_ok, ax_bad) = subplots(2, figsize=(9.0, 3.4))
    plot_curves(
        steps,
        {f"lr = {lr:g}": losses[lr] for lr in kept} | {"ln 2（两类各猜 50%）": ln2},
        title=title or "训练损失（学习率不太大）",
        xlabel="训练步数",
        ylabel="交叉熵损失",
        logy=True,
        ax=ax_ok,
        styles=["-"] * len(kept) + ["k:"],
    )
    plot_curves(
        steps,
        {f"lr = {lr:g}": losses[lr] for lr in diverged} | {"ln 2": ln2},
        title="发散的学习率（纵轴范围大得多）",
        xlabel="训练步数",
        ylabel="交叉熵损失",
        logy=True,
        ax=ax_bad,
        styles=["-"] * len(diverged) + ["k:"],
        colors=["#7f7f7f"] * len(diverged) + [None],
    )
    return fig


def plot_overfitting(model: nn.Module, split: Split, history: History, stop_step: int) -> Figure:
    """Left: ``model``'s decision boundary over the training points of ``split``, its test points
    drawn faintly below. Right: ``history``'s train / validation / test accuracy per evaluation
    step, with a grey vertical line at ``stop_step`` (the early-stopping step).

    Raises:
        ValueError: if ``history`` has no validation or test accuracy.
    """
    if not history.val_acc or not history.test_acc:
        raise ValueError("history needs val_acc and test_acc: train with x_val and x_test")
    fig, (ax_boundary, ax_acc) = subplots(2, figsize=(8.0, 3.4))
    plot_decision_boundary(
        model,
        split.x_train,
        split.y_train,
        title=f"{len(split.y_train)} 个训练点上的决策边界",
        ax=ax_boundary,
        around=split.x_test,
    )
    for c, (colour, marker, _) in enumerate(CLASS_STYLES[:2]):  # test points, faint, below
        pts = split.x_test[split.y_test == c]
        ax_boundary.scatter(
            pts[:, 0], pts[:, 1], s=4, c=colour, marker=marker, alpha=0.12, zorder=0
        )
    plot_curves(
        history.eval_steps,
        {"训练": history.train_acc, "验证": history.val_acc, "测试（仅展示）": history.test_acc},
        title="准确率随训练步数",
        xlabel="训练步数",
        ylabel="准确率",
        ax=ax_acc,
        styles=["-", "--", ":"],
    )
    ax_acc.axvline(stop_step, color="gray", linewidth=1.0)
    ax_acc.set_ylim(0.4, 1.02)
    return fig


def weight_decay_runs(
    split: Split,
    weight_decay: float,
    seeds: Iterable[int],
    *,
    sizes: Sequence[int] = (2, 128, 128, 2),
    steps: int = 200,
    lr: float = 0.01,
) -> list[dict[str, float]]:
    """Train ``make_mlp(sizes)`` (ReLU, Kaiming normal) with Adam and ``weight_decay`` on the
    training part of ``split``, once per seed (``set_seed(seed)`` first), and return each run's
    ``{"train": ..., "val": ..., "test": ...}`` accuracy (``"val"`` only if ``split`` has one).

    ``weight_decay=0`` is the plain run; chapter 6 compares the two seed by seed.
    """
    results = []
    for seed in seeds:
        set_seed(seed)
        model = make_mlp(list(sizes), activation="relu", init="kaiming_normal")
        train_classifier(
            model, split.x_train, split.y_train, steps=steps, lr=lr, weight_decay=weight_decay
        )
        row = {
            "train": accuracy(model, split.x_train, split.y_train),
            "test": accuracy(model, split.x_test, split.y_test),
        }
        if split.x_val is not None:
            row["val"] = accuracy(model, split.x_val, split.y_val)
        results.append(row)
    return results
