"""Checkers for the exercises of chapter 6 (what networks are good and bad at).

The checkers test the computable part of each experiment without training: the data built,
the optimizer's update, a slope, a permutation, a selection rule, a prediction. Random draws
happen inside ``torch.random.fork_rng`` or with their own generator.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from nnlib.data import make_toy_split
from nnlib.exercises import (
    Feedback,
    as_bool,
    as_number,
    as_sequence,
    checker,
    right,
    same_count,
    wrong,
)
from nnlib.models import make_mlp

__all__ = ["check_ex1", "check_ex2", "check_ex3", "check_ex4", "check_ex5"]

N_TEST = 800
"""Exercise 1 keeps 800 test points for every training-set size."""

EX2_SEEDS = (0, 1, 2, 3, 4)
"""Seeds on which exercise 2's graded predictions (gap smaller, test accuracy higher) hold,
each of them (checked by ``tests/test_experiments_summary.py``)."""


def _moons(n_train: int, noise: float = 0.35) -> Any:
    n = n_train + N_TEST
    return make_toy_split("moons", n_samples=n, noise=noise, test_fraction=N_TEST / n, seed=0)


def _same_data(a: Any, b: Any) -> bool:
    return all(
        torch.equal(getattr(a, k), getattr(b, k))
        for k in ("x_train", "y_train", "x_test", "y_test")
    )


@checker("练习 1：更多数据")
def check_ex1(make_data: Callable[[int], Any], predict: Callable[[], str]) -> Feedback:
    """``make_data(n_train)`` returns a moons split with ``n_train`` training and 800 test
    points (noise 0.35, seed 0); ``predict()`` says how the train-test gap changes with more
    data: "变大" or "变小"."""
    for n_train in (200, 1000, 500):
        split = make_data(n_train)
        n_tr, n_te = len(split.y_train), len(split.y_test)
        if (n_tr, n_te) != (n_train, N_TEST):
            where = f"n_train={n_train} 时训练集 {n_tr} 个、测试集 {n_te} 个。"
            if n_tr + n_te == n_train:
                return wrong(
                    where + "n_samples 只给了训练点的个数。",
                    "n_samples 是训练点和测试点的总数：n_train + 800。",
                )
            return wrong(where, "测试集固定 800 个：test_fraction=800 / (n_train + 800)。")
        if _same_data(split, _moons(n_train)):
            continue
        if _same_data(split, _moons(n_train, noise=0.2)):
            return wrong("噪声用了默认的 0.2。", "与 6.4 节的过拟合实验相同：noise=0.35。")
        return wrong(
            f"n_train={n_train} 时个数对，但数据与 noise=0.35、seed=0 生成的不同。",
            'make_toy_split("moons", n_samples=n_train + 800, noise=0.35, '
            "test_fraction=800 / (n_train + 800), seed=0)。",
        )
    answer = str(predict()).strip()
    if answer not in ("变大", "变小"):
        return wrong(f"预测是 {answer!r}。", 'predict 返回 "变大" 或 "变小"。')
    if answer == "变大":
        return wrong(
            "数据对，但预测不对：训练点越多，差距越小。",
            "点多了，网络就难以把每个带噪声的点都“背下来”，训练准确率降下来、测试准确率升上去。",
        )
    return right("数据对，预测也对：数据越多，越难背下噪声，训练与测试的差距越小。")


def _adam_step_params(
    opt_factory: Callable[[nn.Module], torch.optim.Optimizer],
) -> list[torch.Tensor]:
    """Parameters of a small network after two optimizer steps with fixed gradients."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = make_mlp([2, 4, 4, 2], activation="relu", init="kaiming_normal")
    opt = opt_factory(model)
    gen = torch.Generator().manual_seed(1)
    for _ in range(2):
        for p in model.parameters():
            p.grad = torch.randn(p.shape, generator=gen)
        opt.step()
    return [p.detach().clone() for p in model.parameters()]


def _same_params(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.allclose(x, y, rtol=1e-6, atol=1e-8) for x, y in zip(a, b, strict=True))


