r"""Chapter 2's experiments on activation functions: small, seeded, CPU-fast.

Every experiment takes activation *names* from :data:`nnlib.activations.ACTIVATIONS` and builds
its networks with :func:`nnlib.models.make_mlp`, calling :func:`nnlib.set_seed` right before
each build, so every activation of a comparison starts from the same weights and sees the same
data. Results are plain NumPy arrays and floats that a notebook can print, plot and assert on.

Notation: a hidden layer :math:`l` computes :math:`z_l = W_l h_{l-1} + b_l` (the
*pre-activation*) and :math:`h_l = f(z_l)`; backpropagation passes
:math:`\delta_l = \partial L / \partial z_l = f'(z_l) \odot (W_{l+1}^{\top} \delta_{l+1})`
down the network, so every layer multiplies the gradient by one more factor :math:`f'`.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from nnlib.activations import derivative, get_activation
from nnlib.models import forward_recording_linear, make_mlp
from nnlib.utils import set_seed


def hidden_layers(model: nn.Sequential) -> list[tuple[nn.Linear, nn.Module]]:
    """Return the ``(linear, activation)`` pairs of a :func:`~nnlib.models.make_mlp` network.

    Raises:
        TypeError: if ``model`` is not a ``Linear, act, Linear, act, ..., Linear`` sequence.
    """
    layers = list(model) if isinstance(model, nn.Sequential) else []
    ok = len(layers) % 2 == 1 and all(
        isinstance(m, nn.Linear) == (i % 2 == 0) for i, m in enumerate(layers)
    )
    if not ok:
        raise TypeError("model must be an nn.Sequential of Linear, act, ..., Linear (make_mlp)")
    return [(layers[i], layers[i + 1]) for i in range(0, len(layers) - 1, 2)]


def forward_with_preactivations(model: nn.Sequential, x: Tensor) -> tuple[Tensor, list[Tensor]]:
    r"""Run ``model`` on ``x`` and also return the pre-activations :math:`z_l` of its hidden
    layers (each with ``retain_grad()``, so ``z.grad`` holds :math:`\delta_l` after backward)."""
    hidden_layers(model)  # validate the Linear, act, ..., Linear structure
    out, zs = forward_recording_linear(model, x)
    return out, zs[:-1]


# --------------------------------------------------------------------------------------------
# Vanishing gradients
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradientProfile:
    r"""Per-hidden-layer gradient sizes of one network at initialisation (index 0 = layer 1).

    Attributes:
        preact_grad_norm: :math:`\lVert \delta_l \rVert = \lVert \partial L/\partial z_l \rVert`.
        weight_grad_norm: :math:`\lVert \partial L/\partial W_l \rVert_F`, what SGD updates with.
        derivative_rms: :math:`\sqrt{\operatorname{mean} f'(z_l)^2}`, the typical factor the
            activation contributes at layer :math:`l`.
        saturated_fraction: the fraction of the layer's pre-activations (all units, all inputs)
            where :math:`|f'(z)|` is below 1 % of the largest :math:`|f'|` on :math:`[-10, 10]`
            (for sigmoid: :math:`\sigma'(z) < 0.0025`, i.e. :math:`|z| > 6`; for ReLU: the
            inactive units).
    """

    preact_grad_norm: np.ndarray
    weight_grad_norm: np.ndarray
    derivative_rms: np.ndarray
    saturated_fraction: np.ndarray


def gradient_profile(
    activation: str,
    *,
    depth: int = 10,
    width: int = 128,
    batch: int = 256,
    init: str = "xavier_normal",
    weight_scale: float = 1.0,
    seed: int = 0,
) -> GradientProfile:
    r"""Gradient size in every hidden layer of a freshly initialised ``depth``-layer MLP.

    The network is ``make_mlp([width] * (depth + 1) + [1], activation, init)`` (``depth`` hidden
    layers of ``width`` units, then a linear output); inputs :math:`x \sim N(0, I)` and targets
    :math:`y \sim N(0, 1)` are drawn after ``set_seed(seed)``, and the loss is the mean squared
    error. One backward pass, no training. ``weight_scale`` multiplies the weights of every
    hidden layer after the init (e.g. 16 for "16 times Xavier"; the output layer is left as
    :func:`~nnlib.models.make_mlp` made it).

    Raises:
        ValueError: if ``depth``, ``width`` or ``batch`` is smaller than 1, ``weight_scale`` is
            not positive, or a name is unknown.
    """
    return vanishing_gradients(
        [activation],
        depth=depth,
        width=width,
        batch=batch,
        init=init,
        weight_scale=weight_scale,
        seed=seed,
    )[activation]


def vanishing_gradients(
    names: Iterable[str],
    *,
    depth: int = 10,
    width: int = 128,
    batch: int = 256,
    init: str = "xavier_normal",
    weight_scale: float = 1.0,
    seed: int = 0,
) -> dict[str, GradientProfile]:
    """:func:`gradient_profile` for every activation name, all with the same data and the same
    initial weights.

    ``make_mlp``'s weights do not depend on the activation, so they are drawn once (after
    ``set_seed(seed)``, right after the data, exactly as :func:`gradient_profile` describes) and
    every activation gets a copy of that network with its own activation modules: the same
    numbers as building each network after its own ``set_seed(seed)``, without drawing the
    weights again.

    Raises:
        ValueError: as :func:`gradient_profile`.
    """
    names = list(names)
    if min(depth, width, batch) < 1:
        raise ValueError(f"depth, width and batch must be >= 1, got {depth}, {width}, {batch}")
    if weight_scale <= 0:
        raise ValueError(f"weight_scale must be > 0, got {weight_scale}")
    for name in names:
        get_activation(name)  # validate every name before any work
    if not names:
        return {}
    set_seed(seed)
    x = torch.randn(batch, width)
    y = torch.randn(batch, 1)
    template = make_mlp([width] * (depth + 1) + [1], names[0], init)
    if weight_scale != 1.0:
        with torch.no_grad():
            for lin, _ in hidden_layers(template):
                lin.weight.mul_(weight_scale)
    result = {}
    for name in names:
        model = copy.deepcopy(template)
        for i in range(1, len(model), 2):  # Linear, act, Linear, act, ..., Linear
            model[i] = get_activation(name)
        result[name] = _measure_gradients(model, x, y)
    return result


def _measure_gradients(model: nn.Sequential, x: Tensor, y: Tensor) -> GradientProfile:
    """One forward and backward pass of the mean squared error; see :class:`GradientProfile`."""
    pairs = hidden_layers(model)
    out, pre = forward_with_preactivations(model, x)
    F.mse_loss(out, y).backward()
    peak = derivative(pairs[0][1], torch.linspace(-10, 10, 2001)).abs().max().item()
    slopes = [derivative(act, z) for (_, act), z in zip(pairs, pre, strict=True)]  # f'(z_l)
    return GradientProfile(
        preact_grad_norm=np.array([z.grad.norm().item() for z in pre]),
        weight_grad_norm=np.array([lin.weight.grad.norm().item() for lin, _ in pairs]),
        derivative_rms=np.array([d.pow(2).mean().sqrt().item() for d in slopes]),
        saturated_fraction=np.array(
            [(d.abs() < 0.01 * peak).float().mean().item() for d in slopes]
        ),
    )


# --------------------------------------------------------------------------------------------
# Plain full-batch gradient descent
# --------------------------------------------------------------------------------------------


def gradient_descent(model: nn.Module, x: Tensor, y: Tensor, *, lr: float, steps: int = 1) -> float:
    r"""``steps`` updates of plain full-batch gradient descent on the cross-entropy of
    ``(x, y)``: :math:`w \leftarrow w - \text{lr}\,\partial L/\partial w` for every parameter
    (no momentum, no weight decay). Returns the loss measured before the last update.

    The update is the one ``torch.optim.SGD(params, lr)`` makes on the CPU (``p.add_(g,
    alpha=-lr)``, bit for bit), without building an optimizer object: the first optimizer of a
    Python process imports ``torch._dynamo``, about half a second that chapter 2 does not need.

    Raises:
        ValueError: if ``lr`` is not positive or ``steps < 1``.
    """
    if not lr > 0 or steps < 1:
        raise ValueError(f"need lr > 0 and steps >= 1, got lr={lr}, steps={steps}")
    params = [p for p in model.parameters() if p.requires_grad]
    loss = torch.tensor(float("nan"))
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        _descend(params, loss, lr)
    return loss.item()


def _descend(params: Sequence[Tensor], loss: Tensor, lr: float) -> None:
    r"""One update :math:`w \leftarrow w - \text{lr}\,\partial L/\partial w` of ``params``."""
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for p, g in zip(params, grads, strict=True):
            p.add_(g, alpha=-lr)


# --------------------------------------------------------------------------------------------
# Dead ReLU
# --------------------------------------------------------------------------------------------


def toy_classification(n: int = 256, dim: int = 10) -> tuple[Tensor, Tensor]:
    r"""A two-class toy set from the current random state: :math:`x \sim N(0, I_{dim})`, label
    :math:`1` if :math:`x_1 + x_2 > 0` else :math:`0`.

    Raises:
        ValueError: if ``n < 1`` or ``dim < 2``.
    """
    if n < 1 or dim < 2:
        raise ValueError(f"need n >= 1 and dim >= 2, got n={n}, dim={dim}")
    x = torch.randn(n, dim)
    return x, (x[:, 0] + x[:, 1] > 0).long()


@torch.no_grad()
def inactive_units(model: nn.Sequential, x: Tensor) -> list[np.ndarray]:
    r"""Per hidden layer, a boolean mask of the units with :math:`z \le 0` for **every** row of
    ``x``.

    For ReLU such a unit outputs 0 and has derivative 0 on all of ``x``: it is *dead* on this
    data. For Leaky ReLU it is merely inactive: its derivative there is the small slope.
    """
    _, pre = forward_with_preactivations(model, x)
    return [(z <= 0).all(dim=0).numpy() for z in pre]


def zero_grad_units(model: nn.Sequential, x: Tensor, y: Tensor) -> list[np.ndarray]:
    """Per hidden layer, a boolean mask of the units whose incoming weights and bias receive a
    gradient of exactly zero from the cross-entropy loss on ``(x, y)``: units that plain SGD on
    this data does not change at all."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    masks = []
    for linear, _ in hidden_layers(model):
        g = linear.weight.grad.abs().sum(dim=1)
        if linear.bias is not None:
            g = g + linear.bias.grad.abs()
        masks.append((g == 0).numpy())
    model.zero_grad()
    return masks


