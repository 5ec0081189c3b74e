"""The discussion links and last-updated dates of ``_ext/page_extras.py`` (no build needed).

The built pages are checked by ``tests/site/test_page_extras.py``.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("page_extras", ROOT / "_ext" / "page_extras.py")
assert _spec is not None and _spec.loader is not None
extras = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("page_extras", extras)
_spec.loader.exec_module(extras)

NESTED_TOC = """\
format: jb-book
root: intro
parts:
  - caption: 章节
    chapters:
      - file: chapters/01_a/index
        sections:
          - file: chapters/01_a/01_x
          - file: chapters/01_a/02_y
            sections:
              - file: chapters/01_a/02_y_deep
      - file: chapters/02_b
  - caption: 附录
    chapters:
      - file: appendix/faq
"""


def test_chapters_and_nested_sections_map_to_their_chapter(tmp_path: Path) -> None:
    (tmp_path / "_toc.yml").write_text(NESTED_TOC, encoding="utf-8")
    assert extras.chapter_of_docs(tmp_path) == {
        "chapters/01_a/index": "01_a",
        "chapters/01_a/01_x": "01_a",
        "chapters/01_a/02_y": "01_a",
        "chapters/01_a/02_y_deep": "01_a",
        "chapters/02_b": "02_b",
    }


def test_every_chapter_of_the_toc_has_threads_configured() -> None:
    data = extras.load_discussions()
    keys = set(extras.chapter_of_docs().values())
    assert keys, "no chapter found in _toc.yml"
    assert keys <= set(data["chapters"]), keys - set(data["chapters"])


def test_thread_links_use_the_thread_or_the_forum() -> None:
    data = {
        "gitee": "https://gitee.com/o/r/issues/",
        "chapters": {"01_a": {"github": 7, "gitee": "IABC12"}, "02_b": {"github": None}},
    }
    repo = "https://github.com/o/r"
    assert extras.thread_links("01_a", data, repo) == {
        "github": "https://github.com/o/r/discussions/7",
        "gitee": "https://gitee.com/o/r/issues/IABC12",
    }
    assert extras.thread_links("02_b", data, repo) == {
        "github": "https://github.com/o/r/discussions",
        "gitee": "https://gitee.com/o/r/issues",
    }


def test_github_threads_follow_the_repository_url() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    data = extras.load_discussions()
    if "github" not in data:
        links = extras.thread_links(next(iter(data["chapters"])), data, extras.repository_url())
        assert links["github"].startswith(config["repository"]["url"].rstrip("/") + "/discussions")
    assert data["gitee"].startswith("https://gitee.com/")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_dates_take_the_last_commit_of_each_file(tmp_path: Path) -> None:
    def git(*args: str, date: str | None = None) -> None:
        env = {
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org",
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "HOME": str(tmp_path),
        }
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)

    git("init", "-q")
    book = tmp_path / "book"
    book.mkdir()
    (book / "a.md").write_text("a", encoding="utf-8")
    (book / "章节.md").write_text("b", encoding="utf-8")
    git("add", ".")
    git("commit", "-qm", "one", date="2026-01-02T12:00:00+00:00")
    (book / "a.md").write_text("a2", encoding="utf-8")
    git("commit", "-qam", "two", date="2026-03-04T12:00:00+00:00")
    (book / "untracked.md").write_text("c", encoding="utf-8")
    dates = extras.git_dates(book)  # the book in a subfolder of the repository
    assert dates == {"a.md": "2026-03-04", "章节.md": "2026-01-02"}


def test_git_dates_outside_git_are_empty(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a", encoding="utf-8")
    assert extras.git_dates(tmp_path) == {}