@checker("练习 2：权重衰减")
def check_ex2(
    make_optimizer: Callable[[nn.Module], torch.optim.Optimizer],
    predict: Callable[[], tuple[bool, bool]],
) -> Feedback:
    """``make_optimizer(model)`` builds the optimizer ``train_classifier(..., lr=0.01,
    weight_decay=0.1)`` uses (Adam with an L2 term); ``predict()`` returns ``(gap_smaller,
    test_improves)``. The check compares two update steps with fixed gradients.

    The graded predictions hold for every seed, not for one run: with
    :func:`nnlib.experiments.summary.weight_decay_runs` on the chapter's 40-point split, the
    train-test gap shrinks and the test accuracy rises for each seed of :data:`EX2_SEEDS`
    (``tests/test_experiments_summary.py`` trains them and checks it)."""
    got = _adam_step_params(make_optimizer)

    def ref(factory: Callable[[Any], torch.optim.Optimizer]) -> list[torch.Tensor]:
        return _adam_step_params(factory)

    if not _same_params(
        got, ref(lambda m: torch.optim.Adam(m.parameters(), 0.01, weight_decay=0.1))
    ):
        if _same_params(
            got, ref(lambda m: torch.optim.AdamW(m.parameters(), 0.01, weight_decay=0.1))
        ):
            return wrong(
                "这是 AdamW：解耦的权重衰减，每步把权重按比例缩小。",
                "train_classifier 的 weight_decay 交给 torch.optim.Adam："
                "把 λw 加到梯度上，再一起按均方根缩放（L2 惩罚）。",
            )
        if _same_params(got, ref(lambda m: torch.optim.Adam(m.parameters(), 0.01))):
            return wrong(
                "更新里没有权重衰减。", "Adam(model.parameters(), lr=0.01, weight_decay=0.1)。"
            )
        return wrong(
            "两步更新后的参数与 train_classifier 的不同。",
            "学习率 0.01，weight_decay=0.1，作用于所有参数（偏置也在内）。",
        )
    answer = predict()
    items = as_sequence(answer, 2)
    flags = [as_bool(item) for item in items] if items is not None else [None, None]
    if items is None or None in flags:
        hint = "predict 返回两个布尔值：(差距变小吗, 测试准确率提高吗)。"
        if items is not None and any(isinstance(item, str) for item in items):
            hint = '返回 True/False，不是字符串（"False" 这样的字符串会被当作真）。' + hint
        return wrong(f"预测是 {answer!r}。", hint)
    gap_smaller, test_improves = flags
    if not gap_smaller:
        return wrong(
            "优化器对，但差距会变小。",
            "权重衰减不让网络用很大的权重去拟合每个噪声点，训练准确率降了下来。",
        )
    if not test_improves:
        return wrong(
            "优化器对，差距会变小也对，但测试准确率会提高。",
            "训练到底的大网络把 40 个点连同噪声一起背了下来；权重衰减让它背不下来，"
            "换几个种子重复（0、1、2……），每一次新数据上都更准（只是变不出 40 个点里没有的信息）。",
        )
    return right(
        "优化器对（Adam 加 L2 项，不是 AdamW），预测也对：每个种子上差距都变小、测试准确率都提高；"
        "不过 λ = 0.1 的训练准确率只有 0.75 左右，已经欠拟合。"
    )


class _AnyInputNet(nn.Sequential):
    """A float64 network that takes any real input: float32 or float64 tensors, integers, lists.

    The learner may probe the network with ``torch.tensor([[1e6]])`` (float32, as the hint
    suggests) or in float64; both are cast to the network's dtype instead of failing with
    "expected Float but found Double"."""

    def forward(self, x: Any) -> torch.Tensor:  # noqa: D102
        x = torch.as_tensor(x)
        return super().forward(x.to(self[0].weight.dtype))


def _relu_nets() -> list[nn.Sequential]:
    """Three 1-H-1 ReLU networks with random hidden and output biases: their kinks
    :math:`-b_i / w_i` lie on both sides of 0 and beyond 1 (so a slope measured near 0 or 1 is not
    the far slope), and the output bias is not 0 (so it cannot slip into the slope)."""
    nets = []
    gen = torch.Generator().manual_seed(6)
    for seed, width in ((0, 32), (1, 32), (2, 5)):
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            net = make_mlp([1, width, 1], activation="relu", init="kaiming_normal").double()
        with torch.no_grad():
            w = net[0].weight.squeeze(1)
            kinks = 6 * torch.rand(width, generator=gen, dtype=torch.float64) - 2  # in [-2, 4]
            net[0].bias.copy_(-kinks * w)
            net[2].bias.fill_(0.5 + seed)
        # Parameters without grad: float() of a weight sum then raises no warning, and an
        # autograd probe (x.requires_grad_()) still works.
        nets.append(_AnyInputNet(*net).requires_grad_(False))
    return nets


