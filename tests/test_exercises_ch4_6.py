"""The checkers of chapters 4-6 accept the reference solutions, reject the typical wrong answers
with their hint, and report an unfilled learner function as NOT_FILLED."""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from nnlib.data import make_toy_split
from nnlib.exercises import NOT_FILLED, TODO, ch4, ch5, ch6
from nnlib.models import SeedNet, make_mlp


def unfilled(*args, **kwargs):
    raise NotImplementedError(TODO)


def assert_rejects(check, *answers, hint: str) -> None:
    feedback = check(*answers, quiet=True)
    assert not feedback, feedback
    assert hint in feedback.hint or hint in feedback.message, feedback


# ---------------------------------------------------------------- chapter 4


def ch4_count(sizes, bias=True):
    return sum((a + int(bias)) * b for a, b in zip(sizes, sizes[1:], strict=False))


class SeedOrderNet(nn.Module):
    def __init__(self, init_after=False, init=True):
        super().__init__()
        self.linear1 = nn.Linear(3, 3)
        if init and not init_after:
            nn.init.xavier_normal_(self.linear1.weight)
        self.linear2 = nn.Linear(3, 2)
        if init and not init_after:
            nn.init.kaiming_normal_(self.linear2.weight)
        self.out = nn.Linear(2, 2)
        if init and init_after:
            nn.init.xavier_normal_(self.linear1.weight)
            nn.init.kaiming_normal_(self.linear2.weight)

    def forward(self, x):
        x = torch.sigmoid(self.linear1(x))
        x = torch.relu(self.linear2(x))
        return torch.softmax(self.out(x), dim=-1)


def circles_setup(name="circles", noise=0.1, softmax=False):
    model = make_mlp([2, 16, 16, 2], activation="relu", init="kaiming_normal")
    if softmax:
        model = nn.Sequential(model, nn.Softmax(dim=-1))
    return make_toy_split(name, noise=noise), model


def candidate(with_softmax, dim=-1):
    model = make_mlp([2, 16, 16, 2], activation="relu", init="kaiming_normal")
    return nn.Sequential(model, nn.Softmax(dim=dim)) if with_softmax else model


def test_ch4_references_pass() -> None:
    assert ch4.check_ex1(ch4_count, quiet=True)
    assert ch4.check_ex2(SeedOrderNet, quiet=True)
    assert ch4.check_ex3(circles_setup, quiet=True)
    assert ch4.check_ex4(candidate, lambda: "变大", quiet=True)
    assert ch4.check_ex5(lambda c: math.log(1 + (c - 1) / math.e), quiet=True)
    assert ch4.check_ex6(lambda w, b: b + w.abs().sum(dim=1) > 0, quiet=True)


def test_ch4_typical_wrong_answers() -> None:
    assert_rejects(ch4.check_ex1, lambda s, bias=True: ch4_count(s, False), hint="少了偏置")
    assert_rejects(ch4.check_ex1, lambda s, bias=True: ch4_count(s, True), hint="仍算了偏置")
    assert_rejects(
        ch4.check_ex1,
        lambda s, bias=True: sum(a * b + a * bias for a, b in zip(s, s[1:], strict=False)),
        hint="偏置属于输出神经元",
    )
    assert_rejects(ch4.check_ex2, SeedNet, hint="先建完了三层")
    assert_rejects(ch4.check_ex2, lambda: SeedOrderNet(init_after=True), hint="先建完了三层")
    assert_rejects(ch4.check_ex2, lambda: SeedOrderNet(init=False), hint="默认初始化")
    assert_rejects(ch4.check_ex3, lambda: circles_setup("moons"), hint="还是双月")
    assert_rejects(ch4.check_ex3, lambda: circles_setup(noise=0.2), hint="默认的 0.2")
    assert_rejects(
        ch4.check_ex3, lambda: circles_setup(softmax=True), hint="不要在网络末尾加 softmax"
    )
    assert_rejects(ch4.check_ex4, candidate, lambda: "变小", hint="学习率 × 梯度")
    assert_rejects(ch4.check_ex4, lambda s: candidate(s, dim=0), lambda: "变大", hint="dim=-1")
    assert_rejects(ch4.check_ex4, lambda s: candidate(False), lambda: "变大", hint="nn.Softmax")
    assert_rejects(ch4.check_ex5, lambda c: math.log(1 + 1 / math.e), hint="C − 1 个")
    assert_rejects(ch4.check_ex5, lambda c: 0.0, hint="不能让损失降到 0")
    assert_rejects(ch4.check_ex5, math.log, hint="均匀猜测")
    assert_rejects(
        ch4.check_ex6, lambda w, b: b + w.clamp(min=0).sum(dim=1) > 0, hint="sigmoid 时的判据"
    )
    assert_rejects(ch4.check_ex6, lambda w, b: b > 0, hint="只看了偏置")


