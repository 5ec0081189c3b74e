"""Build a small Sphinx book in a subprocess: the strict-build tests of the site's extensions
(bibliography, glossary, quizzes) write a stub book and check what ``sphinx -W`` says of it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def sphinx_build(src: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``python -m sphinx -W <options> -q -b html src out`` with this interpreter; returns the
    finished process (its ``returncode`` and ``stderr`` are what the tests read)."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", *options, "-q", "-b", "html", str(src), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
