"""Glossary definitions at {term} links in headless Chromium (``_ext/term_tips.py``).

On a stub book (``tests/term_tips_stub.py``): the definition appears on keyboard focus (Tab)
and on hover, hides with Escape, is announced through ``aria-describedby``; on a phone the first
tap shows it and the second follows the link; nothing is requested from another origin, there is
no console error, and a shown definition never makes the page scroll sideways at 375 px.
On the built site: every term link of a chapter page carries its definition.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import book_pages, served, watch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the stub books
import term_tips_stub  # noqa: E402

VISIBLE_JS = (
    "el => getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0"
)


@pytest.fixture(scope="module")
def stub_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    run, out = term_tips_stub.build(tmp_path_factory.mktemp("termtips-site"))
    assert run.returncode == 0, run.stderr
    with served(out) as url:
        yield url


def test_definition_on_keyboard_focus_and_hover(browser: Any, stub_url: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors, foreign = watch(page, stub_url)
    try:
        page.goto(f"{stub_url}chapter.html", wait_until="networkidle")
        links = page.locator("a.term-tip-link")
        assert links.count() == 3
        first = links.nth(0)
        tip = page.locator(f"#{first.get_attribute('aria-describedby')}")
        assert tip.get_attribute("role") == "tooltip"
        assert not tip.evaluate(VISIBLE_JS), "hidden until used"
        # Keyboard: Tab through the page until the first term link has focus.
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('term-tip-link')"):
                break
        else:
            pytest.fail("no term link reached with Tab")
        assert tip.evaluate(VISIBLE_JS), "the definition shows on keyboard focus"
        assert "rectified linear unit" in tip.text_content()
        page.keyboard.press("Escape")
        assert not tip.evaluate(VISIBLE_JS), "Escape hides it"
        # Hover: the third link (far right on its line) opens without widening the page.
        third = links.nth(2)
        third_tip = page.locator(f"#{third.get_attribute('aria-describedby')}")
        third.hover()
        assert third_tip.evaluate(VISIBLE_JS), "the definition shows on hover"
        box = third_tip.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        assert errors == [] and foreign == [], (errors, foreign)
    finally:
        context.close()


def test_tap_shows_then_follows_on_a_phone(browser: Any, stub_url: str) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    errors, foreign = watch(page, stub_url)
    try:
        page.goto(f"{stub_url}chapter.html", wait_until="networkidle")
        link = page.locator("a.term-tip-link").nth(1)
        tip = page.locator(f"#{link.get_attribute('aria-describedby')}")
        link.tap()
        assert page.url.endswith("chapter.html"), "the first tap only shows the definition"
        assert tip.evaluate(VISIBLE_JS)
        assert "standard error" in tip.text_content()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        link.tap()
        page.wait_for_url("**/glossary.html#term-*")
        assert errors == [] and foreign == [], (errors, foreign)
    finally:
        context.close()


def test_term_links_on_the_site_carry_definitions(html_dir: Path) -> None:
    # The pages of _toc.yml (a stale page from an older build may lie next to them).
    pages = [html_dir / p for p in book_pages() if p.startswith("chapters/")]
    if not pages:
        pytest.skip("no chapter pages built")
    for page in pages:
        text = page.read_text(encoding="utf-8")
        plain = text.count('<span class="xref std std-term">')
        wrapped = text.count('class="reference internal term-tip-link"')
        assert wrapped == plain, f"{page.name}: {plain - wrapped} term links without definition"