def layer_fractions(masks: Sequence[np.ndarray]) -> np.ndarray:
    """The fraction of ``True`` units in each layer's mask."""
    return np.array([float(np.mean(m)) for m in masks])


@dataclass(frozen=True)
class DeadUnitReport:
    r"""Per-hidden-layer fractions (index 0 = layer 1) at initialisation, after one over-large
    SGD step, and after ``recovery_steps`` further ordinary steps.

    Attributes:
        inactive_init, inactive_after, inactive_recovered: fraction of units with
            :math:`z \le 0` on every input (:func:`inactive_units`).
        zero_grad_init, zero_grad_after: fraction of units whose incoming parameters get an
            exactly zero gradient (:func:`zero_grad_units`).
        inactive_all_zero_grad: whether every unit inactive after the big step also got an
            exactly zero gradient (always true for ReLU, false for Leaky ReLU).
        saturated_after: fraction of samples whose loss gradient with respect to the logits is
            exactly zero after the big step: the softmax output rounded, in float32, to exactly
            1 for the correct class and 0 for the others.
        zero_grad_active_only_saturated: whether every unit that got an exactly zero gradient
            after the big step *although it is active on some input* is active only on such
            saturated samples (the reason its gradient vanishes). True when there is no such unit.
        loss_init, loss_after: cross-entropy before and right after the big step.
        loss_recovered: cross-entropy after the recovery steps.
        negative_weights_inactive, negative_weights_active: per layer, right after the big step,
            the mean fraction of negative incoming weights over the units that are inactive on
            every input, and over the other units (``nan`` for an empty group).
    """

    inactive_init: np.ndarray
    inactive_after: np.ndarray
    inactive_recovered: np.ndarray
    zero_grad_init: np.ndarray
    zero_grad_after: np.ndarray
    inactive_all_zero_grad: bool
    saturated_after: float
    zero_grad_active_only_saturated: bool
    loss_init: float
    loss_after: float
    loss_recovered: float
    negative_weights_inactive: np.ndarray
    negative_weights_active: np.ndarray


