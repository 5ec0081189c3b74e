r"""The handwritten-digits data set that ships with scikit-learn, split and standardised once.

The data are scikit-learn's bundled copy of the UCI "Optical Recognition of Handwritten Digits"
test set: 1,797 images of 8×8 pixels, grey levels 0..16, ten classes 0..9 (about 180 each). They
are read from a file inside the installed ``scikit-learn`` package (BSD-3-Clause), so nothing is
downloaded.

Three steps, each made **once** and seeded, so every experiment of a chapter sees the same parts:

1. :func:`stratified_split`: each class is shuffled with its own seeded generator and cut into
   train / validation / test in the same proportions, so every part has (to within one image) the
   class mix of the whole set.
2. :class:`Standardizer`: per-pixel :math:`x' = (x - \mu) / s`, with :math:`\mu` and :math:`s`
   measured on the **training** part only (:math:`s = 1` for a pixel that is constant there).
3. :func:`make_digits_split`: both steps together, returning a :class:`DigitsSplit`.

:data:`DIGITS_RECIPE` is the training recipe that chapter 5 (section 5.3) selects on the
validation part; chapter 5's later section and exercises train with it.
"""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

#: Number of classes (the digits 0..9) and of pixels per image (8 × 8).
NUM_CLASSES = 10
IMAGE_SHAPE = (8, 8)

#: Keyword arguments of :func:`nnlib.minibatch.train_epochs` for the 64-64-10 ReLU network of
#: chapter 5. Optimiser and learning rate come from section 5.3: every method of
#: :data:`DIGITS_LR_GRID` tries three learning rates about 3x apart (3 seeds, 10 epochs), and this
#: pair has the highest mean validation accuracy of the whole grid (the top three are within one
#: validation image per seed of each other; ``tests/test_real_data.py`` repeats the selection).
#: Up to 40 epochs with early stopping after 8 epochs without a better validation accuracy.
DIGITS_RECIPE: dict[str, object] = {
    "epochs": 40,
    "patience": 8,
    "batch_size": 32,
    "optimizer": "sgd",
    "lr": 0.3,
    "momentum": 0.0,
}

#: The learning-rate grid of section 5.3 (optimiser label -> (train_epochs settings, rates)).
DIGITS_LR_GRID: dict[str, tuple[dict[str, object], tuple[float, ...]]] = {
    "小批量 SGD": ({"batch_size": 32, "optimizer": "sgd"}, (0.1, 0.3, 1.0)),
    "全批量梯度下降": ({"batch_size": None, "optimizer": "sgd"}, (0.3, 1.0, 3.0)),
    "SGD + 动量": ({"batch_size": 32, "optimizer": "sgd", "momentum": 0.9}, (0.03, 0.1, 0.3)),
    "Adam": ({"batch_size": 32, "optimizer": "adam"}, (0.001, 0.003, 0.01)),
}


