"""Tests for the real-data chapter's modules: nnlib.digits, nnlib.minibatch, nnlib.evaluation."""

from __future__ import annotations

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from nnlib import set_seed  # noqa: E402
from nnlib.digits import (  # noqa: E402
    DIGITS_LR_GRID,
    DIGITS_RECIPE,
    Standardizer,
    digits_file,
    load_digits,
    make_digits_split,
    stratified_split,
)
from nnlib.evaluation import (  # noqa: E402
    accuracy_standard_error,
    confusion_matrix,
    mean_and_std,
    plot_class_probabilities,
    plot_confusion_matrix,
    plot_early_stopping,
    plot_image_grid,
    plot_runs,
)
from nnlib.minibatch import (  # noqa: E402
    EpochHistory,
    TensorBatches,
    evaluate,
    make_loader,
    make_optimizer,
    train_epochs,
    train_one_epoch,
)
from nnlib.models import make_mlp  # noqa: E402
from nnlib.plotting import METHOD_COLORS  # noqa: E402

# --------------------------------------------------------------------------------------------
# nnlib.digits
# --------------------------------------------------------------------------------------------


def test_load_digits_equals_scikit_learn() -> None:
    from sklearn.datasets import load_digits as sklearn_load_digits

    x, y = load_digits()
    bunch = sklearn_load_digits()
    assert x.dtype == torch.float32 and y.dtype == torch.int64
    assert x.shape == (1797, 64) and y.shape == (1797,)
    np.testing.assert_array_equal(x.numpy(), bunch.data)
    np.testing.assert_array_equal(y.numpy(), bunch.target)
    np.testing.assert_array_equal(x[5].reshape(8, 8).numpy(), bunch.images[5])
    assert digits_file().name == "digits.csv.gz"


def test_stratified_split_is_disjoint_complete_stratified_and_seeded() -> None:
    y = torch.arange(10).repeat_interleave(torch.tensor([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]))
    state = torch.get_rng_state()
    parts = stratified_split(y, (0.6, 0.2, 0.2), seed=4)
    assert torch.equal(torch.get_rng_state(), state)  # the global random state is untouched
    all_rows = torch.cat([parts.train, parts.val, parts.test])
    assert torch.equal(all_rows.sort().values, torch.arange(len(y)))  # disjoint and complete
    counts = torch.bincount(y)
    for rows, fraction in ((parts.train, 0.6), (parts.val, 0.2), (parts.test, 0.2)):
        per_class = torch.bincount(y[rows], minlength=10)
        assert ((per_class - fraction * counts).abs() <= 1).all()
    again = stratified_split(y, (0.6, 0.2, 0.2), seed=4)
    other = stratified_split(y, (0.6, 0.2, 0.2), seed=5)
    assert torch.equal(again.test, parts.test)
    assert not torch.equal(other.test, parts.test)
    # classes are mixed within a part, not in blocks
    assert not torch.equal(y[parts.train], y[parts.train].sort().values)
    assert "train=" in repr(parts)


@pytest.mark.parametrize(
    ("y", "fractions", "message"),
    [
        (torch.zeros(10), (0.6, 0.2, 0.2), "integer class labels"),
        (torch.zeros(10, dtype=torch.int64), (0.5, 0.5), r"\(train, val, test\)"),
        (torch.zeros(10, dtype=torch.int64), (0.6, 0.3, 0.3), "sum to 1"),
        (torch.zeros(10, dtype=torch.int64), (1.0, 0.0, 0.0), "positive"),
        (torch.zeros(3, dtype=torch.int64), (0.8, 0.1, 0.1), "too few"),
    ],
)
def test_stratified_split_rejects_bad_input(y, fractions, message) -> None:
    with pytest.raises(ValueError, match=message):
        stratified_split(y, fractions)


