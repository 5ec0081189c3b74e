"""Tests for nnlib.experiments.activation (chapter 2's experiments)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from nnlib import set_seed
from nnlib.experiments.activation import (
    best_time,
    convergence_steps,
    dead_unit_experiment,
    dead_units,
    forward_with_preactivations,
    gradient_descent,
    gradient_profile,
    hidden_layers,
    inactive_units,
    layer_fractions,
    steps_to_loss,
    time_activations,
    toy_classification,
    vanishing_gradients,
    zero_grad_units,
)
from nnlib.models import make_mlp


def test_hidden_layers_and_preactivations_follow_make_mlp() -> None:
    model = make_mlp([4, 5, 6, 2], "tanh")
    pairs = hidden_layers(model)
    assert [lin.out_features for lin, _ in pairs] == [5, 6]
    x = torch.randn(3, 4)
    out, pre = forward_with_preactivations(model, x)
    torch.testing.assert_close(out, model(x))
    assert [tuple(z.shape) for z in pre] == [(3, 5), (3, 6)]
    with pytest.raises(TypeError, match="make_mlp"):
        hidden_layers(nn.Sequential(nn.ReLU(), nn.Linear(2, 2)))


def test_same_seed_gives_every_activation_the_same_weights() -> None:
    weights = []
    for name in ("sigmoid", "relu", "prelu"):
        set_seed(0)
        weights.append(make_mlp([8, 8, 1], name, "xavier_normal")[0].weight)
    for w in weights[1:]:
        torch.testing.assert_close(w, weights[0])


def test_gradient_profile_shapes_and_the_sigmoid_bound() -> None:
    profiles = vanishing_gradients(["sigmoid", "relu"], depth=6, width=64, batch=64)
    sig, relu = profiles["sigmoid"], profiles["relu"]
    for p in (sig, relu):
        assert p.preact_grad_norm.shape == p.weight_grad_norm.shape == (6,)
        assert np.all(p.preact_grad_norm > 0)
    # every sigmoid derivative is at most 0.25, so their RMS is too
    assert np.all(sig.derivative_rms <= 0.25)
    # half of ReLU's derivatives are 0 and half 1: RMS about sqrt(1/2)
    np.testing.assert_allclose(relu.derivative_rms, np.sqrt(0.5), atol=0.1)
    ratio = lambda p: p.preact_grad_norm[0] / p.preact_grad_norm[-1]  # noqa: E731
    assert ratio(sig) < 0.3**5 < ratio(relu)


def test_gradient_profile_is_deterministic_and_validates() -> None:
    a = gradient_profile("tanh", depth=3, width=16, batch=8)
    b = gradient_profile("tanh", depth=3, width=16, batch=8)
    np.testing.assert_array_equal(a.preact_grad_norm, b.preact_grad_norm)
    with pytest.raises(ValueError, match="depth"):
        gradient_profile("tanh", depth=0)
    with pytest.raises(ValueError, match="valid names"):
        gradient_profile("swish")


def test_toy_classification() -> None:
    set_seed(0)
    x, y = toy_classification(50, 3)
    assert x.shape == (50, 3) and y.dtype == torch.long
    assert torch.equal(y, (x[:, 0] + x[:, 1] > 0).long())
    with pytest.raises(ValueError):
        toy_classification(10, 1)


def test_dead_relu_units_get_exactly_zero_gradient() -> None:
    # A unit with a hugely negative bias is off for every input.
    model = make_mlp([3, 4, 2], "relu", "xavier_normal")
    with torch.no_grad():
        model[0].bias[1] = -1e3
    set_seed(0)
    x, y = toy_classification(32, 3)
    inactive = inactive_units(model, x)[0]
    zero = zero_grad_units(model, x, y)[0]
    assert inactive[1] and zero[1]
    np.testing.assert_array_equal(layer_fractions([inactive]), [0.25])


def test_dead_unit_experiment_relu_vs_leaky() -> None:
    reports = dead_units(["relu", "leaky_relu"], big_lr=10.0)
    relu, leaky = reports["relu"], reports["leaky_relu"]
    assert relu.inactive_after.sum() > relu.inactive_init.sum()
    assert relu.loss_after > relu.loss_init  # the step was too large
    assert 0 <= relu.saturated_after <= 1
    assert relu.inactive_all_zero_grad and np.all(relu.zero_grad_after >= relu.inactive_after)
    assert not leaky.inactive_all_zero_grad and np.all(leaky.zero_grad_after == 0)
    # the only zero-gradient ReLU units that are not dead are active on saturated samples alone
    assert relu.zero_grad_active_only_saturated and relu.saturated_after > 0
    with pytest.raises(ValueError, match="learning rates"):
        dead_unit_experiment("relu", big_lr=0.0)
    with pytest.raises(ValueError, match="recovery_steps"):
        dead_unit_experiment("relu", recovery_steps=-1)


def test_recovery_steps_train_the_network() -> None:
    report = dead_unit_experiment("leaky_relu", big_lr=1.0, recovery_steps=20)
    assert np.isfinite(report.loss_recovered)
    assert report.inactive_recovered.shape == (3,)


def test_timing_helpers() -> None:
    calls = []
    assert best_time(lambda: calls.append(1), repeat=2, number=3) >= 0
    assert len(calls) == 1 + 2 * 3  # warm-up + repeat * number
    times = time_activations(["relu", "sigmoid"], numel=1000, repeat=1, number=1)
    assert list(times) == ["relu", "sigmoid"] and all(t > 0 for t in times.values())
    with pytest.raises(ValueError):
        best_time(lambda: None, repeat=0)
    with pytest.raises(ValueError, match="valid names"):
        time_activations(["relu6"], numel=10)


def test_weight_scale_trades_vanishing_for_saturation() -> None:
    small = gradient_profile("sigmoid", depth=6, width=64, batch=64, weight_scale=1.0)
    big = gradient_profile("sigmoid", depth=6, width=64, batch=64, weight_scale=16.0)
    factor = lambda p: (p.preact_grad_norm[0] / p.preact_grad_norm[-1]) ** (1 / 5)  # noqa: E731
    assert factor(small) < 0.35 < factor(big)
    assert small.saturated_fraction.mean() < 0.02 < 0.3 < big.saturated_fraction.mean()
    relu = gradient_profile("relu", depth=3, width=64, batch=64)
    assert 0.3 < relu.saturated_fraction.mean() < 0.7  # for ReLU: the inactive units
    with pytest.raises(ValueError, match="weight_scale"):
        gradient_profile("sigmoid", weight_scale=0.0)


def test_dead_units_have_mostly_negative_incoming_weights() -> None:
    rep = dead_unit_experiment("relu", big_lr=10.0, seed=0)
    assert rep.negative_weights_inactive.shape == (3,)
    dead = rep.inactive_after > 0
    assert dead.any()
    assert (rep.negative_weights_inactive[dead] > rep.negative_weights_active[dead]).all()
    assert np.isnan(rep.negative_weights_inactive[~dead]).all()


def test_steps_to_loss_and_convergence_steps() -> None:
    fast = steps_to_loss("tanh", lr=1.0, target=0.3, max_steps=50, seed=0)
    assert 0 <= fast <= 50
    assert steps_to_loss("sigmoid", lr=1e-4, target=0.01, max_steps=5, seed=0) == 6  # not reached
    table = convergence_steps(["tanh"], [1.0], [0, 1], target=0.3, max_steps=50)
    assert table["tanh"][1.0].shape == (2,) and table["tanh"][1.0][0] == fast
    with pytest.raises(ValueError, match="lr"):
        steps_to_loss("tanh", lr=0.0)


def test_gradient_descent_is_torch_sgd_bit_for_bit() -> None:
    set_seed(0)
    x, y = toy_classification(64, 4)
    models = []
    for _ in range(2):
        set_seed(1)
        models.append(make_mlp([4, 8, 8, 2], "prelu", "kaiming_normal"))
    loss_before = gradient_descent(models[0], x, y, lr=0.5, steps=3)
    opt = torch.optim.SGD(models[1].parameters(), lr=0.5)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(models[1](x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert loss_before == losses[-1]  # the loss before the last update
    for a, b in zip(models[0].parameters(), models[1].parameters(), strict=True):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="lr > 0"):
        gradient_descent(models[0], x, y, lr=0.0)
    with pytest.raises(ValueError, match="steps >= 1"):
        gradient_descent(models[0], x, y, lr=0.1, steps=0)


def test_shared_initial_weights_give_the_numbers_of_a_separate_build() -> None:
    # vanishing_gradients draws the weights once and swaps the activation modules in
    together = vanishing_gradients(["sigmoid", "prelu", "tanh"], depth=4, width=16, batch=8)
    for name in ("prelu", "tanh"):
        alone = gradient_profile(name, depth=4, width=16, batch=8)  # built with its own make_mlp
        np.testing.assert_array_equal(together[name].preact_grad_norm, alone.preact_grad_norm)
        np.testing.assert_array_equal(together[name].derivative_rms, alone.derivative_rms)
    with pytest.raises(ValueError, match="valid names"):
        vanishing_gradients(["tanh", "swish"])
    assert vanishing_gradients([]) == {}
