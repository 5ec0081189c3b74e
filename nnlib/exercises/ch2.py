"""Checkers for the exercises of chapter 2 (activation functions).

Each checker calls the learner's function on the chapter's case and on cases the learner did
not see, and recognises the typical wrong answers listed in its docstring. For the two
"predict, then run" exercises the learner's function returns the prediction; the chapter's
hidden solution derives the same answer from the measurement and asserts that this checker
accepts it, so the expected answer here is tied to the experiment by CI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import Tensor, nn

from nnlib.activations import DISPLAY_NAMES, activation_names, derivative
from nnlib.exercises import Feedback, checker, right, wrong

__all__ = ["EX3_CHOICES", "KEPT_AFTER_19_LAYERS", "check_ex1", "check_ex2", "check_ex3"]
__all__ += ["check_ex4", "check_ex5"]
__all__ += ["BORDERLINE_AFTER_19_LAYERS", "LOST_AFTER_19_LAYERS"]


def _f64(value: object) -> torch.Tensor:
    """A number, list or tensor (even one that requires grad) as a float64 tensor."""
    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float64)
    return torch.as_tensor(value, dtype=torch.float64)


_GRID = torch.cat(
    [torch.linspace(-5, 5, 201, dtype=torch.float64), torch.tensor([-9.0, -7.3, 0.0, 6.1, 9.0])]
)


def _ratio_is(got: Tensor, want: Tensor, factor: float, rtol: float = 1e-6) -> bool:
    """Whether ``got`` equals ``factor * want`` everywhere (where ``want`` is not tiny)."""
    mask = want.abs() > 1e-6
    return bool(torch.allclose(got[mask], factor * want[mask], rtol=rtol, atol=1e-9))


# --------------------------------------------------------------------------------------------
# 练习 1: tanh'(x) from the sigmoid
# --------------------------------------------------------------------------------------------


@checker("练习 1：tanh 的导数")
def check_ex1(tanh_grad: Callable[[Tensor], Tensor]) -> Feedback:
    """``tanh_grad(x)`` returns :math:`\\tanh'(x)` element-wise; compared with autograd in
    float64 on [-5, 5] and a few other points.

    Typical wrong answers: :math:`2\\sigma'(2x)` (the inner factor 2 of the chain rule
    forgotten); :math:`4\\sigma'(x)` (the argument 2x forgotten); :math:`1 - \\tanh x` (the
    square forgotten).
    """
    x = _GRID.clone()
    raw = tanh_grad(x.clone())
    got = _f64(raw)
    want = derivative(torch.tanh, x)
    if got.shape != want.shape:
        return wrong(
            f"输出形状 {tuple(got.shape)}，应与输入相同 {tuple(x.shape)}。", "逐元素计算导数。"
        )
    # The precision of the learner's dtype: a right formula computed in float32 is right.
    tol = _tolerance(raw)

    def close(a: Tensor, b: Tensor) -> bool:
        return bool(torch.allclose(a, b, **tol))

    if close(got, want):
        return right(
            "tanh'(x) = 4σ'(2x) = 4σ(2x)(1 - σ(2x)) = 1 - tanh²(x)，在 0 处等于 1，"
            "是 sigmoid 最大斜率 1/4 的 4 倍。"
        )
    s2 = torch.sigmoid(2 * x)
    if _ratio_is(got, want, 0.5, rtol=max(tol["rtol"], 1e-6)):
        return wrong(
            "得到的是正确值的一半（像 2σ'(2x)）。",
            "tanh(x) = 2σ(2x) - 1：外层的 2 乘上内层 2x 的导数 2，共 4σ'(2x)。",
        )
    s1 = torch.sigmoid(x)
    if close(got, 4 * s1 * (1 - s1)):
        return wrong("得到的是 4σ'(x)。", "σ' 要在 2x 处求值：4σ'(2x) = 4σ(2x)(1 - σ(2x))。")
    if close(got, 1 - torch.tanh(x)):
        return wrong(
            "得到的是 1 - tanh(x)。", "少了平方：令 s = σ(2x)，4s(1 - s) = 1 - (2s - 1)²。"
        )
    if close(got, 2 * s2 * (1 - s2)):
        return wrong(
            "得到的是 2σ'(2x)，少了一个因子 2。", "链式法则：d/dx σ(2x) = 2σ'(2x)，外面还有一个 2。"
        )
    worst = int((got - want).abs().argmax())
    return wrong(
        f"在 x = {x[worst].item():.2f} 处得到 {got[worst].item():.8g}，"
        f"应为 {want[worst].item():.8g}（差 {(got[worst] - want[worst]).item():.2g}）。",
        "从 tanh(x) = 2σ(2x) - 1 出发用链式法则，再用 σ' = σ(1 - σ)。",
    )


def _tolerance(raw: object) -> dict[str, float]:
    """``allclose`` tolerances for an answer in its own precision: float64 (or a list) tight,
    float32 about 10 units in the last place, float16/bfloat16 looser."""
    dtype = raw.dtype if isinstance(raw, torch.Tensor) else torch.float64
    if dtype in (torch.float16, torch.bfloat16):
        return {"rtol": 1e-2, "atol": 1e-3}
    if dtype == torch.float32:
        return {"rtol": 1e-5, "atol": 1e-6}
    return {"rtol": 1e-7, "atol": 1e-10}


# --------------------------------------------------------------------------------------------
# 练习 2: which activations keep the gradient through 19 Kaiming layers
# --------------------------------------------------------------------------------------------

KEPT_AFTER_19_LAYERS = frozenset({"tanh", "relu", "leaky_relu", "prelu", "elu"})
"""Activations whose gradient keeps more than 0.1 of the top layer's after 19 Kaiming layers
(``vanishing_gradients(..., depth=20, init="kaiming_normal", seed=s)``) for **every** seed
tried (0–7: at least 0.77); chapter 2's solution cell checks this on seeds 0–4."""