def dead_unit_experiment(
    activation: str,
    *,
    big_lr: float = 10.0,
    sizes: Sequence[int] = (10, 64, 64, 64, 2),
    init: str = "kaiming_normal",
    n: int = 256,
    recovery_steps: int = 0,
    recovery_lr: float = 0.1,
    seed: int = 0,
) -> DeadUnitReport:
    """Measure dead units at initialisation, after ONE plain-SGD step with the over-large
    learning rate ``big_lr`` (full batch, cross-entropy on :func:`toy_classification`), and after
    ``recovery_steps`` further full-batch steps with ``recovery_lr`` (both plain
    :func:`gradient_descent`: no momentum, no decay).

    ``set_seed(seed)`` is called before drawing the data and building the network, so every
    activation starts from the same weights.

    Raises:
        ValueError: if a learning rate is not positive, ``recovery_steps < 0``, or the sizes,
            activation or init are invalid.
    """
    if big_lr <= 0 or recovery_lr <= 0:
        raise ValueError(f"learning rates must be > 0, got {big_lr} and {recovery_lr}")
    if recovery_steps < 0:
        raise ValueError(f"recovery_steps must be >= 0, got {recovery_steps}")
    set_seed(seed)
    x, y = toy_classification(n, sizes[0])
    model = make_mlp(sizes, activation, init)

    def loss_value() -> float:
        with torch.no_grad():
            return F.cross_entropy(model(x), y).item()

    inactive_init = inactive_units(model, x)
    zero_init = zero_grad_units(model, x, y)
    loss_init = loss_value()
    gradient_descent(model, x, y, lr=big_lr)
    inactive_after = inactive_units(model, x)
    zero_after = zero_grad_units(model, x, y)
    loss_after = loss_value()
    with torch.no_grad():
        logits, pre = forward_with_preactivations(model, x)
        saturated = (torch.softmax(logits, dim=-1) - F.one_hot(y, sizes[-1]) == 0).all(dim=1)
    only_saturated = all(
        bool(saturated[z[:, unit] > 0].all())
        for z, inactive, zero in zip(pre, inactive_after, zero_after, strict=True)
        for unit in np.flatnonzero(zero & ~inactive)
    )
    neg_in, neg_act = [], []
    for (linear, _), inactive in zip(hidden_layers(model), inactive_after, strict=True):
        frac = (linear.weight.detach() < 0).float().mean(dim=1).numpy()
        neg_in.append(float(frac[inactive].mean()) if inactive.any() else float("nan"))
        neg_act.append(float(frac[~inactive].mean()) if (~inactive).any() else float("nan"))
    if recovery_steps:
        gradient_descent(model, x, y, lr=recovery_lr, steps=recovery_steps)
    return DeadUnitReport(
        inactive_init=layer_fractions(inactive_init),
        inactive_after=layer_fractions(inactive_after),
        inactive_recovered=layer_fractions(inactive_units(model, x)),
        zero_grad_init=layer_fractions(zero_init),
        zero_grad_after=layer_fractions(zero_after),
        inactive_all_zero_grad=all(
            bool(np.all(z[i])) for i, z in zip(inactive_after, zero_after, strict=True)
        ),
        saturated_after=saturated.float().mean().item(),
        zero_grad_active_only_saturated=only_saturated,
        loss_init=loss_init,
        loss_after=loss_after,
        loss_recovered=loss_value(),
        negative_weights_inactive=np.array(neg_in),
        negative_weights_active=np.array(neg_act),
    )


