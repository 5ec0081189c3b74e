"""Built site: the "讨论" links, the "最后更新" dates and the three instructor/learner pages.

Reads the built HTML of every page of ``_toc.yml`` (chapters and sections, nested or not: the
list comes from the table of contents, never from here).
"""

from __future__ import annotations

import html
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, toc_documents

sys.path.insert(0, str(ROOT / "_ext"))  # course_status imports editions_site
_spec = importlib.util.spec_from_file_location("page_extras", ROOT / "_ext" / "page_extras.py")
assert _spec is not None and _spec.loader is not None
extras = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("page_extras", extras)
_spec.loader.exec_module(extras)

_spec = importlib.util.spec_from_file_location("course_status", ROOT / "_ext" / "course_status.py")
assert _spec is not None and _spec.loader is not None
status = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("course_status", status)
_spec.loader.exec_module(status)

CHAPTER_OF = extras.chapter_of_docs(ROOT)
DISCUSSIONS = extras.load_discussions(ROOT)
REPO = extras.repository_url(ROOT)


def _aside(html_dir: Path, doc: str) -> str:
    text = (html_dir / f"{doc}.html").read_text(encoding="utf-8")
    found = re.findall(r'<aside class="page-extras".*?</aside>', text, re.S)
    assert len(found) <= 1, doc
    return found[0] if found else ""


def _source(doc: str) -> Path:
    for suffix in (".ipynb", ".md"):
        if (ROOT / f"{doc}{suffix}").is_file():
            return ROOT / f"{doc}{suffix}"
    raise FileNotFoundError(doc)


def test_every_chapter_and_section_page_links_its_threads(html_dir: Path) -> None:
    assert CHAPTER_OF, "no chapter page in _toc.yml"
    for doc, key in CHAPTER_OF.items():
        aside = _aside(html_dir, doc)
        links = dict(
            re.findall(r'class="discussion-link" data-forum="(\w+)" href="([^"]+)"', aside)
        )
        links = {forum: html.unescape(url) for forum, url in links.items()}
        assert links == extras.thread_links(key, DISCUSSIONS, REPO), doc
        assert "讨论" in aside and "Gitee" in aside and "GitHub" in aside, doc


def test_sections_of_one_chapter_share_its_threads() -> None:
    by_chapter: dict[str, set[str]] = {}
    for _doc, key in CHAPTER_OF.items():
        links = extras.thread_links(key, DISCUSSIONS, REPO)
        by_chapter.setdefault(key, set()).add(links["github"] + " " + links["gitee"])
    assert all(len(v) == 1 for v in by_chapter.values())


def test_other_pages_have_no_discussion_links(html_dir: Path) -> None:
    # The introduction and the appendix pages are deliberately left out (not chapter content).
    for doc in toc_documents():
        if doc not in CHAPTER_OF:
            assert "discussion-link" not in _aside(html_dir, doc), doc


def test_discussion_links_load_nothing(html_dir: Path) -> None:
    # Plain links: no widget, no script from another site on any page.
    for doc in CHAPTER_OF:
        text = (html_dir / f"{doc}.html").read_text(encoding="utf-8")
        assert not re.search(r'<(script|iframe)[^>]+src="https?://[^"]*(github|gitee)', text), doc


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_every_page_shows_its_last_commit_date(html_dir: Path) -> None:
    inside = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
        check=False,
    )
    if inside.returncode != 0:
        pytest.skip("not a git checkout: the pages carry no date (by design)")
    for doc in toc_documents():
        source = _source(doc)
        expected = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%cs", "--", str(source)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        aside = _aside(html_dir, doc)
        if not expected:  # a new file not committed yet
            assert "最后更新" not in aside, doc
            continue
        assert f'最后更新：<time datetime="{expected}">{expected}</time>' in aside, doc


def test_status_page_lists_every_notebook_with_the_pinned_versions(html_dir: Path) -> None:
    text = (html_dir / "appendix" / "status.html").read_text(encoding="utf-8")
    table = text[text.index("course-status") :]
    for doc, _ in status.toc_notebooks(ROOT):
        assert f'href="../{doc}.html"' in table, doc
    assert "未记录" not in table
    pins = status.pins(ROOT)
    cell = r"<td><p>([^<]+)</p></td>"
    for _, label, dist in status.VERSIONS:
        row = re.search(rf"<td><p>{label}</p></td>\s*{cell}\s*{cell}", table)
        assert row, label
        used, pinned = row[1].strip(), row[2].strip()
        if dist is None:  # Python: pinned to a minor version
            assert pinned == status.python_pin(ROOT) + ".x" and used.startswith(pinned[:-1])
        else:
            assert status.release_of(used) == pins[dist] == pinned, label


def test_faq_and_instructor_pages_are_built(html_dir: Path) -> None:
    faq = (html_dir / "appendix" / "faq.html").read_text(encoding="utf-8")
    for topic in (
        "NNLIB_NATIVE_NUMERICS",
        "Apple Silicon",
        "download.pytorch.org/whl/cpu",
        "pypi.tuna.tsinghua.edu.cn",
        "Colab",
        "Binder",
        "Glyph",
        r".venv\Scripts",
    ):
        assert html.escape(topic, quote=False) in faq or topic in faq, topic
    guide = (html_dir / "appendix" / "instructors.html").read_text(encoding="utf-8")
    for topic in (
        "execute_notebooks.py",
        ":questions:",
        "check_numerics_paths.sh",
        "binder_check.sh",
        "colab_check.py",
        "check_links.py",
        "discussions.yml",
    ):
        assert topic in guide, topic
