"""Every checker both ways, beyond the reference solutions (issue 22).

For each checker: at least two right answers written differently from the reference (another
formula, a loop instead of vectorised code, float32 instead of float64, a list instead of a
tensor or tuple where the text allows it, NumPy scalars) are accepted, and typical mistakes each
get their own hint. Together with ``test_exercises_ch1_3.py`` and ``test_exercises_ch4_6.py``
(the references and the first typical mistakes) every checker meets "≥ 2 other right answers,
≥ 3 typical mistakes". ``ch2.check_ex2`` and ``ch6.check_ex2`` grade predictions that hold
across seeds (their constants are checked by training in ``test_exercises_ch1_3.py`` and
``test_experiments_summary.py``); here they are checked both ways like the others.

Also the one type rule for answers (``nnlib.exercises.as_bool`` …): any length-2 sequence,
NumPy scalars, never a string where a bool is asked.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from nnlib.activations import derivative
from nnlib.data import make_toy_split
from nnlib.exercises import (
    as_bool,
    as_count,
    as_number,
    as_sequence,
    as_word,
    ch1,
    ch2,
    ch3,
    ch4,
    ch5,
    ch6,
    same_count,
)
from nnlib.experiments.initialization import variance_recursion
from nnlib.models import make_mlp


def accepts(check: Callable[..., Any], *answer: Any) -> None:
    feedback = check(*answer, quiet=True)
    assert feedback, feedback.text()


def rejects(check: Callable[..., Any], *answer: Any, hint: str) -> None:
    """``check`` rejects ``answer``, and ``hint`` is in its message or hint (the specific one)."""
    feedback = check(*answer, quiet=True)
    assert not feedback, feedback
    assert hint in feedback.hint or hint in feedback.message, feedback.text()
    assert "运行时出错" not in feedback.message, feedback.text()


# ---------------------------------------------------------------- the type rule


def test_one_type_rule_for_answers() -> None:
    assert [as_bool(v) for v in (True, np.bool_(False), torch.tensor(True), np.array([False]))] == [
        True,
        False,
        True,
        False,
    ]
    assert [as_bool(v) for v in ("False", "True", 0, 1, None, torch.tensor(1.0))] == [None] * 6
    assert [as_number(v) for v in (2, 2.5, np.float32(0.5), np.int64(3), torch.tensor([0.25]))] == [
        2.0,
        2.5,
        0.5,
        3.0,
        0.25,
    ]
    assert [as_number(v) for v in (True, "1", [1, 2], None)] == [None] * 4
    assert as_count(np.int64(7)) == 7 and as_count(24.0) == 24 and as_count(2.5) is None
    assert same_count(float(math.factorial(16) ** 2), math.factorial(16) ** 2)
    assert not same_count(4.3776e26, math.factorial(16) ** 2)
    assert not same_count(True, 1)
    assert as_sequence([True, True], 2) == [True, True]
    assert as_sequence(np.array([1, 0]), 2) is not None
    assert as_sequence(torch.tensor([1, 0]), 2) is not None
    assert as_sequence("ab", 2) is None and as_sequence((1, 2, 3), 2) is None
    words = {"反向": ["反向传播", "backward"], "前向": ["forward"]}
    assert [as_word(w, words) for w in ("反向", " 反向传播 ", "Backward", "前向", "侧向", 1)] == [
        "反向",
        "反向",
        "反向",
        "前向",
        None,
        None,
    ]


# ---------------------------------------------------------------- chapter 1


def counts_loop(sizes: list[int]) -> list[int]:
    edges = params = 0
    for k in range(1, len(sizes)):
        edges += sizes[k - 1] * sizes[k]
        params += (sizes[k - 1] + 1) * sizes[k]
    return [edges, params]


def counts_numpy(sizes: list[int]) -> tuple[Any, Any]:
    a = np.array(sizes)
    edges = np.dot(a[:-1], a[1:])
    return edges, edges + a[1:].sum()


def gates_other(xor_one: Any = False) -> Callable[[], dict]:
    """Other valid biases, NumPy arrays, and another XOR net: ReLU(x1 - x2) + ReLU(x2 - x1)."""
    return lambda: {
        "and": (np.array([1.0, 1.0]), -1.8),
        "or": (torch.tensor([1.0, 1.0]), -0.3),
        "xor_one_neuron": xor_one,
        "xor_net": (np.array([[1.0, -1.0], [-1.0, 1.0]]), [0.0, 0.0], (1.0, 1.0), 0),
    }


def xor_gates(xor_one: Any = False) -> Callable[[], dict]:
    return lambda: {
        "and": ([1.0, 1.0], -1.5),
        "or": ([1.0, 1.0], -0.5),
        "xor_one_neuron": xor_one,
        "xor_net": ([[1.0, 1.0], [1.0, 1.0]], [0.0, -1.0], [1.0, -2.0], 0.0),
    }


def merged_list(widths: list[int]) -> list[Any]:
    return [[widths[-1], widths[0]], min(widths)]


def merged_by_computation(widths: list[int]) -> tuple[torch.Size, torch.Tensor]:
    layers = [nn.Linear(a, b, bias=False) for a, b in zip(widths[:-1], widths[1:], strict=True)]
    weight = torch.eye(widths[0])
    for layer in layers:
        weight = layer.weight.detach() @ weight
    return weight.shape, torch.linalg.matrix_rank(weight)  # float32 product, float32 tolerance


def shape_by_running(d_in: int, d_out: int, shape: tuple[int, ...]) -> Any:
    try:
        return nn.Linear(d_in, d_out)(torch.zeros(shape)).shape
    except RuntimeError:
        return None


def shape_as_list(d_in: int, d_out: int, shape: tuple[int, ...]) -> list[int] | None:
    if shape[-1] != d_in:
        return None
    return [*shape[:-1], d_out]


def interpolant_loop(knots: torch.Tensor, values: torch.Tensor) -> nn.Module:
    """Unit by unit, in float32."""
    n = len(knots) - 1
    net = nn.Sequential(nn.Linear(1, n), nn.ReLU(), nn.Linear(n, 1))
    previous_slope = 0.0
    with torch.no_grad():
        for k in range(n):
            slope = float((values[k + 1] - values[k]) / (knots[k + 1] - knots[k]))
            net[0].weight[k, 0] = 1.0
            net[0].bias[k] = -float(knots[k])
            net[2].weight[0, k] = slope - previous_slope
            previous_slope = slope
        net[2].bias[0] = float(values[0])
    return net


def interpolant_scaled(knots: torch.Tensor, values: torch.Tensor) -> nn.Module:
    """Hidden weights 2 instead of 1 (ReLU(2x - 2t) = 2 ReLU(x - t)), output weights halved."""
    slopes = torch.diff(values) / torch.diff(knots)
    n = len(slopes)
    net = nn.Sequential(
        nn.Linear(1, n, dtype=torch.float64), nn.ReLU(), nn.Linear(n, 1, dtype=torch.float64)
    )
    with torch.no_grad():
        net[0].weight.fill_(2.0)
        net[0].bias.copy_(-2 * knots[:-1])
        net[2].weight.copy_(torch.diff(slopes, prepend=slopes.new_zeros(1)).unsqueeze(0) / 2)
        net[2].bias.fill_(float(values[0]))
    return net


def interpolant_k_units(knots: torch.Tensor, values: torch.Tensor) -> nn.Module:
    """K hidden units: the same function (the last unit's weight is 0), one unit too many."""
    slopes = torch.diff(values) / torch.diff(knots)
    coef = torch.cat([torch.diff(slopes, prepend=slopes.new_zeros(1)), slopes.new_zeros(1)])
    n = len(knots)
    net = nn.Sequential(
        nn.Linear(1, n, dtype=torch.float64), nn.ReLU(), nn.Linear(n, 1, dtype=torch.float64)
    )
    with torch.no_grad():
        net[0].weight.fill_(1.0)
        net[0].bias.copy_(-knots)
        net[2].weight.copy_(coef.unsqueeze(0))
        net[2].bias.fill_(float(values[0]))
    return net


def interp_no_network(knots: torch.Tensor, values: torch.Tensor) -> Callable[[Any], Any]:
    return lambda x: torch.from_numpy(
        np.interp(np.asarray(x).ravel(), knots.numpy(), values.numpy())
    ).reshape(-1, 1)


def test_ch1_other_right_answers() -> None:
    accepts(ch1.check_ex1, counts_loop)
    accepts(ch1.check_ex1, counts_numpy)
    accepts(ch1.check_ex2, gates_other())
    accepts(ch1.check_ex2, xor_gates(np.bool_(False)))
    accepts(ch1.check_ex3, merged_list)
    accepts(ch1.check_ex3, merged_by_computation)
    accepts(ch1.check_ex4, shape_by_running)
    accepts(ch1.check_ex4, shape_as_list)
    accepts(ch1.check_ex5, interpolant_loop)
    accepts(ch1.check_ex5, interpolant_scaled)


def test_ch1_more_mistakes() -> None:
    rejects(ch1.check_ex2, xor_gates("False"), hint="True 或 False")
    rejects(ch1.check_ex2, xor_gates(np.bool_(True)), hint="线性可分")
    rejects(ch1.check_ex5, interp_no_network, hint="不是网络")
    rejects(ch1.check_ex5, interpolant_k_units, hint="K − 1")


# ---------------------------------------------------------------- chapter 2


def tanh_grad_float32(x: torch.Tensor) -> torch.Tensor:
    t = torch.tanh(x.float())
    return 1 - t * t


def tanh_grad_autograd(x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(torch.tanh(x).sum(), x)
    return g


def tanh_grad_list(x: torch.Tensor) -> list[float]:
    return [4 * math.exp(-2 * v) / (1 + math.exp(-2 * v)) ** 2 for v in x.tolist()]


def softmax_t_builtin(z: torch.Tensor, t: float) -> torch.Tensor:
    return torch.softmax(z / t, dim=-1)


def softmax_t_manual(z: torch.Tensor, t: float) -> torch.Tensor:
    e = torch.exp((z - z.max(dim=-1, keepdim=True).values) / t)
    return e / e.sum(dim=-1, keepdim=True)


def mish_builtin(x: torch.Tensor) -> torch.Tensor:
    return nn.functional.mish(x)


def mish_grad_autograd(x: torch.Tensor) -> torch.Tensor:
    return derivative(nn.functional.mish, x)


def mish_other(x: torch.Tensor) -> torch.Tensor:
    return x * torch.tanh(torch.log1p(torch.exp(x)))


def mish_grad_other(x: torch.Tensor) -> torch.Tensor:
    sp = nn.functional.softplus(x)
    return torch.tanh(sp) + x * torch.sigmoid(x) / torch.cosh(sp) ** 2


def test_ch2_other_right_answers() -> None:
    accepts(ch2.check_ex1, tanh_grad_float32)
    accepts(ch2.check_ex1, tanh_grad_autograd)
    accepts(ch2.check_ex1, tanh_grad_list)
    accepts(ch2.check_ex3, lambda: "c")
    accepts(ch2.check_ex3, lambda: " C ")
    accepts(ch2.check_ex4, softmax_t_builtin)
    accepts(ch2.check_ex4, softmax_t_manual)
    accepts(ch2.check_ex5, mish_builtin, mish_grad_autograd)
    accepts(ch2.check_ex5, mish_other, mish_grad_other)


def test_ch2_float32_mistake_is_still_named() -> None:
    """A wrong formula in float32 is still recognised, and a generic miss prints digits that
    differ (not "得到 0.8220，应为 0.8220")."""
    rejects(ch2.check_ex1, lambda x: 1 - torch.tanh(x.float()), hint="少了平方")
    s = torch.sigmoid
    rejects(ch2.check_ex1, lambda x: 4 * s(x.float()) * (1 - s(x.float())), hint="2x 处求值")
    feedback = ch2.check_ex1(lambda x: (1 - torch.tanh(x) ** 2) * 1.001, quiet=True)
    assert not feedback
    got, want = feedback.message.split("得到 ")[1].split("，应为 ")
    assert got != want.split("（")[0], feedback.message
    rejects(ch2.check_ex3, lambda: "Z", hint="一个字母")


# ---------------------------------------------------------------- chapter 3


def tanh_stable_iterated(gain: float) -> float:
    """The fixed point of q -> gain² E[tanh(z)²], z ~ N(0, q), by quadrature and iteration."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    q = 1.0
    for _ in range(500):
        q = gain**2 * float(np.sum(weights * np.tanh(math.sqrt(q) * nodes) ** 2))
    return math.sqrt(q)


def tanh_stable_recursion(gain: float) -> np.float64:
    return np.float64(variance_recursion("tanh", scale=gain * gain, depth=300).forward[-1])


def zero_init_lists(activation: str) -> list[Any]:
    names = ["4.bias"] + (["4.weight"] if activation == "sigmoid" else [])
    return [names, np.bool_(False)]


def zero_init_tuple(activation: str) -> tuple[Any, bool]:
    return (("4.weight", "4.bias") if activation == "sigmoid" else ("4.bias",)), False


def first_step_loop(losses: list[float], entropy: float) -> Any:
    for i in range(len(losses)):
        if losses[i] < entropy + 0.01:
            return np.int64(i + 1)
    return None


def first_step_numpy(losses: list[float], entropy: float) -> int | None:
    below = np.flatnonzero(np.asarray(losses) < entropy + 0.01)
    return int(below[0]) + 1 if below.size else None


def last_step(losses: list[float], entropy: float) -> int | None:
    found = None
    for t, v in enumerate(losses, start=1):
        if v < entropy + 0.01:
            found = t
    return found


def test_ch3_other_right_answers() -> None:
    accepts(ch3.check_ex1, lambda n, std: (n * std**2 / 2) ** 0.5)
    accepts(ch3.check_ex1, lambda n, std: np.sqrt(n / 2) * np.float32(std))
    accepts(ch3.check_ex2, tanh_stable_iterated)
    accepts(ch3.check_ex2, tanh_stable_recursion)
    accepts(ch3.check_ex3, lambda i, o: [i**-0.5, (2 / o) ** 0.5, "反向传播"])
    accepts(ch3.check_ex3, lambda i, o: (np.float64(1 / np.sqrt(i)), math.sqrt(2 / o), "backward"))
    accepts(ch3.check_ex4, zero_init_lists)
    accepts(ch3.check_ex4, zero_init_tuple)
    accepts(ch3.check_ex5, lambda: "b")
    accepts(ch3.check_ex5, lambda: " B")
    accepts(ch3.check_ex6, first_step_loop)
    accepts(ch3.check_ex6, first_step_numpy)


def test_ch3_more_mistakes() -> None:
    rejects(ch3.check_ex1, lambda n, std: math.sqrt(n) * std / 2, hint="方差每层乘")
    rejects(
        ch3.check_ex3, lambda i, o: (1 / math.sqrt(i), math.sqrt(2 / o), "前向传播"), hint="fan_out"
    )
    rejects(ch3.check_ex3, lambda i, o: (1 / math.sqrt(i), math.sqrt(2 / o), "侧向"), hint="反向")
    rejects(ch3.check_ex3, lambda i, o: (1 / math.sqrt(i), math.sqrt(2 / o)), hint="三项")
    rejects(ch3.check_ex3, lambda i, o: ("0.0577", math.sqrt(2 / o), "反向"), hint="字符串")
    rejects(ch3.check_ex4, lambda a: (zero_init_tuple(a)[0], "False"), hint="True/False")
    rejects(ch3.check_ex5, lambda: "D", hint="不会发散")
    rejects(ch3.check_ex6, last_step, hint="第一个")
    rejects(ch3.check_ex6, lambda ls, h: True if last_step(ls, h) else None, hint="整数")


# ---------------------------------------------------------------- chapter 4


def count_loop(sizes: list[int], bias: bool = True) -> int:
    total = 0
    for d_in, d_out in zip(sizes[:-1], sizes[1:], strict=True):
        total += d_in * d_out
        if bias:
            total += d_out
    return total


def count_by_building(sizes: list[int], bias: bool = True) -> int:
    return sum(p.numel() for p in make_mlp(sizes, bias=bias).parameters())


class SeedOrderNetOther(nn.Module):
    """The article's order, with other attribute code and ``fan_in`` spelled out."""

    def __init__(self) -> None:
        super().__init__()
        self.linear1 = nn.Linear(3, 3)
        nn.init.xavier_normal_(self.linear1.weight, gain=1.0)
        self.linear2 = nn.Linear(3, 2)
        nn.init.kaiming_normal_(self.linear2.weight, mode="fan_in", nonlinearity="relu")
        self.out = nn.Linear(2, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.linear2(torch.sigmoid(self.linear1(x))))
        return nn.functional.softmax(self.out(h), dim=1)


def build_seed_order_sequential() -> nn.Module:
    linear1 = nn.Linear(3, 3)
    nn.init.xavier_normal_(linear1.weight)
    linear2 = nn.Linear(3, 2)
    nn.init.kaiming_normal_(linear2.weight)
    out = nn.Linear(2, 2)
    return nn.Sequential(linear1, nn.Sigmoid(), linear2, nn.ReLU(), out, nn.Softmax(dim=-1))


def moons_net_manual(kind: str = "kaiming_normal") -> nn.Module:
    layers = [nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2)]
    for layer in layers:
        if isinstance(layer, nn.Linear):
            if kind == "kaiming_normal":
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            elif kind == "kaiming_uniform":
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
            elif kind == "xavier":
                nn.init.xavier_normal_(layer.weight)
            elif kind == "zeros":
                nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
    return nn.Sequential(*layers)


def circles(model: nn.Module) -> Callable[[], tuple[Any, nn.Module]]:
    return lambda: (make_toy_split("circles", noise=0.1), model)


def circles_with(kind: str) -> Callable[[], tuple[Any, nn.Module]]:
    return lambda: (make_toy_split("circles", noise=0.1), moons_net_manual(kind))


def circles_default() -> tuple[Any, nn.Module]:
    return make_toy_split("circles", noise=0.1), make_mlp([2, 16, 16, 2])


def candidate_manual(with_softmax: bool, kind: str = "kaiming_normal") -> nn.Module:
    model = moons_net_manual(kind)
    return nn.Sequential(model, nn.Softmax(dim=1)) if with_softmax else model


def candidate_default(with_softmax: bool) -> nn.Module:
    model = make_mlp([2, 16, 16, 2], activation="relu")
    return nn.Sequential(model, nn.Softmax(dim=-1)) if with_softmax else model


def floor_by_loss(c: int) -> torch.Tensor:
    probs = torch.zeros(1, c)
    probs[0, 0] = 1.0
    return nn.functional.cross_entropy(probs, torch.tensor([0]))


def test_ch4_other_right_answers() -> None:
    accepts(ch4.check_ex1, count_loop)
    accepts(ch4.check_ex1, count_by_building)
    accepts(ch4.check_ex2, SeedOrderNetOther)
    accepts(ch4.check_ex2, build_seed_order_sequential)
    accepts(ch4.check_ex3, circles_with("kaiming_normal"))
    accepts(ch4.check_ex3, circles_with("kaiming_uniform"))
    accepts(ch4.check_ex4, candidate_manual, lambda: " 变大 ")
    accepts(ch4.check_ex4, lambda s: candidate_manual(s, "kaiming_uniform"), lambda: "变大")
    accepts(ch4.check_ex5, lambda c: -math.log(math.e / (math.e + c - 1)))
    accepts(ch4.check_ex5, floor_by_loss)
    accepts(ch4.check_ex6, lambda w, b: (b + w.abs().sum(dim=1) > 0).tolist())
    accepts(
        ch4.check_ex6,
        lambda w, b: np.array(
            [
                bi + sum(abs(v) for v in row) > 0
                for row, bi in zip(w.tolist(), b.tolist(), strict=True)
            ]
        ),
    )


def test_ch4_init_of_section_4_5_is_required() -> None:
    """Issue 22: make_mlp([2, 16, 16, 2]) without the Kaiming init of 4.5 is rejected."""
    rejects(ch4.check_ex3, circles_default, hint="Kaiming")
    rejects(ch4.check_ex3, circles_with("zeros"), hint="全是 0")
    rejects(ch4.check_ex3, circles_with("xavier"), hint="Kaiming")
    rejects(ch4.check_ex4, candidate_default, lambda: "变大", hint="Kaiming")
    rejects(ch4.check_ex4, lambda s: candidate_manual(s, "zeros"), lambda: "变大", hint="全是 0")


# ---------------------------------------------------------------- chapter 5


def wide_manual(data: Any, kind: str = "kaiming_normal", softmax: bool = False) -> tuple:
    layers = [nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)]
    if kind == "kaiming_normal":
        nn.init.kaiming_normal_(layers[0].weight, nonlinearity="relu")
    elif kind == "zeros":
        for layer in (layers[0], layers[2]):
            nn.init.zeros_(layer.weight)
    if softmax:
        layers.append(nn.Softmax(dim=-1))
    return nn.Sequential(*layers), data.x_val, data.y_val


