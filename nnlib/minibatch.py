r"""Mini-batch training by epochs, with a validation set and early stopping.

One **epoch** (轮次) is one pass over the training set in mini-batches (小批量) drawn by a
:class:`torch.utils.data.DataLoader` that shuffles with its own seeded generator. Each batch
makes one update (the four lines of :mod:`nnlib.training`); the loss of a mini-batch
:math:`B` is the mean :math:`\frac{1}{|B|}\sum_{i \in B} \ell(f(x_i), y_i)`, an unbiased
estimate of the full training loss. :func:`train_epochs` draws exactly the loader's batches
through :class:`TensorBatches`, which skips the loader's per-row cost. ``batch_size=None``
puts the whole training set in one batch: full-batch gradient descent, one update per epoch.

After every epoch the model is measured on the validation set. **Early stopping** (早停) keeps a
copy of the ``state_dict`` of the epoch with the best validation accuracy (the first one on a
tie), stops once ``patience`` epochs have passed without beating it, and loads that copy back.

The model must return logits; the loss is :func:`torch.nn.functional.cross_entropy`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from nnlib.training import evaluating
from nnlib.validation import check_data

#: Optimizer names :func:`make_optimizer` accepts. ``"sgd"`` with ``momentum > 0`` is SGD with
#: momentum; ``"adam"`` has its own momentum (``betas``) and rejects ``momentum``.
OPTIMIZER_NAMES = ("sgd", "adam")


def make_loader(
    x: torch.Tensor, y: torch.Tensor, batch_size: int | None = 32, seed: int = 0
) -> DataLoader:
    """A :class:`DataLoader` over ``(x, y)`` that reshuffles every epoch with a generator seeded
    with ``seed`` (so the batch order never depends on the global random state).

    ``batch_size=None`` gives one batch holding every row (full batch). The last batch of an
    epoch is smaller when ``batch_size`` does not divide ``len(y)``.

    Raises:
        ValueError: if ``x`` and ``y`` differ in length or ``batch_size`` is not positive.
    """
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if batch_size is not None and (isinstance(batch_size, bool) or batch_size < 1):
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    size = len(y) if batch_size is None else batch_size
    gen = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(x, y), batch_size=size, shuffle=True, generator=gen)


class TensorBatches:
    """The batches of ``make_loader(x, y, batch_size, seed)``, bit for bit, without its per-row
    cost: the same ``torch.Generator`` draws the same numbers in the same order (the loader's
    per-epoch base seed, then :class:`~torch.utils.data.RandomSampler`'s permutation and its
    trailing empty slice), and each batch is gathered with one index operation instead of
    collating ``len(batch)`` rows one by one. Iterate once per epoch, like a loader.
    """

    def __init__(
        self, x: torch.Tensor, y: torch.Tensor, batch_size: int | None = 32, seed: int = 0
    ) -> None:
        self.loader = make_loader(x, y, batch_size, seed)  # validates; kept for its generator
        self.x, self.y = x, y
        self.size = len(y) if batch_size is None else batch_size

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        gen, n = self.loader.generator, len(self.y)
        torch.empty((), dtype=torch.int64).random_(generator=gen)  # the loader's base seed
        order = torch.randperm(n, generator=gen)
        torch.randperm(n, generator=gen)  # RandomSampler's trailing `[: num_samples % n]` draw
        for start in range(0, n, self.size):
            idx = order[start : start + self.size]
            yield self.x[idx], self.y[idx]


def _check_optimizer_args(name: str, lr: float, momentum: float, weight_decay: float) -> None:
    for arg, value in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
            raise TypeError(f"{arg} 应是一个数，得到 {value!r}（{type(value).__name__}）")
    if not lr > 0:
        raise ValueError(f"学习率 lr 应大于 0，得到 {lr!r}")
    if not 0 <= momentum < 1:
        raise ValueError(
            f"momentum 应在 [0, 1) 之内，得到 {momentum!r}：momentum ≥ 1 时速度 v 不会衰减，"
            "更新越来越大（常用 0.9）"
        )
    if momentum and name == "adam":
        raise ValueError(
            f"momentum 只是 SGD 的选项，得到 name='adam'、momentum={momentum!r}：Adam 自带动量"
            "（betas 的第一个数），会把 momentum 悄悄忽略；用 Adam 时去掉 momentum"
        )
    if not weight_decay >= 0:
        raise ValueError(f"weight_decay 应 ≥ 0，得到 {weight_decay!r}")


def make_optimizer(
    model: nn.Module,
    name: str = "sgd",
    lr: float = 0.1,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
) -> torch.optim.Optimizer:
    r"""``torch.optim.SGD`` (update :math:`v \leftarrow \mu v + g,\ w \leftarrow w - \eta v`;
    plain SGD when :math:`\mu = 0`) or ``torch.optim.Adam`` for the model's parameters.

    Both are built with ``fused=True``: the same update, done for all parameters in one ATen
    kernel instead of several Python-level tensor operations per parameter (Adam: a third
    faster on this course's small networks, the last bits of the weights may differ from the
    loop; SGD: bit-identical to the loop, a tenth faster).

    Raises:
        ValueError: if ``name`` is not one of :data:`OPTIMIZER_NAMES`, ``lr`` is not positive,
            ``momentum`` is outside ``[0, 1)`` or given to Adam (which has its own momentum,
            ``betas``, and would silently ignore it), or ``weight_decay`` is negative.
    """
    _check_optimizer_args(name, lr, momentum, weight_decay)
    if name == "sgd":
        return torch.optim.SGD(
            model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay, fused=True
        )
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay, fused=True)
    raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZER_NAMES)}")


def train_one_epoch(
    model: nn.Module, loader: DataLoader | TensorBatches, optimizer: torch.optim.Optimizer
) -> float:
    """One pass over ``loader``, one update per mini-batch; returns the epoch's mean training
    loss (each batch's mean loss weighted by its size, measured before its update)."""
    model.train()
    total, count = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        count += len(yb)
    return total / count


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """``(mean cross-entropy loss, accuracy)`` of ``model`` on ``(x, y)``, in evaluation mode and
    without building a graph (the model's training mode is restored afterwards)."""
    with evaluating(model):
        logits = model(x)
        loss = F.cross_entropy(logits, y).item()
        acc = (logits.argmax(dim=-1) == y).float().mean().item()
    return loss, acc


@dataclass
class EpochHistory:
    """What :func:`train_epochs` recorded; lists have one entry per epoch run.

    ``best_epoch`` counts from 1 (0 if no epoch ran); ``best_state`` is a detached copy of the
    ``state_dict`` after that epoch.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    best_epoch: int = 0
    best_val_acc: float = float("-inf")
    best_state: dict[str, torch.Tensor] | None = None
    steps: int = 0
    stopped_early: bool = False

    @property
    def epochs(self) -> list[int]:
        """Epoch numbers ``1 .. len(train_loss)``, the x axis of a learning curve."""
        return list(range(1, len(self.train_loss) + 1))


def train_epochs(
    model: nn.Module,
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_val: torch.Tensor,
    y_val: torch.Tensor,
    *,
    epochs: int = 20,
    batch_size: int | None = 32,
    optimizer: str = "sgd",
    lr: float = 0.1,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    patience: int | None = None,
    restore_best: bool = True,
    seed: int = 0,
) -> EpochHistory:
    """Train ``model`` for up to ``epochs`` epochs of mini-batches, measuring the validation set
    after each, with optional early stopping.

    Args:
        model: returns logits.
        x_train, y_train, x_val, y_val: the training and validation parts.
        epochs: maximum number of epochs.
        batch_size: rows per mini-batch, ``None`` for full batch (see :func:`make_loader`).
        optimizer, lr, momentum, weight_decay: see :func:`make_optimizer`.
        patience: stop after this many epochs without a better validation accuracy; ``None``
            runs every epoch.
        restore_best: load the best epoch's ``state_dict`` back into ``model`` at the end.
        seed: seeds the loader's shuffling generator (the model's init is the caller's).

    Raises:
        ValueError: if ``epochs`` or ``patience`` is not positive, or as :func:`make_loader` and
            :func:`make_optimizer`.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if patience is not None and (isinstance(patience, bool) or patience < 1):
        raise ValueError(f"patience must be a positive int or None, got {patience!r}")
    check_data(x_train, y_train, ("x_train", "y_train"), model)
    check_data(x_val, y_val, ("x_val", "y_val"), model)
    loader = TensorBatches(x_train, y_train, batch_size, seed)
    opt = make_optimizer(model, optimizer, lr, momentum, weight_decay)
    history = EpochHistory()
    for epoch in range(1, epochs + 1):
        history.train_loss.append(train_one_epoch(model, loader, opt))
        history.steps += len(loader)
        val_loss, val_acc = evaluate(model, x_val, y_val)
        history.val_loss.append(val_loss)
        history.val_acc.append(val_acc)
        if val_acc > history.best_val_acc:
            history.best_epoch, history.best_val_acc = epoch, val_acc
            history.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        elif patience is not None and epoch - history.best_epoch >= patience:
            history.stopped_early = epoch < epochs
            break
    if restore_best and history.best_state is not None:
        model.load_state_dict(history.best_state)
    return history
