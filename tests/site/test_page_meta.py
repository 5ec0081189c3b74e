"""Static checks on the built pages: metadata for search engines and sharing, and no asset
(script, style sheet, font, image) that would be fetched from another site."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import book_pages


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.icons: list[str] = []
        self.assets: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and "content" in a:
            self.meta[a.get("name") or a.get("property") or ""] = a["content"]
        if tag == "link" and "icon" in a.get("rel", "").split():
            self.icons.append(a.get("href", ""))
        if tag == "link" and a.get("rel") in ("stylesheet", "preload", "modulepreload"):
            self.assets.append(a.get("href", ""))
        if tag in ("script", "img", "iframe", "source", "video", "audio") and a.get("src"):
            self.assets.append(a["src"])
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False


def head(page: Path) -> _Head:
    parser = _Head()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def is_foreign(url: str) -> bool:
    return bool(re.match(r"(?i)^(https?:)?//", url.strip()))


@pytest.mark.parametrize("page", book_pages())
def test_page_has_description_and_open_graph(html_dir: Path, page: str) -> None:
    h = head(html_dir / page)
    description = h.meta.get("description", "")
    assert 20 <= len(description) <= 160, description
    for prop in ("og:title", "og:description", "og:type", "og:locale", "og:site_name"):
        assert h.meta.get(prop), prop
    assert h.meta["og:locale"] == "zh_CN"
    assert h.meta.get("og:image", "").endswith("_static/social-card.png")
    assert h.meta.get("og:url", "").endswith(page)


@pytest.mark.parametrize("page", book_pages())
def test_page_has_chinese_title_and_favicon(html_dir: Path, page: str) -> None:
    h = head(html_dir / page)
    assert re.search(r"[\u4e00-\u9fff]", h.title), h.title
    assert h.icons, "favicon link"
    for icon in h.icons:
        assert (html_dir / page).parent.joinpath(icon).resolve().is_file(), icon


def test_descriptions_differ_between_chapters(html_dir: Path) -> None:
    descriptions = [head(html_dir / page).meta.get("description") for page in book_pages()]
    chapters_with_text = [d for d in descriptions if d]
    assert len(set(chapters_with_text)) >= 2


def test_no_asset_from_another_site(html_dir: Path) -> None:
    problems = []
    for page in sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.parts):
        text = page.read_text(encoding="utf-8")
        problems += [f"{page.name}: {u}" for u in head(page).assets if is_foreign(u)]
        # Inline scripts that name a CDN (e.g. thebe, MathJax) would load it later.
        for script in re.findall(r"<script[^>]*>(.*?)</script>", text, re.S):
            problems += [f"{page.name}: {u}" for u in re.findall(r"https?://[^\s\"']+\.js", script)]
    for css in html_dir.joinpath("_static").rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if is_foreign(url):
                problems.append(f"{css.name}: {url}")
    assert problems == [], "\n".join(problems)


def test_icon_fonts_are_subset(html_dir: Path) -> None:
    fonts = list(html_dir.joinpath("_static", "vendor", "fontawesome").rglob("*.woff2"))
    assert fonts
    for font in fonts:
        assert font.stat().st_size < 20_000, f"{font.name} not subset"
    script = html_dir / "_static" / "scripts" / "fontawesome.js"
    assert script.stat().st_size < 1_000, "the theme's 1.5 MB fontawesome.js is still shipped"


def test_math_stylesheet_and_fonts_are_served(html_dir: Path) -> None:
    css = html_dir / "_static" / "mathjax" / "mathjax-chtml.css"
    assert css.is_file()
    fonts = re.findall(r"url\(\"?([^\")]+\.woff2?)", css.read_text(encoding="utf-8"))
    assert fonts
    for font in fonts:
        assert font.endswith(".woff2"), font
        assert (css.parent / font).is_file(), font