def wide_make_mlp(data: Any, init: str = "kaiming_normal") -> tuple:
    return make_mlp([64, 128, 10], activation="relu", init=init), data.x_val, data.y_val


def shallow_manual(init: str = "default") -> nn.Module:
    model = nn.Sequential(nn.Linear(64, 64), nn.Sigmoid(), nn.Linear(64, 10))
    if init == "zeros":
        for layer in (model[0], model[2]):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def test_ch5_other_right_answers() -> None:
    accepts(ch5.check_ex1, wide_manual, lambda: np.bool_(False))
    accepts(ch5.check_ex1, wide_make_mlp, lambda: torch.tensor(False))
    accepts(ch5.check_ex2, lambda g, w, lam: torch.add(g, w, alpha=lam))
    accepts(ch5.check_ex2, lambda g, w, lam: (g.numpy() + lam * w.numpy()).tolist())
    accepts(ch5.check_ex3, shallow_manual, lambda: np.bool_(True))
    accepts(ch5.check_ex3, lambda: make_mlp([64, 64, 10], "sigmoid", "default"), lambda: True)


def test_ch5_more_mistakes() -> None:
    """Issue 22: zero init, a trailing softmax and string answers are rejected."""
    rejects(ch5.check_ex1, lambda d: wide_make_mlp(d, "zeros"), lambda: False, hint="全是 0")
    rejects(ch5.check_ex1, lambda d: wide_make_mlp(d, "default"), lambda: False, hint="Kaiming")
    rejects(ch5.check_ex1, lambda d: wide_manual(d, softmax=True), lambda: False, hint="Softmax")
    rejects(ch5.check_ex1, wide_make_mlp, lambda: "False", hint='字符串 "False"')
    rejects(ch5.check_ex1, wide_make_mlp, lambda: np.bool_(True), hint="参数多一倍")
    rejects(ch5.check_ex2, lambda g, w, lam: g + lam * w * w, hint="(λ/2)")
    rejects(ch5.check_ex3, lambda: shallow_manual("zeros"), lambda: True, hint="全是 0")
    rejects(
        ch5.check_ex3,
        lambda: make_mlp([64, 64, 10], "sigmoid", "zeros"),
        lambda: True,
        hint="全是 0",
    )
    rejects(ch5.check_ex3, shallow_manual, lambda: "True", hint='字符串 "True"')


