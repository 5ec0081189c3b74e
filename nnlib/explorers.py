"""Data of the course's interactive explorers (the ``{explorer}`` directive, ``_ext/explorer.py``).

An explorer is a figure on a page that the reader moves with sliders and menus, with no kernel:
every number it shows was computed here, on the pinned numerics path, by the same ``nnlib``
functions that the chapters call, and stored in ``explorers/<name>.json``
(``python scripts/make_explorer_data.py``; ``tests/test_explorers.py`` regenerates the data and
compares). Three explorers:

- :func:`activation_depth_data` -- every activation of the registry: :math:`f` and :math:`f'`
  on :math:`[-8, 8]` with the saturated region (:math:`|f'(x)| < 1\\%` of its peak), and the
  gradient :math:`\\lVert\\delta_{L-n}\\rVert / \\lVert\\delta_L\\rVert` that is left after
  travelling back through :math:`n` hidden layers of a 20-layer network at initialisation
  (:func:`nnlib.experiments.activation.gradient_profile`).
- :func:`init_depth_data` -- initialisation x activation x weight-scale multiplier: the standard
  deviation of the forward signal :math:`z_l` and of the backward signal :math:`\\delta_l` in
  every layer of a 30-layer, 256-wide stack
  (:func:`nnlib.experiments.initialization.depth_profile`).
- :func:`training_data` -- learning rate x initialisation x activation: the training loss at every
  step of full-batch gradient descent on the two-moons data, and the decision regions at a few
  steps (:func:`nnlib.training.train_classifier`, :func:`nnlib.boundary.decision_grid`).

Numbers are rounded once, to the 3 significant digits the explorers print (:func:`sig`), so a
number on the page is nnlib's number rounded, not rounded twice; the JSON stays small (the
budget: script and data <= 60 kB gzipped per page).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from nnlib.activations import activation_names, derivative, display_name, get_activation
from nnlib.experiments.activation import gradient_profile
from nnlib.experiments.initialization import depth_profile
from nnlib.init import init_names

#: The settings of each explorer (what the reader can choose).
INIT_DEPTH_INITS = ("kaiming_normal", "xavier_normal", "default", "normal")
INIT_DEPTH_ACTIVATIONS = ("relu", "tanh", "sigmoid")
INIT_DEPTH_SCALES = (0.5, 0.71, 1.0, 1.41, 2.0)
TRAINING_LRS = (0.01, 0.1, 1.0, 10.0)
TRAINING_INITS = ("kaiming_normal", "default", "zeros")
TRAINING_ACTIVATIONS = ("relu", "sigmoid")
TRAINING_SNAPSHOTS = (0, 10, 25, 50, 100, 200)

INIT_LABELS = {
    "kaiming_normal": "Kaiming 正态",
    "kaiming_uniform": "Kaiming 均匀",
    "xavier_normal": "Xavier 正态",
    "xavier_uniform": "Xavier 均匀",
    "default": "PyTorch 默认",
    "normal": "标准正态 N(0, 1)",
    "uniform": "均匀 U(0, 1)",
    "zeros": "全 0",
    "ones": "全 1",
    "constant": "常数",
}


def sig(value: float, digits: int = 3) -> float | None:
    """``value`` rounded to ``digits`` significant digits; ``None`` for NaN or infinity.

    Raises:
        ValueError: if ``digits < 1``.
    """
    if digits < 1:
        raise ValueError(f"digits must be >= 1, got {digits}")
    value = float(value)
    if not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    return float(f"{value:.{digits - 1}e}")


def _sigs(values: Sequence[float], digits: int = 3) -> list[float | None]:
    return [sig(v, digits) for v in values]


def _check_names(given: Sequence[str], valid: Sequence[str], what: str) -> None:
    unknown = [n for n in given if n not in valid]
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; valid names: {', '.join(valid)}")


def _entries(names: Sequence[str], kind: str) -> list[dict[str, str]]:
    """Menu entries ``{name, label, color}`` for ``kind`` ``"init"`` or ``"activation"``: the
    course's Chinese label and its one colour per method (``nnlib.plotting``)."""
    from nnlib.plotting import ACTIVATION_COLORS, INIT_COLORS

    if kind == "init":
        return [
            {"name": n, "label": INIT_LABELS.get(n, n), "color": INIT_COLORS.get(n, "#444444")}
            for n in names
        ]
    return [
        {"name": n, "label": display_name(n), "color": ACTIVATION_COLORS.get(n, "#444444")}
        for n in names
    ]


