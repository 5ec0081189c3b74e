"""Checkers for the exercises of chapter 4 (building networks and counting parameters).

Every checker calls the learner's function on inputs the exercise shows and on inputs it does
not, compares behaviour (numbers, shapes, parameters under a fixed seed, one forward pass) and
recognises typical wrong answers with a specific hint. Random draws happen inside
``torch.random.fork_rng`` so a check never changes the notebook's random stream.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from nnlib.data import make_toy_split
from nnlib.exercises import Feedback, checker, right, wrong

__all__ = ["check_ex1", "check_ex2", "check_ex3", "check_ex4", "check_ex5", "check_ex6"]

#: Layer sizes the checker of exercise 1 tries besides the exercise's own 784-128-64-10.
EX1_UNSEEN_SIZES = ([3, 5, 2], [10, 1], [4, 8, 8, 8, 3])


def _layer_counts(sizes: list[int], bias: bool) -> int:
    return sum((d_in + int(bias)) * d_out for d_in, d_out in zip(sizes, sizes[1:], strict=False))


@checker("练习 1：数参数")
def check_ex1(count: Callable[..., int]) -> Feedback:
    """``count(sizes, bias=True)`` must return :math:`\\sum_l (d_{l-1} + [\\text{bias}]) d_l`."""
    for sizes in ([784, 128, 64, 10], *EX1_UNSEEN_SIZES):
        for bias in (True, False):
            got, expected = count(list(sizes), bias=bias), _layer_counts(list(sizes), bias)
            if got == expected:
                continue
            where = f"结构 {sizes}、bias={bias} 时得到 {got}，应为 {expected}。"
            if bias and got == _layer_counts(list(sizes), False):
                return wrong(
                    where + "少了偏置。", "每层还有 d_out 个偏置：每层 (d_in + 1) × d_out。"
                )
            if not bias and got == _layer_counts(list(sizes), True):
                return wrong(
                    where + "bias=False 时仍算了偏置。", "不要偏置时每层只有 d_in × d_out 个权重。"
                )
            pairs = list(zip(sizes, sizes[1:], strict=False))
            if bias and got == sum(d_in * d_out + d_in for d_in, d_out in pairs):
                return wrong(
                    where + "偏置按输入个数算了。",
                    "偏置属于输出神经元：每个输出神经元一个，所以是 d_out 个。",
                )
            if got == sum(sizes) or got == sum(sizes[1:]):
                return wrong(where + "这是神经元个数，不是参数个数。", "参数是连接（权重）和偏置。")
            return wrong(
                where, "逐层算：第 l 层有 (d_{l-1} + 1) × d_l 个参数（无偏置时去掉 + 1）。"
            )
    return right(
        "每层 (d_in + 1) × d_out 个参数：784-128-64-10 共 109,386 个，无偏置 109,184 个；"
        "其他结构也都对。"
    )


def _seed_order_reference(init_after: bool = False, init: bool = True) -> list[torch.Tensor]:
    """Parameters of the seed article's network built in one of the orders of exercise 2."""
    linear1 = nn.Linear(3, 3)
    if init and not init_after:
        nn.init.xavier_normal_(linear1.weight)
    linear2 = nn.Linear(3, 2)
    if init and not init_after:
        nn.init.kaiming_normal_(linear2.weight, nonlinearity="relu")
    out = nn.Linear(2, 2)
    if init and init_after:
        nn.init.xavier_normal_(linear1.weight)
        nn.init.kaiming_normal_(linear2.weight, nonlinearity="relu")
    return [p.detach() for layer in (linear1, linear2, out) for p in layer.parameters()]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return len(a) == len(b) and all(
        x.shape == y.shape and torch.equal(x, y) for x, y in zip(a, b, strict=True)
    )