# ---------------------------------------------------------------- chapter 6


def moons_other(n_train: int) -> Any:
    total = n_train + 800
    return make_toy_split("moons", n_samples=total, noise=0.35, test_fraction=1 - n_train / total)


def far_slope_autograd_float32(net: nn.Sequential) -> float:
    """Autograd far to the right, with a float32 input as the hint suggests."""
    x = torch.tensor([[1e4]], requires_grad=True)
    net(x).sum().backward()
    return x.grad.item()


def far_slope_numeric_float32(net: nn.Sequential) -> float:
    x = torch.tensor([[1e5], [2e5]])
    with torch.no_grad():
        f = net(x).squeeze(1)
    return float((f[1] - f[0]) / 1e5)


def far_slope_loop(net: nn.Sequential) -> float:
    total = 0.0
    for w, v in zip(net[0].weight[:, 0].tolist(), net[2].weight[0].tolist(), strict=True):
        if w > 0:
            total += w * v
    return total


def slope_at_1(net: nn.Sequential) -> float:
    x = torch.tensor([[1.0]], dtype=torch.float64, requires_grad=True)
    net(x).sum().backward()
    return x.grad.item()


def secant_0_1(net: nn.Sequential) -> float:
    with torch.no_grad():
        return (net(torch.tensor([[1.0]])) - net(torch.tensor([[0.0]]))).item()


