"""Checks of the arguments a learner passes to nnlib, with errors in the course's language.

Each check raises a ``TypeError`` (wrong kind of value) or a ``ValueError`` (right kind, bad
value) whose message names the argument, what was given and what is expected, and, where there
is one, the usual fix (``x.float()``, ``y.long()``). Used by :mod:`nnlib.models`,
:mod:`nnlib.training`, :mod:`nnlib.minibatch`, :mod:`nnlib.evaluation`, :mod:`nnlib.init` and
:mod:`nnlib.activations`.
"""

from __future__ import annotations

import numbers
from typing import Any

import torch
from torch import nn

__all__ = [
    "check_data",
    "check_float_tensor",
    "check_labels",
    "check_model_input",
    "check_positive_int",
    "positive_int",
]


def _kind(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"{value.dtype} 的张量"
    return type(value).__name__


def positive_int(name: str, value: Any) -> int:
    """``value`` as an ``int`` if it is a positive integer (``int`` or a NumPy integer).

    Raises:
        TypeError: for a ``bool``, a float (even ``2.0``) or anything else that is not an integer.
        ValueError: for an integer below 1.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} 应是正整数，得到 {value!r}（{_kind(value)}）")
    if value < 1:
        raise ValueError(f"{name} 应是正整数（≥ 1），得到 {value!r}")
    return int(value)


def check_positive_int(name: str, value: Any) -> None:
    """Raise as :func:`positive_int` unless ``value`` is a positive integer."""
    positive_int(name, value)


def check_float_tensor(name: str, value: Any, where: str = "") -> torch.Tensor:
    """``value`` if it is a floating-point tensor.

    Raises:
        TypeError: for a list, a NumPy array or a number (with the ``torch.tensor`` fix), or for
            an integer or bool tensor (with the ``.float()`` fix).
    """
    prefix = f"{where}：" if where else ""
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{prefix}{name} 应是 torch.Tensor，得到 {_kind(value)}；"
            f"用 torch.tensor({name}, dtype=torch.float32) 转换"
        )
    if not value.is_floating_point():
        raise TypeError(
            f"{prefix}{name} 应是浮点张量（torch.float32），得到 {value.dtype}；"
            f"用 {name}.float() 转换"
        )
    return value


def check_model_input(model: nn.Module, x: Any, name: str = "x") -> None:
    """A model's input must be a floating tensor of the model's own dtype.

    Raises:
        TypeError: naming the input's type or dtype, the model's dtype and the fix
            (``x.float()`` or ``model.double()``).
    """
    param = next(model.parameters(), None)
    check_float_tensor(name, x, "网络的输入")
    if param is not None and x.dtype != param.dtype:
        fix = f"{name}.float()" if param.dtype == torch.float32 else f"{name}.to({param.dtype})"
        raise TypeError(
            f"网络的参数是 {param.dtype}，输入 {name} 是 {x.dtype}：两者要一致；"
            f"用 {fix} 转换输入（或者用 model.to({x.dtype}) 转换网络）"
        )


def _input_dtype_pre_hook(module: nn.Module, args: tuple[Any, ...]) -> None:
    """Forward pre-hook of the networks :func:`nnlib.models.make_mlp` builds."""
    if args:
        check_model_input(module, args[0])


def check_labels(name: str, y: Any, num_classes: int | None = None) -> torch.Tensor:
    """Class labels: a 1-D tensor (a list or NumPy array is converted) of whole numbers
    ``0 .. num_classes - 1``; returned as ``int64``.

    Raises:
        TypeError: if ``y`` cannot be read as numbers.
        ValueError: for a label that is not a whole number (``0.5``), negative, or not below
            ``num_classes``; the message names the first such label.
    """
    if not isinstance(y, torch.Tensor):
        try:
            y = torch.as_tensor(y)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(f"{name} 应是类别标签的张量（或列表），得到 {_kind(y)}") from exc
    if y.dtype == torch.bool or y.is_complex():
        raise TypeError(f"{name} 应是整数类别标签，得到 {y.dtype} 的张量")
    if y.is_floating_point():
        bad = (y != y.round()) | ~torch.isfinite(y)
        if bool(bad.any()):
            first = y[bad][0].item()
            raise ValueError(f"{name} 含不是整数的标签 {first!r}：类别标签是 0、1、2……这样的整数")
    y = y.to(torch.int64)
    if len(y.reshape(-1)) and int(y.min()) < 0:
        raise ValueError(f"{name} 含负的标签 {int(y.min())}：类别标签从 0 数起")
    if num_classes is not None and len(y.reshape(-1)) and int(y.max()) >= num_classes:
        raise ValueError(
            f"{name} 含标签 {int(y.max())}，超出了 0 .. {num_classes - 1}"
            f"（num_classes = {num_classes}）"
        )
    return y


def check_data(
    x: Any, y: Any, names: tuple[str, str] = ("x", "y"), model: nn.Module | None = None
) -> None:
    """Training or evaluation data of a classifier: ``x`` a non-empty float tensor
    ``[n, features]`` of finite numbers (of the model's dtype), ``y`` an integer tensor ``[n]``.

    Raises:
        TypeError: for a non-tensor, integer features, float labels (with the fix).
        ValueError: for empty data, NaN or infinite features, or mismatched shapes.
    """
    name_x, name_y = names
    check_float_tensor(name_x, x)
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"{name_y} 应是 torch.Tensor（int64 的类别标签），得到 {_kind(y)}")
    if x.dim() != 2 or y.dim() != 1 or len(x) != len(y):
        raise ValueError(
            f"{name_x} 的形状应是 [n, 特征数]、{name_y} 的形状应是 [n]，"
            f"得到 {list(x.shape)} 和 {list(y.shape)}"
        )
    if len(x) == 0:
        raise ValueError(f"{name_x} 和 {name_y} 是空的（0 个样本）：至少要有一个样本")
    if y.is_floating_point() or y.dtype == torch.bool:
        raise TypeError(
            f"{name_y} 应是整数类别标签（torch.int64），得到 {y.dtype} 的张量；"
            f"用 {name_y}.long() 转换（先确认都是整数）"
        )
    bad = ~torch.isfinite(x)
    if bool(bad.any()):
        row = int(bad.any(dim=1).nonzero()[0])
        raise ValueError(
            f"{name_x} 含 NaN 或无穷大（第一个在第 {row} 行，共 {int(bad.sum())} 个）："
            "先清理数据，否则损失和准确率都没有意义"
        )
    if model is not None:
        param = next(model.parameters(), None)
        if param is not None and x.dtype != param.dtype:
            raise TypeError(
                f"网络的参数是 {param.dtype}，{name_x} 是 {x.dtype}：两者要一致；"
                f"用 {name_x}.to({param.dtype}) 转换数据（或者用 model.to({x.dtype}) 转换网络）"
            )
