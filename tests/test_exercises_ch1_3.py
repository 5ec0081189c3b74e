"""The exercise checkers of chapters 1-3 both ways: they accept the reference solution, reject
each typical wrong answer with its hint, and report an unfilled function as NOT_FILLED."""

from __future__ import annotations

import json
import math
import re
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from torch import nn

from nnlib.activations import sigmoid, softmax, softplus
from nnlib.exercises import NOT_FILLED, TODO, ch1, ch2, ch3
from nnlib.experiments.initialization import variance_recursion


def unfilled(*args: object) -> object:
    raise NotImplementedError(TODO)


def rejects(check: Callable[..., object], *answer: object, hint: str) -> None:
    """``check`` rejects ``answer`` and its hint contains ``hint``."""
    feedback = check(*answer, quiet=True)
    assert not feedback, feedback
    assert hint in feedback.hint, feedback.text()


# ---- chapter 1 ---------------------------------------------------------------------------


def counts(sizes: list[int]) -> tuple[int, int]:
    edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    return edges, edges + sum(sizes[1:])


def gates(xor_w2: float = -2.0, and_b: float = -1.5, one: bool = False) -> Callable[[], dict]:
    return lambda: {
        "and": ([1.0, 1.0], and_b),
        "or": ([1.0, 1.0], -0.5),
        "xor_one_neuron": one,
        "xor_net": ([[1.0, 1.0], [1.0, 1.0]], [0.0, -1.0], [1.0, xor_w2], 0.0),
    }


def merged(widths: list[int]) -> tuple[tuple[int, int], int]:
    return (widths[-1], widths[0]), min(widths)


