"""The explorers in headless Chromium, driven by keyboard: what they display equals what ``nnlib``
computes for the same setting.

Runs on a stub book that shows all three explorers (always), and checks that the built site
carries each explorer on a chapter page. Also: labelled controls with a visible focus ring, no
console error, no request to another origin, a static figure without JavaScript, and the phone
layout.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, book_pages, served, watch

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "_ext"))

from stub_book import sphinx_build, write_explorer_book  # noqa: E402

import nnlib  # noqa: E402, F401 - the pinned numerics path, as the data were computed
from nnlib.experiments.activation import gradient_profile  # noqa: E402
from nnlib.experiments.initialization import depth_profile  # noqa: E402
from nnlib.explorers import EXPLORERS, train_moons  # noqa: E402

SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt(v: float) -> str:
    """The explorers' number format (explorer.js ``fmt``): 3 significant digits, 1.23×10⁻⁴."""
    if not math.isfinite(v):
        return "溢出（非有限值）"
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e4:
        return f"{float(f'{v:.3g}'):.10g}"
    mantissa, exponent = f"{v:.2e}".split("e")
    return f"{float(mantissa):.10g}×10{str(int(exponent)).translate(SUP)}"


def test_fmt_matches_the_scripts_examples() -> None:
    assert fmt(1.019) == "1.02" and fmt(1.0) == "1" and fmt(1234.0) == "1230"
    assert fmt(3.109e-05) == "3.11×10⁻⁵" and fmt(1e-5) == "1×10⁻⁵"


@pytest.fixture(scope="module")
def stub_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    src = tmp_path_factory.mktemp("explorers") / "src"
    body = "".join(f"```{{explorer}} {n}\n试试看。\n```\n\n" for n in EXPLORERS)
    write_explorer_book(src, "# 交互图\n\n" + body)
    out = src.parent / "html"
    run = sphinx_build(src, out)
    assert run.returncode == 0, run.stderr
    with served(out) as url:
        yield url


def _open(browser: Any, url: str, **options: Any) -> tuple[Any, Any, list[str], list[str]]:
    context = browser.new_context(**options)
    page = context.new_page()
    errors, foreign = watch(page, url)
    page.goto(url + "index.html", wait_until="networkidle")
    return context, page, errors, foreign


def _readout(page: Any, name: str) -> str:
    return page.locator(f"#explorer-{name} output").text_content()


def _focus_ring(page: Any, selector: str) -> str:
    page.focus(selector)
    return page.eval_on_selector(selector, "e => getComputedStyle(e).outlineStyle")


def test_explorers_by_keyboard_show_nnlib_numbers(browser: Any, stub_url: str) -> None:
    context, page, errors, foreign = _open(
        browser, stub_url, viewport={"width": 1200, "height": 900}
    )
    try:
        # 2. Initialisation: Kaiming (first option), ReLU, depth 30 then 20.
        page.focus("#explorer-init-depth-init")
        page.keyboard.press("Home")
        page.focus("#explorer-init-depth-depth")
        page.keyboard.press("End")
        kaiming = depth_profile("relu", "kaiming_normal", 256, 30)
        text = _readout(page, "init-depth")
        assert f"第 30 层前向标准差 {fmt(kaiming.forward[29])}" in text, text
        assert f"传回第 1 层后标准差 {fmt(kaiming.backward[0])}" in text, text
        for _ in range(10):
            page.keyboard.press("ArrowLeft")
        text = _readout(page, "init-depth")
        assert f"第 20 层前向标准差 {fmt(kaiming.forward[19])}" in text, text
        assert _focus_ring(page, "#explorer-init-depth-depth") != "none"

        # 1. Activations: tanh (one below sigmoid), one layer.
        page.focus("#explorer-activation-depth-activation")
        page.keyboard.press("ArrowDown")
        page.focus("#explorer-activation-depth-n")
        page.keyboard.press("Home")
        norms = gradient_profile("tanh", depth=20).preact_grad_norm
        text = _readout(page, "activation-depth")
        assert text.startswith("tanh：梯度往回经过 1 层后是原来的"), text
        assert fmt(norms[18] / norms[19]) in text, text

        # 3. Training: learning rate 10 (the last), Kaiming, ReLU, step 200.
        page.focus("#explorer-training-lrIndex")
        page.keyboard.press("End")
        losses, _, acc = train_moons(10.0, "kaiming_normal", "relu")
        text = _readout(page, "training")
        assert f"第 200 步训练损失 {fmt(losses[200])}" in text, text
        assert f"训练准确率 {fmt(acc)}" in text, text
        assert _focus_ring(page, "#explorer-training-lrIndex") != "none"
        assert errors == [] and foreign == []
    finally:
        context.close()


def test_without_javascript_the_default_figure_is_shown(browser: Any, stub_url: str) -> None:
    context, page, _, _ = _open(browser, stub_url, java_script_enabled=False)
    try:
        for name in EXPLORERS:
            root = page.locator(f"#explorer-{name}")
            assert root.locator(".ex-wide svg.ex-svg").is_visible()
            assert root.locator("select, input").first.is_disabled()
            assert _readout(page, name).strip()
    finally:
        context.close()


def test_phone_layout_stacks_the_panels(browser: Any, stub_url: str) -> None:
    context, page, errors, _ = _open(
        browser, stub_url, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        for name in EXPLORERS:
            shown = page.locator(f"#explorer-{name} svg.ex-svg:visible")
            assert shown.count() == 1, f"{name}: one layout at a time"
            box = shown.get_attribute("viewBox")
            assert box.split()[2] == "360", f"{name}: {box}"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert errors == []
    finally:
        context.close()


def test_each_explorer_is_on_a_chapter_page(html_dir: Path) -> None:
    found = {}
    for page in book_pages():
        text = (html_dir / page).read_text(encoding="utf-8")
        for name in EXPLORERS:
            if f'id="explorer-{name}"' in text:
                found.setdefault(name, []).append(page)
    assert sorted(found) == sorted(EXPLORERS), found
    assert all(p.startswith("chapters/") for pages in found.values() for p in pages)
