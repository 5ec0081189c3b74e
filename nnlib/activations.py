"""Activation functions: one registry that every experiment of the course loops over.

Adding an entry to :data:`ACTIVATIONS` adds it to every plot and table that iterates over the
registry. Chapter 2 explains each function; this module only names and builds them.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

#: name -> factory returning a fresh ``nn.Module`` (element-wise activations only; softmax acts
#: on a whole vector and is therefore not in this registry).
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "identity": nn.Identity,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "prelu": lambda: nn.PReLU(init=0.25),
    "elu": lambda: nn.ELU(alpha=1.0),
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "softplus": nn.Softplus,
}


def activation_names() -> list[str]:
    """Return the valid activation names, in registry order."""
    return list(ACTIVATIONS)


def get_activation(name: str) -> nn.Module:
    """Build a fresh activation module from its registry name.

    Raises:
        ValueError: if ``name`` is unknown; the message lists the valid names.
    """
    try:
        factory = ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; valid names: {', '.join(activation_names())}"
        ) from None
    return factory()