def dead_units(names: Iterable[str], **kwargs: object) -> dict[str, DeadUnitReport]:
    """:func:`dead_unit_experiment` for every activation name (same seed, same weights)."""
    return {name: dead_unit_experiment(name, **kwargs) for name in names}  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Convergence speed
# --------------------------------------------------------------------------------------------


def steps_to_loss(
    activation: str,
    *,
    lr: float,
    target: float = 0.2,
    max_steps: int = 300,
    sizes: Sequence[int] = (10, 32, 32, 2),
    init: str = "xavier_normal",
    n: int = 256,
    seed: int = 0,
) -> int:
    """Full-batch gradient descent (plain, as in :func:`gradient_descent`) on
    :func:`toy_classification` until the cross-entropy is at most ``target``; return the number
    of updates that took.

    ``set_seed(seed)`` is called before drawing the data and building
    ``make_mlp(sizes, activation, init)``, so for one seed every activation starts from the same
    weights and sees the same data. A run that has not reached ``target`` after ``max_steps``
    updates (or whose loss is no longer finite) returns ``max_steps + 1``.

    Raises:
        ValueError: if ``lr``, ``target`` or ``max_steps`` is not positive, or a name is unknown.
    """
    if lr <= 0 or target <= 0 or max_steps < 1:
        raise ValueError(f"lr, target, max_steps must be > 0, got {lr}, {target}, {max_steps}")
    set_seed(seed)
    x, y = toy_classification(n, sizes[0])
    model = make_mlp(sizes, activation, init)
    params = [p for p in model.parameters() if p.requires_grad]
    for step in range(max_steps + 1):
        loss = F.cross_entropy(model(x), y)
        if not torch.isfinite(loss):
            break
        if loss.item() <= target:
            return step
        if step == max_steps:
            break
        _descend(params, loss, lr)  # the update of gradient_descent
    return max_steps + 1


