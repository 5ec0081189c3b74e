"""Models the chapters build: the fully connected builder, the seed article's network (in two
equivalent forms) and parameter counting."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import torch
from torch import nn

from nnlib.activations import get_activation
from nnlib.init import DEFAULT, INITIALIZERS, get_init, init_linear_


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    """Return ``sizes`` as a list after checking it holds at least two positive int widths."""
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least 2 widths (input and output), got {sizes}")
    if any(not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"every width must be a positive int, got {sizes}")
    return sizes


#: Init of the output layer when the hidden layers use a Kaiming method: Xavier of the same
#: distribution. A convention, not a consequence of the variance derivation, which has two views
#: (chapter 3, section 3.4): the forward view (``mode="fan_in"``, the activation *before* the
#: layer) asks Kaiming's gain sqrt(2) for the output layer too, because a ReLU feeds it, and gain
#: 1 (LeCun) for the first layer, which is fed by the raw input; the backward view
#: (``mode="fan_out"``, the activation *after* the layer) asks gain 1 for the output layer, which
#: no activation follows, and sqrt(2) elsewhere. Either way only one layer at each end differs, by
#: a factor 2 in variance that does not compound with depth. The chapter measures the choice
#: (initial loss against ln K, training after 40 steps): gains between 1 and sqrt(2) behave alike,
#: a much smaller output layer starts at ln K but trains more slowly. For a wide-to-narrow output
#: layer (64 -> 4) Xavier's variance 2/(64 + 4) is close to Kaiming's 2/64.
OUTPUT_INIT_FOR_KAIMING: dict[str, str] = {
    "kaiming_normal": "xavier_normal",
    "kaiming_uniform": "xavier_uniform",
}


def output_init_for(init: str) -> str:
    """The init :func:`make_mlp` gives the output layer when the hidden layers get ``init``.

    Kaiming methods map to the Xavier method of the same distribution (gain 1, see
    :data:`OUTPUT_INIT_FOR_KAIMING`); every other name maps to itself.

    Raises:
        ValueError: if ``init`` is not a name from :func:`nnlib.init.init_names`.
    """
    get_init(init)  # validates, listing the valid names
    return OUTPUT_INIT_FOR_KAIMING.get(init, init)


def make_mlp(
    sizes: Sequence[int],
    activation: str = "relu",
    init: str = DEFAULT,
    bias: bool = True,
    output_init: str | None = None,
) -> nn.Sequential:
    r"""Build a fully connected network ``Linear -> act -> ... -> Linear``.

    ``sizes = [d_0, d_1, ..., d_L]`` gives ``L`` linear layers, layer ``l`` mapping ``d_{l-1}``
    features to ``d_l``; the activation follows every layer except the last (which returns
    logits). Each layer has ``(d_{l-1} + 1) * d_l`` parameters with bias, ``d_{l-1} * d_l``
    without.

    Initialisation: every hidden layer (one followed by the activation) gets ``init``; the
    output layer gets ``output_init``, by default :func:`output_init_for` ``(init)``: the same
    method, except that a Kaiming method becomes Xavier of the same distribution. That is a
    convention (see :data:`OUTPUT_INIT_FOR_KAIMING`): the forward view of the derivation
    (fan_in, the ReLU *before* the layer) would keep Kaiming's gain :math:`\sqrt{2}` for the
    output layer, the backward view (fan_out, no activation *after* it) gives gain 1; chapter 3
    measures that both train alike. Biases start at zero unless the method is ``"default"``
    (PyTorch's own init).

    Args:
        sizes: layer widths, at least two entries, all positive.
        activation: a name from :data:`nnlib.activations.ACTIVATIONS`.
        init: a name from :func:`nnlib.init.init_names`, for the hidden layers.
        bias: whether the linear layers have a bias.
        output_init: a name from :func:`nnlib.init.init_names` for the output layer, or
            ``None`` for :func:`output_init_for` ``(init)``.

    Raises:
        ValueError: if ``sizes`` has fewer than two entries or a non-positive width, or if the
            activation or an init name is unknown.
    """
    sizes = _check_sizes(sizes)
    get_activation(activation)  # validate the name before building anything
    last_init = output_init_for(init) if output_init is None else output_init
    get_init(last_init)
    layers: list[nn.Module] = []
    n_layers = len(sizes) - 1
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        is_output = i == n_layers - 1
        layer_init = last_init if is_output else init
        layers.append(init_linear_(nn.Linear(n_in, n_out, bias=bias), layer_init))
        if not is_output:
            layers.append(get_activation(activation))
    return nn.Sequential(*layers)


#: Input width of the seed article's network (chapter 4).
SEED_IN_FEATURES = 3

#: Init used by :func:`init_by_next_activation` for a linear layer, keyed by the activation type
#: that follows it: He (Kaiming) for ReLU; Glorot (Xavier, gain 1) for tanh, whose slope 1 and
#: symmetry at 0 are what Glorot & Bengio's derivation assumes, and for sigmoid, where gain 1 is
#: PyTorch's convention (``calculate_gain("sigmoid") == 1``), not a result of that derivation
#: (sigmoid has slope 1/4 and mean 1/2 at 0). Names refer to :data:`nnlib.init.INITIALIZERS`.
INIT_FOR_NEXT_ACTIVATION: dict[type[nn.Module], str] = {
    nn.Sigmoid: "xavier_normal",
    nn.Tanh: "xavier_normal",
    nn.ReLU: "kaiming_normal",
}


def forward_recording_linear(
    model: nn.Sequential, x: torch.Tensor
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    r"""Run ``model`` on ``x``; return its output and the output :math:`z_l = W_l h_{l-1} + b_l`
    of every ``nn.Linear`` in it, in order.

    When gradients are enabled each :math:`z_l` keeps its gradient (``retain_grad``), so after a
    backward pass ``z.grad`` holds :math:`\partial L / \partial z_l`. Used by the experiments of
    chapters 2 and 3 to look inside a network layer by layer.

    Raises:
        TypeError: if ``model`` is not an ``nn.Sequential``.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model must be an nn.Sequential, got {type(model).__name__}")
    zs: list[torch.Tensor] = []
    h = x
    for module in model:
        h = module(h)
        if isinstance(module, nn.Linear):
            if h.requires_grad:
                h.retain_grad()
            zs.append(h)
    return h, zs


def check_input_width(x: torch.Tensor, expected: int, model_name: str) -> None:
    """Raise a clear error unless ``x`` is a tensor whose last dimension has ``expected`` features.

    Raises:
        TypeError: if ``x`` is not a tensor.
        ValueError: if ``x`` is a scalar or its last dimension is not ``expected``; the message
            names the expected width and the shape received.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{model_name} expects a torch.Tensor, got {type(x).__name__}")
    if x.dim() == 0 or x.shape[-1] != expected:
        raise ValueError(
            f"{model_name} expects inputs of shape [batch, {expected}] "
            f"(last dimension = {expected} features), got shape {list(x.shape)}"
        )


class SeedNet(nn.Module):
    r"""The network of the seed article (chapter 4): 3 inputs, hidden widths 3 and 2, 2 outputs.

    .. math::

        h_1 = \sigma(W_1 x + b_1), \quad
        h_2 = \operatorname{ReLU}(W_2 h_1 + b_2), \quad
        \hat{y} = \operatorname{softmax}(W_3 h_2 + b_3)

    with :math:`W_1 \in \mathbb{R}^{3 \times 3}` Xavier-normal,
    :math:`W_2 \in \mathbb{R}^{2 \times 3}` Kaiming-normal (gain :math:`\sqrt{2}`), and
    :math:`W_3 \in \mathbb{R}^{2 \times 2}` and every bias left at PyTorch's default
    :math:`U(\pm 1/\sqrt{\text{fan\_in}})`. Parameters: :math:`12 + 8 + 6 = 26`.

    The softmax acts over the last dimension, so every output row is a probability vector.
    All three layers are created first and initialised afterwards: the same order of random
    draws as :func:`seed_net_sequential`, so one seed gives both the same parameters.
    """

    in_features = SEED_IN_FEATURES

    def __init__(self) -> None:
        super().__init__()  # registers the bookkeeping nn.Module needs before layers are set
        self.linear1 = nn.Linear(3, 3)
        self.linear2 = nn.Linear(3, 2)
        self.out = nn.Linear(2, 2)
        nn.init.xavier_normal_(self.linear1.weight)
        nn.init.kaiming_normal_(self.linear2.weight, nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``[batch, 3]`` inputs to ``[batch, 2]`` class probabilities (rows sum to 1)."""
        check_input_width(x, self.in_features, type(self).__name__)
        x = torch.sigmoid(self.linear1(x))
        x = torch.relu(self.linear2(x))
        return torch.softmax(self.out(x), dim=-1)


def init_by_next_activation(module: nn.Module) -> None:
    """Initialise each linear layer of an ``nn.Sequential`` by the activation that follows it.

    Meant for ``model.apply(init_by_next_activation)``: ``apply`` calls it on every submodule
    and finally on the container itself. On an ``nn.Sequential`` it walks the consecutive pairs
    ``(Linear, activation)`` and re-draws the linear weight with
    :data:`INIT_FOR_NEXT_ACTIVATION` (Xavier-normal before sigmoid/tanh, Kaiming-normal before
    ReLU), in layer order; biases, and layers followed by anything else, keep their values.
    Any other module is left untouched.
    """
    if not isinstance(module, nn.Sequential):
        return
    layers = list(module)
    for layer, following in zip(layers[:-1], layers[1:], strict=True):
        name = INIT_FOR_NEXT_ACTIVATION.get(type(following))
        if isinstance(layer, nn.Linear) and name is not None:
            with torch.no_grad():
                INITIALIZERS[name](layer.weight)


def seed_net_sequential() -> nn.Sequential:
    """The seed article's network written as an ``nn.Sequential``, initialised via ``apply``.

    Submodule names equal :class:`SeedNet`'s attribute names, so the two share
    ``state_dict`` keys (``linear1.weight``, ``linear2.weight``, ``out.weight``, ...); under the
    same seed both hold the same parameters and give the same outputs. Unlike :class:`SeedNet`
    it does not check the input width (a wrong width fails inside the first matrix product).
    """
    model = nn.Sequential(
        OrderedDict(
            [
                ("linear1", nn.Linear(3, 3)),
                ("sigmoid", nn.Sigmoid()),
                ("linear2", nn.Linear(3, 2)),
                ("relu", nn.ReLU()),
                ("out", nn.Linear(2, 2)),
                ("softmax", nn.Softmax(dim=-1)),
            ]
        )
    )
    model.apply(init_by_next_activation)
    return model


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    r"""Number of scalar parameters, :math:`\sum_p \operatorname{numel}(p)` over the model.

    With ``trainable_only=True`` only parameters with ``requires_grad`` are counted (those an
    optimizer would update); otherwise every parameter, frozen or not.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def mlp_parameter_count(sizes: Sequence[int], bias: bool = True) -> int:
    r"""Parameters of a fully connected network with widths ``sizes = [d_0, ..., d_L]``.

    .. math::

        \sum_{l=1}^{L} (d_{l-1} + 1)\, d_l \quad \text{(with bias)}, \qquad
        \sum_{l=1}^{L} d_{l-1}\, d_l \quad \text{(without)}

    Raises:
        ValueError: if ``sizes`` has fewer than two entries or a non-positive width.
    """
    sizes = _check_sizes(sizes)
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    return sum((n_in + int(bias)) * n_out for n_in, n_out in pairs)
