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


def write_explorer_book(src: Path, body: str) -> Path:
    """A stub book in ``src`` showing explorers: the course's ``explorers/*.json``, a ``conf.py``
    with the ``explorer`` extension, and ``index.md`` holding ``body``. Returns ``src``."""
    root = Path(__file__).resolve().parent.parent
    (src / "explorers").mkdir(parents=True, exist_ok=True)
    for data in sorted((root / "explorers").glob("*.json")):
        (src / "explorers" / data.name).write_bytes(data.read_bytes())
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(root / '_ext')!r})\n"
        'extensions = ["myst_parser", "explorer"]\nlanguage = "zh_CN"\n',
        encoding="utf-8",
    )
    (src / "index.md").write_text(body, encoding="utf-8")
    return src
