"""Bad input to nnlib gets a clear error in the course's language (issue 22): a ``TypeError`` or
``ValueError`` naming what was given and what is expected, never a raw torch error, a silent
NaN or a meaningless number."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from nnlib.activations import derivative, softmax
from nnlib.data import make_toy_split
from nnlib.evaluation import confusion_matrix
from nnlib.init import weight_distribution
from nnlib.minibatch import make_optimizer, train_epochs
from nnlib.models import SeedNet, make_mlp
from nnlib.training import accuracy, train_classifier

CJK = re.compile(r"[\u4e00-\u9fff]")


def raises(kind: type[Exception], pattern: str, call, *args, **kwargs) -> str:  # noqa: ANN001
    with pytest.raises(kind) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert re.search(pattern, message), message
    assert CJK.search(message), f"not in the course's language: {message}"
    return message


@pytest.fixture(scope="module")
def moons():  # noqa: ANN201
    return make_toy_split("moons", n_samples=60, seed=0)


def net() -> torch.nn.Sequential:
    torch.manual_seed(0)
    return make_mlp([2, 4, 2])


# ---------------------------------------------------------------- optimizers
def test_make_optimizer_checks_momentum() -> None:
    raises(
        ValueError,
        r"momentum 应在 \[0, 1\) 之内，得到 1\.5",
        make_optimizer,
        net(),
        "sgd",
        0.1,
        1.5,
    )
    raises(ValueError, r"momentum 只是 SGD 的选项.*adam", make_optimizer, net(), "adam", 0.01, 0.9)
    raises(ValueError, r"学习率 lr 应大于 0，得到 -0\.1", make_optimizer, net(), "sgd", -0.1)
    raises(ValueError, r"weight_decay 应 ≥ 0", make_optimizer, net(), "sgd", 0.1, 0.0, -1.0)
    raises(TypeError, r"lr 应是一个数，得到 '0\.1'", make_optimizer, net(), "sgd", "0.1")
    assert make_optimizer(net(), "sgd", 0.1, 0.9)
    assert make_optimizer(net(), "adam", 0.01)


# ---------------------------------------------------------------- training data
def test_training_on_nan_or_empty_data_fails_clearly(moons) -> None:  # noqa: ANN001
    x = moons.x_train.clone()
    x[3, 1] = float("nan")
    raises(
        ValueError, r"x 含 NaN 或无穷大（第一个在第 3 行", train_classifier, net(), x, moons.y_train
    )
    x[3, 1] = float("inf")
    raises(ValueError, r"NaN 或无穷大", train_classifier, net(), x, moons.y_train)
    empty_x, empty_y = moons.x_train[:0], moons.y_train[:0]
    raises(ValueError, r"空的（0 个样本）", train_classifier, net(), empty_x, empty_y)
    raises(ValueError, r"空的（0 个样本）", accuracy, net(), empty_x, empty_y)
    raises(
        ValueError,
        r"x_train 含 NaN",
        train_epochs,
        net(),
        x,
        moons.y_train,
        moons.x_test,
        moons.y_test,
        epochs=1,
    )
    raises(
        ValueError,
        r"x_val 和 y_val 是空的",
        train_epochs,
        net(),
        moons.x_train,
        moons.y_train,
        empty_x,
        empty_y,
        epochs=1,
    )
    raises(
        ValueError,
        r"x_val 含 NaN",
        train_classifier,
        net(),
        moons.x_train,
        moons.y_train,
        steps=1,
        x_val=x,
        y_val=moons.y_train,
    )


def test_training_dtypes_fail_clearly(moons) -> None:  # noqa: ANN001
    raises(
        TypeError,
        r"y 应是整数类别标签（torch\.int64），得到 torch\.float32.*y\.long\(\)",
        train_classifier,
        net(),
        moons.x_train,
        moons.y_train.float(),
    )
    raises(
        TypeError,
        r"网络的参数是 torch\.float32，x 是 torch\.float64",
        train_classifier,
        net(),
        moons.x_train.double(),
        moons.y_train,
    )
    raises(
        TypeError,
        r"x 应是浮点张量.*torch\.int64.*x\.float\(\)",
        train_classifier,
        net(),
        moons.x_train.long(),
        moons.y_train,
    )
    raises(
        TypeError,
        r"x 应是 torch\.Tensor，得到 ndarray",
        train_classifier,
        net(),
        moons.x_train.numpy(),
        moons.y_train,
    )


# ---------------------------------------------------------------- models
def test_make_mlp_widths() -> None:
    model = make_mlp([np.int64(2), np.int64(3), 2])
    assert [m.out_features for m in model if isinstance(m, torch.nn.Linear)] == [3, 2]
    raises(TypeError, r"sizes\[1\] 应是正整数（层宽），得到 True（bool）", make_mlp, [2, True, 2])
    raises(TypeError, r"sizes\[1\] 应是正整数（层宽），得到 2\.5（float）", make_mlp, [2, 2.5, 2])
    raises(TypeError, r"sizes 应是各层宽度的列表", make_mlp, 5)


@pytest.mark.parametrize(
    ("x", "pattern"),
    [
        (
            torch.zeros(4, 2, dtype=torch.float64),
            r"网络的参数是 torch\.float32，输入 x 是 torch\.float64.*x\.float\(\)",
        ),
        (torch.zeros(4, 2, dtype=torch.int64), r"x 应是浮点张量.*torch\.int64.*x\.float\(\)"),
        ([[0.0, 1.0]], r"x 应是 torch\.Tensor，得到 list"),
    ],
    ids=["float64", "int64", "list"],
)
def test_model_inputs_of_the_wrong_kind(x, pattern: str) -> None:  # noqa: ANN001
    raises(TypeError, pattern, net(), x)
    raises(
        TypeError,
        pattern.replace("网络的参数", "SeedNet：网络的参数").replace("x 应是", "x 应是"),
        SeedNet(),
        _widen(x),
    )


def _widen(x):  # noqa: ANN001, ANN202
    """The same kind of input with SeedNet's 3 features."""
    if isinstance(x, torch.Tensor):
        return torch.zeros(4, 3, dtype=x.dtype)
    return [[0.0, 1.0, 2.0]]