# --------------------------------------------------------------------------- 1. activations
def saturated_intervals(
    x: torch.Tensor, slope: torch.Tensor, fraction: float = 0.01, min_length: float = 0.5
) -> list:
    """Intervals ``[a, b]`` of the grid ``x`` where ``|slope| < fraction * max |slope|``, at
    least ``min_length`` long (a single point where :math:`f'` crosses 0 is not a region).

    Raises:
        ValueError: if ``x`` and ``slope`` differ in length or ``fraction`` is not in (0, 1).
    """
    if x.shape != slope.shape:
        raise ValueError(f"x and slope must have the same shape, got {x.shape}, {slope.shape}")
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must lie in (0, 1), got {fraction}")
    flat = (slope.abs() < fraction * slope.abs().max()).tolist()
    xs = x.tolist()
    out, start = [], None
    for i, inside in enumerate(flat):
        if inside and start is None:
            start = xs[i]
        if not inside and start is not None:
            out.append([start, xs[i - 1]])
            start = None
    if start is not None:
        out.append([start, xs[-1]])
    return [[sig(a, 3), sig(b, 3)] for a, b in out if b - a >= min_length]


def activation_depth_data(
    names: Sequence[str] | None = None, *, depth: int = 20, points: int = 161
) -> dict[str, Any]:
    r"""Data of explorer 1: :math:`f`, :math:`f'`, saturation and the gradient through depth.

    For each activation: ``f`` and ``df`` on ``points`` grid points of :math:`[-8, 8]`; the
    saturated intervals (:func:`saturated_intervals`); and ``through[n]`` =
    :math:`\lVert\delta_{L-n}\rVert / \lVert\delta_L\rVert`, :math:`n = 0, \dots, L-1`, the size
    of the gradient after it has passed back through ``n`` hidden layers of
    :func:`~nnlib.experiments.activation.gradient_profile` ``(name, depth=depth)`` (Xavier normal,
    width 128, 256 inputs, seed 0) -- measured, not the :math:`0.25^n` bound (which is given for
    sigmoid as ``bound``).

    Raises:
        ValueError: for an unknown name or ``depth < 2``.
    """
    names = list(names) if names is not None else activation_names()
    _check_names(names, activation_names(), "activation")
    if depth < 2:
        raise ValueError(f"depth must be >= 2, got {depth}")
    x = torch.linspace(-8, 8, points)
    out = []
    for name, entry in zip(names, _entries(names, "activation"), strict=True):
        act = get_activation(name)
        with torch.no_grad():
            f = act(x)
        df = derivative(act, x)
        profile = gradient_profile(name, depth=depth)
        norms = profile.preact_grad_norm
        top = float(norms[-1])
        through = [float(norms[depth - 1 - n]) / top for n in range(depth)]
        out.append(
            {
                **entry,
                "f": _sigs(f.tolist()),
                "df": _sigs(df.tolist()),
                "saturated": saturated_intervals(x, df),
                "through": _sigs(through),
                "bound": 0.25 if name == "sigmoid" else None,
            }
        )
    return {
        "kind": "activation-depth",
        "x": _sigs(x.tolist()),
        "depth": depth,
        "activations": out,
        "default": {"activation": "sigmoid", "n": 10},
    }


# --------------------------------------------------------------------------- 2. initialisation
def init_depth_data(
    inits: Sequence[str] = INIT_DEPTH_INITS,
    activations: Sequence[str] = INIT_DEPTH_ACTIVATIONS,
    scales: Sequence[float] = INIT_DEPTH_SCALES,
    *,
    width: int = 256,
    depth: int = 30,
) -> dict[str, Any]:
    r"""Data of explorer 2: per-layer std of :math:`z_l` and :math:`\delta_l` on a grid of settings.

    ``runs["<init>|<activation>|<scale>"] = {"forward": [...], "backward": [...]}`` from
    :func:`~nnlib.experiments.initialization.depth_profile` ``(activation, init, width, depth,
    weight_scale=scale)`` (128 inputs, seed 0): the chapter's own measurement, so a setting that
    chapter 3 asserts on shows the same numbers here.

    Raises:
        ValueError: for unknown names or a non-positive scale.
    """
    _check_names(inits, init_names(), "init")
    _check_names(activations, activation_names(), "activation")
    if any(s <= 0 for s in scales):
        raise ValueError(f"scales must be > 0, got {list(scales)}")
    runs = {}
    for init in inits:
        for act in activations:
            for scale in scales:
                p = depth_profile(act, init, width, depth, weight_scale=scale)
                runs[f"{init}|{act}|{scale:g}"] = {
                    "forward": _sigs(p.forward),
                    "backward": _sigs(p.backward),
                }
    return {
        "kind": "init-depth",
        "width": width,
        "depth": depth,
        "inits": _entries(inits, "init"),
        "activations": _entries(activations, "activation"),
        "scales": [float(s) for s in scales],
        "runs": runs,
        "default": {"init": "xavier_normal", "activation": "relu", "scale": 1.0, "depth": depth},
    }


