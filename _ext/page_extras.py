"""Two lines at the end of every page: where to discuss it, and when it last changed.

- **讨论** (chapter and section pages): plain links to the chapter's thread on GitHub Discussions
  and on the Gitee mirror (reachable from mainland China), configured in ONE file,
  ``discussions.yml`` at the repository root. Which pages are chapter pages comes from
  ``_toc.yml``: every top-level entry under ``chapters/`` is a chapter, and all its nested
  sections link the same thread. No widget, no script, no request on page load. Other pages
  (the introduction, the appendix) get no discussion links.
- **最后更新** (every page): the date of the last git commit that changed the page's source
  file (``git log``, committer date, read once per build for the whole repository; no network).
  Outside a git checkout, or for a file git does not track, the line is left out. In a shallow
  clone the dates are those of the oldest commit present, so the workflows check out the full
  history (``fetch-depth: 0``).

Only the HTML site gets these lines (not the single-page build the PDF is printed from).
``tests/site/test_page_extras.py`` checks every page of the built site.
"""

from __future__ import annotations

import html
import subprocess
from pathlib import Path
from typing import Any

import yaml
from sphinx.application import Sphinx
from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[1]
CONFIG = "discussions.yml"
logger = logging.getLogger(__name__)


# ------------------------------------------------------------------------------ discussions
def repository_url(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return str(config["repository"]["url"]).rstrip("/")


def load_discussions(root: Path = ROOT) -> dict[str, Any]:
    data = yaml.safe_load((root / CONFIG).read_text(encoding="utf-8")) or {}
    for key in ("gitee", "chapters"):
        if key not in data:
            raise ValueError(f"{CONFIG}: missing key {key!r}")
    return data


def chapter_of_docs(root: Path = ROOT) -> dict[str, str]:
    """Map every chapter or section document of ``_toc.yml`` to its chapter key (the folder
    under ``chapters/``, or the notebook's stem for a one-file chapter)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found: dict[str, str] = {}

    def walk(entries: list[dict[str, Any]], key: str) -> None:
        for entry in entries or []:
            if "file" in entry:
                found[str(entry["file"])] = key
            walk(entry.get("sections", []), key)

    tops = list(toc.get("chapters", []))
    for part in toc.get("parts", []):
        tops += part.get("chapters", [])
    for entry in tops:
        parts = str(entry.get("file", "")).split("/")
        if len(parts) >= 2 and parts[0] == "chapters":
            walk([entry], parts[1])
    return found


def thread_links(key: str, data: dict[str, Any], repo: str) -> dict[str, str]:
    """``{"github": url, "gitee": url}`` of chapter ``key``'s threads (the forum's list where
    the thread number is not configured yet)."""
    entry = data["chapters"].get(key) or {}
    github = str(data.get("github") or f"{repo}/discussions").rstrip("/")
    gitee = str(data["gitee"]).rstrip("/")
    return {
        "github": f"{github}/{entry['github']}" if entry.get("github") else github,
        "gitee": f"{gitee}/{entry['gitee']}" if entry.get("gitee") else gitee,
    }


# ------------------------------------------------------------------------------ git dates
def git_dates(root: Path = ROOT) -> dict[str, str]:
    """``{path relative to root: YYYY-MM-DD}`` of the last commit touching each tracked file;
    empty outside git (or without git)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), "-c", "core.quotePath=false", *args],
            capture_output=True,
            text=True,
            check=True,
            encoding="utf-8",
        ).stdout

    try:
        top = Path(git("rev-parse", "--show-toplevel").strip()).resolve()
        log = git("log", "--format=@@%cs", "--name-only", "--no-renames", "--", ".")
    except (OSError, subprocess.CalledProcessError):
        return {}
    prefix = Path(root).resolve().relative_to(top).as_posix()
    dates: dict[str, str] = {}
    date = ""
    for line in log.splitlines():
        if line.startswith("@@"):
            date = line[2:].strip()
        elif line.strip():
            path = line.strip()
            if prefix not in ("", "."):
                if not path.startswith(prefix + "/"):
                    continue
                path = path[len(prefix) + 1 :]
            dates.setdefault(path, date)
    return dates


# ------------------------------------------------------------------------------ Sphinx
def prepare(app: Sphinx) -> None:
    root = Path(app.srcdir)
    app.course_dates = git_dates(root)  # type: ignore[attr-defined]
    if not app.course_dates:  # type: ignore[attr-defined]
        logger.info("page_extras: no git history here; pages show no 最后更新 line")
    app.course_discussions = load_discussions(root)  # type: ignore[attr-defined]
    app.course_chapters = chapter_of_docs(root)  # type: ignore[attr-defined]
    app.course_repo = repository_url(root)  # type: ignore[attr-defined]
    missing = sorted(
        set(app.course_chapters.values()) - set(app.course_discussions["chapters"])  # type: ignore[attr-defined]
    )
    for key in missing:
        logger.warning(f"{CONFIG}: chapter {key!r} of _toc.yml has no discussion threads")


def extras_html(app: Sphinx, pagename: str) -> str:
    e = html.escape
    parts = []
    key = app.course_chapters.get(pagename)  # type: ignore[attr-defined]
    if key is not None:
        links = thread_links(key, app.course_discussions, app.course_repo)  # type: ignore[attr-defined]
        parts.append(
            '<p class="page-discussion">讨论：'
            f'<a class="discussion-link" data-forum="github" href="{e(links["github"])}">'
            "GitHub 上的本章讨论</a> · "
            f'<a class="discussion-link" data-forum="gitee" href="{e(links["gitee"])}">'
            "Gitee 镜像上的本章讨论（国内可访问）</a></p>"
        )
    source = Path(app.env.doc2path(pagename)).resolve()
    try:
        rel = source.relative_to(Path(app.srcdir).resolve()).as_posix()
    except ValueError:
        rel = ""
    date = app.course_dates.get(rel)  # type: ignore[attr-defined]
    if date:
        parts.append(
            f'<p class="page-updated">最后更新：<time datetime="{e(date)}">{e(date)}</time></p>'
        )
    if not parts:
        return ""
    return '<aside class="page-extras" aria-label="讨论与更新">' + "".join(parts) + "</aside>"


def add_extras(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if app.builder.name != "html" or doctree is None or "body" not in context:
        return
    extra = extras_html(app, pagename)
    if extra:
        context["body"] = context["body"] + extra


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", prepare)
    app.connect("html-page-context", add_extras)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
