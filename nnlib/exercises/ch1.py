"""Checkers for the exercises of chapter 1 (neural networks: neurons, layers, parameters).

Each checker calls the learner's function on the chapter's case and on cases the learner did
not see, and recognises the typical wrong answers listed in its docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from nnlib.exercises import Feedback, as_bool, as_number, as_sequence, checker, right, wrong

__all__ = ["check_ex1", "check_ex2", "check_ex3", "check_ex4", "check_ex5"]


def _f64(value: object) -> torch.Tensor:
    """A number, list or tensor (even one that requires grad) as a float64 tensor."""
    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float64)
    return torch.as_tensor(value, dtype=torch.float64)


# --------------------------------------------------------------------------------------------
# 练习 1: connections and parameters of a fully connected network
# --------------------------------------------------------------------------------------------


def _counts(sizes: Sequence[int]) -> tuple[int, int]:
    """Connections ``sum n_{k-1} n_k`` and parameters ``sum (n_{k-1} + 1) n_k``."""
    edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    return edges, edges + sum(sizes[1:])


@checker("练习 1：连接数和参数个数")
def check_ex1(count: Callable[[list[int]], tuple[int, int]]) -> Feedback:
    """``count(sizes) -> (连接数, 参数个数)`` for a fully connected network.

    Typical wrong answers: parameters without the biases; a bias for the input neurons too;
    the two numbers swapped; right only for the chapter's ``[4, 8, 8, 3]``.
    """
    cases = [[4, 8, 8, 3], [784, 128, 64, 10], [5, 3, 7], [2, 1]]
    for sizes in cases:
        raw = count(list(sizes))
        items = as_sequence(raw, 2)
        numbers = [as_number(v) for v in items] if items is not None else [None]
        if items is None or None in numbers:
            return wrong(
                f"count({sizes}) 返回了 {raw!r}。",
                "返回两个整数：(连接数, 参数个数)，不要写成字符串。",
            )
        got = tuple(int(v) for v in numbers)
        edges, params = _counts(sizes)
        if got == (edges, params):
            continue
        where = f"层大小 {sizes}：得到 {got}，应为 ({edges}, {params})。"
        if got == (params, edges):
            return wrong(where + "两个数的顺序反了。", "先返回连接数，再返回参数个数。")
        if got[0] == edges and got[1] == edges:
            return wrong(
                where + "参数个数里少了偏置。",
                "除了每条连接一个权重，每个非输入神经元还有一个偏置：再加上 n_1 + … + n_L。",
            )
        if got[0] == edges and got[1] == params + sizes[0]:
            return wrong(
                where + "输入层也算了偏置。",
                "输入层只是把数据传进来，没有偏置：偏置个数是除输入层外各层神经元数之和。",
            )
        if sizes != cases[0]:  # the chapter's case passed above
            return wrong(
                where + "对 [4, 8, 8, 3] 对了，换一组层大小就不对了。",
                "按层大小写一般的公式：连接数 Σ n_(k-1)·n_k，参数个数 Σ (n_(k-1) + 1)·n_k。",
            )
        if got[0] != edges:
            return wrong(
                where + "连接数不对。",
                "只有相邻两层之间有连接，而且两两都连：第 k 层贡献 n_(k-1)·n_k 条。",
            )
        return wrong(
            where + "参数个数不对。", "参数 = 每条连接一个权重 + 每个非输入神经元一个偏置。"
        )
    return right(
        "连接数 Σ n_(k-1)·n_k，参数个数再加上每个非输入神经元一个偏置；[4, 8, 8, 3] 是 120 和 139。"
    )


# --------------------------------------------------------------------------------------------
# 练习 2: AND, OR with one step neuron; XOR needs a hidden layer
# --------------------------------------------------------------------------------------------

_INPUTS = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
_TABLES = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0]}


def _step_table(w: Sequence[float], b: float) -> list[int]:
    """Outputs of a step neuron (``z >= 0`` -> 1) on the four binary inputs."""
    z = _INPUTS @ _f64(w).reshape(2) + _f64(b).reshape(())
    return (z >= 0).int().tolist()


def _xor_outputs(W1: object, b1: object, w2: object, b2: object) -> list[float]:
    """Outputs of ``w2 · ReLU(W1 x + b1) + b2`` on the four binary inputs."""
    W1 = _f64(W1).reshape(2, 2)
    b1 = _f64(b1).reshape(2)
    w2 = _f64(w2).reshape(2)
    h = torch.relu(_INPUTS @ W1.T + b1)
    return (h @ w2 + _f64(b2).reshape(())).tolist()


@checker("练习 2：与、或、异或")
def check_ex2(answer: Callable[[], dict[str, object]]) -> Feedback:
    """``answer()`` returns ``{"and": (w, b), "or": (w, b), "xor_one_neuron": bool,
    "xor_net": (W1, b1, w2, b2)}``.

    Typical wrong answers: AND and OR swapped (a bias that lets one input suffice); "one step
    neuron can do XOR"; an XOR net whose second hidden unit has output weight -1 (gives OR) or
    is not subtracted at all.
    """
    got = answer()
    missing = [k for k in ("and", "or", "xor_one_neuron", "xor_net") if k not in got]
    if missing:
        return wrong(
            f"缺少键 {missing}。", '返回的字典要有 "and"、"or"、"xor_one_neuron"、"xor_net"。'
        )
    for gate, name in [("and", "与（AND）"), ("or", "或（OR）")]:
        table = _step_table(*got[gate])
        if table == _TABLES[gate]:
            continue
        other = "or" if gate == "and" else "and"
        if table == _TABLES[other]:
            return wrong(
                f"{name}的真值表是 {table}：这是另一个门。",
                "取 w = (1, 1)：AND 要求只有 1 + 1 = 2 能让 z ≥ 0，即 -2 ≤ b < -1；"
                "OR 只要一个 1 就够，即 -1 ≤ b < 0。",
            )
        return wrong(
            f"{name}在输入 00、01、10、11 上输出 {table}，应为 {_TABLES[gate]}。",
            "阶跃神经元在 z = w·x + b ≥ 0 时输出 1：逐个输入算一算 z，再调整 b。",
        )
    one = as_bool(got["xor_one_neuron"])
    if one is None:
        return wrong(
            f'"xor_one_neuron" 是 {got["xor_one_neuron"]!r}。',
            "写 True 或 False（不加引号）：一个阶跃神经元能不能实现 XOR？",
        )
    if one:
        return wrong(
            "一个阶跃神经元实现不了 XOR。",
            "它的输出为 1 的区域是一条直线的一侧；(0,1)、(1,0) 与 (0,0)、(1,1) 不能被一条直线分开"
            "（不是线性可分的）。",
        )
    out = _xor_outputs(*got["xor_net"])
    if np.allclose(out, _TABLES["xor"], atol=1e-6):
        return right(
            "AND、OR 各用一个神经元（只是偏置不同）；XOR 不是线性可分的，"
            "要一个隐藏层，例如 ReLU(x1 + x2) - 2·ReLU(x1 + x2 - 1)。"
        )
    shown = [round(v, 3) for v in out]
    if np.allclose(out, _TABLES["or"], atol=1e-6):
        return wrong(
            f"网络在 00、01、10、11 上输出 {shown}：这是 OR。",
            "在输入 11 上第一个隐藏神经元输出 2，第二个要把它减回 0：它的输出权重应是 -2，不是 -1"
            "。",
        )
    if np.allclose(out, [0, 1, 1, 2], atol=1e-6):
        return wrong(
            f"网络输出 {shown}：11 上多出来的那一份没有减掉。",
            "让第二个隐藏神经元只在 11 上激活（偏置 -1），并用负的输出权重把它减掉。",
        )
    return wrong(
        f"网络在 00、01、10、11 上输出 {shown}，应为 [0, 1, 1, 0]。",
        "试试 h1 = ReLU(x1 + x2)、h2 = ReLU(x1 + x2 - 1)，输出 y = h1 - 2·h2。",
    )


# --------------------------------------------------------------------------------------------
# 练习 3: shape and rank of stacked linear layers
# --------------------------------------------------------------------------------------------


def _merged_rank(widths: Sequence[int], seed: int = 0) -> int:
    """Rank of the product of random weight matrices of ``Linear(widths[k], widths[k+1])``."""
    gen = torch.Generator().manual_seed(seed)
    weight = torch.eye(widths[0], dtype=torch.float64)
    for n_in, n_out in zip(widths[:-1], widths[1:], strict=True):
        weight = torch.randn(n_out, n_in, generator=gen, dtype=torch.float64) @ weight
    return int(torch.linalg.matrix_rank(weight))


@checker("练习 3：合并后的形状和秩")
def check_ex3(merged: Callable[[list[int]], tuple[tuple[int, int], int]]) -> Feedback:
    """``merged(widths) -> ((rows, cols), rank)`` of the single weight matrix that a stack of
    ``nn.Linear(widths[k], widths[k + 1])`` without activations collapses to (the rank random
    layers reach). The expected rank is measured on random layers.

    Typical wrong answers: the shape as ``(in, out)``; the rank ``min(first, last)``, ignoring a
    narrow middle layer; the rank equal to the middle width even when an end is narrower.
    """
    cases = [[3, 1, 2], [5, 4, 3], [2, 8, 2], [6, 2, 6, 3]]
    for widths in cases:
        shape, rank = merged(list(widths))
        shape, rank = tuple(int(s) for s in shape), int(rank)
        want_shape, want_rank = (widths[-1], widths[0]), _merged_rank(widths)
        where = f"层宽 {widths}：得到形状 {shape}、秩 {rank}，应为 {want_shape}、{want_rank}。"
        if shape == want_shape[::-1] and shape != want_shape:
            return wrong(
                where + "形状反了。",
                "nn.Linear(in, out) 的权重形状是 [out, in]，合并后也是 [最后一层宽度, 第一层宽度]"
                "。",
            )
        if shape != want_shape:
            return wrong(where, "合并后的层把第一层的输入映射到最后一层的输出。")
        if rank == min(widths[0], widths[-1]) != want_rank:
            return wrong(
                where + "忽略了中间最窄的层。",
                "W = W_2 W_1，乘积的秩不超过每个因子的秩：信息要挤过最窄的那一层。",
            )
        if rank != want_rank and len(widths) == 3 and rank == widths[1]:
            return wrong(
                where + "秩也不能超过矩阵的行数和列数。",
                "秩 ≤ 所有层宽度中的最小值（包括第一层和最后一层）。",
            )
        if rank != want_rank:
            return wrong(where, "随机的层一般能达到的秩是所有层宽度中的最小值。")
    return right(
        "合并后的权重形状是 [最后一层, 第一层]，秩最多是最窄层的宽度：Linear(3, 1) → Linear(1, 2) "
        "合并成秩 1 的 (2, 3) 矩阵，表示不了秩为 2 的一般 nn.Linear(3, 2)。"
    )


# --------------------------------------------------------------------------------------------
# 练习 4: output shapes of nn.Linear
# --------------------------------------------------------------------------------------------


def _linear_shape(d_in: int, d_out: int, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """What ``nn.Linear(d_in, d_out)`` returns for an input of ``shape`` (None: an error)."""
    try:
        with torch.random.fork_rng(), torch.no_grad():  # leave the caller's random state alone
            return tuple(nn.Linear(d_in, d_out)(torch.zeros(shape)).shape)
    except RuntimeError:
        return None


@checker("练习 4：nn.Linear 的输出形状")
def check_ex4(out_shape: Callable[[int, int, tuple[int, ...]], tuple[int, ...] | None]) -> Feedback:
    """``out_shape(in_features, out_features, input_shape)`` -> the output shape, or ``None``
    when ``nn.Linear`` raises an error. Expected shapes are measured on a real ``nn.Linear``.

    Typical wrong answers: a batch dimension added to a 1-D input; 3-D inputs refused; a
    mismatched last dimension accepted; the first dimension changed instead of the last.
    """
    cases = [
        (3, 2, (3,)),
        (3, 2, (5, 3)),
        (3, 2, (2, 5, 3)),
        (3, 2, (5, 2)),
        (4, 7, (6, 4)),
        (4, 7, (4, 6)),
        (4, 7, (1, 2, 3, 4)),
    ]
    for d_in, d_out, shape in cases:
        got = out_shape(d_in, d_out, shape)
        got = None if got is None else tuple(int(s) for s in got)
        want = _linear_shape(d_in, d_out, shape)
        if got == want:
            continue
        where = f"nn.Linear({d_in}, {d_out}) 作用在形状 {shape} 上：得到 {got}，应为 {want}。"
        if want is None:
            return wrong(
                where + "这里会报错（None）。",
                f"最后一维必须等于 in_features = {d_in}，否则矩阵乘法的形状对不上。",
            )
        if got is None:
            return wrong(
                where,
                "nn.Linear 只要求最后一维等于 in_features；前面有几维都可以，它们都被当作批量维。",
            )
        if len(shape) == 1 and got == (1, d_out):
            return wrong(where + "不会自动加上批量维。", "一维输入 [in] 得到一维输出 [out]。")
        if got == (d_out,) + shape[1:]:
            return wrong(
                where + "变的是最后一维，不是第一维。",
                "只有最后一维从 in_features 变成 out_features。",
            )
        return wrong(where, "只有最后一维从 in_features 变成 out_features，其余各维原样保留。")
    return right(
        "nn.Linear 只改最后一维（in_features → out_features），前面各维都当作批量维保留；"
        "最后一维不等于 in_features 时报错。"
    )


# --------------------------------------------------------------------------------------------
# 练习 5: a one-hidden-layer ReLU net equal to the piecewise-linear interpolant
# --------------------------------------------------------------------------------------------


def _relu_sum(x: torch.Tensor, shifts: torch.Tensor, coef: torch.Tensor, c0: float) -> torch.Tensor:
    """``c0 + sum_k coef_k ReLU(x - shifts_k)`` for a 1-D ``x``."""
    return c0 + (torch.relu(x[:, None] - shifts[None, :]) * coef[None, :]).sum(dim=1)


def _evaluate(net: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The learner's net on the column ``x[:, None]``, in the dtype of its parameters."""
    params = list(net.parameters()) if isinstance(net, nn.Module) else []
    dtype = params[0].dtype if params else x.dtype
    with torch.no_grad():
        out = net(x[:, None].to(dtype))
    return out.reshape(-1).to(torch.float64)


