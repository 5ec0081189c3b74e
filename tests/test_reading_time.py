"""Reading time, the page budget and the section structure (``_ext/reading_time.py``).

The formula is CONTRIBUTING's "阅读时间"; the budget is issue 20's: every section page shows at
most 4,500 Chinese characters and 12 code cells outside the exercises on first load. The browser
test ``tests/site/test_browser.py::test_section_page_budget_in_the_browser`` measures the same
pages as a reader's browser shows them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))

import quiz  # noqa: E402
import reading_time as rt  # noqa: E402

PAGES = rt.toc_pages(ROOT)
SECTIONS = [doc for doc, depth, _ in PAGES if depth >= 1]
CHAPTER_PAGES = [(doc, children) for doc, _, children in PAGES if children]
QUIZ_RE = re.compile(r"^```\{quiz\}\s*(\S+)\s*\n((?:\s*:[\w-]+:.*\n)*)```", re.MULTILINE)


def _nb(*cells: dict) -> dict:
    return {"cells": list(cells)}


def _md(text: str, tags: list[str] | None = None) -> dict:
    return {"cell_type": "markdown", "source": text, "metadata": {"tags": tags or []}}


def _code(text: str, outputs: list | None = None, tags: list[str] | None = None) -> dict:
    return {
        "cell_type": "code",
        "source": text,
        "metadata": {"tags": tags or []},
        "outputs": outputs or [],
    }


def _out(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


# --------------------------------------------------------------------------- the formula
@pytest.mark.parametrize(
    ("chars", "cells", "minutes"),
    [(0, 0, 1), (300, 0, 1), (301, 0, 2), (3000, 8, 14), (4500, 12, 21), (0, 3, 2)],
)
def test_reading_minutes(chars: int, cells: int, minutes: int) -> None:
    assert rt.reading_minutes(chars, cells) == minutes


def test_reading_minutes_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="must be >= 0"):
        rt.reading_minutes(-1, 0)


def test_counts_follow_what_the_page_shows() -> None:
    nb = _nb(
        _md("# 标题\n\n正文五个字"),  # 2 + 5
        _md(":::{admonition} 深入：细节\n:class: dropdown\n折叠的内容不算\n:::\n看得见"),  # 3
        _code("# 注释算\nx = 1", [_out("输出算")]),  # 3 + 3, one cell
        _code("# 隐藏", [_out("隐藏的输出")], ["hide-cell"]),  # nothing
        _code("# 输入隐藏", [_out("输出可见")], ["hide-input"]),  # 4, no cell
        _code("# 输入可见", [_out("输出折叠")], ["hide-output"]),  # 4, one cell
        _md("## 练习\n\n练习"),  # 4
        _code("# 练习的单元", []),  # 5, an exercise cell
    )
    stats = rt.notebook_stats(nb)
    assert stats == rt.PageStats(
        chars=7 + 3 + 6 + 4 + 4 + 4 + 5, code_cells=2, exercise_code_cells=1
    )
    assert stats.minutes == rt.reading_minutes(stats.chars, 3)


def test_open_admonitions_count_and_nested_dropdowns_do_not() -> None:
    text = (
        "::::{admonition} 常见说法辨析\n:class: note\n看得见的辨析\n"
        ":::{dropdown} 深入：证明\n看不见\n:::\n::::\n"
    )
    assert rt.count_cjk(rt.visible_markdown(text)) == rt.count_cjk("常见说法辨析看得见的辨析")


def test_quiz_questions_count_as_visible_text() -> None:
    seen = []

    def fake(name: str, options: list[str]) -> str:
        seen.append((name, options))
        return "题目文字"

    text = "前言\n\n```{quiz} 01_x\n:questions: a, b\n```\n"
    assert rt.count_cjk(rt.visible_markdown(text, fake)) == 2 + 4
    assert seen == [("01_x", [":questions: a, b"])]


# --------------------------------------------------------------------------- the book
def test_chapters_are_chapter_pages_with_sections() -> None:
    chapters = [doc for doc, _ in CHAPTER_PAGES if doc.startswith("chapters/")]
    assert len(chapters) == 6, chapters
    for doc, children in CHAPTER_PAGES:
        assert doc.endswith("/index"), doc
        assert all(c.rsplit("/", 1)[0] == doc.rsplit("/", 1)[0] for c in children), doc
        text = rt.source_of(ROOT, doc).read_text(encoding="utf-8")
        assert "```{chapter-sections}" in text, f"{doc}: list its sections with their times"
        for heading in ("## 学习目标", "## 小结"):
            assert heading in text, f"{doc}: {heading}"


@pytest.mark.parametrize("doc", SECTIONS)
def test_section_page_is_within_the_budget(doc: str) -> None:
    stats = rt.page_stats(rt.source_of(ROOT, doc), ROOT)
    assert stats.chars <= rt.BUDGET_CHARS, f"{doc}: {stats.chars} characters visible"
    assert stats.code_cells <= rt.BUDGET_CODE_CELLS, f"{doc}: {stats.code_cells} code cells"


@pytest.mark.parametrize("doc", SECTIONS)
def test_section_notebook_runs_on_its_own_and_ends_with_practice(doc: str) -> None:
    path = rt.source_of(ROOT, doc)
    assert path.suffix == ".ipynb", f"{doc}: a section is a notebook"
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    setup = "".join(code[0]["source"])
    assert 'find_spec("nnlib")' in setup and "import nnlib" in setup, f"{doc}: Colab setup cell"
    assert "start_chapter(" in "".join(code[1]["source"]), f"{doc}: start_chapter in cell 2"
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "## 自测" in markdown, f"{doc}: a self-check"
    quizzes = QUIZ_RE.findall(markdown)
    assert len(quizzes) == 1, f"{doc}: one quiz directive"
    name, options = quizzes[0]
    ids = re.search(r":questions:\s*(.*)", options)
    assert ids, f"{doc}: select this section's questions with :questions:"
    assert len(ids.group(1).replace(",", " ").split()) >= 2, f"{doc}: at least 2 questions"


def _without_examples(text: str) -> str:
    """Drop blocks fenced with four or more backticks: examples of MyST, shown, not rendered."""
    return re.sub(r"^(`{4,}).*?^\1\s*$", "", text, flags=re.MULTILINE | re.DOTALL)


def test_every_quiz_question_is_shown_on_exactly_one_page() -> None:
    shown: dict[tuple[str, str], list[str]] = {}
    for doc, _, _ in PAGES:
        path = rt.source_of(ROOT, doc)
        text = _without_examples(path.read_text(encoding="utf-8"))
        if path.suffix == ".ipynb":
            nb = json.loads(text)
            text = "\n".join(
                "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"
            )
        for name, options in QUIZ_RE.findall(text):
            data = quiz.load_quiz(quiz.quiz_path(ROOT, name))
            ids = re.search(r":questions:\s*(.*)", options)
            chosen = (
                [q["id"] for q in quiz.select_questions(data, ids.group(1), name)]
                if ids
                else [q["id"] for q in data["questions"]]
            )
            for qid in chosen:
                shown.setdefault((name, qid), []).append(doc)
    for path in sorted((ROOT / "quizzes").glob("*.yml")):
        for question in quiz.load_quiz(path)["questions"]:
            pages = shown.get((path.stem, question["id"]), [])
            assert len(pages) == 1, f"{path.stem}/{question['id']} shown on {pages}"


def _math_spans(text: str) -> list[str]:
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # code blocks hold no math
    spans = re.findall(r"\$\$(.+?)\$\$", text, flags=re.DOTALL)
    text = re.sub(r"\$\$.+?\$\$", "", text, flags=re.DOTALL)
    spans += re.findall(r"(?<![\\$])\$([^$\n]+?)\$", text)
    return spans


def test_no_myst_role_inside_math_on_any_page() -> None:
    # A role such as {term}`softplus` inside $$…$$ is not parsed: MathJax typesets it literally
    # ("term‘softplus‘").
    role = re.compile(r"\{[a-z][\w:-]*\}`")
    bad = []
    for doc, _, _ in PAGES:
        path = rt.source_of(ROOT, doc)
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            nb = json.loads(text)
            text = "\n".join(
                "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"
            )
        bad += [f"{doc}: {span.strip()[:60]}" for span in _math_spans(text) if role.search(span)]
    assert bad == []


def test_page_budget_script_prints_every_page() -> None:
    import subprocess

    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "page_budget.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for doc, _, _ in PAGES:
        assert doc in run.stdout


def test_readme_reading_time_is_the_computed_one() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- reading-times -->\n(.*?)\n<!-- /reading-times -->", text, re.DOTALL)
    assert block, "README.md lost its reading-times block"
    assert block.group(1) == rt.readme_sentence(ROOT), (
        "run `python scripts/page_budget.py --readme`"
    )