def linear_shape(d_in: int, d_out: int, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    return shape[:-1] + (d_out,) if shape[-1] == d_in else None


def interpolant(
    slopes_as_weights: bool = False, out_bias: bool = True, sign: float = -1.0
) -> Callable[[torch.Tensor, torch.Tensor], nn.Module]:
    def build(knots: torch.Tensor, values: torch.Tensor) -> nn.Module:
        slopes = (values[1:] - values[:-1]) / (knots[1:] - knots[:-1])
        coef = slopes if slopes_as_weights else torch.diff(slopes, prepend=slopes.new_zeros(1))
        n = len(slopes)
        net = nn.Sequential(
            nn.Linear(1, n, dtype=knots.dtype), nn.ReLU(), nn.Linear(n, 1, dtype=knots.dtype)
        )
        with torch.no_grad():
            net[0].weight.fill_(1.0)
            net[0].bias.copy_(sign * knots[:-1])
            net[2].weight.copy_(coef.unsqueeze(0))
            net[2].bias.fill_(values[0].item() if out_bias else 0.0)
        return net

    return build


def test_ch1_accepts_references() -> None:
    assert ch1.check_ex1(counts, quiet=True)
    assert ch1.check_ex2(gates(), quiet=True)
    assert ch1.check_ex3(merged, quiet=True)
    assert ch1.check_ex4(linear_shape, quiet=True)
    assert ch1.check_ex5(interpolant(), quiet=True)


def test_ch1_typical_wrong_answers() -> None:
    rejects(ch1.check_ex1, lambda s: (counts(s)[0], counts(s)[0]), hint="偏置")
    rejects(ch1.check_ex1, lambda s: (counts(s)[0], counts(s)[1] + s[0]), hint="输入层只是")
    rejects(ch1.check_ex1, lambda s: counts(s)[::-1], hint="先返回连接数")
    rejects(ch1.check_ex1, lambda s: (120, 139), hint="一般的公式")
    rejects(ch1.check_ex2, gates(and_b=-0.5), hint="-2 ≤ b < -1")
    rejects(ch1.check_ex2, gates(one=True), hint="线性可分")
    rejects(ch1.check_ex2, gates(xor_w2=-1.0), hint="应是 -2")
    rejects(ch1.check_ex2, gates(xor_w2=0.0), hint="负的输出权重")
    rejects(ch1.check_ex3, lambda w: (merged(w)[0][::-1], merged(w)[1]), hint="[out, in]")
    rejects(ch1.check_ex3, lambda w: (merged(w)[0], min(w[0], w[-1])), hint="最窄的那一层")
    rejects(ch1.check_ex3, lambda w: (merged(w)[0], w[1]), hint="包括第一层和最后一层")
    rejects(ch1.check_ex4, lambda i, o, s: s[:-1] + (o,), hint="in_features = 3")
    rejects(
        ch1.check_ex4,
        lambda i, o, s: (1, o) if len(s) == 1 else linear_shape(i, o, s),
        hint="一维输入",
    )
    rejects(
        ch1.check_ex4,
        lambda i, o, s: None if len(s) > 2 else linear_shape(i, o, s),
        hint="批量维",
    )
    rejects(ch1.check_ex5, interpolant(slopes_as_weights=True), hint="斜率的变化")
    rejects(ch1.check_ex5, interpolant(out_bias=False), hint="输出偏置")
    rejects(ch1.check_ex5, interpolant(sign=1.0), hint="偏置 -t_k")


# ---- chapter 2 ---------------------------------------------------------------------------


def mish(x: torch.Tensor) -> torch.Tensor:
    return x * torch.tanh(softplus(x))


def mish_grad(x: torch.Tensor) -> torch.Tensor:
    t = torch.tanh(softplus(x))
    return t + x * sigmoid(x) * (1 - t * t)


def test_ch2_accepts_references() -> None:
    assert ch2.check_ex1(lambda x: 4 * sigmoid(2 * x) * (1 - sigmoid(2 * x)), quiet=True)
    assert ch2.check_ex1(lambda x: 1 - torch.tanh(x) ** 2, quiet=True)
    assert ch2.check_ex2(lambda: set(ch2.KEPT_AFTER_19_LAYERS), quiet=True)
    assert ch2.check_ex2(lambda: ["tanh", "ReLU", "Leaky ReLU", "PReLU", "ELU", "GELU"], quiet=True)
    for border in [set(), {"gelu"}, {"softplus"}, {"gelu", "softplus"}]:  # varies with the seed
        assert ch2.check_ex2(lambda b=border: set(ch2.KEPT_AFTER_19_LAYERS) | b, quiet=True)
    assert ch2.check_ex3(lambda: "C", quiet=True)
    assert ch2.check_ex4(lambda z, t: softmax(z / t), quiet=True)
    assert ch2.check_ex5(mish, mish_grad, quiet=True)


def test_ch2_typical_wrong_answers() -> None:
    s = torch.sigmoid
    rejects(ch2.check_ex1, lambda x: 2 * s(2 * x) * (1 - s(2 * x)), hint="外层的 2")
    rejects(ch2.check_ex1, lambda x: 4 * s(x) * (1 - s(x)), hint="2x 处求值")
    rejects(ch2.check_ex1, lambda x: 1 - torch.tanh(x), hint="少了平方")
    kept = set(ch2.KEPT_AFTER_19_LAYERS)
    rejects(ch2.check_ex2, lambda: kept | {"sigmoid"}, hint="σ'(0) = 1/4")
    rejects(ch2.check_ex2, lambda: kept - {"tanh"}, hint="斜率为 1")
    rejects(ch2.check_ex2, lambda: kept | {"silu", "softplus"}, hint="斜率是 1/2")
    rejects(ch2.check_ex2, lambda: kept | {"silu"}, hint="斜率是 1/2")
    rejects(ch2.check_ex2, lambda: kept - {"elu"}, hint="正半轴斜率也是 1")
    rejects(ch2.check_ex2, lambda: ["swish"], hint="activation_names()")
    rejects(ch2.check_ex3, lambda: "B", hint="1%")
    rejects(ch2.check_ex3, lambda: "A", hint="重新被激活")
    rejects(ch2.check_ex4, lambda z, t: softmax(z * t), hint="温度是除数")
    rejects(ch2.check_ex4, lambda z, t: softmax(z / t, dim=0), hint="dim=-1")
    rejects(
        ch2.check_ex4, lambda z, t: torch.exp(z / t) / torch.exp(z / t).sum(-1, True), hint="最大值"
    )
    rejects(ch2.check_ex4, lambda z, t: softmax(z), hint="除以 T")
    rejects(ch2.check_ex5, lambda x: x * torch.tanh(x), mish_grad, hint="softplus(x)")
    rejects(ch2.check_ex5, mish, lambda x: torch.tanh(softplus(x)), hint="乘积法则")
    rejects(
        ch2.check_ex5,
        mish,
        lambda x: torch.tanh(softplus(x)) + x * (1 - torch.tanh(softplus(x)) ** 2),
        hint="σ(x)",
    )


# ---- chapter 3 ---------------------------------------------------------------------------


def tanh_stable(gain: float) -> float:
    return variance_recursion("tanh", scale=gain**2, depth=200).forward[-1]


def zero_init(activation: str) -> tuple[set[str], bool]:
    last = {"4.weight", "4.bias"} if activation == "sigmoid" else {"4.bias"}
    return last, False


def first_step(losses: list[float], entropy: float) -> int | None:
    return next((t for t, v in enumerate(losses, start=1) if v < entropy + 0.01), None)


def test_ch3_accepts_references() -> None:
    assert ch3.check_ex1(lambda n, std: math.sqrt(n * std**2 / 2), quiet=True)
    assert ch3.check_ex2(tanh_stable, quiet=True)
    assert ch3.check_ex3(lambda i, o: (1 / math.sqrt(i), math.sqrt(2 / o), "反向"), quiet=True)
    assert ch3.check_ex4(zero_init, quiet=True)
    assert ch3.check_ex5(lambda: "B", quiet=True)
    assert ch3.check_ex6(first_step, quiet=True)


def test_ch3_typical_wrong_answers() -> None:
    rejects(ch3.check_ex1, lambda n, std: math.sqrt(n) * std, hint="Var[z]/2")
    rejects(ch3.check_ex1, lambda n, std: n * std**2 / 2, hint="平方根")
    rejects(ch3.check_ex2, lambda g: tanh_stable(g) ** 2, hint="开平方")
    rejects(ch3.check_ex2, lambda g: tanh_stable(math.sqrt(g)), hint="scale = gain²")
    rejects(ch3.check_ex2, lambda g: 1.0, hint="平衡")
    good_std = lambda o: math.sqrt(2 / o)  # noqa: E731
    rejects(ch3.check_ex3, lambda i, o: (1 / math.sqrt(o), good_std(o), "反向"), hint="fan_in")
    rejects(ch3.check_ex3, lambda i, o: (math.sqrt(6 / i), good_std(o), "反向"), hint="a = √5")
    rejects(
        ch3.check_ex3,
        lambda i, o: (1 / math.sqrt(i), math.sqrt(2 / i), "反向"),
        hint="out_features",
    )
    rejects(
        ch3.check_ex3, lambda i, o: (1 / math.sqrt(i), math.sqrt(1 / o), "反向"), hint="增益是 √2"
    )
    rejects(
        ch3.check_ex3, lambda i, o: (1 / math.sqrt(i), good_std(o), "前向"), hint="n 是 fan_out"
    )
    rejects(ch3.check_ex4, lambda a: ({"4.bias"}, False), hint="sigmoid(0) = 0.5")
    rejects(ch3.check_ex4, lambda a: ({"4.weight", "4.bias", "2.weight"}, False), hint="开始是 0")
    rejects(ch3.check_ex4, lambda a: ({"4.weight", "4.bias"}, False), hint="(0) = 0")
    rejects(ch3.check_ex4, lambda a: (zero_init(a)[0], True), hint="对称性")
    rejects(ch3.check_ex5, lambda: "A", hint="均方根归一化")
    rejects(ch3.check_ex5, lambda: "C", hint="归一化")
    rejects(
        ch3.check_ex6,
        lambda ls, h: first_step(ls, h) - 1 if first_step(ls, h) else None,
        hint="从 1 数起",
    )
    rejects(ch3.check_ex6, lambda ls, h: first_step(ls, h) or -1, hint="None")
    rejects(
        ch3.check_ex6,
        lambda ls, h: next((t for t, v in enumerate(ls, 1) if abs(v - h) < 0.01), None),
        hint="不是 |loss - H|",
    )


# ---- all chapters ------------------------------------------------------------------------

CHECKS = [
    *(getattr(ch1, f"check_ex{k}") for k in range(1, 6)),
    *(getattr(ch2, f"check_ex{k}") for k in range(1, 5)),
    *(getattr(ch3, f"check_ex{k}") for k in range(1, 7)),
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.title)
def test_unfilled_is_not_filled_and_fast(check: Callable[..., object]) -> None:
    start = time.perf_counter()
    assert check(unfilled, quiet=True) == NOT_FILLED
    assert time.perf_counter() - start < 1.0


def test_mish_unfilled_either_function() -> None:
    assert ch2.check_ex5(unfilled, mish_grad, quiet=True) == NOT_FILLED
    assert ch2.check_ex5(mish, unfilled, quiet=True) == NOT_FILLED


def test_checkers_leave_the_global_random_state_alone() -> None:
    torch.manual_seed(0)
    before = torch.get_rng_state()
    ch1.check_ex4(linear_shape, quiet=True)
    ch1.check_ex5(interpolant(), quiet=True)
    ch3.check_ex4(zero_init, quiet=True)
    assert torch.equal(before, torch.get_rng_state())


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (ch1.check_ex5, interpolant()),
        (ch2.check_ex4, lambda z, t: softmax(z / t)),
        (ch3.check_ex2, tanh_stable),
        (ch3.check_ex4, zero_init),
    ],
    ids=["ch1-ex5", "ch2-ex4", "ch3-ex2", "ch3-ex4"],
)
def test_slowest_checks_run_under_a_second(check: Callable[..., object], answer: object) -> None:
    start = time.perf_counter()
    assert check(answer, quiet=True)
    assert time.perf_counter() - start < 1.0


