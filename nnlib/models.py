"""Models the chapters build."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from nnlib.activations import get_activation
from nnlib.init import DEFAULT, init_linear_


def make_mlp(
    sizes: Sequence[int], activation: str = "relu", init: str = DEFAULT, bias: bool = True
) -> nn.Sequential:
    """Build a fully connected network ``Linear -> act -> ... -> Linear``.

    ``sizes = [d_0, d_1, ..., d_L]`` gives ``L`` linear layers, layer ``l`` mapping ``d_{l-1}``
    features to ``d_l``; the activation follows every layer except the last (which returns
    logits). Each layer has ``(d_{l-1} + 1) * d_l`` parameters with bias, ``d_{l-1} * d_l``
    without.

    Args:
        sizes: layer widths, at least two entries, all positive.
        activation: a name from :data:`nnlib.activations.ACTIVATIONS`.
        init: a name from :func:`nnlib.init.init_names`, applied to every linear layer.
        bias: whether the linear layers have a bias.

    Raises:
        ValueError: if ``sizes`` has fewer than two entries or a non-positive width, or if the
            activation or init name is unknown.
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least 2 widths (input and output), got {sizes}")
    if any(not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"every width must be a positive int, got {sizes}")
    get_activation(activation)  # validate the name before building anything
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(init_linear_(nn.Linear(n_in, n_out, bias=bias), init))
        if i < len(sizes) - 2:
            layers.append(get_activation(activation))
    return nn.Sequential(*layers)