def test_standardizer_uses_fit_statistics_and_guards_constant_columns() -> None:
    x = torch.tensor([[0.0, 1.0, 5.0], [0.0, 3.0, 5.0], [0.0, 5.0, 5.0]])
    scaler = Standardizer.fit(x)
    torch.testing.assert_close(scaler.mean, torch.tensor([0.0, 3.0, 5.0]))
    torch.testing.assert_close(scaler.std, torch.tensor([1.0, math.sqrt(8 / 3), 1.0]))
    z = scaler(x)
    assert torch.isfinite(z).all()
    torch.testing.assert_close(z.mean(dim=0), torch.zeros(3))
    # new data are transformed with the fitted statistics, not their own
    torch.testing.assert_close(scaler(torch.tensor([[2.0, 3.0, 5.0]])), torch.tensor([[2.0, 0, 0]]))
    with pytest.raises(ValueError, match="3"):
        scaler(torch.zeros(2, 4))
    with pytest.raises(ValueError, match="floating point"):
        Standardizer.fit(torch.zeros(2, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match="2-D"):
        Standardizer.fit(torch.zeros(3))


def test_make_digits_split_standardises_with_training_statistics_only() -> None:
    data = make_digits_split(seed=0)
    x, y = load_digits()
    assert len(data.y_train) + len(data.y_val) + len(data.y_test) == 1797
    torch.testing.assert_close(data.standardizer.mean, x[data.indices.train].mean(dim=0))
    assert data.x_train.mean(dim=0).abs().max() < 1e-5
    torch.testing.assert_close(data.x_test, data.standardizer(x[data.indices.test]))
    assert torch.equal(data.y_val, y[data.indices.val])
    assert torch.equal(data.images_test, x[data.indices.test].reshape(-1, 8, 8))
    assert repr(data) == "DigitsSplit(train=1079, val=359, test=359)"


# --------------------------------------------------------------------------------------------
# nnlib.minibatch
# --------------------------------------------------------------------------------------------


def _toy(n: int = 90) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(n) % 3
    x = torch.randn(n, 4, generator=gen) + 2.0 * F.one_hot(y, 4).float()
    return x, y


def test_make_loader_batches_cover_each_row_once_per_epoch_and_replay_with_seed() -> None:
    x, y = _toy(10)
    loader = make_loader(x, torch.arange(10), batch_size=4, seed=1)
    epochs = [[b for _, b in loader] for _ in range(2)]
    assert [len(b) for b in epochs[0]] == [4, 4, 2]
    for batches in epochs:
        assert torch.equal(torch.cat(batches).sort().values, torch.arange(10))
    assert not torch.equal(torch.cat(epochs[0]), torch.cat(epochs[1]))
    replay = [b for _, b in make_loader(x, torch.arange(10), batch_size=4, seed=1)]
    assert all(torch.equal(a, b) for a, b in zip(epochs[0], replay, strict=True))
    assert len(make_loader(x, y, batch_size=None)) == 1
    with pytest.raises(ValueError, match="same length"):
        make_loader(x, y[:5])
    with pytest.raises(ValueError, match="positive"):
        make_loader(x, y, batch_size=0)


@pytest.mark.parametrize("batch_size", [4, 5, 3, None])
def test_tensor_batches_equal_make_loader_batches_bit_for_bit(batch_size: int | None) -> None:
    x, y = torch.randn(10, 3), torch.arange(10)
    loader = make_loader(x, y, batch_size=batch_size, seed=7)
    fast = TensorBatches(x, y, batch_size=batch_size, seed=7)
    assert len(fast) == len(loader)
    for _ in range(3):  # several epochs: the generator must advance exactly as the loader's
        slow_epoch, fast_epoch = list(loader), list(fast)
        assert len(slow_epoch) == len(fast_epoch)
        for (xs, ys), (xf, yf) in zip(slow_epoch, fast_epoch, strict=True):
            assert torch.equal(xs, xf) and torch.equal(ys, yf)
    with pytest.raises(ValueError, match="positive"):
        TensorBatches(x, y, batch_size=0)


def test_make_optimizer_names() -> None:
    model = nn.Linear(2, 2)
    sgd = make_optimizer(model, "sgd", lr=0.5, momentum=0.9, weight_decay=0.1)
    assert isinstance(sgd, torch.optim.SGD)
    assert sgd.param_groups[0]["momentum"] == 0.9 and sgd.param_groups[0]["weight_decay"] == 0.1
    adam = make_optimizer(model, "adam", lr=0.01, weight_decay=0.1)
    assert isinstance(adam, torch.optim.Adam) and adam.param_groups[0]["fused"]
    assert adam.param_groups[0]["lr"] == 0.01 and adam.param_groups[0]["weight_decay"] == 0.1
    with pytest.raises(ValueError, match="sgd, adam"):
        make_optimizer(model, "rmsprop")


def test_fused_adam_follows_the_plain_adam_loop() -> None:
    x, y = _toy()
    nets = []
    for fused in (True, False):
        set_seed(0)
        net = make_mlp([4, 8, 3], init="kaiming_normal")
        opt = (
            make_optimizer(net, "adam", lr=0.01)
            if fused
            else torch.optim.Adam(net.parameters(), lr=0.01)
        )
        for _ in range(20):
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()
        nets.append(net)
    for p, q in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)


