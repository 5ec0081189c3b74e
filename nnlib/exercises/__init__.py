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
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