@checker("练习 5：用 ReLU 网络拼出折线")
def check_ex5(build: Callable[[torch.Tensor, torch.Tensor], nn.Module]) -> Feedback:
    """``build(knots, values)`` returns a net (input ``[N, 1]``, output ``[N, 1]``) equal to the
    piecewise-linear interpolant through ``(knots[k], values[k])`` on ``[knots[0], knots[-1]]``.
    Checked on ``sin`` with 5 equally spaced knots and on unequally spaced knots with other
    values; the right answer's report measures how the error on ``sin`` shrinks with ``K``.

    Typical wrong answers: the segment slopes as output weights (instead of their differences);
    no output bias ``values[0]``; hidden biases ``+t_k`` instead of ``-t_k``.
    """
    with torch.random.fork_rng():  # building nn.Linear layers must not move the caller's seed
        return _check_ex5(build)


def _structure_problem(net: object, n_knots: int) -> Feedback | None:
    """None if ``net`` is a one-hidden-layer ReLU network with ``n_knots - 1`` hidden units
    (``Linear(1, K-1) -> ReLU -> Linear(K-1, 1)``), else the feedback."""
    if not isinstance(net, nn.Module):
        return wrong(
            f"build 返回的是 {type(net).__name__}，不是网络：练习要用 ReLU 网络拼出折线，"
            "而不是直接插值（np.interp）。",
            "返回 nn.Sequential(nn.Linear(1, K - 1), nn.ReLU(), nn.Linear(K - 1, 1))，"
            "再把权重和偏置设成折线的值。",
        )
    shapes = [(m.in_features, m.out_features) for m in net.modules() if isinstance(m, nn.Linear)]
    hidden = n_knots - 1
    if len(shapes) != 2 or not any(isinstance(m, nn.ReLU) for m in net.modules()):
        return wrong(
            f"网络的全连接层是 {shapes}，应是一个 ReLU 隐藏层：1 → {hidden} → 1。",
            "nn.Sequential(nn.Linear(1, K - 1), nn.ReLU(), nn.Linear(K - 1, 1))。",
        )
    if shapes != [(1, hidden), (hidden, 1)]:
        width = shapes[0][1]
        if width == n_knots:
            return wrong(
                f"{n_knots} 个节点用了 {width} 个隐藏神经元。",
                f"{n_knots} 个节点之间只有 {hidden} 段：每段起点一个拐点，最后一个节点不需要神经元"
                "（K − 1 个）。",
            )
        return wrong(
            f"{n_knots} 个节点时全连接层是 {shapes}，应为 [(1, {hidden}), ({hidden}, 1)]。",
            "每段折线的起点 t_0 … t_(K-2) 各一个隐藏神经元：K − 1 个。",
        )
    return None


