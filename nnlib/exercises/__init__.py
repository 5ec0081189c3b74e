"""Checkers for the exercises a learner fills in.

Each chapter's exercises come in three cells: a cell the learner completes (a function whose
body is ``raise NotImplementedError(TODO)`` until filled), a check cell that calls a checker
from this package and prints specific Chinese feedback, and the hidden executed reference
solution, which calls the same checker. A checker never raises for a wrong or unfilled answer:
it prints what is wrong and a hint, and returns a :class:`Feedback` (truthy when correct). So
an unfilled notebook runs top to bottom without errors, and nbval sees the same output on every
run (CONTRIBUTING.md, "练习：学习者填空").

Writing a checker::

    @checker("练习 1：参数个数")
    def check_parameter_count(fn):
        got = fn([784, 128, 64, 10])
        if got == 109_184:
            return wrong("少了偏置。", "每层还有 d_out 个偏置参数。")
        if got != 109_386:
            return wrong(f"得到 {got}。", "每层有 (d_in + 1) × d_out 个参数。")
        return right("每层 (d_in + 1) × d_out 个参数，共 109,386 个。")

The decorator runs the learner's callable safely: ``NotImplementedError`` gives the "还没有补全"
feedback, any other exception is reported with its type and message as feedback, not raised.

One type rule for answers, in every checker (the helpers below):

- a yes/no answer (:func:`as_bool`): ``True``/``False``, a NumPy bool or a one-element bool
  tensor; never a string (``"False"`` is truthy) and never a number;
- a number (:func:`as_number`): an ``int``, ``float``, NumPy scalar or one-element tensor; never
  a ``bool`` or a string; a count may be a float when it is a whole number (``4.3776e26``);
- several answers at once (:func:`as_sequence`): any sequence of the right length (tuple, list,
  NumPy array, tensor), not only a tuple;
- a word (:func:`as_word`): surrounding spaces and letter case do not matter, and the synonyms
  the text allows (``"反向传播"`` for ``"反向"``) are accepted.
"""

from __future__ import annotations

import functools
import numbers
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

TODO = "请补全这个函数（把 raise 这一行换成你的代码）"
"""The message of the ``NotImplementedError`` in every unfilled learner cell."""


@dataclass(frozen=True)
class Feedback:
    """The result of a check.

    Attributes:
        ok: the answer is correct.
        message: what is right or wrong, in Chinese.
        hint: a hint towards the answer (empty when ``ok``).
    """

    ok: bool
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def text(self, title: str = "") -> str:
        """The feedback as the learner reads it: ``✅ 标题：…`` or ``❌ 标题：… 提示：…``."""
        mark = "✅" if self.ok else "❌"
        head = f"{mark} {title}：" if title else f"{mark} "
        return head + self.message + (f"\n   提示：{self.hint}" if self.hint else "")


def right(message: str) -> Feedback:
    """A correct answer, with a sentence that says why it is right."""
    return Feedback(True, message)


def wrong(message: str, hint: str) -> Feedback:
    """A wrong answer: what is wrong (``message``) and a ``hint`` towards the answer.

    Raises:
        ValueError: if ``hint`` is empty (a learner always gets a hint).
    """
    if not hint:
        raise ValueError("a wrong answer needs a hint")
    return Feedback(False, message, hint)


NOT_FILLED = Feedback(
    False, "还没有补全。", "把 `raise NotImplementedError(TODO)` 换成你的代码，再运行这两个单元。"
)


def checker(title: str) -> Callable[[Callable[..., Feedback]], Callable[..., Feedback]]:
    """Decorate a check function: run it safely, print its feedback, return the Feedback.

    The decorated function receives the learner's answer (usually a callable) and returns a
    :class:`Feedback`. ``NotImplementedError`` raised while checking (an unfilled cell) becomes
    :data:`NOT_FILLED`; any other exception becomes feedback naming it. ``quiet=True`` returns
    the feedback without printing (for tests).
    """

    def decorate(check: Callable[..., Feedback]) -> Callable[..., Feedback]:
        @functools.wraps(check)
        def run(*args: Any, quiet: bool = False, **kwargs: Any) -> Feedback:
            try:
                feedback = check(*args, **kwargs)
            except NotImplementedError:
                feedback = NOT_FILLED
            except Exception as exc:  # noqa: BLE001 - a learner's bug is feedback, not a crash
                feedback = Feedback(
                    False,
                    f"运行时出错：{type(exc).__name__}: {exc}",
                    "先单独运行你的函数，看看它在哪一行出错。",
                )
            if not isinstance(feedback, Feedback):
                raise TypeError(f"checker {check.__name__} must return a Feedback")
            if not quiet:
                print(feedback.text(title))
            return feedback

        run.title = title  # type: ignore[attr-defined]
        return run

    return decorate