def test_train_epochs_matches_a_hand_written_loop() -> None:
    x, y = _toy()
    set_seed(0)
    reference = make_mlp([4, 8, 3], init="kaiming_normal")
    set_seed(0)
    model = make_mlp([4, 8, 3], init="kaiming_normal")
    loader = DataLoader(
        TensorDataset(x, y), batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(3)
    )
    opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    losses = []
    for _ in range(3):
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(reference(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        losses.append(total / len(y))
    history = train_epochs(
        model, x, y, x, y, epochs=3, batch_size=16, lr=0.1, restore_best=False, seed=3
    )
    assert history.train_loss == losses
    assert history.steps == 3 * math.ceil(len(y) / 16)
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        assert torch.equal(p, q)


def test_full_batch_makes_one_update_per_epoch() -> None:
    x, y = _toy()
    set_seed(0)
    history = train_epochs(make_mlp([4, 3]), x, y, x, y, epochs=4, batch_size=None)
    assert history.steps == 4 and history.epochs == [1, 2, 3, 4]


def test_early_stopping_keeps_and_restores_the_best_epoch() -> None:
    x, y = _toy()
    x_val, y_val = x[:30], (y[:30] + 1) % 3  # labels the model cannot learn: accuracy stalls
    set_seed(0)
    model = make_mlp([4, 8, 3], init="kaiming_normal")
    history = train_epochs(model, x, y, x_val, y_val, epochs=50, patience=3, lr=0.2, seed=0)
    best = max(range(len(history.val_acc)), key=history.val_acc.__getitem__) + 1
    assert history.best_epoch == best
    assert history.best_val_acc == history.val_acc[best - 1]
    assert history.stopped_early and len(history.val_acc) == best + 3
    assert evaluate(model, x_val, y_val)[1] == history.best_val_acc
    for key, value in model.state_dict().items():
        assert torch.equal(value, history.best_state[key])
    # the saved state is a copy, not a view of the live parameters
    with torch.no_grad():
        model[0].weight.add_(1.0)
    assert not torch.equal(model[0].weight, history.best_state["0.weight"])


def test_train_one_epoch_sets_training_mode_and_evaluate_restores_mode() -> None:
    x, y = _toy()
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 3))
    model.eval()
    train_one_epoch(model, make_loader(x, y, 16), torch.optim.SGD(model.parameters(), lr=0.1))
    assert model.training
    loss, acc = evaluate(model, x, y)
    assert model.training and 0 <= acc <= 1 and loss > 0
    # evaluation mode: dropout is off, so two evaluations agree exactly
    assert evaluate(model, x, y) == (loss, acc)


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"epochs": 0}, "epochs"), ({"patience": 0}, "patience")]
)
def test_train_epochs_rejects_bad_arguments(kwargs, message) -> None:
    x, y = _toy()
    with pytest.raises(ValueError, match=message):
        train_epochs(make_mlp([4, 3]), x, y, x, y, **kwargs)


def test_epoch_history_defaults() -> None:
    h = EpochHistory()
    assert h.epochs == [] and h.best_epoch == 0 and h.best_state is None


# --------------------------------------------------------------------------------------------
# nnlib.evaluation
# --------------------------------------------------------------------------------------------


def test_confusion_matrix_counts() -> None:
    y_true = torch.tensor([0, 0, 1, 2, 2, 2])
    y_pred = torch.tensor([0, 1, 1, 2, 0, 2])
    cm = confusion_matrix(y_true, y_pred, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert int(cm.trace()) == int((y_true == y_pred).sum())
    assert cm.sum(dim=1).tolist() == [2, 1, 3]
    with pytest.raises(ValueError, match="outside"):
        confusion_matrix(y_true, y_pred, 2)
    with pytest.raises(ValueError, match="same length"):
        confusion_matrix(y_true, y_pred[:3], 3)


def test_accuracy_standard_error_formula_and_monte_carlo() -> None:
    assert accuracy_standard_error(0.5, 100) == 0.05
    assert accuracy_standard_error(1.0, 10) == 0.0
    # the spread of simulated accuracies of n independent right/wrong trials matches the formula
    gen = torch.Generator().manual_seed(0)
    sims = (torch.rand(4000, 359, generator=gen) < 0.97).float().mean(dim=1)
    assert abs(sims.std().item() - accuracy_standard_error(0.97, 359)) < 0.0005
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        accuracy_standard_error(1.2, 10)
    with pytest.raises(ValueError, match="n must be"):
        accuracy_standard_error(0.5, 0)


def test_mean_and_std() -> None:
    assert mean_and_std([1.0, 2.0, 3.0]) == (2.0, 1.0)
    assert mean_and_std([0.5]) == (0.5, 0.0)
    with pytest.raises(ValueError, match="empty"):
        mean_and_std([])


def _no_warnings(draw) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = draw()
        fig.canvas.draw()
    plt.close(fig)


def test_plots_draw_without_warnings_and_check_input() -> None:
    images = torch.rand(5, 8, 8) * 16
    _no_warnings(lambda: plot_image_grid(images, [f"标签 {i}" for i in range(5)], ncols=3))
    _no_warnings(lambda: plot_confusion_matrix(torch.eye(3, dtype=torch.int64) * 5))
    _no_warnings(lambda: plot_class_probabilities(torch.softmax(torch.randn(10), 0), 3))
    fig, ax = plt.subplots()
    plot_runs([1, 2, 3], {"Adam": [[0.1, 0.5, 0.9], [0.2, 0.6, 0.8]]}, ax=ax, title="准确率")
    assert ax.lines[0].get_color() == METHOD_COLORS["Adam"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.15, 0.55, 0.85])
    plt.close(fig)
    with pytest.raises(ValueError, match="titles"):
        plot_image_grid(images, ["a"])
    with pytest.raises(ValueError, match="height, width"):
        plot_image_grid(torch.zeros(4, 8))
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="true_label"):
        plot_class_probabilities(torch.ones(3) / 3, 5)
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"\[runs, 3\]"):
        plot_runs([1, 2, 3], {"x": [0.1, 0.2, 0.3]}, ax=ax)
    with pytest.raises(ValueError, match="at least one"):
        plot_runs([1], {}, ax=ax)
    plt.close(fig)


