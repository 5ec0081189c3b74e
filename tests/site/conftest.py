"""Fixtures for the checks on the built site (run after `jupyter-book build .`).

Static checks read the HTML in `_build/html` (or `$SITE_HTML_DIR`). Browser checks serve that
folder on 127.0.0.1 and drive the system Chromium through Playwright. Without a browser they
are skipped on a developer machine and fail in CI (`CI` set), which installs Chromium.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

# scripts/editions.py (not a package): the editions' names, the table of contents, the browser.
_spec = importlib.util.spec_from_file_location("course_editions", ROOT / "scripts/editions.py")
assert _spec is not None and _spec.loader is not None
editions = importlib.util.module_from_spec(_spec)
sys.modules["course_editions"] = editions
_spec.loader.exec_module(editions)
HTML = Path(os.environ.get("SITE_HTML_DIR", ROOT / "_build" / "html"))
ARTIFACTS = ROOT / "artifacts" / "screenshots"

# Flags that let Debian's Chromium run headless as root in a container, with no network noise.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(
            "the site is not built: run `jupyter-book build .` first (scripts/test.sh does)"
        )
    return HTML


def toc_documents() -> list[str]:
    """Documents of _toc.yml in reading order (root first), without suffix.

    Handles both layouts of a ``jb-book`` table of contents: a flat ``chapters`` list and
    ``parts`` (captioned groups, e.g. the chapters and then the appendix).
    """
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]]

    def walk(entries: list[dict]) -> None:  # jb-book: chapters or parts, nested sections
        for entry in entries or []:
            if "file" in entry:
                docs.append(entry["file"])
            walk(entry.get("sections", []))

    walk(toc.get("chapters", []))
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    return docs


def book_pages() -> list[str]:
    """Pages of the book in reading order (from _toc.yml), as paths relative to the site root."""
    return [f"{doc}.html" for doc in toc_documents()]


def chromium_path() -> str | None:
    """The browser to test with (``scripts/editions.py``: ``find_chromium``)."""
    return editions.find_chromium()


def need_browser(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests: .ci/run installs chromium)")
    pytest.skip(reason)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def served(directory: Path) -> Iterator[str]:
    """``directory`` served over HTTP on 127.0.0.1 (a free port) while the block runs; yields
    its address, ending in ``/``."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(html_dir: Path) -> Iterator[str]:
    """The built site served over HTTP, for the browser tests."""
    with served(html_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        need_browser("no chromium executable on PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need_browser("playwright is not installed (pip install -r requirements.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def watch(page: Any, url: str) -> tuple[list[str], list[str]]:
    """Record what goes wrong on ``page`` (served from ``url``'s origin): console errors,
    uncaught exceptions and responses >= 400 (a missing favicon.ico aside: the stub books have
    none) in the first list, requests to another origin in the second."""
    errors: list[str] = []
    foreign: list[str] = []
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    # A 404 shows as a console error too; the stub book has no favicon.ico.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: (
            foreign.append(r.url)
            if not r.url.startswith(("data:", "blob:", origin + "/"))
            else None
        ),
    )
    return errors, foreign