LOST_AFTER_19_LAYERS = frozenset({"sigmoid", "silu"})
"""Activations that keep less than 0.1 for every seed (0–7: sigmoid about 1e-10, SiLU at most
0.025)."""

BORDERLINE_AFTER_19_LAYERS = frozenset({"gelu", "softplus"})
"""Activations whose kept ratio straddles 0.1 from seed to seed (seeds 0–7: GELU 0.077–1.9,
Softplus 0.021–0.38): their per-layer factor sits near 0.1^(1/19) ≈ 0.886, so one random
network decides. :func:`check_ex2` accepts a prediction either way for them."""

_DISPLAY_TO_NAME = {v.lower(): k for k, v in DISPLAY_NAMES.items()}


def _names(predicted: Iterable[str]) -> set[str]:
    """Registry names from registry or display names (``"ReLU"``, ``"Leaky ReLU"``, …)."""
    if isinstance(predicted, str):
        predicted = [predicted]
    out = set()
    for name in predicted:
        key = str(name).strip().lower()
        out.add(_DISPLAY_TO_NAME.get(key, key.replace(" ", "_")))
    return out


@checker("练习 2：哪些激活函数的梯度穿过 19 层")
def check_ex2(predict: Callable[[], Iterable[str]]) -> Feedback:
    """``predict()`` returns the names (as in ``activation_names()``) whose gradient keeps more
    than 0.1 of the top layer's after 19 Kaiming layers, whatever the seed.

    Only outcomes that hold across seeds are graded: :data:`KEPT_AFTER_19_LAYERS` must be in the
    prediction and :data:`LOST_AFTER_19_LAYERS` must not; GELU and Softplus
    (:data:`BORDERLINE_AFTER_19_LAYERS`) change from seed to seed and are accepted either way.

    Typical wrong answers: sigmoid included; tanh left out (Kaiming's √2 "is for ReLU"); SiLU
    included (its slope at 0 is 1/2); a ReLU variant left out.
    """
    got = _names(predict())
    valid = set(activation_names()) - {"identity"}
    unknown = got - valid
    if unknown:
        return wrong(
            f"不认识的名称 {sorted(unknown)}。",
            f"用 activation_names() 里的名称：{', '.join(sorted(valid))}。",
        )
    if "sigmoid" in got:
        return wrong(
            "sigmoid 保留不下来。",
            "σ'(0) = 1/4 是它的最大斜率：乘上 Kaiming 的 √2，每层因子约 √2 × rms σ' ≤ √2/4 ≈ 0.35，"
            "19 层后只剩 1e-9 量级。",
        )
    if "tanh" not in got:
        return wrong(
            "漏了 tanh。",
            "tanh 在 0 附近斜率为 1；Kaiming 的 √2 对它是放大，饱和的压缩与放大大致抵消，每层因子"
            "约 1。",
        )
    if "silu" in got:
        return wrong(
            "SiLU 保留不下来。",
            "SiLU 在 0 处的斜率是 1/2（不是 1），Kaiming 的 √2 补不回来：每个种子下每层因子都低于"
            " 0.886。",
        )
    relu_like = KEPT_AFTER_19_LAYERS - got
    if relu_like:
        return wrong(
            f"漏了 {sorted(relu_like)}。",
            "Kaiming 的 √2 正是按 ReLU 算的；Leaky ReLU、PReLU、ELU 在正半轴斜率也是 1，每层因子"
            "约 1。",
        )
    border = sorted(DISPLAY_NAMES[n] for n in BORDERLINE_AFTER_19_LAYERS & got)
    said = f"你把 {'、'.join(border)} 也算了进来，" if border else "你没有算 GELU、Softplus，"
    return right(
        "tanh、ReLU、Leaky ReLU、PReLU、ELU 在每个种子下都保留（每层因子约 1 或更大），sigmoid、"
        f"SiLU 在每个种子下都保留不下。{said}这两个是边界情况：每层因子在 0.1^(1/19) ≈ 0.886 "
        "上下，换一个种子结论就可能变，所以两种预测都算对。"
    )