def _slope_rule(net: nn.Sequential, positive_only: bool = True) -> float:
    w, v = net[0].weight.detach().squeeze(1), net[2].weight.detach().squeeze(0)
    active = w > 0 if positive_only else torch.ones_like(w, dtype=torch.bool)
    return float((v * w * active).sum())


def _slope_at(net: nn.Sequential, x: float) -> float:
    """The slope of the network at ``x`` (which must not be a kink)."""
    w, b = net[0].weight.detach().squeeze(1), net[0].bias.detach()
    v = net[2].weight.detach().squeeze(0)
    return float((v * w * (w * x + b > 0)).sum())


def _secant(net: nn.Sequential, x0: float, x1: float) -> float:
    with torch.no_grad():
        f = net(torch.tensor([[x0], [x1]], dtype=torch.float64)).squeeze(1)
    return float((f[1] - f[0]) / (x1 - x0))


@checker("练习 3：ReLU 网络在远处")
def check_ex3(far_slope: Callable[[nn.Sequential], float]) -> Feedback:
    r"""``far_slope(net)`` returns the slope of a 1-H-1 ReLU network as :math:`x \to +\infty`:
    :math:`\sum_{i: w_i > 0} v_i w_i` (only units with a positive input weight stay on).

    The test networks have random biases (kinks on both sides of 0 and beyond 1) and a non-zero
    output bias; they accept float32 and float64 inputs. Typical wrong answers, each with its
    hint: 0 (ReLU saturates?), all units counted, the slope at x = 1, the secant f(1) − f(0),
    the output bias added to the slope.
    """
    nets = _relu_nets()
    got = []
    for net in nets:
        value = as_number(far_slope(copy.deepcopy(net)))
        if value is None:
            return wrong(
                f"far_slope 返回的不是一个数（{type(far_slope(copy.deepcopy(net))).__name__}）。",
                "返回斜率这一个数，例如 float(...) 或 tensor.item()。",
            )
        got.append(value)

    def matches(values: Sequence[float]) -> bool:
        return all(
            math.isclose(g, e, rel_tol=1e-5, abs_tol=1e-7) for g, e in zip(got, values, strict=True)
        )

    if matches([_slope_rule(net) for net in nets]):
        return right(
            "过了最右的拐点，网络是一条直线，斜率是 Σ v_i w_i（只算 w_i > 0 的神经元）；"
            "斜率不为 0 时误差随 x 线性增长。"
        )
    if matches([0.0] * len(nets)):
        return wrong(
            "ReLU 网络在远处并不趋于常数。",
            "ReLU 不饱和：过了最右的拐点，w_i > 0 的神经元输出 w_i x + b_i，一直线性增长。",
        )
    if matches([_slope_rule(net, positive_only=False) for net in nets]):
        return wrong(
            "把所有神经元都算进了斜率。",
            "x → +∞ 时，w_i < 0 的神经元输入是负的，ReLU 输出 0，不贡献斜率。",
        )
    if matches([_slope_rule(net) + float(net[2].bias.detach()) for net in nets]):
        return wrong(
            "斜率里加进了输出层的偏置。",
            "输出偏置只把整条直线上下平移，不改变斜率：远处的斜率只有 Σ_{w_i > 0} v_i w_i。",
        )
    if matches([_slope_at(net, 1.0) for net in nets]):
        return wrong(
            "这是 x = 1 处的斜率，不是远处的。",
            "拐点在 x = −b_i / w_i，可能在 1 的右边：先求出最右的拐点 max(−b_i / w_i)，"
            "在它之后求斜率。",
        )
    if matches([_secant(net, 0.0, 1.0) for net in nets]):
        return wrong(
            "这是 f(1) − f(0)，[0, 1] 上的平均斜率。",
            "[0, 1] 之内和之后都可能有拐点：在最右的拐点 max(−b_i / w_i) 之后取两个点，"
            "或者用公式 Σ_{w_i > 0} v_i w_i。",
        )
    return wrong(
        "斜率不对。",
        "在最右的拐点 max(−b_i / w_i) 之后取两个点，算 (f(x₂) − f(x₁)) / (x₂ − x₁)；"
        "或者用公式 Σ_{w_i > 0} v_i w_i。",
    )


