"""Re-execute chapter notebooks in place, so their stored outputs are current.

Usage (from the repository root, inside the project environment)::

    python scripts/execute_notebooks.py                  # every chapter
    python scripts/execute_notebooks.py chapters/02_activation.ipynb

Each notebook runs top to bottom in a fresh kernel with its own folder as the working directory,
exactly as ``pytest --nbval`` runs it. No timing metadata is recorded and printed text is stored
as one stream per cell, so re-executing an unchanged chapter leaves its file unchanged.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def chapter_notebooks() -> list[Path]:
    """Return every notebook under chapters/ (section notebooks in their chapter folders),
    sorted by path: the reading order."""
    return sorted((ROOT / "chapters").rglob("*.ipynb"))


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
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    nbformat.write(nb, path)


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stdout (or stderr) chunks into one output.

    How a kernel splits a cell's printed text into chunks depends on timing; merging them makes
    the stored notebook identical from one execution to the next.
    """
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.output_type == "stream"
            and prev is not None
            and prev.output_type == "stream"
            and prev.name == out.name
        ):
            prev.text += out.text
        else:
            merged.append(out)
    return merged


def main(argv: list[str]) -> int:
    # A backend forced through the environment (e.g. MPLBACKEND=Agg) would drop every figure.
    os.environ.pop("MPLBACKEND", None)
    # Stored outputs are always made on the pinned numerics path (README "数值路径"): ignore an
    # opt-out left in the shell, and fail rather than store outputs if the pin cannot act.
    if os.environ.pop("NNLIB_NATIVE_NUMERICS", None) is not None:
        print("note: NNLIB_NATIVE_NUMERICS ignored: outputs are stored on the pinned path")
    os.environ["NNLIB_STRICT_NUMERICS"] = "1"
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