# --------------------------------------------------------------------------------------------
# 练习 3: do dead units recover?
# --------------------------------------------------------------------------------------------

EX3_CHOICES = {
    "A": "两者都不恢复：死单元收不到梯度，比例不变",
    "B": "ReLU 的不恢复，Leaky ReLU 的全部恢复",
    "C": "两者都恢复一部分，Leaky ReLU 恢复得更多，但远没有全部恢复",
    "D": "ReLU 恢复得比 Leaky ReLU 多",
}
"""The choices of exercise 3 (the learner's function returns one letter)."""


@checker("练习 3：死单元会不会恢复")
def check_ex3(predict: Callable[[], str]) -> Feedback:
    """``predict()`` returns one letter of :data:`EX3_CHOICES`. Chapter 2's solution cell derives
    the letter from five seeds of ``dead_units(..., recovery_steps=20)`` and asserts that this
    checker accepts it.

    Typical wrong answers: A (ReLU cannot recover at all), B (Leaky ReLU recovers fully), D.
    """
    got = str(predict()).strip().upper()
    if got not in EX3_CHOICES:
        return wrong(f"得到 {got!r}。", f"返回 {', '.join(EX3_CHOICES)} 中的一个字母。")
    if got == "C":
        return right(
            "Leaky ReLU 的负半轴斜率 0.01 让梯度流回来，但只有正常的 1%，恢复得慢；ReLU 的死单元自"
            "己收不到梯度，"
            "可第 2、3 层的输入在变，有的单元会“复活”，也有单元新死去。"
        )
    if got == "A":
        return wrong(
            "ReLU 的不激活比例也会下降一些。",
            "死单元本身收不到梯度，但第 2、3 层的输入来自前面继续训练的层：输入变了，单元可能重新"
            "被激活。",
        )
    if got == "B":
        return wrong(
            "Leaky ReLU 远没有全部恢复。",
            "负半轴的斜率只有 0.01：流回去的梯度是正常的 1%，20 步学习率 0.1 的训练只把一部分拉"
            "了回来。",
        )
    return wrong(
        "Leaky ReLU 恢复得更多。",
        "Leaky ReLU 的“死”单元还有 0.01 倍的梯度，ReLU 的一点也没有。",
    )


# --------------------------------------------------------------------------------------------
# 练习 4: softmax with temperature
# --------------------------------------------------------------------------------------------


@checker("练习 4：带温度的 softmax")
def check_ex4(softmax_t: Callable[[Tensor, float], Tensor]) -> Feedback:
    """``softmax_t(z, T)`` returns ``softmax(z / T)`` along the last dimension, for 1-D and
    batched ``z``, without overflow for large scores.

    Typical wrong answers: ``z * T`` instead of ``z / T``; the temperature ignored; softmax over
    ``dim=0`` on a batch; ``nan`` for large scores (no max shift).
    """
    gen = torch.Generator().manual_seed(0)
    cases = [
        (torch.arange(10, dtype=torch.float64) * 0.7 - 3, 2.0),
        (torch.randn(3, 5, generator=gen, dtype=torch.float64), 0.5),
        (torch.randn(4, 6, generator=gen, dtype=torch.float64) * 3, 5.0),
        (torch.tensor([1000.0, 999.0, 0.0], dtype=torch.float64), 1.0),
    ]
    for z, T in cases:
        got = _f64(softmax_t(z.clone(), T))
        want = torch.softmax(z / T, dim=-1)
        if got.shape == want.shape and torch.allclose(got, want, rtol=1e-6, atol=1e-9):
            continue
        where = f"z 的形状 {tuple(z.shape)}、T = {T}："
        if not torch.isfinite(got).all():
            return wrong(
                where + "出现了 nan 或 inf（分数很大时 e^z 溢出）。",
                "先减去每行的最大值再取指数（或直接用 2.1 节的 softmax / torch.softmax）。",
            )
        if got.shape != want.shape:
            return wrong(
                where + f"输出形状 {tuple(got.shape)}，应为 {tuple(want.shape)}。",
                "输出与 z 同形状。",
            )
        if torch.allclose(got, torch.softmax(z * T, dim=-1), rtol=1e-6, atol=1e-9):
            return wrong(
                where + "得到的是 softmax(z·T)。", "温度是除数：softmax(z / T)，T 越大分布越平。"
            )
        if torch.allclose(got, torch.softmax(z, dim=-1), rtol=1e-6, atol=1e-9):
            return wrong(where + "温度没有起作用。", "先把分数除以 T，再做 softmax。")
        if z.dim() > 1 and torch.allclose(got, torch.softmax(z / T, dim=0), rtol=1e-6, atol=1e-9):
            return wrong(
                where + "在第 0 维上做了归一化。",
                "一行是一个样本的各类分数：沿最后一维（dim=-1）归一化，使每行之和为 1。",
            )
        return wrong(
            where + "结果与 softmax(z / T) 不同。",
            "softmax(z / T) = e^(z_i/T) / Σ_j e^(z_j/T)，沿最后一维。",
        )
    z = cases[0][0]
    cold = _f64(softmax_t(z, 0.01)).max().item()
    hot = _f64(softmax_t(z, 1e6))
    return right(
        f"T 越大分布越平，排序不变。用你的函数：T = 0.01 时最大概率 {cold:.4f}（趋向 one-hot），"
        f"T = 1e6 时各类概率在 {hot.min().item():.4f}～{hot.max().item():.4f}（趋向均匀 1/10）。"
    )


