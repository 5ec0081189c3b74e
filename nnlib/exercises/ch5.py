"""Checkers for the exercises of chapter 5 (handwritten digits, a complete training run).

The exercises are training experiments; the checkers test their computable part without
training: the model built, the split used for selection, a gradient formula, a prediction.
Random draws happen inside ``torch.random.fork_rng`` so the notebook's stream is untouched.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import torch
from torch import nn

from nnlib.exercises import Feedback, as_bool, checker, right, weight_scale, wrong
from nnlib.exercises.ch4 import kaiming_problem

__all__ = ["check_ex1", "check_ex2", "check_ex3"]


def _fake_digits(seed: int = 0) -> SimpleNamespace:
    """A stand-in for the digits split: 64 features, parts of different sizes."""
    gen = torch.Generator().manual_seed(seed)
    parts = {}
    for name, n in (("train", 30), ("val", 12), ("test", 9)):
        parts[f"x_{name}"] = torch.randn(n, 64, generator=gen)
        parts[f"y_{name}"] = torch.randint(0, 10, (n,), generator=gen)
    return SimpleNamespace(**parts)


def _linear_shapes(model: nn.Module) -> list[tuple[int, int]]:
    return [(m.in_features, m.out_features) for m in model.modules() if isinstance(m, nn.Linear)]


@checker("练习 1：更宽的网络")
def check_ex1(
    setup: Callable[[Any], tuple[nn.Module, torch.Tensor, torch.Tensor]],
    predict: Callable[[], bool],
) -> Feedback:
    """``setup(data)`` returns ``(model, x_select, y_select)``: the untrained 64-128-10 network
    and the part of ``data`` on which the two widths are compared; ``predict()`` says whether
    the best validation accuracy improves clearly (True) or not (False)."""
    data = _fake_digits()
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model, x_sel, y_sel = setup(data)
    if not isinstance(model, nn.Module):
        return wrong("返回的第一项不是网络。", "用 make_mlp([64, 128, 10], ...) 建网络。")
    shapes = _linear_shapes(model)
    if shapes != [(64, 128), (128, 10)]:
        if len(shapes) > 2:
            return wrong(
                f"全连接层是 {shapes}：网络变深了。",
                "加宽是把唯一的隐藏层从 64 个神经元换成 128 个：64 → 128 → 10。",
            )
        return wrong(f"全连接层是 {shapes}。", "隐藏层 128 个神经元：64 → 128 → 10。")
    if not any(isinstance(m, nn.ReLU) for m in model.modules()):
        return wrong("网络里没有 ReLU。", '其余与 5.2 节相同：activation="relu"。')
    problem = kaiming_problem(
        model, "网络", 'make_mlp([64, 128, 10], activation="relu", init="kaiming_normal")'
    )
    if problem is not None:
        return problem
    with torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(1)
        out = model(torch.randn(6, 64))
    if bool((out >= 0).all()) and torch.allclose(out.sum(dim=-1), torch.ones(len(out))):
        return wrong(
            "网络输出的每行和为 1：末尾加了 softmax。",
            "训练用交叉熵，它要 logits（自己做 softmax）：网络末尾不要加 nn.Softmax。",
        )
    n_params = sum(p.numel() for p in model.parameters())
    if torch.equal(x_sel, data.x_test):
        return wrong(
            "你用测试集比较两种宽度。",
            "测试集在 5.4 节已经用过一次，只用来报告最终结果；比较和选择都在验证集上做。",
        )
    if torch.equal(x_sel, data.x_train):
        return wrong(
            "你用训练集比较两种宽度。",
            "训练集上的准确率说明不了对新数据的表现：用验证集（data.x_val, data.y_val）。",
        )
    if not (torch.equal(x_sel, data.x_val) and torch.equal(y_sel, data.y_val)):
        return wrong("用来比较的数据不是验证集。", "返回 data.x_val 和 data.y_val。")
    raw = predict()
    answer = as_bool(raw)
    if answer is None:
        return wrong(
            f"预测是 {raw!r}，不是 True 或 False。",
            'predict 返回 True（明显提高）或 False（不会）；不要写成字符串 "False"。',
        )
    if answer:
        return wrong(
            f"网络（{n_params} 个参数）和验证集都对，但预测不对：验证准确率不会明显提高。",
            "参数多一倍不等于更准：64 个隐藏神经元对 8×8 数字已经够用，"
            "两种宽度的差别在几个标准误差之内。",
        )
    return right(
        f"64 → 128 → 10 有 (64 + 1) × 128 + (128 + 1) × 10 = {n_params} 个参数，"
        "在验证集上比较，预测也对。"
    )


@checker("练习 2：权重衰减")
def check_ex2(penalized: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]) -> Feedback:
    r"""``penalized(grad, w, lam)`` is the gradient the optimizer uses with ``weight_decay=lam``:
    :math:`g + \lambda w`, the gradient of :math:`L + \frac{\lambda}{2}\lVert w \rVert^2`."""
    gen = torch.Generator().manual_seed(0)
    cases = [
        (torch.randn(64, 10, generator=gen, dtype=torch.float64), 1e-3),
        (torch.randn(7, generator=gen, dtype=torch.float64), 0.5),
        (torch.randn(3, 4, generator=gen, dtype=torch.float64), 2.0),
    ]
    answers, expected = [], []
    for w, lam in cases:
        grad = torch.randn(w.shape, generator=gen, dtype=torch.float64)
        leaf = w.clone().requires_grad_(True)
        ((grad * leaf).sum() + lam / 2 * (leaf**2).sum()).backward()  # L with dL/dw = grad
        got = torch.as_tensor(penalized(grad.clone(), w.clone(), lam), dtype=torch.float64)
        if got.shape != w.shape:
            return wrong(
                f"形状为 {tuple(w.shape)} 的权重得到形状 {tuple(got.shape)} 的结果。",
                "结果是逐元素的：与 w 形状相同。",
            )
        answers.append((got, grad, w, lam))
        expected.append(leaf.grad)

    def matches(rule: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]) -> bool:
        return all(torch.allclose(got, rule(g, w, lam)) for got, g, w, lam in answers)

    if all(torch.allclose(a[0], e) for a, e in zip(answers, expected, strict=True)):
        return right("梯度变成 g + λw：正是 L + (λ/2)‖w‖² 的梯度，每一步都把权重往 0 拉。")
    if matches(lambda g, w, lam: g + lam / 2 * w):
        return wrong("多了一个 1/2。", "(λ/2)‖w‖² 对 w 求导是 λw：平方的导数带出的 2 与 1/2 抵消。")
    if matches(lambda g, w, lam: g - lam * w):
        return wrong("符号反了：这会把权重推离 0。", "惩罚项的梯度是 +λw，梯度下降再减去它。")
    if matches(lambda g, w, lam: lam * w):
        return wrong("只剩惩罚项的梯度，损失本身的梯度 g 丢了。", "两者相加：g + λw。")
    if matches(lambda g, w, lam: (1 - lam) * w):
        return wrong(
            "这是“把权重按比例缩小”后的权重，不是梯度。",
            "weight_decay 改的是优化器看到的梯度：g + λw（按比例缩小权重是 AdamW 的解耦做法）。",
        )
    return wrong("结果不对。", "对 L + (λ/2)‖w‖² 求导：损失的梯度 g 加上 λw。")


@checker("练习 3：一个隐藏层的 sigmoid 网络")
def check_ex3(build: Callable[[], nn.Module], predict: Callable[[], bool]) -> Feedback:
    """``build()`` returns the untrained 64-64-10 sigmoid network with PyTorch's default init;
    ``predict()`` says whether it still learns in 10 epochs (True) or not (False)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = build()
    if not isinstance(model, nn.Module):
        return wrong("build 返回的不是网络。", "用 make_mlp([64, 64, 10], ...) 建网络。")
    shapes = _linear_shapes(model)
    if len(shapes) > 2:
        return wrong(
            f"全连接层是 {shapes}：还是深网络。", "只要一个隐藏层：make_mlp([64, 64, 10], ...)。"
        )
    if shapes != [(64, 64), (64, 10)]:
        return wrong(f"全连接层是 {shapes}。", "64 → 64 → 10。")
    kinds = {type(m) for m in model.modules()}
    if nn.Sigmoid not in kinds:
        return wrong("网络里没有 sigmoid。", '只改层数，激活函数仍是 activation="sigmoid"。')
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    for layer in linears:
        bound = 1 / math.sqrt(layer.in_features)
        if layer.weight.detach().abs().max() > bound:
            return wrong(
                "权重超出了 PyTorch 默认初始化的范围 ±1/√fan_in。",
                '其余设置不变：init="default"（不要换成 Kaiming 或 Xavier）。',
            )
    scale = weight_scale(model, "default", hidden_only=False)
    if scale is not None and scale < 1e-6:
        return wrong(
            "权重全是 0：虽然在 ±1/√fan_in 之内，但同一层的神经元永远相同。",
            '其余设置不变：init="default"，即 PyTorch 自己的 U(±1/√fan_in) 随机初始化。',
        )
    if scale is not None and not 0.6 <= scale <= 1.6:
        return wrong(
            f"权重在 ±1/√fan_in 之内，但方差是 PyTorch 默认初始化的 {scale:.2f} 倍。",
            '其余设置不变：init="default"，即 PyTorch 自己的 U(±1/√fan_in) 随机初始化。',
        )
    raw = predict()
    answer = as_bool(raw)
    if answer is None:
        return wrong(
            f"预测是 {raw!r}，不是 True 或 False。",
            'predict 返回 True（学得动）或 False（学不动）；不要写成字符串 "True"。',
        )
    if not answer:
        return wrong(
            "网络对，但预测不对：一个隐藏层的 sigmoid 网络学得动。",
            "梯度只经过一次 sigmoid 导数（最多乘 0.25）；梯度消失是层数多了才出现的问题。",
        )
    return right("网络对，预测也对：梯度消失来自深度，一个 sigmoid 隐藏层 10 轮就能学到 85% 以上。")
