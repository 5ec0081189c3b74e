"""The built site in headless Chromium: offline, error-free, typeset, searchable, screenshotted.

Every page is opened once at desktop and once at phone width; each visit records console
errors, every request, images, math and buttons, and saves a full-page screenshot to
``artifacts/screenshots/`` (kept by CI as an artifact). The tests then assert on the records.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from conftest import book_pages, editions

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
PAGES = book_pages() + ["search.html", "genindex.html"]
# The notebook pages (section pages; chapter pages are Markdown and have no launch buttons).
CHAPTERS = [p for p in book_pages() if p.startswith("chapters/") and not p.endswith("/index.html")]

# Words that appear only in page bodies (not in any title) and the page search must find, with
# the chapter folder whose pages use them (the section that uses one may move).
SEARCH_CASES = [
    ("梯度消失", "chapters/02_activation/"),
    ("对称", "chapters/03_initialization/"),
    ("树突", "chapters/01_neural_network/"),
]

# What a reader sees of the article on first load (issue 20's budget): Chinese characters of
# visible text (prose, code, outputs, quiz questions, the page's own buttons), and code cells
# whose input is visible, outside the exercises. checkVisibility(): content inside a closed
# <details> or a display:none block is not visible (offsetHeight would report it, NOTES.md).
READER_BUDGET_JS = """
const readerBudget = () => {
  const article = document.querySelector("article.bd-article");
  if (!article) return { visibleChars: -1, visibleCodeCells: -1 };
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  let chars = 0;
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest("script, style, mjx-assistive-mml")) continue;
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    chars += (walker.currentNode.nodeValue.match(/[\u4e00-\u9fff]/g) || []).length;
  }
  const exercises = [...article.querySelectorAll("h2")]
    .find((h) => h.textContent.trim().startsWith("练习"));
  let cells = 0;
  for (const cell of article.querySelectorAll("div.cell")) {
    const input = cell.querySelector(".cell_input");
    if (!input || !input.checkVisibility()) continue;
    if (exercises && (exercises.compareDocumentPosition(cell) & Node.DOCUMENT_POSITION_FOLLOWING))
      continue;
    cells += 1;
  }
  const shown = document.querySelector("p.reading-time");
  return {
    visibleChars: chars,
    visibleCodeCells: cells,
    readingMinutes: shown ? Number(shown.dataset.minutes) : null,
  };
};
"""

# Layout shifts while the page loads (the sum Lighthouse reports as CLS, without windowing): a
# script, stylesheet or font that arrives after the first paint must not move the text. The theme
# used to resolve its colour mode only in a deferred script (0.15-0.19 on most phone pages) and
# sphinx-togglebutton collapsed dropdowns after load (2.3: 0.068); see _ext/site_quality.py.
LAYOUT_SHIFT_JS = """
window.__layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }
}).observe({ type: "layout-shift", buffered: true });
"""
MAX_LAYOUT_SHIFT = 0.02  # Lighthouse: "good" below 0.1; every visit in CI measured <= 0.002

PAGE_STATE_JS = (
    """async () => {
  const layoutShift = window.__layoutShift;
"""
    + READER_BUDGET_JS
    + """
  const images = [...document.images];
  await Promise.all(images.map((img) => {
    img.loading = "eager";
    return img.decode().catch(() => {});
  }));
  const main = document.querySelector("main") || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, mjx-assistive-mml").forEach((e) => e.remove());
  const text = clone.textContent;
  const maths = [...document.querySelectorAll(".math")];
  return {
    brokenImages: images.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.src),
    // Figures whose shown shape differs from the image's by more than 2 %, or wider than the page.
    distortedFigures: images
      .filter((i) => i.src.includes("/_images/") && i.naturalWidth > 0 && i.clientWidth > 0)
      .filter((i) => Math.abs((i.clientWidth / i.clientHeight) /
                              (i.naturalWidth / i.naturalHeight) - 1) > 0.02
                     || i.getBoundingClientRect().right > document.documentElement.clientWidth)
      .map((i) => `${i.src.split("/").pop()} ${i.clientWidth}x${i.clientHeight}`),
    imageCount: images.length,
    rawMath: (text.match(/\\\\\\(|\\\\\\[|\\$\\$/g) || []).length,
    mathCount: maths.length,
    untypesetMath: maths.filter((m) => !m.querySelector("mjx-container")).length,
    launchButtons: document.querySelectorAll(".dropdown-launch-buttons a").length,
    downloadButtons: document.querySelectorAll(".dropdown-download-buttons a").length,
    title: document.title,
    layoutShift,
    ...readerBudget(),
  };
}"""
)


@dataclass
class Visit:
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


def full_page_screenshot(page: Any, path: Path) -> None:
    """Screenshot of the whole page. Sections far off screen are rendered only when the reader
    scrolls near them (content-visibility, _static/site.css); render them all for the picture."""
    page.add_style_tag(content=".bd-article section section{content-visibility:visible}")
    page.screenshot(path=str(path), full_page=True)


def shot_name(page: str, viewport: str) -> str:
    return page.removesuffix(".html").replace("/", "__") + f"-{viewport}.png"


@pytest.fixture(scope="module")
def visits(browser: Any, site_url: str, screenshot_dir: Path) -> dict[tuple[str, str], Visit]:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(site_url))
    records: dict[tuple[str, str], Visit] = {}
    for viewport, options in VIEWPORTS.items():
        context = browser.new_context(**options)
        context.add_init_script(LAYOUT_SHIFT_JS)
        for page_path in PAGES:
            visit = Visit()
            page = context.new_page()
            page.on(
                "console",
                lambda m, v=visit: v.console_errors.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e, v=visit: v.console_errors.append(str(e)))

            def on_request(request: Any, v: Visit = visit) -> None:
                url = request.url
                if not url.startswith(("data:", "blob:")) and not url.startswith(origin + "/"):
                    v.foreign_requests.append(url)

            page.on("request", on_request)
            page.on("requestfailed", lambda r, v=visit: v.failed_requests.append(r.url))
            page.on(
                "response",
                lambda r, v=visit: (
                    v.failed_requests.append(f"{r.status} {r.url}") if r.status >= 400 else None
                ),
            )
            page.goto(site_url + page_path, wait_until="networkidle")
            visit.state = page.evaluate(PAGE_STATE_JS)
            full_page_screenshot(page, screenshot_dir / shot_name(page_path, viewport))
            page.close()
            records[(page_path, viewport)] = visit
        context.close()
    return records


ALL_VISITS = [(p, v) for p in PAGES for v in VIEWPORTS]


SECTION_PAGES = [f"{doc}.html" for doc in editions.section_files()]


@pytest.mark.parametrize("page", SECTION_PAGES)
def test_section_page_budget_in_the_browser(visits: dict, page: str) -> None:
    """Issue 20's budget as a reader's browser shows the page on first load: at most 4,500
    Chinese characters and 12 visible code cells outside the exercises."""
    state = visits[(page, "desktop")].state
    assert state["visibleChars"] <= 4500, f"{state['visibleChars']} characters visible"
    assert state["visibleCodeCells"] <= 12, f"{state['visibleCodeCells']} code cells visible"


def test_reading_times_are_shown_and_the_measures_are_recorded(
    visits: dict, screenshot_dir: Path
) -> None:
    """Every page shows its reading time; the browser's counts go to an artifact (README)."""
    table = {}
    for page in book_pages():
        state = visits[(page, "desktop")].state
        assert state["readingMinutes"] and state["readingMinutes"] >= 1, page
        table[page] = {
            key: state[key] for key in ("visibleChars", "visibleCodeCells", "readingMinutes")
        }
    (screenshot_dir / "page_budget_browser.json").write_text(
        json.dumps(table, ensure_ascii=False, indent=1), encoding="utf-8"
    )


@pytest.mark.parametrize(("page", "viewport"), ALL_VISITS)
def test_no_console_errors(visits: dict, page: str, viewport: str) -> None:
    assert visits[(page, viewport)].console_errors == []


@pytest.mark.parametrize(("page", "viewport"), ALL_VISITS)
def test_no_request_leaves_the_site(visits: dict, page: str, viewport: str) -> None:
    visit = visits[(page, viewport)]
    assert visit.foreign_requests == [], "requests to another origin"
    assert visit.failed_requests == [], "failed requests (404s, aborted)"


@pytest.mark.parametrize("page", PAGES)
def test_every_image_loads(visits: dict, page: str) -> None:
    state = visits[(page, "desktop")].state
    assert state["brokenImages"] == []


@pytest.mark.parametrize(("page", "viewport"), ALL_VISITS)
def test_figures_keep_their_shape_and_fit(visits: dict, page: str, viewport: str) -> None:
    assert visits[(page, viewport)].state["distortedFigures"] == []


@pytest.mark.parametrize(("page", "viewport"), ALL_VISITS)
def test_nothing_shifts_while_the_page_loads(visits: dict, page: str, viewport: str) -> None:
    assert visits[(page, viewport)].state["layoutShift"] <= MAX_LAYOUT_SHIFT


def test_layout_shifts_are_recorded(visits: dict, screenshot_dir: Path) -> None:
    """Every page's layout shift at both widths, to an artifact (the figures in the notes)."""
    table = {
        f"{page} {viewport}": round(visits[(page, viewport)].state["layoutShift"], 4)
        for page, viewport in ALL_VISITS
    }
    (screenshot_dir / "layout_shift_browser.json").write_text(
        json.dumps(table, indent=1), encoding="utf-8"
    )


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(visits: dict, page: str) -> None:
    state = visits[(page, "desktop")].state
    assert state["rawMath"] == 0, r"raw \( \[ or $$ left in the page text"
    assert state["untypesetMath"] == 0, f"{state['untypesetMath']} of {state['mathCount']}"


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_has_launch_and_download_buttons(visits: dict, page: str) -> None:
    state = visits[(page, "desktop")].state
    assert state["launchButtons"] >= 2, "Binder and Colab launch buttons"
    assert state["downloadButtons"] >= 1, "download buttons (.ipynb / source)"


@pytest.mark.parametrize("page", book_pages())
def test_page_title_is_chinese(visits: dict, page: str) -> None:
    title = visits[(page, "desktop")].state["title"]
    assert re.search(r"[\u4e00-\u9fff]", title), title


@pytest.mark.parametrize("page", PAGES)
def test_screenshots_saved(visits: dict, screenshot_dir: Path, page: str) -> None:
    for viewport in VIEWPORTS:
        shot = screenshot_dir / shot_name(page, viewport)
        assert shot.is_file() and shot.stat().st_size > 10_000, shot


def search(browser: Any, site_url: str, query: str) -> list[str]:
    page = browser.new_page()
    try:
        page.goto(f"{site_url}search.html?q={quote(query)}", wait_until="networkidle")
        page.wait_for_function(
            "() => { const s = document.querySelector('#search-results p.search-summary');"
            " return s && s.innerText.trim().length > 0; }",
            timeout=15_000,
        )
        hrefs = page.eval_on_selector_all(
            "#search-results ul.search li > a", "els => els.map(e => e.getAttribute('href'))"
        )
    finally:
        page.close()
    return [h.split("#")[0] for h in hrefs]


@pytest.mark.parametrize(("query", "expected"), SEARCH_CASES)
def test_chinese_search_finds_body_words(
    browser: Any, site_url: str, html_dir: Path, query: str, expected: str
) -> None:
    pages = [p for p in book_pages() if p.startswith(expected)]
    using = []
    for page in pages:
        html = (html_dir / page).read_text(encoding="utf-8")
        title = re.sub(r"<[^>]+>", "", re.search(r"<title>(.*?)</title>", html).group(1))
        if query not in title and query in re.sub(r"<[^>]+>", "", html.split("<article", 1)[-1]):
            using.append(page)
    assert using, f"{query} is in no page body under {expected} (outside the page titles)"
    found = search(browser, site_url, query)
    assert set(using) & set(found), f"search for {query} found {found}, expected one of {using}"


def test_search_of_unknown_word_finds_nothing(browser: Any, site_url: str) -> None:
    assert search(browser, site_url, "量子纠缠") == []


@pytest.mark.parametrize("page", CHAPTERS)
def test_plots_readable_in_dark_mode(
    browser: Any, site_url: str, screenshot_dir: Path, page: str
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme="dark")
    context.add_init_script(LAYOUT_SHIFT_JS)
    tab = context.new_page()
    try:
        tab.goto(site_url + page, wait_until="networkidle")
        assert tab.evaluate("document.documentElement.dataset.theme") == "dark"
        # the theme is resolved to dark before the first paint: nothing moves when it applies
        assert tab.evaluate("window.__layoutShift") <= MAX_LAYOUT_SHIFT
        backgrounds = tab.evaluate(
            "() => [...document.querySelectorAll('.cell_output img')]"
            ".map((i) => getComputedStyle(i).backgroundColor)"
        )
        full_page_screenshot(tab, screenshot_dir / shot_name(page, "dark"))
    finally:
        context.close()
    for color in backgrounds:
        r, g, b = (int(x) for x in re.findall(r"\d+", color)[:3])
        assert 0.2126 * r + 0.7152 * g + 0.0722 * b > 180, f"plot on a dark card: {color}"


@pytest.mark.parametrize("page", CHAPTERS)
def test_scrollable_code_blocks_get_a_tab_stop(browser: Any, site_url: str, page: str) -> None:
    """Keyboard users can scroll wide code: the theme's tab-stop check, made lazy by
    _ext/site_quality.py, still runs for every block once it has been on screen."""
    context = browser.new_context(**VIEWPORTS["phone"])
    tab = context.new_page()
    try:
        tab.goto(site_url + page, wait_until="networkidle")
        mismatched = tab.evaluate(
            """async () => {
              const blocks = [...document.querySelectorAll("pre, .cell_output > .output")]
                .filter((e) => e.getClientRects().length > 0);
              const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
              // Open the collapsed cells (exercise solutions) so their blocks count too.
              document.querySelectorAll("details").forEach((d) => { d.open = true; });
              await new Promise((r) => setTimeout(r, 400));
              // Read the page like a reader: one screen at a time, a few frames per screen.
              for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
                window.scrollTo(0, y);
                for (let i = 0; i < 4; i++) await frame();
              }
              await new Promise((r) => setTimeout(r, 200));
              return blocks
                .filter((e) => (e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight)
                               !== (e.tabIndex === 0))
                .map((e) => e.outerHTML.slice(0, 80));
            }"""
        )
    finally:
        context.close()
    assert mismatched == []


def test_front_door_loads_without_errors(browser: Any, site_url: str, html_dir: Path) -> None:
    """The site root: a real head (title, language, icon) and a redirect to the intro; nothing
    on the way fails (the browser's own /favicon.ico request included)."""
    page = browser.new_page()
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # A request the redirect cancels (the root's icon, under load) is aborted, not failed: only
    # other failures and HTTP errors count.
    page.on(
        "requestfailed",
        lambda r: None if "ERR_ABORTED" in (r.failure or "") else failed.append(r.url),
    )
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        response = page.goto(site_url, wait_until="commit")
        assert response is not None and response.ok
        page.wait_for_url(f"{site_url}{book_pages()[0]}", wait_until="networkidle")
    finally:
        page.close()
    html = (html_dir / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in html
    assert re.search(r"<title>[^<]*[\u4e00-\u9fff][^<]*</title>", html)
    assert re.search(r'<link rel="icon" href="[^"]+"', html)
    assert errors == [] and failed == [], errors + failed