# --------------------------------------------------------------------------- answer types
def _one_element(value: Any) -> Any:
    """The single element of a NumPy array or tensor with one element, else ``value``."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.detach().reshape(-1)[0].item()
    if isinstance(value, (np.ndarray, np.generic)) and value.size == 1:
        return value.reshape(-1)[0].item()
    return value


def as_bool(value: Any) -> bool | None:
    """A yes/no answer as a ``bool``, or ``None`` when it is not one.

    Accepted: ``True``/``False``, ``numpy.bool_``, a one-element bool array or tensor.
    Rejected (``None``): strings (``"False"`` would count as true), numbers, ``None``.
    """
    torch = sys.modules.get("torch")
    is_tensor = torch is not None and isinstance(value, torch.Tensor)
    if is_tensor and value.dtype != torch.bool:
        return None
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype != np.bool_:
        return None
    value = _one_element(value)
    return value if isinstance(value, bool) else None


def as_number(value: Any) -> float | None:
    """A numeric answer as a ``float``, or ``None`` when it is not a number.

    Accepted: ``int``, ``float``, NumPy scalars and one-element arrays or tensors.
    Rejected (``None``): ``bool`` (``True`` is not the number 1 here), strings, sequences.
    """
    value = _one_element(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def number_answer(value: Any, what: str) -> float | Feedback:
    """``value`` as a float (:func:`as_number`), or the feedback for an answer that is not a
    number (a string such as ``"0.2"``, a ``bool``, a list)."""
    number = as_number(value)
    if number is None:
        return Feedback(
            False,
            f"{what}返回了 {value!r}（{type(value).__name__}），不是一个数。",
            "返回计算出的数值（int、float，或只有一个元素的张量），不要写成字符串。",
        )
    return number


def as_count(value: Any) -> int | None:
    """A count: an integer, or a number equal to a whole number (``4.3776e26`` from
    ``math.factorial(16) ** 2 * 1.0``, compared to 15 significant digits), else ``None``."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    number = as_number(value)
    if number is None or number != number or number in (float("inf"), float("-inf")):
        return None
    if number != round(number):
        return None
    return int(number)


def same_count(got: Any, want: int) -> bool:
    """Whether a count answer equals ``want``: exactly for integers, to float precision (relative
    1e-12) for a float (a float cannot hold 16!² exactly)."""
    if isinstance(got, numbers.Integral) and not isinstance(got, bool):
        return int(got) == want
    number = as_number(got)
    return number is not None and abs(number - want) <= 1e-12 * abs(want)


def as_sequence(value: Any, length: int) -> list[Any] | None:
    """Several answers at once: any sequence of ``length`` items (tuple, list, NumPy array,
    tensor), as a list; ``None`` for a string, a mapping, a set or a wrong length."""
    if isinstance(value, (str, bytes, Mapping, set, frozenset)) or not isinstance(value, Iterable):
        return None
    try:
        items = list(value)
    except TypeError:
        return None
    return items if len(items) == length else None


def as_word(value: Any, synonyms: Mapping[str, Iterable[str]]) -> str | None:
    """A one-word answer: the key of ``synonyms`` whose spellings include ``value`` (spaces and
    letter case ignored), or ``None``. ``synonyms = {"反向": ["反向传播", "backward"]}``."""
    if not isinstance(value, str):
        return None
    key = "".join(value.split()).lower()
    for word, spellings in synonyms.items():
        if key in {"".join(s.split()).lower() for s in (word, *spellings)}:
            return word
    return None


# --------------------------------------------------------------------------- initialisation
def weight_scale(model: Any, rule: str = "kaiming", hidden_only: bool = True) -> float | None:
    """How the weights' spread compares with an initialisation rule: the mean of
    :math:`w^2 / \\sigma^2_{\\text{rule}}` over the weights of the ``nn.Linear`` layers (the
    hidden ones only when ``hidden_only``; ``make_mlp`` gives the output layer Xavier).

    ``rule="kaiming"``: :math:`\\sigma^2 = 2/\\text{fan\\_in}` (normal or uniform, ReLU gain);
    ``rule="default"``: PyTorch's :math:`\\mathcal{U}(\\pm 1/\\sqrt{\\text{fan\\_in}})`,
    :math:`\\sigma^2 = 1/(3\\,\\text{fan\\_in})`. About 1 for that rule (the checkers build the
    network under a fixed seed, so the value is the same on every run), 1/6 for PyTorch's
    default measured against Kaiming, 0 for all-zero weights. ``None`` without linear layers.
    """
    import torch
    from torch import nn

    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if hidden_only and len(linears) > 1:
        linears = linears[:-1]
    if not linears:
        return None
    total, count = 0.0, 0
    for layer in linears:
        w = layer.weight.detach().to(torch.float64)
        var = 2 / layer.in_features if rule == "kaiming" else 1 / (3 * layer.in_features)
        total += float((w**2).sum()) / var
        count += w.numel()
    return total / count
