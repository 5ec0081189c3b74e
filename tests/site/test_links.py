"""Internal links and anchors of the built site: every one resolves (checked on the HTML).

Every ``href``/``src`` that stays on the site must name a file that exists, and a ``#fragment``
must name an ``id`` (or ``name``) in the page it points to. Links to other sites are left to
the publishing checks; assets from other sites are forbidden (test_page_meta.py).
"""

from __future__ import annotations

from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for key in ("id", "name") if tag != "meta" else ():
            if attributes.get(key):
                self.ids.add(attributes[key] or "")
        for key in ("href", "src"):
            value = attributes.get(key)
            if value is not None and not (tag == "link" and attributes.get("rel") == "canonical"):
                self.refs.append((tag, value))


@cache
def parse(page: Path) -> _Page:
    parser = _Page()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def site_pages(html_dir: Path) -> list[Path]:
    return sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.parts)


def broken_refs(html_dir: Path) -> list[str]:
    problems: list[str] = []
    for page in site_pages(html_dir):
        for tag, url in parse(page).refs:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                continue  # another site (or mailto:, data:): not an internal link
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            where = f"{page.relative_to(html_dir)}: <{tag}> {url}"
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{where} -> missing file")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in parse(target).ids:
                problems.append(f"{where} -> no id {fragment!r}")
    return problems


def test_site_has_pages(html_dir: Path) -> None:
    assert len(site_pages(html_dir)) >= 6


def test_no_broken_internal_links_or_anchors(html_dir: Path) -> None:
    problems = broken_refs(html_dir)
    assert problems == [], "\n".join(problems)


def test_checker_reports_missing_files_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        '<a href="b.html#there">ok</a><a href="b.html#gone">x</a><a href="c.html">x</a>'
        '<a href="#top">ok</a><a href="https://example.org/">ext</a><p id="top"></p>',
        encoding="utf-8",
    )
    (tmp_path / "b.html").write_text('<h2 id="there">b</h2>', encoding="utf-8")
    problems = broken_refs(tmp_path)
    assert len(problems) == 2
    assert "no id 'gone'" in problems[0] or "no id 'gone'" in problems[1]
    assert any("c.html -> missing file" in p for p in problems)
