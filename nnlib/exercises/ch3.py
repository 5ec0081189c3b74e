"""Checkers for the exercises of chapter 3 (initialisation).

Each checker calls the learner's function on the chapter's case and on cases the learner did
not see, and recognises the typical wrong answers listed in its docstring. Expected values come
from the chapter's own tools (``variance_recursion``, ``make_mlp`` + ``nonzero_grads``) or from
PyTorch, not from stored numbers; the one multiple-choice prediction (练习 5) is derived from
the run in the chapter's hidden solution, which asserts that the checker accepts it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import nn

from nnlib.exercises import (
    Feedback,
    as_bool,
    as_number,
    as_sequence,
    as_word,
    checker,
    number_answer,
    right,
    wrong,
)
from nnlib.experiments.initialization import nonzero_grads, unit_spread, variance_recursion
from nnlib.models import make_mlp

__all__ = ["EX5_CHOICES", "check_ex1", "check_ex2", "check_ex3", "check_ex4", "check_ex5"]
__all__ += ["check_ex6"]


def _close(a: float, b: float, rel: float = 1e-3) -> bool:
    return abs(a - b) <= rel * abs(b)


# --------------------------------------------------------------------------------------------
# 练习 1: N(0, 0.01²) weights in a deep ReLU net
# --------------------------------------------------------------------------------------------


@checker("练习 1：“很小的值”每层乘以多少")
def check_ex1(factor: Callable[[int, float], float]) -> Feedback:
    """``factor(width, std)`` -> the factor by which the standard deviation of :math:`z_l`
    changes per layer in a square ReLU net with weights :math:`\\mathcal N(0, \\text{std}^2)`
    and zero biases; expected from ``variance_recursion("relu", scale=width·std²)``.

    Typical wrong answers: :math:`\\sqrt{n}\\,\\text{std}` (ReLU's halving forgotten); the
    variance factor :math:`n\\,\\text{std}^2/2` instead of its square root.
    """
    cases = [(256, 0.01), (512, 0.05), (1000, math.sqrt(2 / 1000)), (64, 0.3)]
    for width, std in cases:
        got = number_answer(factor(width, std), "factor ")
        if isinstance(got, Feedback):
            return got
        profile = variance_recursion("relu", scale=width * std**2, depth=3).forward
        want = profile[2] / profile[1]
        if _close(got, want):
            continue
        where = f"宽度 {width}、std = {std:.4g}：得到 {got:.4g}，应为 {want:.4g}。"
        if _close(got, math.sqrt(width) * std):
            return wrong(
                where + "忘了 ReLU 把一半的输入置 0。",
                "E[ReLU(z)²] = Var[z]/2：方差每层乘 n·Var[w]/2，标准差乘它的平方根。",
            )
        if _close(got, want**2):
            return wrong(where + "这是方差的因子。", "题目问标准差：再开一次平方根。")
        return wrong(where, "方差每层乘 n·Var[w]·1/2（ReLU 丢掉一半），标准差乘它的平方根。")
    return right(
        "标准差每层乘 √(n·std²/2)：宽度 256、std = 0.01 时约 0.11，30 层后只剩 1e-29 量级；"
        "只有 std = √(2/n)（Kaiming）时因子才是 1。"
    )


# --------------------------------------------------------------------------------------------
# 练习 2: tanh with Xavier gain 5/3: the stable standard deviation
# --------------------------------------------------------------------------------------------


def _tanh_fixed_point(scale: float) -> float:
    """Standard deviation at which ``variance_recursion("tanh", scale)`` settles."""
    return variance_recursion("tanh", scale=scale, depth=400).forward[-1]


@checker("练习 2：tanh 配增益 5/3 的稳定值")
def check_ex2(stable_std: Callable[[float], float]) -> Feedback:
    """``stable_std(gain)`` -> the standard deviation at which the pre-activations of a deep,
    square tanh net settle with ``xavier_normal_(w, gain=gain)`` and zero biases (gain > 1);
    expected from ``variance_recursion("tanh", scale=gain**2)`` run to its fixed point.

    Typical wrong answers: the variance instead of the standard deviation; ``scale=gain``
    instead of ``gain**2``; "the gain keeps it at 1" (or at the gain itself).
    """
    for gain in (5 / 3, 1.3, 2.0):
        got = number_answer(stable_std(gain), "stable_std ")
        if isinstance(got, Feedback):
            return got
        want = _tanh_fixed_point(gain**2)
        if _close(got, want, rel=0.01):
            continue
        where = f"gain = {gain:.4g}：得到 {got:.4g}，应为 {want:.4g}。"
        if _close(got, want**2, rel=0.01):
            return wrong(
                where + "这是方差。",
                "variance_recursion 返回的 .forward 已是标准差；自己算的方差要开平方。",
            )
        if _close(got, _tanh_fixed_point(gain), rel=0.01):
            return wrong(
                where + "scale 用了 gain。",
                "scale = n·Var[w]；Xavier 对方阵 Var[w] = gain²/n，所以 scale = gain²。",
            )
        if _close(got, 1.0, rel=0.01) or _close(got, gain, rel=0.01):
            return wrong(
                where,
                "增益不会把标准差精确地保持在 1 或 gain：放大 gain² 与 tanh 的压缩在某个方差处平衡"
                "，"
                "用 variance_recursion 多算几层找到它。",
            )
        return wrong(
            where,
            '用 variance_recursion("tanh", scale=gain**2, depth=…) 算到不再变化，取最后一层。',
        )
    return right(
        "gain > 1 时 n·Var[w] = gain² > 1，放大与 tanh 的压缩在一个不动点平衡，各层不再缩小"
        f"（gain = 5/3 时约 {_tanh_fixed_point(25 / 9):.3f}）；gain = 1 时则按 1/√(2l) 一直缩小。"
    )


# --------------------------------------------------------------------------------------------
# 练习 3: PyTorch's default range and Kaiming with mode="fan_out"
# --------------------------------------------------------------------------------------------


@checker("练习 3：默认范围与 fan_out 模式")
def check_ex3(answer: Callable[[int, int], tuple[float, float, str]]) -> Feedback:
    """``answer(in_features, out_features) -> (bound, std, direction)``: the range ±bound of
    ``nn.Linear``'s default weights and biases, the std of
    ``kaiming_normal_(w, mode="fan_out", nonlinearity="relu")``, and which direction
    (``"前向"`` or ``"反向"``) ``mode="fan_out"`` keeps the variance in.

    Typical wrong answers: a default bound from fan_out or Kaiming's
    :math:`\\sqrt{6/\\text{fan\\_in}}`; the fan_out std computed with fan_in, or without
    ReLU's gain √2; "前向".
    """
    for fan_in, fan_out in [(300, 100), (64, 256), (10, 1000)]:
        raw = answer(fan_in, fan_out)
        items = as_sequence(raw, 3)
        if items is None:
            return wrong(
                f"answer 返回了 {raw!r}。", '返回三项：(范围 bound, 标准差 std, "前向" 或 "反向")。'
            )
        bound, std = as_number(items[0]), as_number(items[1])
        direction = items[2]
        if bound is None or std is None:
            return wrong(
                f"前两项应是数，得到 {items[0]!r} 和 {items[1]!r}。",
                "bound 和 std 用 math.sqrt 算出数值，不要写成字符串。",
            )
        want_bound, want_std = 1 / math.sqrt(fan_in), math.sqrt(2 / fan_out)
        where = f"nn.Linear({fan_in}, {fan_out})："
        if not _close(bound, want_bound):
            if _close(bound, 1 / math.sqrt(fan_out)):
                return wrong(
                    where + f"默认范围 ±{bound:.4g} 用了 fan_out。",
                    "默认初始化按 fan_in = in_features：权重和偏置都服从 U(±1/√fan_in)。",
                )
            if _close(bound, math.sqrt(6 / fan_in)):
                return wrong(
                    where + f"±{bound:.4g} 是 Kaiming 均匀（ReLU）的范围。",
                    "默认初始化用 a = √5 的 kaiming_uniform_，范围缩小到 ±1/√fan_in（方差只有 Kai"
                    "ming 的 1/6）。",
                )
            return wrong(
                where + f"默认范围 ±{bound:.4g}，应为 ±{want_bound:.4g}。",
                "默认范围是 ±1/√fan_in。",
            )
        if not _close(std, want_std):
            if _close(std, math.sqrt(2 / fan_in)):
                return wrong(
                    where + f"标准差 {std:.4g} 用了 fan_in。",
                    "mode=fan_out 用 out_features（权重 [out, in] 的第 0 维）："
                    "std = √(2/fan_out)。",
                )
            if _close(std, math.sqrt(1 / fan_out)):
                return wrong(
                    where + f"标准差 {std:.4g} 少了 ReLU 的增益 √2。",
                    'nonlinearity="relu" 的增益是 √2：std = √2/√fan_out。',
                )
            return wrong(
                where + f"标准差 {std:.4g}，应为 {want_std:.4g}。",
                "Kaiming 正态：std = gain/√fan，gain = √2。",
            )
        word = as_word(
            direction,
            {
                "反向": ["反向传播", "反传", "backward", "backward pass", "backprop"],
                "前向": ["前向传播", "正向", "正向传播", "forward", "forward pass"],
            },
        )
        if word is None:
            return wrong(
                f"第三项是 {direction!r}。", '第三项写 "前向" 或 "反向"（也可以写 "反向传播"）。'
            )
        if word != "反向":
            return wrong(
                f'mode="fan_out" 保持的是{direction}？',
                "反向的递推 Var[δ_(l-1)] = n·Var[w]·E[f'²]·Var[δ_l] 里的 n 是 fan_out：fan_out 模"
                "式保持反向，fan_in 模式保持前向。",
            )
    return right(
        "默认范围 ±1/√fan_in（对 Linear(300, 100) 是 ±0.0577）；fan_out 模式 std = √(2/fan_out) = "
        "0.1414，"
        "保持反向传播的方差，默认的 fan_in 模式保持前向；方阵两者相同。"
    )


# --------------------------------------------------------------------------------------------
# 练习 4: zero initialisation with other activations
# --------------------------------------------------------------------------------------------


def _zero_init_facts(activation: str) -> tuple[set[str], float]:
    """Parameters with a non-zero gradient after one backward of a zero-initialised
    ``[4, 8, 8, 3]`` net, and the largest unit spread of its hidden layers after 20 SGD steps."""
    with torch.random.fork_rng():  # leave the caller's random state alone
        torch.manual_seed(0)
        x, y = torch.randn(16, 4), torch.randn(16, 3)
        net = make_mlp([4, 8, 8, 3], activation, "zeros")
        nn.functional.mse_loss(net(x), y).backward()
        names = {name for name, nonzero in nonzero_grads(net).items() if nonzero}
        for _ in range(20):  # plain gradient descent, lr 0.5
            with torch.no_grad():
                for p in net.parameters():
                    p -= 0.5 * p.grad
                    p.grad = None
            nn.functional.mse_loss(net(x), y).backward()
    return names, max(unit_spread(net[0]), unit_spread(net[2]))


@checker("练习 4：全 0 初始化换成别的激活函数")
def check_ex4(predict: Callable[[str], tuple[Sequence[str], bool]]) -> Feedback:
    """``predict(activation) -> (names, differ)``: the parameters (``"4.bias"`` …) with a
    non-zero gradient after one backward of a zero-initialised ``make_mlp([4, 8, 8, 3],
    activation, "zeros")``, and whether the 8 units of a hidden layer differ after training.
    Measured here for sigmoid, ReLU and tanh.

    Typical wrong answers: sigmoid like ReLU (only ``4.bias``); earlier layers' weights listed;
    ``4.weight`` for tanh (tanh(0) = 0); "the units become different".
    """
    for activation in ("sigmoid", "relu", "tanh"):
        raw = predict(activation)
        items = as_sequence(raw, 2)
        if items is None or isinstance(items[0], str) or as_bool(items[1]) is None:
            return wrong(
                f"predict({activation!r}) 返回了 {raw!r}。",
                '返回两项：(有梯度的参数名的集合或列表, True/False)，例如 ({"4.bias"}, False)。',
            )
        names, differ = {str(n) for n in items[0]}, as_bool(items[1])
        want, spread = _zero_init_facts(activation)
        where = f"{activation}：你的答案 {sorted(names)}，实测 {sorted(want)}。"
        if names != want:
            if activation == "sigmoid" and names == {"4.bias"}:
                return wrong(
                    where + "sigmoid 不像 ReLU。",
                    "sigmoid(0) = 0.5 ≠ 0：最后一层的输入不是 0，所以它的权重 4.weight 也有梯度。",
                )
            if names & {"0.weight", "0.bias", "2.weight", "2.bias"}:
                return wrong(
                    where + "前面的层没有梯度。",
                    "回传到隐藏层的梯度要乘最后一层的权重，而它一开始是 0。",
                )
            if "4.weight" in names and "4.weight" not in want:
                return wrong(
                    where,
                    f"{activation}(0) = 0：最后一层的输入全是 0，权重的梯度（误差 × 输入）也是 0，"
                    "只有偏置有梯度。",
                )
            return wrong(
                where, "一层权重的梯度 = 回传的梯度 × 这一层的输入：逐层看哪一个因子是 0。"
            )
        if differ != (spread > 1e-6):
            return wrong(
                f"{activation}：训练后同一层的神经元{'仍然相同' if spread <= 1e-6 else '已经不同'}"
                "。",
                "同一层的神经元进入的权重相同、接出去的权重也相同，收到的梯度就相同：对称性打不破"
                "。",
            )
    return right(
        "sigmoid(0) = 0.5，所以全 0 的 sigmoid 网络最后一层的权重和偏置都有梯度；ReLU 和 tanh 在 0"
        " 处为 0，"
        "只有最后的偏置有梯度。之后权重会动，但同一层的神经元始终相同：对称性没有打破。"
    )


# --------------------------------------------------------------------------------------------
# 练习 5: Adam on the Xavier network
# --------------------------------------------------------------------------------------------

EX5_CHOICES = {
    "A": "还会停在 H 附近：梯度太小，换什么优化器都没用",
    "B": "会降到明显低于 H：Adam 按梯度的均方根缩放步长，梯度整体变小不影响步长",
    "C": "会降到明显低于 H：Adam 有动量，原来的 SGD 没有",
    "D": "损失会发散",
}
"""The choices of exercise 5 (the learner's function returns one letter)."""


@checker("练习 5：换成 Adam")
def check_ex5(predict: Callable[[], str]) -> Feedback:
    """``predict()`` returns one letter of :data:`EX5_CHOICES`. Chapter 3's solution derives the
    letter from two seeds of ``train_deep_relu(..., optimizer="adam")`` and asserts that this
    checker accepts it; here Adam's scale invariance is also measured on one step.

    Typical wrong answers: A (too-small gradients doom any optimizer), C (momentum, which the
    SGD runs have too), D (divergence).
    """
    got = str(predict()).strip().upper()
    if got not in EX5_CHOICES:
        return wrong(f"得到 {got!r}。", f"返回 {', '.join(EX5_CHOICES)} 中的一个字母。")
    steps = []
    for scale in (1.0, 1e-4):  # Adam's first step for a gradient and for one 10⁴ times smaller
        p = nn.Parameter(torch.zeros(3, dtype=torch.float64))
        opt = torch.optim.Adam([p], lr=1e-3)
        p.grad = scale * torch.tensor([0.5, -2.0, 1.0], dtype=torch.float64)
        opt.step()
        steps.append(p.detach().clone())
    if got == "B":
        return right(
            "Adam 用梯度除以它的均方根的滑动估计定步长：梯度整体缩小 10⁴ 倍，第一步几乎不变"
            f"（{steps[0][0].item():.2e} 与 {steps[1][0].item():.2e}）。Xavier 的问题是尺度，SGD 的"
            "步长与梯度成正比，对尺度最敏感。"
        )
    if got == "A":
        return wrong(
            "Adam 不怕梯度整体很小。",
            f"Adam 的步长按梯度的均方根归一化：梯度缩小 10⁴ 倍，第一步仍是 {steps[1][0].item():.2e}"
            f"（原来 {steps[0][0].item():.2e}）。",
        )
    if got == "C":
        return wrong(
            "原来的 SGD 也有动量（0.9），学习率也同样是 1e-3。",
            "关键不在动量，而在 Adam 把步长按梯度的大小归一化。",
        )
    return wrong("不会发散。", "Adam 每步的步长大约是学习率 1e-3，不会因为梯度小而放大到失控。")


# --------------------------------------------------------------------------------------------
# 练习 6: how fast does the loss reach H + 0.01?
# --------------------------------------------------------------------------------------------


@checker("练习 6：第几步降到 H + 0.01 以内")
def check_ex6(first_step: Callable[[Sequence[float], float], int | None]) -> Feedback:
    """``first_step(losses, entropy)`` -> the first step (counted from 1, as ``losses[0]`` is
    the loss after step 1) whose loss is below ``entropy + 0.01``, or ``None`` if none is.

    Typical wrong answers: a 0-based index; ``-1`` or ``0`` instead of ``None``; a loss far
    below H not counted (``abs(loss - H) < 0.01``).
    """
    cases = [
        ([1.42, 1.39, 1.37, 1.362, 1.358, 1.3567], 1.3550),
        ([1.40, 1.39, 1.385], 1.3550),
        ([1.20, 1.10, 0.90], 1.3550),
        ([1.5, 1.1, 1.36, 1.0], 1.3550),
    ]
    for losses, entropy in cases:
        got = first_step(list(losses), entropy)
        if got is not None:
            number = as_number(got)
            if number is None or number != int(number):
                return wrong(
                    f"first_step 返回了 {got!r}。",
                    "返回步数（一个整数，从 1 数起），找不到时返回 None。",
                )
            got = int(number)
        below = [t for t, v in enumerate(losses, start=1) if v < entropy + 0.01]
        want = below[0] if below else None
        if got == want and (got is None) == (want is None):
            continue
        where = f"损失 {losses}、H = {entropy}：得到 {got!r}，应为 {want!r}。"
        if want is None:
            return wrong(where + "一直没有降到。", "没有哪一步满足时返回 None，不要返回 0 或 -1。")
        if got == want - 1:
            return wrong(
                where + "差了 1。",
                "步数从 1 数起：losses[0] 是第 1 步之后的损失（enumerate(losses, start=1)）。",
            )
        if got == below[-1]:
            return wrong(
                where + "这是最后一个降到 H + 0.01 以内的步。",
                "要的是第一个：从前往后找，找到就立刻 return（不要让循环继续覆盖结果）。",
            )
        if got == below[-1] - 1:
            return wrong(
                where + "这是最后一个满足条件的步，而且从 0 数起。",
                "要第一个满足 loss < H + 0.01 的步，步数从 1 数起。",
            )
        if got is None or got > want:
            return wrong(
                where + "比 H 低的损失也算“降到 H + 0.01 以内”。",
                "条件是 loss < H + 0.01，不是 |loss - H| < 0.01。",
            )
        return wrong(where, "找第一个满足 loss < H + 0.01 的步（从 1 数起），找不到返回 None。")
    return right("第一个满足 loss < H + 0.01 的步，从 1 数起；找不到返回 None。")