def test_ch4_unfilled() -> None:
    assert ch4.check_ex1(unfilled, quiet=True) == NOT_FILLED
    assert ch4.check_ex2(unfilled, quiet=True) == NOT_FILLED
    assert ch4.check_ex3(unfilled, quiet=True) == NOT_FILLED
    assert ch4.check_ex4(unfilled, unfilled, quiet=True) == NOT_FILLED
    assert ch4.check_ex4(candidate, unfilled, quiet=True) == NOT_FILLED
    assert ch4.check_ex5(unfilled, quiet=True) == NOT_FILLED
    assert ch4.check_ex6(unfilled, quiet=True) == NOT_FILLED


def test_checks_leave_the_random_stream_alone() -> None:
    torch.manual_seed(0)
    ch4.check_ex2(SeedOrderNet, quiet=True)
    ch4.check_ex3(circles_setup, quiet=True)
    after = torch.rand(3)
    torch.manual_seed(0)
    torch.testing.assert_close(after, torch.rand(3), rtol=0, atol=0)


# ---------------------------------------------------------------- chapter 5


def wide_setup(data, sizes=(64, 128, 10), part="val"):
    model = make_mlp(list(sizes), activation="relu", init="kaiming_normal")
    return model, getattr(data, f"x_{part}"), getattr(data, f"y_{part}")


def shallow(sizes=(64, 64, 10), activation="sigmoid", init="default"):
    return make_mlp(list(sizes), activation=activation, init=init)


def test_ch5_references_pass() -> None:
    assert ch5.check_ex1(wide_setup, lambda: False, quiet=True)
    assert ch5.check_ex2(lambda g, w, lam: g + lam * w, quiet=True)
    assert ch5.check_ex3(shallow, lambda: True, quiet=True)


def test_ch5_typical_wrong_answers() -> None:
    assert_rejects(
        ch5.check_ex1, lambda d: wide_setup(d, part="test"), lambda: False, hint="测试集"
    )
    assert_rejects(
        ch5.check_ex1, lambda d: wide_setup(d, part="train"), lambda: False, hint="训练集"
    )
    assert_rejects(
        ch5.check_ex1, lambda d: wide_setup(d, (64, 128, 128, 10)), lambda: False, hint="变深"
    )
    assert_rejects(ch5.check_ex1, wide_setup, lambda: True, hint="参数多一倍不等于更准")
    assert_rejects(ch5.check_ex2, lambda g, w, lam: g + lam / 2 * w, hint="多了一个 1/2")
    assert_rejects(ch5.check_ex2, lambda g, w, lam: g - lam * w, hint="符号反了")
    assert_rejects(ch5.check_ex2, lambda g, w, lam: lam * w, hint="g 丢了")
    assert_rejects(ch5.check_ex2, lambda g, w, lam: (1 - lam) * w, hint="AdamW")
    assert_rejects(ch5.check_ex3, lambda: shallow(activation="relu"), lambda: True, hint="sigmoid")
    assert_rejects(ch5.check_ex3, lambda: shallow((64,) * 6 + (10,)), lambda: True, hint="深网络")
    assert_rejects(
        ch5.check_ex3, lambda: shallow(init="kaiming_normal"), lambda: True, hint='init="default"'
    )
    assert_rejects(ch5.check_ex3, shallow, lambda: False, hint="梯度消失是层数多了")


def test_ch5_unfilled() -> None:
    assert ch5.check_ex1(unfilled, unfilled, quiet=True) == NOT_FILLED
    assert ch5.check_ex1(wide_setup, unfilled, quiet=True) == NOT_FILLED
    assert ch5.check_ex2(unfilled, quiet=True) == NOT_FILLED
    assert ch5.check_ex3(unfilled, unfilled, quiet=True) == NOT_FILLED


# ---------------------------------------------------------------- chapter 6


def moons_data(n_train, noise=0.35):
    n = n_train + 800
    return make_toy_split("moons", n_samples=n, noise=noise, test_fraction=800 / n, seed=0)


def adam_l2(model):
    return torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=0.1)


def far_slope(net):
    w, v = net[0].weight.squeeze(1), net[2].weight.squeeze(0)
    return float((v * w * (w > 0)).sum())