@checker("练习 2：随机数的消耗顺序")
def check_ex2(build: Callable[[], nn.Module]) -> Feedback:
    """``build()`` (e.g. the class) must draw random numbers in the article's order."""
    for seed in (0, 1, 7):
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            model = build()
            got = [p.detach().clone() for p in model.parameters()]
            x = torch.rand(5, 3)
            with torch.no_grad():
                y = model(x)
        shapes = [tuple(p.shape) for p in got]
        if shapes != [(3, 3), (3,), (2, 3), (2,), (2, 2), (2,)]:
            return wrong(
                f"参数的形状是 {shapes}。",
                "结构与 SeedNet 相同：linear1 = Linear(3, 3)、linear2 = Linear(3, 2)、"
                "out = Linear(2, 2)，按这个顺序作为属性建。",
            )
        if tuple(y.shape) != (5, 2) or not torch.allclose(y.sum(dim=1), torch.ones(5)):
            return wrong(
                "forward 的输出不是每行和为 1 的 [5, 2] 概率。",
                "forward 与 SeedNet 相同：sigmoid → ReLU → softmax(dim=-1)。",
            )
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            expected = _seed_order_reference()
            torch.manual_seed(seed)
            seednet_order = _seed_order_reference(init_after=True)
            torch.manual_seed(seed)
            no_init = _seed_order_reference(init=False)
        if _same(got, expected):
            continue
        if _same(got, seednet_order):
            return wrong(
                "参数与 SeedNet 完全相同：你先建完了三层再初始化。",
                "原文的顺序是“建 linear1、立刻初始化它的权重，"
                "再建 linear2、立刻初始化，最后建 out”。",
            )
        if _same(got, no_init):
            return wrong(
                "参数只是 nn.Linear 的默认初始化。",
                "建完 linear1 后调用 nn.init.xavier_normal_，"
                "建完 linear2 后调用 nn.init.kaiming_normal_。",
            )
        return wrong(
            f"种子 {seed} 下参数与原文顺序的结果不同。",
            "检查初始化函数（linear1 用 xavier_normal_，linear2 用 kaiming_normal_）"
            "和调用顺序，且只初始化权重、不动偏置。",
        )
    return right(
        "同一种子下与原文顺序的参数逐位相同；与 SeedNet 相比只有 linear1 的偏置相同，"
        "因为之后随机数被按不同顺序取用，而每个参数的分布不变。"
    )


def _is_probabilities(out: torch.Tensor, dim: int) -> bool:
    return bool((out >= 0).all()) and torch.allclose(
        out.sum(dim=dim), torch.ones(out.shape[1 - dim])
    )


def _same_data(a: Any, b: Any) -> bool:
    return all(
        torch.equal(getattr(a, k), getattr(b, k))
        for k in ("x_train", "y_train", "x_test", "y_test")
    )


def _check_moons_net(model: Any, what: str) -> Feedback | None:
    """None if ``model`` is a 2-16-16-2 ReLU network returning logits, else the feedback."""
    if not isinstance(model, nn.Module):
        return wrong(f"{what}不是 nn.Module。", "用 make_mlp([2, 16, 16, 2], ...) 建网络。")
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    shapes = [(m.in_features, m.out_features) for m in linears]
    if shapes != [(2, 16), (16, 16), (16, 2)]:
        return wrong(f"{what}的全连接层是 {shapes}。", "与 4.3 节相同：2 → 16 → 16 → 2。")
    if not any(isinstance(m, nn.ReLU) for m in model.modules()):
        return wrong(f"{what}里没有 ReLU。", '与 4.3 节相同：activation="relu"。')
    return None


