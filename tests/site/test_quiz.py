"""Self-check quizzes in headless Chromium: answered with the keyboard, feedback asserted.

The questions are discovered from the data files (``quizzes/*.yml``), so every quiz is covered:

- on a stub book that shows every quiz (``quiz_fixture.py``, built with ``-W``), always;
- on the real site, for each chapter page that shows its quiz (``{quiz} <name>``); a chapter that
  does not show it yet is skipped with a message.

For each quiz: one multiple-choice question answered wrongly then rightly, one numeric question
answered with a typical wrong value then the right one, all by keyboard; the aria-live region
must show the verdict, the explanation written for that answer and the link to the section.
Also: every input is labelled, no console error, no request to another origin, no sideways
scrolling at 375 px, and text contrast of at least 4.5:1 in light and dark mode.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import quiz_fixture
from conftest import served, watch
from test_links import broken_refs

NAMES = quiz_fixture.quiz_names()
CONTEXTS = {
    "desktop-light": {"viewport": {"width": 1366, "height": 900}, "color_scheme": "light"},
    "phone-dark": {
        "viewport": {"width": 375, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "color_scheme": "dark",
    },
}

# Contrast of the quiz's text against what is behind it (WCAG 2 relative luminance).
CONTRAST_JS = """(root) => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const worst = [];
  const texts = "legend, .quiz-number, label, button, .quiz-feedback p, .quiz-feedback a, "
    + "input[type=text]";
  root.querySelectorAll(texts).forEach((el) => {
    const fg = rgb(getComputedStyle(el).color).slice(0, 3);
    const bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) worst.push(`${el.tagName} ${ratio.toFixed(2)} ${el.textContent.slice(0, 20)}`);
  });
  return worst;
}"""

A11Y_JS = """(root) => {
  const problems = [];
  root.querySelectorAll("form.quiz-question").forEach((form) => {
    const legend = form.querySelector("fieldset > legend");
    if (!legend || !legend.textContent.trim()) problems.push(form.id + ": no legend");
    form.querySelectorAll("input").forEach((input) => {
      // Typeset math does not count towards a label's name (axe, Lighthouse): a label holding
      // only math needs aria-label on its input.
      const label = input.labels.length === 1 ? input.labels[0].cloneNode(true) : null;
      if (label) label.querySelectorAll("mjx-container").forEach((m) => m.remove());
      if (!label || !(label.textContent.trim() || input.getAttribute("aria-label")))
        problems.push(input.id + ": not labelled");
    });
    const region = form.querySelector(".quiz-feedback");
    if (!region || region.getAttribute("aria-live") !== "polite")
      problems.push(form.id + ": no live region");
    if (!form.querySelector("button[type=submit]")) problems.push(form.id + ": no check button");
  });
  return problems;
}"""


@pytest.fixture(scope="module")
def stub_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("quizbook")
    quiz_fixture.write_book(src / "src")
    run = quiz_fixture.build(src / "src", src / "html")
    assert run.returncode == 0, f"the stub book does not build with -W:\n{run.stderr}"
    return src / "html"


@pytest.fixture(scope="module")
def stub_url(stub_book: Path) -> Iterator[str]:
    with served(stub_book) as url:
        yield url


def test_stub_book_builds_and_its_links_resolve(stub_book: Path) -> None:
    assert broken_refs(stub_book) == []
    for name in NAMES:
        page = (stub_book / "chapters" / f"{name}.html").read_text(encoding="utf-8")
        assert f'id="quiz-{name}"' in page
        assert "quiz.js" in page and "quiz.css" in page
    # The script and style sheet only come with a quiz.
    assert "quiz.js" not in (stub_book / "sections.html").read_text(encoding="utf-8")


def snippet(markdown: str) -> str:
    """A run of Chinese text from an explanation, to find it in the rendered feedback."""
    runs = re.findall(r"[\u4e00-\u9fff，、]{3,}", markdown)
    assert runs, markdown
    return max(runs, key=len)[:12]


def feedback(page: Any, qid: str) -> str:
    return " ".join(page.locator(f"#{qid} .quiz-feedback").text_content().split())


def check_with_keyboard(page: Any, qid: str) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "quiz-check"
    page.keyboard.press("Enter")


def answer_choice(page: Any, qid: str, index: int) -> None:
    page.focus(f"#{qid}-0")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    if index == 0:
        page.keyboard.press("Space")
    assert page.is_checked(f"#{qid}-{index}")
    check_with_keyboard(page, qid)


def answer_number(page: Any, qid: str, value: str) -> None:
    page.focus(f"#{qid}-input")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def answer_choice_question(page: Any, name: str, choice: dict) -> None:
    """A wrong option, then the right one, by keyboard (options are shown shuffled)."""
    qid = f"quiz-{name}-{choice['id']}"
    wrong = next(i for i, c in enumerate(choice["choices"]) if not c.get("correct"))
    right = next(i for i, c in enumerate(choice["choices"]) if c.get("correct"))
    # The page shows the options shuffled (quiz.choice_order): answer by shown position.
    order = quiz_fixture.quiz.choice_order(choice)
    answer_choice(page, qid, order.index(wrong))
    text = feedback(page, qid)
    assert text.startswith("✗ 回答错误"), text
    assert snippet(choice["choices"][wrong]["feedback"]) in text
    assert page.locator(f"#{qid} .quiz-feedback a[href]").count() >= 1, "link to the section"
    answer_choice(page, qid, order.index(right))
    text = feedback(page, qid)
    assert text.startswith("✓ 回答正确"), text
    assert snippet(choice["choices"][right]["feedback"]) in text
    assert "回看" in text


def answer_numeric_question(page: Any, name: str, number: dict) -> None:
    """A typical wrong value (its own explanation), a non-number, then the answer."""
    qid = f"quiz-{name}-{number['id']}"
    mistakes = number.get("mistakes", [])
    wrong_value = (
        repr(mistakes[0]["value"])
        if mistakes
        else repr(number["answer"] + 1 + 10 * number["tolerance"])
    )
    answer_number(page, qid, wrong_value)
    text = feedback(page, qid)
    assert text.startswith("✗ 回答错误"), text
    assert snippet(mistakes[0]["feedback"] if mistakes else number["wrong"]) in text
    assert page.get_attribute(f"#{qid}-input", "aria-invalid") == "true"
    answer_number(page, qid, "不是数")
    assert feedback(page, qid).startswith("请输入一个数")
    answer_number(page, qid, repr(number["answer"]))
    text = feedback(page, qid)
    assert text.startswith("✓ 回答正确"), text
    assert snippet(number["correct"]) in text


def exercise_quiz(
    browser: Any, url: str, name: str, context_name: str, shown: set[str] | None = None
) -> None:
    """Answer one choice and one numeric question of quiz ``name`` on the page at ``url`` by
    keyboard; with ``shown`` (the ids a section page shows), only those questions exist there
    and the kinds it lacks are skipped."""
    data = quiz_fixture.load(name)
    questions = [q for q in data["questions"] if shown is None or q["id"] in shown]
    choice = next((q for q in questions if q["type"] == "choice"), None)
    number = next((q for q in questions if q["type"] == "numeric"), None)
    assert choice is not None or number is not None, f"no question of {name} on {url}"
    context = browser.new_context(**CONTEXTS[context_name])
    page = context.new_page()
    errors, foreign = watch(page, url)
    try:
        page.goto(url, wait_until="networkidle")
        root = page.locator(f"section#quiz-{name}")
        assert root.count() == 1
        root.scroll_into_view_if_needed()
        assert root.evaluate(A11Y_JS) == []
        sizes = root.evaluate(
            "r => [...r.querySelectorAll('input[type=radio]')]"
            ".map(i => Math.min(i.getBoundingClientRect().width, i.getBoundingClientRect().height))"
        )
        assert not sizes or min(sizes) >= 23.5, "radio buttons are touch targets of 24 px"

        if choice is not None:
            answer_choice_question(page, name, choice)
        if number is not None:
            answer_numeric_question(page, name, number)

        assert root.evaluate(CONTRAST_JS) == [], "text contrast below 4.5:1"
        width = page.evaluate("document.documentElement.scrollWidth")
        viewport = CONTEXTS[context_name]["viewport"]["width"]
        assert width <= viewport, f"page scrolls sideways: {width} px > {viewport} px"
        assert root.evaluate("r => r.scrollWidth <= r.clientWidth"), "quiz wider than its column"
        assert errors == [], errors
        assert foreign == [], foreign
    finally:
        context.close()


@pytest.mark.parametrize("context_name", list(CONTEXTS))
@pytest.mark.parametrize("name", NAMES)
def test_quiz_on_stub_book(browser: Any, stub_url: str, name: str, context_name: str) -> None:
    exercise_quiz(browser, f"{stub_url}chapters/{name}.html", name, context_name)


QUIZ_DIRECTIVE = re.compile(
    r"```\{quiz\}\s+(?P<name>[A-Za-z0-9_-]+)\s*\n(?P<options>(?:\s*:[a-z]+:.*\n)*)"
)


def quiz_pages() -> list[tuple[str, str, frozenset[str] | None]]:
    """Every page of the book's sources that shows a quiz: ``(page, quiz name, ids shown)``,
    ``ids`` None when the page shows the whole quiz (no ``:questions:``)."""
    found = []
    for path in sorted((quiz_fixture.ROOT / "chapters").rglob("*")):
        if path.suffix == ".md":
            texts = [path.read_text(encoding="utf-8")]
        elif path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            texts = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
        else:
            continue
        page = path.relative_to(quiz_fixture.ROOT).with_suffix("").as_posix()
        for text in texts:
            for match in QUIZ_DIRECTIVE.finditer(text + "\n"):
                ids = re.search(r":questions:\s*(.*)", match["options"])
                shown = frozenset(i for i in re.split(r"[,\s]+", ids[1]) if i) if ids else None
                found.append((page, match["name"], shown))
    return found


PAGES = quiz_pages()


@pytest.mark.parametrize("context_name", list(CONTEXTS))
@pytest.mark.parametrize(
    ("page", "name", "shown"), PAGES, ids=[f"{p}:{n}" for p, n, _ in PAGES] or None
)
def test_quiz_on_each_page_that_shows_one(
    browser: Any,
    site_url: str,
    html_dir: Path,
    page: str,
    name: str,
    shown: frozenset[str] | None,
    context_name: str,
) -> None:
    """Every chapter or section page that shows (part of) a quiz: one question of each kind it
    shows is answered by keyboard, wrongly then rightly, on the built site."""
    html = html_dir / f"{page}.html"
    assert html.is_file(), f"{page} shows a quiz but was not built"
    exercise_quiz(browser, f"{site_url}{page}.html", name, context_name, set(shown or ()) or None)
