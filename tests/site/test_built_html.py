"""Static checks on the built HTML: language, chapters present, Chinese search index."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import book_pages


def test_every_page_is_chinese(html_dir: Path) -> None:
    # Every page of _toc.yml (chapters are added and renamed; the list is never fixed here).
    for page in [html_dir / p for p in book_pages()]:
        text = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN"' in text, page


def test_search_index_holds_chinese_words(html_dir: Path) -> None:
    raw = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(re.search(r"Search\.setIndex\((.*)\)\s*$", raw, re.S).group(1))
    # jieba cuts text into dictionary words: 激活函数 is indexed as 激活 + 函数, and the query
    # splitter of _ext/zh_search.py cuts a query the same way (test_browser.py searches).
    terms = set(index["terms"]) | set(index["titleterms"])
    for word in ("神经网络", "激活", "函数"):
        assert word in terms, word


def test_sidebar_lists_chapters_then_appendix(html_dir: Path) -> None:
    text = (html_dir / "intro.html").read_text(encoding="utf-8")
    # Link texts may hold markup (4.1 用 <code>nn.Module</code> 定义网络): strip it.
    links = re.findall(r'href="((?:chapters|appendix)/[^"#]+\.html)">(.*?)</a>', text, re.S)
    titles = [(href, re.sub(r"<[^>]+>", "", inner)) for href, inner in links]
    order = list(dict.fromkeys(href for href, _ in titles))  # first occurrence: the sidebar
    chapters = [p for p in book_pages() if p.startswith("chapters/")]
    appendix = [p for p in book_pages() if p.startswith("appendix/")]
    assert order == chapters + appendix
    chapter_pages = [p for p in chapters if p.endswith("/index.html")]
    assert len(chapter_pages) == 6, chapter_pages
    names = [{href: title.strip() for href, title in titles}[h] for h in appendix]
    required = ["术语表", "参考文献与延伸阅读", "原文勘误"]
    assert [n for n in names if n in required] == required, names
    captions = re.findall(r'caption-text">([^<]+)<', text)
    assert captions[-1] == "附录"


def test_bibliography_has_no_roles_lighthouse_flags(html_dir: Path) -> None:
    # docutils marks citations with the deprecated role doc-biblioentry inside a role="list"
    # container; _ext/site_quality.py drops both (Lighthouse accessibility stays 100).
    page = (html_dir / "appendix" / "references.html").read_text(encoding="utf-8")
    assert 'class="citation"' in page
    assert "doc-biblioentry" not in page and '<div role="list" class="citation-list">' not in page