@checker("练习 3：同心圆")
def check_ex3(setup: Callable[[], tuple[Any, nn.Module]]) -> Feedback:
    """``setup()`` returns ``(split, model)``: the circles split and the untrained network.

    The training and the boundary plot are the experiment; the checkable part is that data and
    network are the ones the exercise asks for (the network returns logits).
    """
    with torch.random.fork_rng():
        torch.manual_seed(0)
        split, model = setup()
        x = torch.randn(8, 2)
        with torch.no_grad():
            out = model(x) if isinstance(model, nn.Module) else None
    expected = make_toy_split("circles", n_samples=400, noise=0.1, seed=0)
    if not _same_data(split, expected):
        moons = [make_toy_split("moons", noise=noise, seed=0) for noise in (0.1, 0.2)]
        if any(_same_data(split, m) for m in moons):
            return wrong(
                "数据还是双月。", '把名字换成 "circles"：make_toy_split("circles", noise=0.1)。'
            )
        if _same_data(split, make_toy_split("circles", seed=0)):
            return wrong("同心圆的噪声用了默认的 0.2。", "练习要的是 noise=0.1。")
        return wrong(
            '数据与 make_toy_split("circles", noise=0.1) 不同。',
            "样本数（400）、测试比例和种子（0）都用默认值，只给名字和噪声。",
        )
    problem = _check_moons_net(model, "网络")
    if problem is not None:
        return problem
    if _is_probabilities(out, 1):
        return wrong(
            "网络输出的每行和为 1：forward 里做了 softmax。",
            "train_classifier 用交叉熵，它要 logits；不要在网络末尾加 softmax。",
        )
    return right(
        "同心圆数据和 2 → 16 → 16 → 2 的 ReLU 网络（输出 logits）都对；训练和画图见参考答案。"
    )