def slope_plus_bias(net: nn.Sequential) -> float:
    return far_slope_loop(net) + net[2].bias.item()


def permute_rebuilt(net: nn.Sequential, perm: torch.Tensor) -> nn.Sequential:
    """A new network built layer by layer, parameters indexed with a list."""
    order = perm.tolist()
    new = copy.deepcopy(net)
    with torch.no_grad():
        new[2].weight.copy_(torch.stack([net[2].weight[k] for k in order]))
        new[2].bias.copy_(torch.stack([net[2].bias[k] for k in order]))
        new[4].weight.copy_(torch.stack([net[4].weight[:, k] for k in order], dim=1))
    return new


def permute(net: nn.Sequential, perm: torch.Tensor, layer: int = 2, inverse: bool = False) -> Any:
    p = torch.argsort(perm) if inverse else perm
    new = copy.deepcopy(net)
    with torch.no_grad():
        new[layer].weight.copy_(net[layer].weight[p])
        new[layer].bias.copy_(net[layer].bias[p])
        new[layer + 2].weight.copy_(net[layer + 2].weight[:, p])
    return new


def permute_in_place(net: nn.Sequential, perm: torch.Tensor) -> nn.Sequential:
    with torch.no_grad():
        net[2].weight.copy_(net[2].weight[perm].clone())
        net[2].bias.copy_(net[2].bias[perm].clone())
        net[4].weight.copy_(net[4].weight[:, perm].clone())
    return net


