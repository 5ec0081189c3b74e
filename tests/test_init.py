"""Tests for nnlib.init: every registry entry draws from the distribution its formula states."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from nnlib import set_seed
from nnlib.init import (
    DEFAULT,
    INITIALIZERS,
    PYTORCH_DEFAULT,
    WeightDistribution,
    fans,
    get_init,
    init_linear_,
    init_names,
    weight_distribution,
)

RANDOM = [n for n in INITIALIZERS if weight_distribution(n, 4, 4).kind != "constant"]


def test_registry_names_and_order() -> None:
    assert init_names() == [
        "uniform",
        "normal",
        "zeros",
        "ones",
        "constant",
        "kaiming_normal",
        "kaiming_uniform",
        "xavier_normal",
        "xavier_uniform",
        DEFAULT,
    ]
    assert len(RANDOM) == 6


def test_fans_of_linear_weight_are_in_then_out() -> None:
    assert fans(nn.Linear(5, 3).weight) == (5, 3)
    with pytest.raises(ValueError, match="2-D"):
        fans(torch.zeros(3))


@pytest.mark.parametrize("name", [*RANDOM, DEFAULT])
def test_random_methods_match_their_formula(name: str) -> None:
    fan_in, fan_out = 400, 250
    set_seed(0)
    w = init_linear_(nn.Linear(fan_in, fan_out), name).weight.detach()
    dist = weight_distribution(name, fan_in, fan_out)
    # 100 000 samples: relative standard error of the std is about 0.2-0.3 %.
    assert abs(w.std().item() - dist.std) < 0.02 * dist.std
    assert abs(w.mean().item() - dist.mean) < 0.02 * dist.std
    if dist.kind == "uniform":
        span = dist.high - dist.low
        assert dist.low <= w.min().item() < dist.low + 1e-3 * span
        assert dist.high - 1e-3 * span < w.max().item() <= dist.high


@pytest.mark.parametrize(
    ("name", "std"),
    [
        ("kaiming_normal", math.sqrt(2 / 400)),
        ("kaiming_uniform", math.sqrt(2 / 400)),
        ("xavier_normal", math.sqrt(2 / 650)),
        ("xavier_uniform", math.sqrt(2 / 650)),
        ("uniform", 1 / math.sqrt(12)),
        ("normal", 1.0),
        (DEFAULT, 1 / math.sqrt(3 * 400)),
    ],
)
def test_formula_values(name: str, std: float) -> None:
    assert weight_distribution(name, 400, 250).std == pytest.approx(std)


def test_uniform_bounds_of_kaiming_and_xavier() -> None:
    assert weight_distribution("kaiming_uniform", 600, 10).high == pytest.approx(0.1)
    assert weight_distribution("xavier_uniform", 300, 300).high == pytest.approx(0.1)
    assert weight_distribution(DEFAULT, 100, 7).high == pytest.approx(0.1)


def test_constants_fill_exactly_and_zero_the_bias() -> None:
    for name, value in [("zeros", 0.0), ("ones", 1.0), ("constant", 0.5)]:
        layer = init_linear_(nn.Linear(5, 3), name)
        assert torch.equal(layer.weight, torch.full((3, 5), value))
        assert torch.equal(layer.bias, torch.zeros(3))
        assert weight_distribution(name, 5, 3).kind == "constant"


def test_kaiming_entries_equal_torch_defaults() -> None:
    # torch's default nonlinearity="leaky_relu" with a=0 has gain sqrt(2), the ReLU gain.
    for name, fn in [
        ("kaiming_normal", nn.init.kaiming_normal_),
        ("kaiming_uniform", nn.init.kaiming_uniform_),
    ]:
        a, b = torch.empty(30, 20), torch.empty(30, 20)
        set_seed(1)
        INITIALIZERS[name](a)
        set_seed(1)
        fn(b)
        assert torch.equal(a, b)


def test_pytorch_default_fill_reproduces_nn_linear() -> None:
    set_seed(2)
    layer = nn.Linear(7, 5)
    w = torch.empty(5, 7)
    set_seed(2)
    PYTORCH_DEFAULT(w)
    assert torch.equal(w, layer.weight.detach())


def test_default_keeps_weight_and_bias() -> None:
    set_seed(3)
    layer = nn.Linear(4, 3)
    before = [p.detach().clone() for p in layer.parameters()]
    init_linear_(layer, DEFAULT)
    assert all(torch.equal(a, b) for a, b in zip(before, layer.parameters(), strict=True))
    assert get_init(DEFAULT) is PYTORCH_DEFAULT


@pytest.mark.parametrize("bad", ["he", "Kaiming_normal", None, ["zeros"]])
def test_unknown_names_list_valid_ones(bad) -> None:
    with pytest.raises(ValueError, match="valid names: uniform, normal, zeros"):
        get_init(bad)
    with pytest.raises(ValueError, match="default"):
        init_linear_(nn.Linear(2, 2), bad)


def test_weight_distribution_rejects_bad_fans() -> None:
    with pytest.raises(ValueError, match="fans must be positive"):
        weight_distribution("xavier_normal", 0, 3)


def test_distribution_pdfs_integrate_to_one() -> None:
    xs = np.linspace(-3, 3, 600_001)
    dx = xs[1] - xs[0]
    for dist in (WeightDistribution.normal(0.2, 0.4), WeightDistribution.uniform(-0.5, 1.0)):
        assert np.sum(dist.pdf(xs)) * dx == pytest.approx(1.0, abs=1e-3)
    assert WeightDistribution.uniform(-1.0, 1.0).std == pytest.approx(1 / math.sqrt(3))
    with pytest.raises(ValueError, match="no density"):
        WeightDistribution.constant(1.0).pdf(xs)
    with pytest.raises(ValueError, match="low < high"):
        WeightDistribution.uniform(1.0, 1.0)
    with pytest.raises(ValueError, match="std > 0"):
        WeightDistribution.normal(0.0, 0.0)


def test_every_method_has_formula_and_call_text() -> None:
    for name in init_names():
        method = get_init(name)
        assert method.formula and method.call.startswith("nn.init.")


def test_every_name_has_a_chinese_label() -> None:
    from nnlib.init import INIT_LABELS, init_names

    assert list(INIT_LABELS) == init_names()
    assert all(label != name for name, label in INIT_LABELS.items())