@checker("练习 4：没有 Adam 的掩护")
def check_ex4(build: Callable[[bool], nn.Module], predict: Callable[[], str]) -> Feedback:
    """``build(with_softmax)`` gives the two models of section 4.4; ``predict()`` says whether
    the accuracy gap gets "变大" or "变小" with full-batch gradient descent."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        right_model, twice = build(False), build(True)
        x = torch.randn(8, 2)
        with torch.no_grad():
            out_right, out_twice = right_model(x), twice(x)
    for model, what in (
        (right_model, "with_softmax=False 的网络"),
        (twice, "with_softmax=True 的网络"),
    ):
        problem = _check_moons_net(model, what)
        if problem is not None:
            return problem
    if _is_probabilities(out_right, 1):
        return wrong(
            "with_softmax=False 的网络输出了概率。",
            "正确的写法让网络输出 logits，交叉熵自己做 softmax。",
        )
    if _is_probabilities(out_twice, 0):
        return wrong(
            "with_softmax=True 的网络在批量维度上做了 softmax（每列和为 1）。",
            "softmax 要在类别维度上做：nn.Softmax(dim=-1)。",
        )
    if not _is_probabilities(out_twice, 1):
        return wrong(
            "with_softmax=True 的网络输出的不是概率。",
            "在网络末尾接上 nn.Softmax(dim=-1)，例如 nn.Sequential(网络, nn.Softmax(dim=-1))。",
        )
    answer = str(predict()).strip()
    if answer not in ("变大", "变小"):
        return wrong(f"预测是 {answer!r}。", 'predict 返回 "变大" 或 "变小"。')
    if answer == "变小":
        return wrong(
            "两个模型都对，但预测不对：用全批量梯度下降时差距变大。",
            "SGD 的更新量就是“学习率 × 梯度”，softmax 两次把梯度缩小了许多；"
            "Adam 按梯度的均方根缩放更新量，掩盖了这一点。",
        )
    return right("两个模型都对，预测也对：没有 Adam 按梯度大小缩放步长，变小的梯度直接让学习变慢。")


@checker("练习 5：多类时的下界")
def check_ex5(floor: Callable[[int], float]) -> Feedback:
    """``floor(C)`` must return :math:`\\log(1 + (C - 1)/e)` for every number of classes."""
    for c in (3, 2, 10, 100):
        got, expected = float(floor(c)), math.log(1 + (c - 1) / math.e)
        if math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            continue
        where = f"C = {c} 时得到 {got:.4f}，应为 {expected:.4f}。"
        if math.isclose(got, math.log(1 + 1 / math.e), rel_tol=1e-6):
            return wrong(
                where + "这是 C = 2 的下界。",
                "第二次 softmax 作用在 [0, …, 0, 1] 上：分母里有 C − 1 个 e⁰ = 1 和一个 e¹。",
            )
        if abs(got) < 1e-9:
            return wrong(
                where + "“完美”的概率输出并不能让损失降到 0。",
                "交叉熵会对 [0, …, 0, 1] 再做一次 softmax，正确类别的概率只有 e / (e + C − 1)。",
            )
        if math.isclose(got, math.log(c), rel_tol=1e-6):
            return wrong(
                where + "log C 是均匀猜测的损失。",
                "算“完美”输出 [0, …, 0, 1] 的交叉熵：−log(e / (e + C − 1))。",
            )
        return wrong(where, "算交叉熵 −log softmax([0, …, 0, 1]) 的正确类别分量。")
    return right("下界是 log(1 + (C − 1)/e)：C = 3 时 0.5514，类别越多下界越高。")


def _tanh_can_fire(w2: torch.Tensor, b2: torch.Tensor) -> torch.Tensor:
    return b2 + w2.abs().sum(dim=1) > 0


@checker("练习 6：以 0 为中心的激活函数")
def check_ex6(can_fire: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """``can_fire(w2, b2)`` says per neuron whether ``ReLU(W2 h1 + b2)`` is positive for some
    ``h1`` in :math:`(-1, 1)^{d}`: :math:`b_j + \\sum_k |W_{jk}| > 0`."""
    gen = torch.Generator().manual_seed(0)
    cases = [
        (torch.tensor([[-0.5, 0.2, -0.4], [-0.1, -0.2, -0.3]]), torch.tensor([-0.5, -0.7])),
        (torch.randn(2, 3, generator=gen), torch.rand(2, generator=gen) - 1.5),
        (torch.randn(5, 4, generator=gen), 2 * torch.rand(5, generator=gen) - 2.5),
        (torch.randn(64, 7, generator=gen), 3 * torch.randn(64, generator=gen)),
    ]
    answers = []
    for w2, b2 in cases:
        got = torch.as_tensor(can_fire(w2.clone(), b2.clone()))
        if got.shape != b2.shape:
            return wrong(
                f"形状为 {tuple(w2.shape)} 的 W2 得到形状 {tuple(got.shape)} 的结果。",
                "每个第 2 层神经元一个布尔值：对 W2 的每一行（dim=1）求和。",
            )
        answers.append(got.bool())

    def matches(rule: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
        return all(torch.equal(a, rule(w, b)) for a, (w, b) in zip(answers, cases, strict=True))

    if matches(_tanh_can_fire):
        return right(
            "判据 b + Σ|W| > 0：tanh 总能取到与权重同号的值，"
            "只有权重都小、偏置又为负时才“生来即死”。"
        )
    if matches(lambda w, b: b + w.clamp(min=0).sum(dim=1) > 0):
        return wrong(
            "这是 sigmoid 时的判据 b + Σ max(W, 0) > 0。",
            "tanh 的输出能取负值：负权重遇到接近 −1 的输入，贡献的也是正的一项 |W|。",
        )
    if matches(lambda w, b: b > 0):
        return wrong(
            "只看了偏置。", "输入也能把 z 推高：最大值在 h1 的每个分量取 ±1（与权重同号）时取到。"
        )
    if matches(lambda w, b: b + w.sum(dim=1) > 0):
        return wrong(
            "这是 h1 的每个分量都取 1 时的 z。",
            "tanh 的输出也能接近 −1：负权重配 −1，贡献 |W|；要的是 z 的上确界。",
        )
    return wrong(
        "有的神经元判断错了。",
        "求 z = W2 h1 + b2 在 h1 ∈ (−1, 1)³ 上的上确界，它大于 0 才能被激活。",
    )
