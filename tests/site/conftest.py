"""Fixtures for the checks on the built site (run after `jupyter-book build .`)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(
            "the site is not built: run `jupyter-book build .` first (scripts/test.sh does)"
        )
    return HTML