def far_slope_numeric(net):
    w, b = net[0].weight.squeeze(1), net[0].bias
    x = (-b / w).max().item() + torch.tensor([[1.0], [11.0]], dtype=torch.float64)
    with torch.no_grad():
        f = net(x).squeeze(1)
    return ((f[1] - f[0]) / 10).item()


def permute(net, perm, rows=True, bias=True, cols=True):
    out = copy.deepcopy(net)
    with torch.no_grad():
        if rows:
            out[2].weight.copy_(net[2].weight[perm])
        if bias:
            out[2].bias.copy_(net[2].bias[perm])
        if cols:
            out[4].weight.copy_(net[4].weight[:, perm])
    return out


def count_perms(hidden):
    return math.prod(math.factorial(d) for d in hidden)


def select_lr(results):
    return max(results, key=lambda lr: results[lr]["val"])


def test_ch6_references_pass() -> None:
    assert ch6.check_ex1(moons_data, lambda: "变小", quiet=True)
    assert ch6.check_ex2(adam_l2, lambda: (True, True), quiet=True)
    assert ch6.check_ex3(far_slope, quiet=True)
    assert ch6.check_ex3(far_slope_numeric, quiet=True)
    assert ch6.check_ex4(permute, count_perms, quiet=True)
    assert ch6.check_ex5(select_lr, quiet=True)


def test_ch6_typical_wrong_answers() -> None:
    assert_rejects(
        ch6.check_ex1,
        lambda n: make_toy_split("moons", n_samples=n, noise=0.35, seed=0),
        lambda: "变小",
        hint="n_train + 800",
    )
    assert_rejects(ch6.check_ex1, lambda n: moons_data(n, noise=0.2), lambda: "变小", hint="0.2")
    assert_rejects(ch6.check_ex1, moons_data, lambda: "变大", hint="背下来")
    assert_rejects(
        ch6.check_ex2,
        lambda m: torch.optim.AdamW(m.parameters(), lr=0.01, weight_decay=0.1),
        lambda: (True, True),
        hint="AdamW",
    )
    assert_rejects(
        ch6.check_ex2,
        lambda m: torch.optim.Adam(m.parameters(), lr=0.01),
        lambda: (True, True),
        hint="没有权重衰减",
    )
    assert_rejects(ch6.check_ex2, adam_l2, lambda: (True, False), hint="背不下来")
    assert_rejects(ch6.check_ex2, adam_l2, lambda: (False, False), hint="训练准确率降了下来")
    assert_rejects(ch6.check_ex3, lambda net: 0.0, hint="不饱和")
    assert_rejects(
        ch6.check_ex3,
        lambda net: float((net[0].weight.squeeze(1) * net[2].weight.squeeze(0)).sum()),
        hint="w_i < 0 的神经元",
    )
    assert_rejects(
        ch6.check_ex4, lambda n, p: permute(n, p, cols=False), count_perms, hint="W3 的列"
    )
    assert_rejects(ch6.check_ex4, lambda n, p: permute(n, p, bias=False), count_perms, hint="b2")
    assert_rejects(ch6.check_ex4, lambda n, p: n, count_perms, hint="一个都没变")
    assert_rejects(ch6.check_ex4, permute, lambda h: math.factorial(sum(h)), hint="本层内交换")
    assert_rejects(
        ch6.check_ex4,
        permute,
        lambda h: sum(math.factorial(d) for d in h),
        hint="相乘而不是相加",
    )
    assert_rejects(
        ch6.check_ex5, lambda r: max(r, key=lambda lr: r[lr]["test"]), hint="在测试集上选超参数"
    )
    assert_rejects(
        ch6.check_ex5, lambda r: max(r, key=lambda lr: r[lr]["train"]), hint="奖励过拟合"
    )


def test_ch6_unfilled() -> None:
    assert ch6.check_ex1(unfilled, unfilled, quiet=True) == NOT_FILLED
    assert ch6.check_ex2(unfilled, unfilled, quiet=True) == NOT_FILLED
    assert ch6.check_ex2(adam_l2, unfilled, quiet=True) == NOT_FILLED
    assert ch6.check_ex3(unfilled, quiet=True) == NOT_FILLED
    assert ch6.check_ex4(unfilled, unfilled, quiet=True) == NOT_FILLED
    assert ch6.check_ex4(permute, unfilled, quiet=True) == NOT_FILLED
    assert ch6.check_ex5(unfilled, quiet=True) == NOT_FILLED
