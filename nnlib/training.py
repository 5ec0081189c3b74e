r"""Small, deterministic training loops (classification and regression), accuracy, probabilities.

One step of full-batch training is the four lines every PyTorch loop has:

.. code-block:: python

    optimizer.zero_grad()            # forget the previous step's gradients
    loss = loss_fn(model(x), y)      # forward pass + loss
    loss.backward()                  # gradients of the loss w.r.t. every parameter
    optimizer.step()                 # w <- w - lr * (update computed from the gradient)

The model must return **logits** (unnormalised scores): the default loss,
:class:`torch.nn.CrossEntropyLoss`, applies ``log_softmax`` itself,

.. math:: \ell(z, y) = -\log \frac{e^{z_y}}{\sum_c e^{z_c}} = -z_y + \log \sum_c e^{z_c}.

Probabilities for prediction come from :func:`predict_proba`, outside the training graph.
Nothing in this module draws random numbers: the same model and data give the same run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn

from nnlib.validation import check_data

#: name -> optimizer class. The learning rate belongs to the optimizer, not to the model.
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
}


@dataclass
class History:
    """What :func:`train_classifier` recorded.

    ``losses[k]`` and ``grad_norms[k]`` belong to step ``k + 1`` (measured before that step's
    update); ``eval_steps`` lists the steps after which ``train_acc``, ``val_acc`` and
    ``test_acc`` were taken (step 0: before the first update). ``val_acc`` and ``test_acc`` stay
    empty when no validation or test data were given.
    """

    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)

    @property
    def steps(self) -> list[int]:
        """Step numbers ``1 .. len(losses)``, the x axis of a loss curve."""
        return list(range(1, len(self.losses) + 1))


def _check_xy(
    x: torch.Tensor,
    y: torch.Tensor,
    names: tuple[str, str] = ("x", "y"),
    model: nn.Module | None = None,
) -> None:
    """Classifier data, as :func:`nnlib.validation.check_data`: a non-empty float tensor
    ``[n, features]`` of finite numbers in the model's dtype, integer labels ``[n]``."""
    check_data(x, y, names, model)


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Run the ``with`` block with ``model`` in evaluation mode and without building a graph.

    On exit (also after an exception) the model's previous mode, training or evaluation, is
    restored, so a helper that only *measures* a model never changes how it trains.
    """
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


def predict_proba(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    r"""Class probabilities :math:`\operatorname{softmax}(z)` of a model that returns logits ``z``.

    Runs in evaluation mode without building a graph; each row sums to 1.
    """
    with evaluating(model):
        return torch.softmax(model(x), dim=-1)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    r"""Fraction of rows whose largest output is the label: :math:`\frac1n \sum_i
    [\arg\max_c f(x_i)_c = y_i]`.

    Works for logits and probabilities alike, since softmax keeps the order of the scores.
    """
    _check_xy(x, y, model=model)
    with evaluating(model):
        return (model(x).argmax(dim=-1) == y).float().mean().item()


def train_classifier(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int = 300,
    lr: float = 0.01,
    optimizer: str = "adam",
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    x_test: torch.Tensor | None = None,
    y_test: torch.Tensor | None = None,
    eval_every: int = 0,
    log_every: int = 0,
    x_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    eval_at_start: bool = False,
) -> History:
    r"""Train ``model`` in place by full-batch gradient descent on ``(x, y)``.

    Full batch: every step uses all training points, so ``optimizer="sgd"`` is plain
    (deterministic) gradient descent, :math:`w \leftarrow w - \text{lr}\, \nabla L(w)`, not the
    stochastic mini-batch version.

    Args:
        model: returns logits ``[n, classes]`` for inputs ``[n, features]``.
        x, y: training inputs and int64 class labels.
        steps: number of parameter updates.
        lr: learning rate of the optimizer.
        optimizer: a name from :data:`OPTIMIZERS`, built with ``fused=True`` (one ATen kernel
            per step for all parameters: the same update; Adam's is a fifth faster here).
        weight_decay: L2 penalty coefficient :math:`\lambda` passed to the optimizer, which adds
            :math:`\lambda w` to the gradient of **every** parameter, biases included. With
            Adam that term is then divided by Adam's running RMS like the rest of the gradient:
            an L2 penalty, not the decoupled weight decay of AdamW.
        momentum: SGD's momentum :math:`\mu` (0: plain gradient descent). With a velocity
            :math:`v`, each step is :math:`v \leftarrow \mu v + g,\ w \leftarrow w - \text{lr}\,
            v`. Only ``"sgd"`` takes it (Adam keeps its own moving averages).
        loss_fn: defaults to :class:`torch.nn.CrossEntropyLoss` (expects logits).
        x_test, y_test: optional held-out data, evaluated every ``eval_every`` steps.
        eval_every: record train/validation/test accuracy every this many steps (0: never).
        log_every: print ``step``, loss (4 decimals) and, when evaluated, accuracies every this
            many steps (0: silent). The lines contain no timings, so stored outputs stay stable.
        x_val, y_val: optional validation data (for choosing settings), evaluated like the test
            data and recorded in ``History.val_acc``.
        eval_at_start: also record the accuracies at step 0, before the first update (needs
            ``eval_every > 0``).

    Raises:
        ValueError: for an unknown optimizer name (the message lists the valid ones),
            non-positive ``steps`` or ``lr``, a ``momentum`` outside ``[0, 1)`` or given to
            Adam, negative intervals, ``eval_at_start`` without ``eval_every``, or mismatched
            shapes.
    """
    _check_xy(x, y, model=model)
    if eval_every < 0 or log_every < 0:
        raise ValueError(f"eval_every and log_every must be >= 0, got {eval_every}, {log_every}")
    if eval_at_start and not eval_every:
        raise ValueError("eval_at_start=True needs eval_every > 0")
    held_out = {}
    for name, xs, ys in (("val", x_val, y_val), ("test", x_test, y_test)):
        if xs is not None and ys is not None:
            _check_xy(xs, ys, (f"x_{name}", f"y_{name}"), model)
            held_out[name] = (xs, ys)
    opt = _make_optimizer(model, optimizer, lr, weight_decay, steps, momentum)
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    history = History()

    def evaluate(step: int, line: str) -> str:
        history.eval_steps.append(step)
        history.train_acc.append(accuracy(model, x, y))
        line += f"  train acc {history.train_acc[-1]:.3f}"
        for name, (xs, ys) in held_out.items():
            record = history.val_acc if name == "val" else history.test_acc
            record.append(accuracy(model, xs, ys))
            line += f"  {name} acc {record[-1]:.3f}"
        return line

    if eval_at_start:
        line = evaluate(0, f"step {0:4d}  (before training)")
        if log_every:
            print(line)
    model.train()
    for step in range(1, steps + 1):
        loss = _step(model, opt, loss_fn, x, y, history)
        line = f"step {step:4d}  loss {loss:.4f}"
        if eval_every and step % eval_every == 0:
            line = evaluate(step, line)
        if log_every and step % log_every == 0:
            print(line)
    return history


def train_regressor(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int = 1000,
    lr: float = 0.01,
    optimizer: str = "adam",
    momentum: float = 0.0,
    log_every: int = 0,
) -> History:
    r"""Fit ``model`` to real-valued targets by full-batch mean squared error.

    .. math:: L = \frac{1}{n k} \sum_{i=1}^{n} \lVert f(x_i) - y_i \rVert^2,
        \quad y_i \in \mathbb{R}^k

    Args:
        model: maps inputs ``[n, d]`` to outputs of the same shape as ``y``.
        x, y: inputs ``[n, d]`` and targets ``[n, k]``.
        steps, lr, optimizer, momentum: as in :func:`train_classifier`.
        log_every: print ``step`` and loss (4 decimals) every this many steps (0: silent).

    Raises:
        ValueError: if ``x`` or ``y`` is not 2-D, their lengths differ, the model's output shape
            differs from ``y``'s, or an optimizer argument is invalid (see
            :func:`train_classifier`).
    """
    if x.dim() != 2 or y.dim() != 2 or len(x) != len(y):
        raise ValueError(
            f"expected x of shape [n, d] and y of shape [n, k], got {list(x.shape)} and "
            f"{list(y.shape)}"
        )
    if log_every < 0:
        raise ValueError(f"log_every must be >= 0, got {log_every}")
    with torch.no_grad():
        out_shape = model(x[:1]).shape
    if out_shape[1:] != y.shape[1:]:
        raise ValueError(
            f"model outputs {list(out_shape[1:])} per sample, y has {list(y.shape[1:])}"
        )
    opt = _make_optimizer(model, optimizer, lr, 0.0, steps, momentum)
    history = History()
    model.train()
    for step in range(1, steps + 1):
        loss = _step(model, opt, nn.functional.mse_loss, x, y, history)
        if log_every and step % log_every == 0:
            print(f"step {step:4d}  loss {loss:.4f}")
    return history


def _make_optimizer(
    model: nn.Module,
    optimizer: str,
    lr: float,
    weight_decay: float,
    steps: int,
    momentum: float = 0.0,
) -> torch.optim.Optimizer:
    """Validate the shared training arguments and build the optimizer."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; valid names: {', '.join(OPTIMIZERS)}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    if not weight_decay >= 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    if momentum and optimizer != "sgd":
        raise ValueError(f"momentum is an option of optimizer 'sgd' only, got {optimizer!r}")
    # Fused: the same update for all parameters in one ATen kernel instead of several tensor
    # operations per parameter (Adam: a fifth of a small network's step time, last bits may
    # differ from the unfused loop; SGD: bit-identical, tested).
    kwargs = {"momentum": momentum} if optimizer == "sgd" else {}
    return OPTIMIZERS[optimizer](
        model.parameters(), lr=lr, weight_decay=weight_decay, fused=True, **kwargs
    )


def _step(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    history: History,
) -> float:
    """One full-batch update; records the loss and the gradient norm (before the update)."""
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    grads = [p.grad.flatten() for p in model.parameters() if p.grad is not None]
    history.grad_norms.append(torch.cat(grads).norm().item() if grads else 0.0)
    opt.step()
    history.losses.append(loss.item())
    return history.losses[-1]