def _check_ex5(build: Callable[[torch.Tensor, torch.Tensor], nn.Module]) -> Feedback:
    """The body of :func:`check_ex5`."""
    cases = [
        torch.linspace(-torch.pi, torch.pi, 5, dtype=torch.float64),
        torch.tensor([0.0, 0.3, 1.0, 1.2, 2.5, 3.0], dtype=torch.float64),
    ]
    for i, knots in enumerate(cases):
        values = torch.sin(knots) if i == 0 else knots**2 - 2 * torch.cos(3 * knots)
        x = torch.linspace(float(knots[0]), float(knots[-1]), 301, dtype=torch.float64)
        net = build(knots.clone(), values.clone())
        problem = _structure_problem(net, len(knots))
        if problem is not None:
            return problem
        got = _evaluate(net, x)
        want = torch.from_numpy(np.interp(x.numpy(), knots.numpy(), values.numpy()))
        if torch.allclose(got, want, atol=1e-5, rtol=0):
            continue
        where = "正弦的 5 个等距节点" if i == 0 else "不等距节点、另一组值"
        slopes = torch.diff(values) / torch.diff(knots)
        coef = torch.diff(slopes, prepend=slopes.new_zeros(1))
        v0 = float(values[0])

        def near(f: torch.Tensor, got: torch.Tensor = got) -> bool:
            return torch.allclose(got, f, atol=1e-5, rtol=0)

        if near(_relu_sum(x, knots[:-1], slopes, v0)):
            return wrong(
                f"{where}：输出权重用了各段的斜率。",
                "ReLU(x - t_k) 从 t_k 起一直累加下去：第 k 个神经元只需补上斜率的变化 "
                "c_k = 斜率_k - 斜率_(k-1)。",
            )
        if near(_relu_sum(x, knots[:-1], coef, 0.0)):
            return wrong(
                f"{where}：少了输出层的偏置。",
                "在 x = t_0 处所有 ReLU 都是 0，输出应等于 values[0]：把它作为输出偏置。",
            )
        if near(_relu_sum(x, -knots[:-1], coef, v0)):
            return wrong(
                f"{where}：隐藏层偏置的符号反了。",
                "第 k 个神经元是 ReLU(x - t_k)：权重 1，偏置 -t_k。",
            )
        err = (got - want).abs().max().item()
        return wrong(
            f"{where}：与折线的最大差 {err:.3g}。",
            "隐藏神经元 k 计算 ReLU(x - t_k)；输出 = values[0] + Σ c_k·ReLU(x - t_k)。",
        )
    errors = []
    for K in (17, 33):
        knots = torch.linspace(-torch.pi, torch.pi, K, dtype=torch.float64)
        x = torch.linspace(-torch.pi, torch.pi, 2001, dtype=torch.float64)
        errors.append((_evaluate(build(knots, torch.sin(knots)), x) - torch.sin(x)).abs().max())
    return right(
        "隐藏神经元 k 是 ReLU(x - t_k)，输出权重是斜率的变化，输出偏置是第一个值；"
        f"对 sin，K 从 17 到 33（间距减半）最大误差缩小为 1/{errors[0] / errors[1]:.2f}，趋近 1/4。"
    )
