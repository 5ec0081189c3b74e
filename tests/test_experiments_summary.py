"""Chapter 6 helpers (``nnlib.experiments.summary``) and the multi-seed facts that exercise 2's
checker grades."""

from __future__ import annotations

import math
import statistics

import pytest
import torch

from nnlib.data import make_toy_split
from nnlib.exercises.ch6 import EX2_SEEDS
from nnlib.experiments.summary import (
    plot_layer_boundaries,
    plot_lr_losses,
    plot_overfitting,
    weight_decay_runs,
)
from nnlib.models import make_mlp
from nnlib.training import train_classifier
from nnlib.utils import set_seed


@pytest.fixture(scope="module")
def small():
    # the 40-point split of chapter 6.4 (exercise 2)
    return make_toy_split(
        "moons",
        n_samples=1040,
        noise=0.35,
        test_fraction=800 / 1040,
        val_fraction=200 / 1040,
        seed=0,
    )


def test_weight_decay_facts_hold_on_every_seed(small) -> None:
    """Exercise 2 grades (gap smaller, test higher) as right: true for each seed, not one run;
    and lambda = 0.1 underfits (training accuracy below 0.8 and below test accuracy)."""
    plain = weight_decay_runs(small, 0.0, EX2_SEEDS)
    decayed = weight_decay_runs(small, 0.1, EX2_SEEDS)
    for p, d in zip(plain, decayed, strict=True):
        assert d["train"] - d["test"] < p["train"] - p["test"]
        assert d["test"] > p["test"]
        assert d["train"] < 0.8 and d["train"] < d["test"]
    assert set(plain[0]) == {"train", "val", "test"}


def test_weight_decay_runs_matches_a_hand_run(small) -> None:
    (row,) = weight_decay_runs(small, 0.01, [3], sizes=(2, 8, 2), steps=20)
    set_seed(3)
    model = make_mlp([2, 8, 2], activation="relu", init="kaiming_normal")
    train_classifier(model, small.x_train, small.y_train, steps=20, lr=0.01, weight_decay=0.01)
    with torch.no_grad():
        pred = model(small.x_test).argmax(dim=1)
    assert row["test"] == pytest.approx((pred == small.y_test).float().mean().item())


def test_layer_boundaries_counts_pieces() -> None:
    data = make_toy_split("moons", n_samples=200, noise=0.2, seed=0)
    set_seed(0)
    net = make_mlp([2, 16, 16, 2], activation="relu", init="kaiming_normal")
    train_classifier(net, data.x_train, data.y_train, steps=100, lr=0.01)
    fig, pieces = plot_layer_boundaries(net, data.x_train, data.y_train, resolution=120)
    assert len(fig.axes) == 2 and len(pieces) == 3
    assert all(n >= 1 for n in pieces.values())
    with pytest.raises(ValueError, match="2 inputs"):
        plot_layer_boundaries(make_mlp([3, 4, 4, 2]), data.x_train, data.y_train)
    with pytest.raises(ValueError, match="cross zero"):
        plot_layer_boundaries(net, data.x_train, data.y_train, n_second=17)


def test_lr_losses_two_panels() -> None:
    steps = list(range(1, 6))
    losses = {0.1: [1.0, 0.8, 0.6, 0.5, 0.4], 10.0: [1.0, 1e6, 1e20, 5.0, 5.0]}
    fig = plot_lr_losses(steps, losses, diverged=[10.0])
    left, right = fig.axes
    assert left.get_yscale() == right.get_yscale() == "log"
    # the diverging curve is only on the right panel, so the left one keeps its range
    assert max(line.get_ydata().max() for line in left.get_lines()) < 2
    assert [line.get_label() for line in right.get_lines()] == ["lr = 10", "ln 2"]
    assert right.get_lines()[-1].get_ydata()[0] == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="proper subset"):
        plot_lr_losses(steps, losses, diverged=[0.1, 10.0])
    with pytest.raises(ValueError, match="proper subset"):
        plot_lr_losses(steps, losses, diverged=[1.0])


def test_overfitting_figure(small) -> None:
    set_seed(0)
    model = make_mlp([2, 8, 2], activation="relu", init="kaiming_normal")
    history = train_classifier(
        model,
        small.x_train,
        small.y_train,
        steps=20,
        lr=0.01,
        x_val=small.x_val,
        y_val=small.y_val,
        x_test=small.x_test,
        y_test=small.y_test,
        eval_every=10,
        eval_at_start=True,
    )
    fig = plot_overfitting(model, small, history, stop_step=10)
    assert len(fig.axes) == 2
    curves = [line.get_label() for line in fig.axes[1].get_lines()]
    assert curves[:3] == ["训练", "验证", "测试（仅展示）"]
    assert statistics.mean(history.val_acc) > 0
    plain = train_classifier(make_mlp([2, 2]), small.x_train, small.y_train, steps=2, lr=0.01)
    with pytest.raises(ValueError, match="val_acc"):
        plot_overfitting(model, small, plain, stop_step=1)
