"""The checkers of chapters 4-6 accept the reference solutions, reject the typical wrong answers
with their hint, and report an unfilled learner function as NOT_FILLED."""

from __future__ import annotations

import math

import torch
from torch import nn

from nnlib.data import make_toy_split
from nnlib.exercises import NOT_FILLED, TODO, ch4
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