# --------------------------------------------------------------------------- 3. training
def training_data(
    lrs: Sequence[float] = TRAINING_LRS,
    inits: Sequence[str] = TRAINING_INITS,
    activations: Sequence[str] = TRAINING_ACTIVATIONS,
    *,
    steps: int = 200,
    snapshots: Sequence[int] = TRAINING_SNAPSHOTS,
    hidden: int = 16,
    grid: int = 24,
) -> dict[str, Any]:
    r"""Data of explorer 3: loss curves and decision regions of a small classifier.

    Two moons (:func:`nnlib.data.make_moons`, 200 points, noise 0.2, seed 0); the network is
    ``make_mlp([2, hidden, hidden, 2], activation, init)`` built after ``set_seed(0)``, trained by
    full-batch gradient descent (``optimizer="sgd"``) with learning rate ``lr`` for ``steps``
    steps. ``loss[t]`` is the training cross-entropy after ``t`` steps, ``t = 0..steps``
    (``None`` where it is not finite); ``regions[k]`` is the predicted class on a ``grid`` x
    ``grid`` square at step ``snapshots[k]``, as a string of ``0``/``1`` (row by row, bottom to
    top).

    Raises:
        ValueError: for unknown names, a non-positive learning rate or snapshot steps outside
            ``[0, steps]``.
    """
    from nnlib.data import make_moons

    _check_names(inits, init_names(), "init")
    _check_names(activations, activation_names(), "activation")
    if any(lr <= 0 for lr in lrs):
        raise ValueError(f"learning rates must be > 0, got {list(lrs)}")
    if any(not 0 <= s <= steps for s in snapshots):
        raise ValueError(f"snapshots must lie in [0, {steps}], got {list(snapshots)}")
    x, y = make_moons(200, noise=0.2, seed=0)
    runs = {}
    for lr in lrs:
        for init in inits:
            for act in activations:
                losses, regions, acc = train_moons(
                    lr, init, act, steps=steps, snapshots=snapshots, hidden=hidden, grid=grid
                )
                runs[f"{lr:g}|{init}|{act}"] = {
                    "loss": [sig(v) for v in losses],
                    "regions": regions,
                    "accuracy": sig(acc),
                }
    low = (x.min(dim=0).values - 0.5).tolist()
    high = (x.max(dim=0).values + 0.5).tolist()
    return {
        "kind": "training",
        "steps": steps,
        "snapshots": list(snapshots),
        "grid": grid,
        "extent": [sig(low[0]), sig(high[0]), sig(low[1]), sig(high[1])],
        "points": [
            [sig(a, 3), sig(b, 3), int(c)] for (a, b), c in zip(x.tolist(), y.tolist(), strict=True)
        ],
        "lrs": [float(v) for v in lrs],
        "inits": _entries(inits, "init"),
        "activations": _entries(activations, "activation"),
        "runs": runs,
        "default": {"lr": 0.1, "init": "kaiming_normal", "activation": "relu", "step": steps},
    }


def train_moons(
    lr: float,
    init: str,
    activation: str,
    *,
    steps: int = 200,
    snapshots: Sequence[int] = (),
    hidden: int = 16,
    grid: int = 24,
) -> tuple[list[float], list[str], float]:
    r"""One run of explorer 3: full-batch gradient descent on the two moons.

    Returns the training cross-entropy after ``t = 0..steps`` steps, the decision regions at the
    ``snapshots`` (strings of ``0``/``1``, see :func:`training_data`) and the final training
    accuracy.

    Raises:
        ValueError: for an unknown name or a non-positive learning rate.
    """
    from nnlib import set_seed
    from nnlib.boundary import decision_grid
    from nnlib.data import make_moons
    from nnlib.models import make_mlp

    if lr <= 0:
        raise ValueError(f"lr must be > 0, got {lr}")
    x, y = make_moons(200, noise=0.2, seed=0)
    set_seed(0)
    model = make_mlp([2, hidden, hidden, 2], activation, init)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses: list[float] = []
    regions: list[str] = []
    for t in range(steps + 1):
        if t in snapshots:
            with torch.no_grad():
                _, _, cls = decision_grid(model, x, resolution=grid, padding=0.5)
            regions.append("".join(str(int(c)) for c in cls.flatten().tolist()))
        loss = torch.nn.functional.cross_entropy(model(x), y)
        losses.append(loss.item())
        if t == steps:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = (model(x).argmax(dim=1) == y).float().mean().item()
    return losses, regions, acc


#: name -> function returning the explorer's data (``scripts/make_explorer_data.py``).
EXPLORERS = {
    "activation-depth": activation_depth_data,
    "init-depth": init_depth_data,
    "training": training_data,
}
