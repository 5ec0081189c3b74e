"""Tests for nnlib.utils, the activation and init registries, and nnlib.models.make_mlp."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from nnlib import set_seed
from nnlib.activations import activation_names, get_activation
from nnlib.init import init_linear_, init_names
from nnlib.models import make_mlp


def test_set_seed_makes_torch_reproducible() -> None:
    set_seed(3)
    a = torch.randn(4)
    set_seed(3)
    torch.testing.assert_close(torch.randn(4), a)


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_set_seed_rejects_bad_seed(seed, error) -> None:
    with pytest.raises(error):
        set_seed(seed)


def test_unknown_activation_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="valid names: identity, sigmoid, tanh, relu"):
        get_activation("relu6")
    assert isinstance(get_activation("relu"), nn.ReLU)
    assert "softplus" in activation_names()


def test_unknown_init_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="valid names: uniform, normal"):
        init_linear_(nn.Linear(2, 2), "he")
    with pytest.raises(TypeError, match="nn.Linear"):
        init_linear_(nn.Conv1d(1, 1, 1), "zeros")
    assert init_names()[-1] == "default"


def test_init_zeros_bias_and_keeps_default() -> None:
    layer = init_linear_(nn.Linear(5, 3), "ones")
    assert torch.equal(layer.weight, torch.ones(3, 5))
    assert torch.equal(layer.bias, torch.zeros(3))
    set_seed(0)
    default = nn.Linear(5, 3)
    before = default.weight.clone()
    init_linear_(default, "default")
    assert torch.equal(default.weight, before)


def test_make_mlp_structure_and_parameter_count() -> None:
    model = make_mlp([3, 4, 2], activation="tanh", init="xavier_normal")
    kinds = [type(m) for m in model]
    assert kinds == [nn.Linear, nn.Tanh, nn.Linear]
    assert sum(p.numel() for p in model.parameters()) == (3 + 1) * 4 + (4 + 1) * 2
    assert model(torch.zeros(7, 3)).shape == (7, 2)


@pytest.mark.parametrize("sizes", [[3], [3, 0]])
def test_make_mlp_rejects_bad_sizes(sizes) -> None:
    with pytest.raises(ValueError):
        make_mlp(sizes)


def test_make_mlp_rejects_a_width_that_is_not_an_integer() -> None:
    with pytest.raises(TypeError):  # the message is checked in tests/test_bad_input.py
        make_mlp([3, 2.5])


def test_start_chapter_sets_threads_print_options_and_seed() -> None:
    from matplotlib import rcParams

    from nnlib import start_chapter

    threads = torch.get_num_threads()
    options = np.get_printoptions()
    try:
        start_chapter(5)
        a = torch.randn(3)
        assert torch.get_num_threads() == 1
        assert np.get_printoptions()["precision"] == 4
        assert rcParams["font.family"][0] == "Noto Sans SC"
        start_chapter(5)
        torch.testing.assert_close(torch.randn(3), a)
        with pytest.raises(ValueError):
            start_chapter(-1)
    finally:
        torch.set_num_threads(threads)
        np.set_printoptions(**options)