def test_answers_that_require_grad_give_no_warning() -> None:
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    with torch.no_grad():
        net[0].weight.fill_(1.0)
        net[0].bias.copy_(torch.tensor([0.0, -1.0]))
        net[2].weight.copy_(torch.tensor([[1.0, -2.0]]))
        net[2].bias.zero_()
    answer = gates()()
    answer["xor_net"] = (net[0].weight, net[0].bias, net[2].weight, net[2].bias)
    answer["and"] = (torch.ones(2, requires_grad=True), torch.tensor(-1.5, requires_grad=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ch1.check_ex2(lambda: answer, quiet=True)
        assert ch2.check_ex1(lambda x: 1 - torch.tanh(x.requires_grad_()) ** 2, quiet=True)


# ---- the notebooks use the checkers as designed -------------------------------------------

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"


def _text(cell: dict) -> str:
    """The printed text a stored code cell shows."""
    return "".join("".join(o.get("text", [])) for o in cell["outputs"])


@pytest.mark.parametrize(
    ("notebook", "n_exercises"),
    [("01_neural_network", 5), ("02_activation", 5), ("03_initialization", 6)],
)
def test_each_exercise_has_learner_check_and_solution_cells(
    notebook: str, n_exercises: int
) -> None:
    folder = CHAPTERS / notebook  # a chapter split into section notebooks: their cells in order
    paths = sorted(folder.glob("*.ipynb")) if folder.is_dir() else [CHAPTERS / f"{notebook}.ipynb"]
    cells = [c for p in paths for c in json.loads(p.read_text(encoding="utf-8"))["cells"]]
    sources = ["".join(c["source"]) for c in cells]
    for k in range(1, n_exercises + 1):
        (i,) = [j for j, s in enumerate(sources) if s.startswith(f"# 练习 {k} 参考答案")]
        learner, check, solution = cells[i - 2], cells[i - 1], cells[i]
        assert "raise NotImplementedError(TODO)" in sources[i - 2]
        assert "tags" not in learner["metadata"] and "tags" not in check["metadata"]
        assert re.search(rf"^_ = check_ex{k}\(my_\w+", sources[i - 1], re.M)
        assert "还没有补全" in _text(check)
        assert solution["metadata"]["tags"] == ["hide-cell"]
        assert f"assert check_ex{k}(" in sources[i]
        assert "✅" in _text(solution)


def test_ch2_ex2_grades_only_outcomes_that_hold_across_seeds() -> None:
    """The kept and lost sets of exercise 2 hold for seeds 0-2 here (the chapter checks 0-4);
    the borderline activations are not graded."""
    from nnlib.experiments.activation import vanishing_gradients

    names = sorted(ch2.KEPT_AFTER_19_LAYERS | ch2.LOST_AFTER_19_LAYERS)
    assert not ch2.BORDERLINE_AFTER_19_LAYERS & set(names)
    for seed in range(3):
        deep = vanishing_gradients(names, depth=20, init="kaiming_normal", seed=seed)
        kept = {n: p.preact_grad_norm[0] / p.preact_grad_norm[-1] for n, p in deep.items()}
        assert all(kept[n] > 0.1 for n in ch2.KEPT_AFTER_19_LAYERS), (seed, kept)
        assert all(kept[n] < 0.1 for n in ch2.LOST_AFTER_19_LAYERS), (seed, kept)