def test_plot_early_stopping_draws_losses_on_a_linear_axis_and_marks_the_best_epoch() -> None:
    history = EpochHistory(
        train_loss=[1.0, 0.5, 0.2, 0.1],
        val_loss=[1.1, 0.6, 0.55, 0.58],
        val_acc=[0.5, 0.8, 0.9, 0.88],
        best_epoch=3,
        best_val_acc=0.9,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_early_stopping(history, title_suffix="（种子 0）")
        fig.canvas.draw()
    ax_loss, ax_acc = fig.axes
    assert ax_loss.get_yscale() == "linear" and ax_loss.get_ylim()[0] == 0
    np.testing.assert_allclose(ax_loss.lines[1].get_ydata(), history.val_loss)
    np.testing.assert_allclose(ax_acc.lines[0].get_ydata(), history.val_acc)
    for ax in (ax_loss, ax_acc):
        assert any(list(line.get_xdata()) == [3, 3] for line in ax.lines)  # best-epoch line
    assert ax_acc.get_title() == "验证集准确率与早停（种子 0）"
    assert "又训练了 1 轮" in ax_acc.texts[0].get_text()
    plt.close(fig)
    with pytest.raises(ValueError, match="no epochs"):
        plot_early_stopping(EpochHistory())
    with pytest.raises(ValueError, match="best_epoch"):
        plot_early_stopping(EpochHistory(train_loss=[1.0], val_loss=[1.0], val_acc=[0.5]))


def test_digits_recipe_is_the_validation_choice_of_the_learning_rate_grid() -> None:
    """Section 5.3's selection, repeated: every (optimiser, learning rate) of the grid, 3 seeds,
    10 epochs; the recipe's pair has the highest mean validation accuracy at epoch 10."""
    data = make_digits_split(seed=0)
    mean_acc = {}
    for name, (settings, rates) in DIGITS_LR_GRID.items():
        assert len(rates) == 3 and all(b / a < 3.5 for a, b in zip(rates, rates[1:], strict=False))
        for lr in rates:
            accs = []
            for seed in (0, 1, 2):
                set_seed(seed)
                net = make_mlp([64, 64, 10], activation="relu", init="kaiming_normal")
                h = train_epochs(
                    net,
                    data.x_train,
                    data.y_train,
                    data.x_val,
                    data.y_val,
                    epochs=10,
                    lr=lr,
                    restore_best=False,
                    seed=seed,
                    **settings,
                )
                accs.append(h.val_acc[-1])
            mean_acc[name, lr] = sum(accs) / 3
    best = max(mean_acc, key=mean_acc.get)
    chosen = next(
        key
        for key in mean_acc
        if key[1] == DIGITS_RECIPE["lr"]
        and DIGITS_LR_GRID[key[0]][0]["optimizer"] == DIGITS_RECIPE["optimizer"]
        and DIGITS_LR_GRID[key[0]][0].get("momentum", 0.0) == DIGITS_RECIPE["momentum"]
        and DIGITS_LR_GRID[key[0]][0]["batch_size"] == DIGITS_RECIPE["batch_size"]
    )
    assert chosen == best, (chosen, best, mean_acc)