def convergence_steps(
    names: Iterable[str], lrs: Iterable[float], seeds: Iterable[int], **kwargs: object
) -> dict[str, dict[float, np.ndarray]]:
    """:func:`steps_to_loss` for every activation, learning rate and seed:
    ``result[name][lr]`` holds one step count per seed."""
    lrs, seeds = list(lrs), list(seeds)
    return {
        name: {
            lr: np.array([steps_to_loss(name, lr=lr, seed=s, **kwargs) for s in seeds])  # type: ignore[arg-type]
            for lr in lrs
        }
        for name in names
    }


# --------------------------------------------------------------------------------------------
# Compute cost
# --------------------------------------------------------------------------------------------


def best_time(fn: Callable[[], object], *, repeat: int = 5, number: int = 10) -> float:
    """Seconds per call of ``fn``: the best of ``repeat`` runs of ``number`` calls each (the
    minimum is the least disturbed by other processes).

    Raises:
        ValueError: if ``repeat`` or ``number`` is smaller than 1.
    """
    if repeat < 1 or number < 1:
        raise ValueError(f"repeat and number must be >= 1, got {repeat} and {number}")
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


@torch.no_grad()
def time_activations(
    names: Iterable[str], *, numel: int = 2**20, repeat: int = 5, number: int = 10
) -> dict[str, float]:
    """Seconds per forward pass of each activation on one float32 tensor of ``numel`` values.

    Wall-clock timings vary from run to run and machine to machine: print them, never assert on
    them.

    Raises:
        ValueError: if ``numel < 1`` or a name is unknown.
    """
    if numel < 1:
        raise ValueError(f"numel must be >= 1, got {numel}")
    x = torch.randn(numel)
    result = {}
    for name in names:
        act = get_activation(name)
        result[name] = best_time(lambda act=act: act(x), repeat=repeat, number=number)
    return result