def count_loop_perms(hidden: list[int]) -> int:
    total = 1
    for d in hidden:
        for k in range(2, d + 1):
            total *= k
    return total


def test_ch6_other_right_answers() -> None:
    accepts(ch6.check_ex1, moons_other, lambda: " 变小 ")
    accepts(ch6.check_ex1, moons_other, lambda: "变小")
    accepts(ch6.check_ex3, far_slope_autograd_float32)
    accepts(ch6.check_ex3, far_slope_numeric_float32)
    accepts(ch6.check_ex3, far_slope_loop)
    accepts(ch6.check_ex4, permute_rebuilt, count_loop_perms)
    accepts(ch6.check_ex4, permute, lambda h: float(math.prod(math.factorial(d) for d in h)))
    accepts(ch6.check_ex5, lambda r: sorted(r, key=lambda lr: r[lr]["val"])[-1])
    accepts(ch6.check_ex5, lambda r: max(r.items(), key=lambda kv: kv[1]["val"])[0])


def test_ch6_ex3_rejects_slopes_measured_near_the_origin() -> None:
    """Issue 22: the test networks have kinks beyond 1 and an output bias."""
    rejects(ch6.check_ex3, slope_at_1, hint="最右的拐点")
    rejects(ch6.check_ex3, secant_0_1, hint="f(1) − f(0)")
    rejects(ch6.check_ex3, slope_plus_bias, hint="输出偏置")