def _permuted(
    net: nn.Sequential,
    perm: torch.Tensor,
    rows: bool = True,
    bias: bool = True,
    cols: bool = True,
    layer: int = 2,
) -> list[torch.Tensor]:
    """Parameters of ``net`` with the units of the hidden layer ``net[layer]`` reordered."""
    out = copy.deepcopy(net)
    with torch.no_grad():
        if rows:
            out[layer].weight.copy_(net[layer].weight[perm])
        if bias:
            out[layer].bias.copy_(net[layer].bias[perm])
        if cols:
            out[layer + 2].weight.copy_(net[layer + 2].weight[:, perm])
    return [p.detach() for p in out.parameters()]


def _params(net: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in net.parameters()]


def _same_shapes_and_params(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return (
        len(a) == len(b)
        and all(x.shape == y.shape for x, y in zip(a, b, strict=True))
        and (_same_params(a, b))
    )


@checker("练习 4：等价的权重")
def check_ex4(
    permute: Callable[[nn.Sequential, torch.Tensor], nn.Sequential],
    count: Callable[[list[int]], int],
) -> Feedback:
    r"""``permute(net, perm)`` returns a copy of a 2-hidden-layer MLP with the second hidden
    layer's units reordered (rows of W2 and b2, columns of W3; unit ``k`` of the result is unit
    ``perm[k]`` of ``net``), leaving ``net`` unchanged; ``count(hidden_sizes)`` returns the number
    of such reorderings, :math:`\prod_l d_l!` (an integer; a float equal to it is accepted).

    Typical wrong answers, each with its hint: nothing changed; W3's columns or b2 not permuted;
    the first hidden layer permuted instead; the inverse permutation; ``net`` changed in place;
    a factorial of the sum, a sum of factorials, or a rounded float count.
    """
    gen = torch.Generator().manual_seed(0)
    for seed, sizes in ((0, [2, 16, 16, 2]), (1, [3, 6, 5, 4])):
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            net = make_mlp(sizes, activation="relu", init="kaiming_normal").double()
        with torch.no_grad():  # make_mlp zeroes the biases; random ones make b2 matter
            for layer in (net[0], net[2], net[4]):
                layer.bias.copy_(torch.randn(layer.bias.shape, generator=gen))
        perm = torch.randperm(sizes[2], generator=gen)
        x = torch.randn(50, sizes[0], generator=gen, dtype=torch.float64)
        given = copy.deepcopy(net)
        result = permute(given, perm.clone())
        if not isinstance(result, nn.Module):
            return wrong(
                f"permute 返回的是 {type(result).__name__}，不是网络。",
                "返回重排后的网络副本：new = copy.deepcopy(net)，改 new 的参数，return new。",
            )
        got = [p.detach() for p in result.parameters()]
        if not _same_shapes_and_params(_params(given), _params(net)):
            return wrong(
                "permute 改动了传进来的 net。",
                "练习要求原网络保持不变（后面还要拿它比较）：先 new = copy.deepcopy(net)，"
                "只改 new。",
            )
        with torch.no_grad():
            try:
                diff = (result(x) - net(x)).abs().max().item()
            except RuntimeError:
                diff = math.inf
        expected = _permuted(net, perm)
        if diff < 1e-12 and _same_shapes_and_params(got, expected):
            continue
        if _same_shapes_and_params(got, [p.detach() for p in net.parameters()]):
            return wrong("参数一个都没变。", "按 perm 重排第 2 个隐藏层：W2 的行、b2、W3 的列。")
        if _same_shapes_and_params(got, _permuted(net, perm, cols=False)):
            return wrong(
                "只重排了 W2 的行和 b2，函数变了。",
                "下一层 W3 的列也要按同样的顺序重排，每个神经元才接回原来的输出权重。",
            )
        if _same_shapes_and_params(got, _permuted(net, perm, bias=False)):
            return wrong("b2 没有跟着重排，函数变了。", "偏置属于神经元：b2 与 W2 的行一起重排。")
        if _same_shapes_and_params(got, _permuted(net, torch.argsort(perm))):
            return wrong(
                "函数确实没变，但用的是 perm 的逆排列。",
                "新网络的第 k 个神经元是原来的第 perm[k] 个：W2[perm]、b2[perm]、W3[:, perm]"
                "（不是把第 k 个放到 perm[k] 的位置）。",
            )
        if sizes[1] == sizes[2] and _same_shapes_and_params(got, _permuted(net, perm, layer=0)):
            return wrong(
                "函数确实没变，但重排的是第 1 个隐藏层（net[0] 和 net[2] 的列）。",
                "练习要重排第 2 个隐藏层：net[2].weight 的行、net[2].bias、net[4].weight 的列。",
            )
        if diff < 1e-9:
            return wrong(
                f"结构 {sizes} 上函数没变（输出最大差 {diff:.1e}），但参数不是按 perm 重排"
                "第 2 个隐藏层得到的。",
                "只动第 2 个隐藏层，按 perm 的顺序：net[2].weight[perm]、net[2].bias[perm]、"
                "net[4].weight[:, perm]。",
            )
        return wrong(
            f"结构 {sizes} 上重排后函数变了：输出最大差 {diff:.1e}。",
            "只动第 2 个隐藏层：net[2].weight 的行、net[2].bias、net[4].weight 的列，"
            "三者用同一个 perm。",
        )
    for hidden in ([16, 16], [3, 5], [4], [2, 3, 4]):
        answer = count(list(hidden))
        expected = math.prod(math.factorial(d) for d in hidden)
        if same_count(answer, expected):
            continue
        got_n = as_number(answer)
        if got_n is None:
            return wrong(
                f"隐藏层 {hidden} 时 count 返回 {answer!r}，不是一个数。",
                "返回排法的个数：各层 d! 相乘（math.factorial、math.prod）。",
            )
        shown = answer if isinstance(answer, int) else f"{got_n:.6g}"
        where = f"隐藏层 {hidden} 时得到 {shown}，应为 {expected}。"
        if math.isclose(got_n, expected, rel_tol=1e-3):
            return wrong(
                where + "数量级对了，但这是四舍五入过的小数。",
                "返回精确的整数：math.prod(math.factorial(d) for d in hidden)"
                "（Python 的整数不会溢出）。",
            )
        if same_count(answer, math.factorial(sum(hidden))):
            return wrong(where, "神经元只能在本层内交换位置：各层分别算 d!，再相乘。")
        if same_count(answer, sum(math.factorial(d) for d in hidden)):
            return wrong(where, "两层的重排可以任意组合，所以相乘而不是相加。")
        return wrong(where, "一层 d 个神经元有 d! 种排法，各层独立：16!²。")
    return right(
        "重排 W2 的行、b2 和 W3 的列后函数不变；"
        "每层独立重排，2-16-16-2 网络共 16!² ≈ 4.4 × 10²⁶ 种。"
    )


@checker("练习 5：按验证集选学习率")
def check_ex5(select: Callable[[dict[float, dict[str, float]]], float]) -> Feedback:
    """``select(results)`` picks the learning rate with the best validation accuracy from
    ``{lr: {"train": ..., "val": ..., "test": ...}}``."""
    tables = [
        {
            0.0001: {"train": 0.62, "val": 0.61, "test": 0.60},
            0.001: {"train": 0.90, "val": 0.89, "test": 0.93},
            0.01: {"train": 0.96, "val": 0.95, "test": 0.91},
            0.1: {"train": 0.99, "val": 0.93, "test": 0.92},
            1.0: {"train": 0.66, "val": 0.66, "test": 0.64},
        },
        {
            0.003: {"train": 0.97, "val": 0.90, "test": 0.88},
            0.03: {"train": 0.93, "val": 0.92, "test": 0.86},
            0.3: {"train": 0.91, "val": 0.88, "test": 0.94},
        },
    ]
    for table in tables:
        got = select(copy.deepcopy(table))
        best = {
            part: max(table, key=lambda lr, p=part: table[lr][p])
            for part in ("train", "val", "test")
        }
        if got == best["val"]:
            continue
        if got == best["test"]:
            return wrong(
                f"选了 {got}：测试准确率最高的学习率。",
                "在测试集上选超参数，测试准确率就不再是对新数据的无偏估计；"
                '按 results[lr]["val"] 选。',
            )
        if got == best["train"]:
            return wrong(
                f"选了 {got}：训练准确率最高的学习率。",
                '训练准确率奖励过拟合；按验证准确率 results[lr]["val"] 选。',
            )
        return wrong(f"选了 {got}。", "返回验证准确率最高的学习率：max(results, key=...)。")
    return right("按验证准确率选学习率；测试集只在最后看一次。")