def test_models_still_run_in_float64() -> None:
    model = net().double()
    assert model(torch.zeros(3, 2, dtype=torch.float64)).dtype == torch.float64
    seed = SeedNet().double()
    assert seed(torch.zeros(3, 3, dtype=torch.float64)).shape == (3, 2)


# ---------------------------------------------------------------- evaluation, init, activations
def test_confusion_matrix_labels() -> None:
    assert confusion_matrix([0, 1, 1], [0, 1, 0], 2).tolist() == [[1, 0], [1, 1]]
    assert confusion_matrix(np.array([0, 1]), torch.tensor([1.0, 1.0]), 2).tolist() == [
        [0, 1],
        [0, 1],
    ]
    raises(
        ValueError,
        r"y_true 含不是整数的标签 0\.5",
        confusion_matrix,
        torch.tensor([0.5, 1.0]),
        torch.tensor([0, 1]),
        2,
    )
    raises(ValueError, r"y_pred 含负的标签 -1", confusion_matrix, [0, 1], [0, -1], 2)
    raises(TypeError, r"num_classes 应是正整数", confusion_matrix, [0, 1], [0, 1], 2.0)
    raises(TypeError, r"y_true 应是类别标签的张量", confusion_matrix, ["a", "b"], [0, 1], 2)


def test_weight_distribution_fans() -> None:
    raises(
        TypeError,
        r"fan_in .*应是正整数，得到 2\.5（float）",
        weight_distribution,
        "kaiming_normal",
        2.5,
        3,
    )
    raises(TypeError, r"fan_out .*得到 True", weight_distribution, "kaiming_normal", 2, True)
    assert weight_distribution("kaiming_normal", np.int64(50), 20).std == pytest.approx(0.2)


def test_softmax_and_derivative_inputs() -> None:
    raises(TypeError, r"softmax：z 应是 torch\.Tensor，得到 list", softmax, [1.0, 2.0])
    raises(TypeError, r"softmax：z 应是浮点张量.*torch\.int64", softmax, torch.tensor([1, 2]))
    raises(
        TypeError,
        r"derivative：x 应是浮点张量.*torch\.int64.*x\.float\(\)",
        derivative,
        torch.tanh,
        torch.arange(5),
    )
    raises(TypeError, r"derivative：x 应是 torch\.Tensor，得到 float", derivative, torch.tanh, 1.0)
    assert torch.allclose(derivative(torch.tanh, torch.zeros(2)), torch.ones(2))