def test_ch6_ex4_names_each_mistake() -> None:
    count = count_loop_perms
    rejects(ch6.check_ex4, lambda n, p: permute(n, p, layer=0), count, hint="第 1 个隐藏层")
    rejects(ch6.check_ex4, lambda n, p: permute(n, p, inverse=True), count, hint="逆排列")
    rejects(ch6.check_ex4, permute_in_place, count, hint="改动了传进来的 net")
    rejects(ch6.check_ex4, permute, lambda h: 4.3776e26 if h == [16, 16] else count(h), hint="整数")
    rejects(ch6.check_ex4, permute, lambda h: str(count(h)), hint="不是一个数")
    rejects(ch6.check_ex5, lambda r: min(r), hint="验证准确率最高")


@pytest.mark.parametrize("value", [True, np.bool_(True), torch.tensor(True)])
def test_bool_answers_of_every_kind(value: Any) -> None:
    accepts(ch5.check_ex3, shallow_manual, lambda: value)


def test_numbers_written_as_strings_are_not_numbers() -> None:
    """The type rule: a number must be a number (``"0.2"`` is text, ``True`` is not 1)."""
    rejects(ch1.check_ex1, lambda s: ("120", "139"), hint="不要写成字符串")
    rejects(ch3.check_ex1, lambda n, std: str(math.sqrt(n * std**2 / 2)), hint="不要写成字符串")
    rejects(ch3.check_ex2, lambda g: "1.0", hint="不要写成字符串")
    rejects(ch4.check_ex5, lambda c: f"{math.log(1 + (c - 1) / math.e)}", hint="不要写成字符串")
    accepts(ch4.check_ex5, lambda c: np.float32(math.log(1 + (c - 1) / math.e)))


