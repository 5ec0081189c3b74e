"""Re-execute chapter notebooks in place, so their stored outputs are current.

Usage (from the repository root, inside the project environment)::

    python scripts/execute_notebooks.py                  # every chapter
    python scripts/execute_notebooks.py chapters/02_activation.ipynb

Each notebook runs top to bottom in a fresh kernel with its own folder as the working directory,
exactly as ``pytest --nbval`` runs it. No timing metadata is recorded, so re-executing an
unchanged chapter leaves its file unchanged apart from genuinely new outputs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def chapter_notebooks() -> list[Path]:
    """Return every chapter notebook, sorted by file name."""
    return sorted((ROOT / "chapters").glob("*.ipynb"))


def execute(path: Path, timeout: int = 600) -> None:
    """Execute ``path`` in place in a fresh ``python3`` kernel of the current environment."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def main(argv: list[str]) -> int:
    # A backend forced through the environment (e.g. MPLBACKEND=Agg) would drop every figure.
    os.environ.pop("MPLBACKEND", None)
    paths = [Path(a).resolve() for a in argv] or chapter_notebooks()
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            print(f"not a notebook: {path}", file=sys.stderr)
            return 2
        print(f"executing {path.relative_to(ROOT)}", flush=True)
        execute(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
