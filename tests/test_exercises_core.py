"""The exercise-checker core: feedback for right, wrong, unfilled and crashing answers."""

from __future__ import annotations

import pytest

from nnlib.exercises import NOT_FILLED, TODO, Feedback, checker, right, wrong


@checker("练习 0：平方")
def check_square(fn) -> Feedback:
    if fn(3) == 6:
        return wrong("得到 6：这是 2x。", "平方是 x 乘以 x 自己。")
    if fn(3) != 9:
        return wrong(f"得到 {fn(3)}。", "3 的平方是 9。")
    return right("x * x。")


def unfilled(x):
    raise NotImplementedError(TODO)


def test_right_answer_prints_tick(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_square(lambda x: x * x)
    assert capsys.readouterr().out == "✅ 练习 0：平方：x * x。\n"


def test_typical_wrong_answer_gets_its_hint(capsys: pytest.CaptureFixture[str]) -> None:
    feedback = check_square(lambda x: 2 * x)
    assert not feedback and "平方是 x 乘以 x" in feedback.hint
    assert "提示：平方是 x 乘以 x 自己" in capsys.readouterr().out


def test_unfilled_cell_is_feedback_not_an_error() -> None:
    assert check_square(unfilled, quiet=True) == NOT_FILLED


def test_crash_is_reported_as_feedback() -> None:
    feedback = check_square(lambda x: x / 0, quiet=True)
    assert not feedback and "ZeroDivisionError" in feedback.message


def test_wrong_needs_a_hint_and_checker_must_return_feedback() -> None:
    with pytest.raises(ValueError, match="hint"):
        wrong("错", "")

    @checker("坏")
    def bad(fn):
        return True

    with pytest.raises(TypeError, match="Feedback"):
        bad(None)