def digits_file() -> Path:
    """Path of ``digits.csv.gz`` inside the installed scikit-learn, the file that
    ``sklearn.datasets.load_digits`` reads (found without importing scikit-learn).

    Raises:
        FileNotFoundError: if scikit-learn is not installed or the file is missing.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("scikit-learn is not installed: pip install scikit-learn")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found in the installed scikit-learn")
    return path


def load_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The 1,797 digit images as ``x`` ``[1797, 64]`` (float32, grey levels 0..16) and labels
    ``y`` ``[1797]`` (int64, 0..9), in the order scikit-learn stores them.

    Row ``i`` of ``x`` is image ``i`` read row by row: ``x[i].reshape(8, 8)`` is the picture.
    Same values as ``sklearn.datasets.load_digits()`` (a unit test checks it), read straight
    from :func:`digits_file`: importing scikit-learn would take about a second, this takes
    a few milliseconds.
    """
    with gzip.open(digits_file(), "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    x = torch.tensor(table[:, :-1], dtype=torch.float32)
    y = torch.tensor(table[:, -1], dtype=torch.int64)
    return x, y


@dataclass(frozen=True)
class SplitIndices:
    """Row indices of the three disjoint parts of a data set."""

    train: torch.Tensor
    val: torch.Tensor
    test: torch.Tensor

    def __repr__(self) -> str:
        return f"SplitIndices(train={len(self.train)}, val={len(self.val)}, test={len(self.test)})"


def _check_fractions(fractions: Sequence[float]) -> tuple[float, float, float]:
    if len(fractions) != 3:
        raise ValueError(f"fractions must be (train, val, test), got {fractions!r}")
    if any(not f > 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(
            f"fractions must be three positive numbers that sum to 1, got {tuple(fractions)}"
        )
    return tuple(float(f) for f in fractions)  # type: ignore[return-value]


def stratified_split(
    y: torch.Tensor, fractions: Sequence[float] = (0.6, 0.2, 0.2), seed: int = 0
) -> SplitIndices:
    r"""Split row indices into train / validation / test, class by class.

    For a class with :math:`n_c` rows, ``round(n_c * f_val)`` go to validation, ``round(n_c *
    f_test)`` to test and the rest to training, after shuffling that class's rows with a
    :class:`torch.Generator` seeded with ``seed``. Each part is then shuffled, so classes are
    mixed. The parts are disjoint and together hold every row once; the global random state is
    neither used nor changed.

    Raises:
        ValueError: if ``y`` is not a 1-D integer tensor, ``fractions`` are not three positive
            numbers summing to 1, or a class is too small to put a row in every part.
    """
    if not isinstance(y, torch.Tensor) or y.dim() != 1 or y.is_floating_point():
        raise ValueError("y must be a 1-D tensor of integer class labels")
    _, f_val, f_test = _check_fractions(fractions)
    gen = torch.Generator().manual_seed(seed)
    parts: list[list[torch.Tensor]] = [[], [], []]
    for c in torch.unique(y).tolist():
        rows = torch.nonzero(y == c).flatten()
        rows = rows[torch.randperm(len(rows), generator=gen)]
        n_val, n_test = round(len(rows) * f_val), round(len(rows) * f_test)
        n_train = len(rows) - n_val - n_test
        if min(n_train, n_val, n_test) < 1:
            raise ValueError(
                f"class {c} has {len(rows)} rows: too few to put one in each part with "
                f"fractions {tuple(fractions)}"
            )
        parts[0].append(rows[:n_train])
        parts[1].append(rows[n_train : n_train + n_val])
        parts[2].append(rows[n_train + n_val :])
    shuffled = []
    for part in parts:
        rows = torch.cat(part)
        shuffled.append(rows[torch.randperm(len(rows), generator=gen)])
    return SplitIndices(*shuffled)


@dataclass(frozen=True)
class Standardizer:
    r"""Per-feature standardisation :math:`x' = (x - \mu) / s` with statistics from one data set.

    Build it with :meth:`fit` on the **training** inputs only, then apply the same :math:`\mu`,
    :math:`s` to every part (validation and test stand for data not seen yet).
    """

    mean: torch.Tensor
    std: torch.Tensor

    @classmethod
    def fit(cls, x: torch.Tensor) -> Standardizer:
        r"""Measure :math:`\mu_j` and the population std :math:`s_j` of each column of ``x``.

        A column that is constant in ``x`` (:math:`s_j = 0`, e.g. a corner pixel that is always
        blank) gets :math:`s_j = 1`, so it maps to 0 instead of dividing by zero.

        Raises:
            ValueError: if ``x`` is not a 2-D floating-point tensor with at least one row.
        """
        if not isinstance(x, torch.Tensor) or x.dim() != 2 or len(x) == 0:
            raise ValueError("x must be a 2-D tensor [n, features] with n >= 1")
        if not x.is_floating_point():
            raise ValueError(f"x must be floating point, got {x.dtype}")
        mean = x.mean(dim=0)
        std = x.std(dim=0, unbiased=False)
        std = torch.where(std > 0, std, torch.ones_like(std))
        return cls(mean, std)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Standardise ``x`` (``[n, features]``) with the fitted statistics."""
        if x.shape[-1] != self.mean.shape[0]:
            raise ValueError(
                f"x has {x.shape[-1]} features, the standardizer was fitted on {self.mean.shape[0]}"
            )
        return (x - self.mean) / self.std


@dataclass(frozen=True)
class DigitsSplit:
    """The digits split into three parts; inputs standardised with training statistics.

    ``x_*`` are ``[n, 64]`` float32 standardised inputs, ``y_*`` int64 labels, ``images_*`` the
    raw ``[n, 8, 8]`` grey levels (for drawing), ``indices`` the rows of :func:`load_digits`.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    images_train: torch.Tensor
    images_val: torch.Tensor
    images_test: torch.Tensor
    indices: SplitIndices
    standardizer: Standardizer

    def __repr__(self) -> str:
        return (
            f"DigitsSplit(train={len(self.y_train)}, val={len(self.y_val)}, "
            f"test={len(self.y_test)})"
        )


def make_digits_split(fractions: Sequence[float] = (0.6, 0.2, 0.2), seed: int = 0) -> DigitsSplit:
    """Load the digits, split them with :func:`stratified_split` and standardise every part with
    a :class:`Standardizer` fitted on the training part.

    Raises:
        ValueError: as :func:`stratified_split` for bad ``fractions``.
    """
    x, y = load_digits()
    idx = stratified_split(y, fractions, seed)
    scaler = Standardizer.fit(x[idx.train])
    images = x.reshape(-1, *IMAGE_SHAPE)
    return DigitsSplit(
        scaler(x[idx.train]),
        y[idx.train],
        scaler(x[idx.val]),
        y[idx.val],
        scaler(x[idx.test]),
        y[idx.test],
        images[idx.train],
        images[idx.val],
        images[idx.test],
        idx,
        scaler,
    )