# --------------------------------------------------------------------------------------------
# 练习 5: Mish and its derivative from scratch
# --------------------------------------------------------------------------------------------


@checker("练习 5：Mish 及其导数")
def check_ex5(mish: Callable[[Tensor], Tensor], mish_grad: Callable[[Tensor], Tensor]) -> Feedback:
    """``mish(x)`` and ``mish_grad(x)``, compared with ``nn.Mish`` and its autograd derivative in
    float64 on [-5, 5] and a few far points. (Registering it with ``register_activation`` is a
    procedure, not a value: it is not checked here.)

    Typical wrong answers: ``x tanh(x)`` or ``x σ(x)`` for the function; for the derivative
    only ``tanh(s)`` (product rule forgotten), ``x (1 - tanh² s)`` without ``σ(x)`` (softplus'
    forgotten), or ``1 - tanh s`` instead of ``1 - tanh² s``.
    """
    x = _GRID.clone()
    module = nn.Mish()
    with torch.no_grad():
        want = module(x)
    got = _f64(mish(x.clone()))
    if not torch.allclose(got, want, rtol=1e-7, atol=1e-10):
        if torch.allclose(got, x * torch.tanh(x), rtol=1e-7, atol=1e-10):
            return wrong(
                "mish 得到的是 x·tanh(x)。", "tanh 里面是 softplus(x) = ln(1 + e^x)，不是 x。"
            )
        if torch.allclose(got, x * torch.sigmoid(x), rtol=1e-7, atol=1e-10):
            return wrong("mish 得到的是 SiLU：x·σ(x)。", "Mish(x) = x·tanh(softplus(x))。")
        worst = int((got - want).abs().argmax())
        return wrong(
            f"mish 在 x = {x[worst].item():.2f} 处得到 {got[worst].item():.4f}，"
            f"应为 {want[worst].item():.4f}。",
            "Mish(x) = x·tanh(softplus(x))，softplus 用 nnlib.activations.softplus。",
        )
    want_grad = derivative(module, x)
    got_grad = _f64(mish_grad(x.clone()))
    if torch.allclose(got_grad, want_grad, rtol=1e-7, atol=1e-10):
        slope0 = _f64(mish_grad(torch.zeros(1, dtype=torch.float64))).item()
        return right(
            f"Mish'(x) = tanh(s) + x·σ(x)·(1 - tanh²(s))；你的 Mish'(0) = {slope0:.4f} = tanh(ln 2)"
            "，"
            "不是 1：Mish 属于光滑的一类，和 SiLU 很像。"
        )
    t = torch.tanh(torch.nn.functional.softplus(x))
    sig = torch.sigmoid(x)
    candidates = [
        (t, "只有 tanh(s) 一项。", "乘积 x·tanh(s) 求导要用乘积法则：还有 x·d/dx tanh(s) 这一项。"),
        (
            t + x * (1 - t * t),
            "少了 softplus 的导数 σ(x)。",
            "链式法则：d/dx tanh(s) = (1 - tanh²(s))·s'，而 softplus'(x) = σ(x)。",
        ),
        (t + x * sig * (1 - t), "用了 1 - tanh(s)。", "tanh 的导数是 1 - tanh²：少了平方。"),
    ]
    for value, message, hint in candidates:
        if torch.allclose(got_grad, value, rtol=1e-7, atol=1e-10):
            return wrong("mish_grad " + message, hint)
    worst = int((got_grad - want_grad).abs().argmax())
    return wrong(
        f"mish_grad 在 x = {x[worst].item():.2f} 处得到 {got_grad[worst].item():.4f}，"
        f"应为 {want_grad[worst].item():.4f}。",
        "Mish'(x) = tanh(s) + x·σ(x)·(1 - tanh²(s))，s = softplus(x)。",
    )
