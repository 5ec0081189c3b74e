r"""Small 2-D classification data sets generated in code (no downloads), and their splits into
training, optional validation and test parts.

Every generator takes a ``seed`` and draws from its own :class:`torch.Generator`, so the data do
not depend on (and do not disturb) the global random state: the same arguments always give the
same points. Labels are ``int64`` class indices, as :class:`torch.nn.CrossEntropyLoss` expects.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Split:
    """A train/(validation/)test split: inputs ``[n, 2]`` (float32) and labels ``[n]`` (int64).

    ``x_val`` and ``y_val`` are ``None`` unless a validation part was asked for. The validation
    set is for *choosing* (learning rate, training length, model size); the test set is looked
    at once, after every choice is made, so that its accuracy is an honest estimate.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    x_val: torch.Tensor | None = None
    y_val: torch.Tensor | None = None

    def __repr__(self) -> str:
        val = "" if self.y_val is None else f", val={len(self.y_val)}"
        return f"Split(train={len(self.y_train)}{val}, test={len(self.y_test)})"


def _check_common(n_samples: int, noise: float) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"n_samples must be an int >= 2, got {n_samples!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")


def _labels(n0: int, n_samples: int) -> torch.Tensor:
    """``n0`` zeros followed by ``n_samples - n0`` ones, as int64 class indices."""
    return (torch.arange(n_samples) >= n0).to(torch.int64)


def _shuffled(
    x: torch.Tensor, y: torch.Tensor, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    order = torch.randperm(len(y), generator=gen)
    return x[order], y[order]


def make_moons(
    n_samples: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Two interleaving half circles ("two moons"), labels 0 and 1, in shuffled order.

    With angles :math:`t \sim U(0, \pi)`, class 0 lies on :math:`(\cos t, \sin t)` and class 1 on
    :math:`(1 - \cos t, \tfrac12 - \sin t)`; each coordinate then gets Gaussian noise
    :math:`\mathcal{N}(0, \text{noise}^2)`. No straight line separates the classes.
    Class 0 has ``n_samples // 2`` points, class 1 the rest.

    Raises:
        ValueError: if ``n_samples < 2`` or ``noise < 0``.
    """
    _check_common(n_samples, noise)
    gen = torch.Generator().manual_seed(seed)
    n0 = n_samples // 2
    t = torch.rand(n_samples, generator=gen) * math.pi
    outer = torch.stack([torch.cos(t[:n0]), torch.sin(t[:n0])], dim=1)
    inner = torch.stack([1 - torch.cos(t[n0:]), 0.5 - torch.sin(t[n0:])], dim=1)
    x = torch.cat([outer, inner]) + noise * torch.randn(n_samples, 2, generator=gen)
    return _shuffled(x, _labels(n0, n_samples), gen)


def make_circles(
    n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Two concentric circles: class 0 on radius 1, class 1 on radius ``factor``.

    Points are :math:`r(\cos t, \sin t)` with :math:`t \sim U(0, 2\pi)`, plus Gaussian noise
    :math:`\mathcal{N}(0, \text{noise}^2)` per coordinate.

    Raises:
        ValueError: if ``n_samples < 2``, ``noise < 0`` or ``factor`` is not in (0, 1).
    """
    _check_common(n_samples, noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be in (0, 1), got {factor!r}")
    gen = torch.Generator().manual_seed(seed)
    n0 = n_samples // 2
    t = torch.rand(n_samples, generator=gen) * (2 * math.pi)
    radius = torch.cat([torch.ones(n0), torch.full((n_samples - n0,), factor)])
    x = radius[:, None] * torch.stack([torch.cos(t), torch.sin(t)], dim=1)
    x = x + noise * torch.randn(n_samples, 2, generator=gen)
    return _shuffled(x, _labels(n0, n_samples), gen)


def make_blobs(
    n_samples: int = 200, noise: float = 0.5, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Two Gaussian blobs centred at :math:`(-1, -1)` and :math:`(1, 1)`, std ``noise``.

    With little noise a straight line separates them: a linear model is already enough here.

    Raises:
        ValueError: if ``n_samples < 2`` or ``noise < 0``.
    """
    _check_common(n_samples, noise)
    gen = torch.Generator().manual_seed(seed)
    n0 = n_samples // 2
    centres = torch.cat([torch.full((n0, 2), -1.0), torch.full((n_samples - n0, 2), 1.0)])
    x = centres + noise * torch.randn(n_samples, 2, generator=gen)
    return _shuffled(x, _labels(n0, n_samples), gen)


#: name -> generator ``(n_samples, noise, seed) -> (x, y)``.
DATASETS: dict[str, Callable[..., tuple[torch.Tensor, torch.Tensor]]] = {
    "moons": make_moons,
    "circles": make_circles,
    "blobs": make_blobs,
}


def train_test_split(
    x: torch.Tensor,
    y: torch.Tensor,
    test_fraction: float = 0.25,
    seed: int = 0,
    val_fraction: float = 0.0,
) -> Split:
    """Shuffle ``(x, y)`` with ``seed``; hold out ``round(test_fraction * n)`` points for testing
    and ``round(val_fraction * n)`` for validation; the rest is the training set.

    The test points are the first ``n_test`` of one random permutation and the validation points
    the next ``n_val``, so adding a validation part leaves the test set unchanged and takes its
    points from what was the training set.

    Raises:
        ValueError: if ``x`` and ``y`` differ in length, ``test_fraction`` leaves the test or
            training part empty, or ``val_fraction`` is negative or leaves the validation
            (when asked for) or training part empty.
    """
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    n_test = round(test_fraction * len(y))
    if not 0 < n_test < len(y):
        raise ValueError(
            f"test_fraction={test_fraction!r} of {len(y)} points leaves an empty part; "
            "choose it in (0, 1) so that both parts get at least one point"
        )
    if not val_fraction >= 0:
        raise ValueError(f"val_fraction must be >= 0, got {val_fraction!r}")
    n_val = round(val_fraction * len(y))
    if (val_fraction > 0 and n_val == 0) or n_test + n_val >= len(y):
        raise ValueError(
            f"val_fraction={val_fraction!r} with test_fraction={test_fraction!r} of {len(y)} "
            "points leaves an empty part; every part needs at least one point"
        )
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    test, val, train = order[:n_test], order[n_test : n_test + n_val], order[n_test + n_val :]
    if n_val == 0:
        return Split(x[train], y[train], x[test], y[test])
    return Split(x[train], y[train], x[test], y[test], x[val], y[val])


def make_toy_split(
    name: str = "moons",
    n_samples: int = 400,
    noise: float = 0.2,
    test_fraction: float = 0.25,
    seed: int = 0,
    val_fraction: float = 0.0,
) -> Split:
    """Generate the data set ``name`` (see :data:`DATASETS`) and split it into train, optional
    validation (``val_fraction > 0``) and test parts (see :func:`train_test_split`).

    Raises:
        ValueError: if ``name`` is unknown (the message lists the valid names) or an argument is
            out of range.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; valid names: {', '.join(DATASETS)}")
    x, y = DATASETS[name](n_samples=n_samples, noise=noise, seed=seed)
    return train_test_split(x, y, test_fraction=test_fraction, seed=seed, val_fraction=val_fraction)