# ---------------------------------------------------------------- graded across seeds
def test_ch2_ex2_both_ways() -> None:
    kept = ["tanh", "relu", "leaky_relu", "prelu", "elu"]
    accepts(ch2.check_ex2, lambda: set(kept))
    accepts(ch2.check_ex2, lambda: ["Tanh", "ReLU", "Leaky ReLU", "PReLU", "ELU", "GELU"])
    accepts(ch2.check_ex2, lambda: (*kept, "softplus", "gelu"))  # borderline: either way
    rejects(ch2.check_ex2, lambda: [*kept, "sigmoid"], hint="σ'(0) = 1/4")
    rejects(ch2.check_ex2, lambda: ["relu", "leaky_relu", "prelu", "elu"], hint="tanh")
    rejects(ch2.check_ex2, lambda: [*kept, "silu"], hint="1/2")
    rejects(ch2.check_ex2, lambda: ["tanh", "relu"], hint="Leaky ReLU")
    rejects(ch2.check_ex2, lambda: ["tanh", "relu", "swishy"], hint="activation_names()")


def _adam_l2(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=0.1)


def test_ch6_ex2_both_ways() -> None:
    def adam_other(model: nn.Module) -> torch.optim.Optimizer:
        return torch.optim.Adam(params=list(model.parameters()), lr=1e-2, weight_decay=1e-1)

    accepts(ch6.check_ex2, _adam_l2, lambda: (True, True))
    accepts(ch6.check_ex2, adam_other, lambda: [np.bool_(True), np.bool_(True)])
    accepts(ch6.check_ex2, _adam_l2, lambda: np.array([True, True]))

    def adamw(model: nn.Module) -> torch.optim.Optimizer:
        return torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.1)

    def plain(model: nn.Module) -> torch.optim.Optimizer:
        return torch.optim.Adam(model.parameters(), lr=0.01)

    rejects(ch6.check_ex2, adamw, lambda: (True, True), hint="AdamW")
    rejects(ch6.check_ex2, plain, lambda: (True, True), hint="weight_decay=0.1")
    rejects(ch6.check_ex2, _adam_l2, lambda: ("True", "True"), hint="不是字符串")
    rejects(ch6.check_ex2, _adam_l2, lambda: (True, False), hint="换几个种子")
    rejects(ch6.check_ex2, _adam_l2, lambda: (False, True), hint="权重衰减")
    rejects(ch6.check_ex2, _adam_l2, lambda: True, hint="两个布尔值")
