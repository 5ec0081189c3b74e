"""Parameter initialisation: one registry of the methods chapter 3 compares.

Each entry re-initialises the weight of a :class:`torch.nn.Linear` in place with a
``torch.nn.init`` function; biases are set to zero unless the method is ``"default"`` (PyTorch's
own initialisation of ``nn.Linear``, kept as it is).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

Initializer = Callable[[torch.Tensor], object]

#: name -> in-place function applied to a weight tensor of shape ``[out_features, in_features]``.
INITIALIZERS: dict[str, Initializer] = {
    "uniform": nn.init.uniform_,
    "normal": nn.init.normal_,
    "zeros": nn.init.zeros_,
    "ones": nn.init.ones_,
    "constant": lambda w: nn.init.constant_(w, 0.5),
    "kaiming_normal": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "kaiming_uniform": lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"),
    "xavier_normal": nn.init.xavier_normal_,
    "xavier_uniform": nn.init.xavier_uniform_,
}

#: Name meaning "leave PyTorch's default ``nn.Linear`` initialisation untouched".
DEFAULT = "default"


def init_names() -> list[str]:
    """Return the valid initialisation names (the registry plus ``"default"``)."""
    return [*INITIALIZERS, DEFAULT]


def init_linear_(layer: nn.Linear, name: str) -> nn.Linear:
    """Re-initialise ``layer`` in place with the method ``name`` and return it.

    Raises:
        TypeError: if ``layer`` is not an ``nn.Linear``.
        ValueError: if ``name`` is unknown; the message lists the valid names.
    """
    if not isinstance(layer, nn.Linear):
        raise TypeError(f"layer must be an nn.Linear, got {type(layer).__name__}")
    if name == DEFAULT:
        return layer
    if name not in INITIALIZERS:
        raise ValueError(f"unknown init {name!r}; valid names: {', '.join(init_names())}")
    with torch.no_grad():
        INITIALIZERS[name](layer.weight)
        if layer.bias is not None:
            layer.bias.zero_()
    return layer
