#!/usr/bin/env python3
"""Run the notebooks as Colab runs them (weekly workflow, part 2).

Colab opens ONE notebook, without the repository, in its own Python with its own (newer) torch.
Each notebook's first code cell must then install ``nnlib`` (the wheel the course site
publishes) and the pinned CPU torch, after which the whole notebook must run. This script
checks exactly that, in a Colab-like environment that the caller prepares (the workflow does it
with Colab's current Python and unpinned ``torch numpy matplotlib scikit-learn ipykernel pyyaml
nbclient``, i.e. what Colab has preinstalled, and no nnlib):

1. **first cell**: for every distinct first code cell among the notebooks (they are copies of
   one cell, so normally one), uninstall ``nnlib`` if present, run only that cell in a fresh
   kernel in an empty folder holding only the notebook, then check in a second fresh kernel that
   ``nnlib`` imports, its numerics pin took effect and torch is the version that cell pins;
2. **notebook**: run every notebook top to bottom, each in a fresh kernel in its own empty
   folder (no repository, no ``PYTHONPATH``), failing on any error and on any ``stderr`` output
   (a learner would see it in red). Stored outputs are not compared (the environment is under
   test, not the digits).

Usage (with the Colab-like environment's Python; the default list is every notebook of
``_toc.yml``)::

    /tmp/colab/bin/python scripts/colab_check.py
    /tmp/colab/bin/python scripts/colab_check.py --skip-first-cell chapters/02_activation.ipynb

``--skip-first-cell`` runs part 2 only (e.g. offline, where the first cell cannot download).
Needs ``nbclient`` and ``pyyaml`` in that environment; never run it in the project's ``.venv``
without ``--skip-first-cell`` (it uninstalls ``nnlib``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

CHECK_SOURCE = """\
import importlib.metadata, json, sys, torch, nnlib
print(json.dumps({"nnlib": importlib.metadata.version("nnlib"), "torch": torch.__version__,
                  "pinned": nnlib.NUMERICS.ok, "numerics": nnlib.NUMERICS.describe(),
                  "prefix": sys.prefix}))
"""


def toc_notebooks() -> list[Path]:
    import editions

    return editions.chapter_notebooks(ROOT)


def first_code_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.cell_type == "code":
            return cell
    raise ValueError("no code cell")


def clean_env() -> dict[str, str]:
    """The environment of a kernel: no repository on the path, no forced backend."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "MPLBACKEND", "NNLIB_NATIVE_NUMERICS"):
        env.pop(name, None)
    return env


def run(nb: nbformat.NotebookNode, folder: Path, timeout: int) -> list[str]:
    """Execute ``nb`` in a fresh kernel in ``folder``; return the problems found."""
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    problems = []
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(clean_env())
    try:
        client.execute()
    except Exception as exc:  # noqa: BLE001 - any failure of the run is the finding
        problems.append(f"execution failed: {type(exc).__name__}: {str(exc)[-1500:]}")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                problems.append(f"cell {index}: stderr: {out.get('text', '')[:500]!r}")
    return problems


def isolated(path: Path) -> tuple[Path, Path]:
    """An empty folder holding only a copy of the notebook (as Colab has it)."""
    folder = Path(tempfile.mkdtemp(prefix="colab-check-"))
    copy = folder / path.name
    shutil.copyfile(path, copy)
    return folder, copy


def pinned_torch(source: str) -> str | None:
    match = re.search(r"torch==([0-9][^\s\"']*)", source)
    return match[1] if match else None


def check_first_cells(paths: list[Path], timeout: int) -> list[str]:
    groups: dict[str, list[Path]] = {}
    for path in paths:
        source = first_code_cell(nbformat.read(path, as_version=4)).source
        groups.setdefault(source, []).append(path)
    problems = []
    for source, members in groups.items():
        path = members[0]
        names = ", ".join(p.relative_to(ROOT).as_posix() for p in members)
        print(f"== first cell of {names}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "nnlib"], check=False
        )
        folder, _ = isolated(path)
        start = time.perf_counter()
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        found = run(nb, folder, timeout)
        probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CHECK_SOURCE)])
        found += run(probe, folder, timeout)
        shutil.rmtree(folder, ignore_errors=True)
        text = "".join(o.get("text", "") for o in probe.cells[0].get("outputs", []))
        print(f"   {time.perf_counter() - start:.0f} s: {text.strip()}", flush=True)
        want = pinned_torch(source)
        if '"pinned": true' not in text:
            found.append(f"nnlib did not import or its numerics pin failed: {text.strip()!r}")
        if f'"prefix": {json.dumps(sys.prefix)}' not in text:
            found.append(f"the kernel is not this environment's Python ({sys.prefix})")
        if want and f'"torch": "{want}' not in text:
            found.append(f"torch is not {want} after the first cell: {text.strip()!r}")
        problems += [f"{names}: first cell: {p}" for p in found]
    return problems


def check_notebooks(paths: list[Path], timeout: int) -> list[str]:
    problems = []
    for path in paths:
        name = path.relative_to(ROOT).as_posix()
        folder, copy = isolated(path)
        start = time.perf_counter()
        found = run(nbformat.read(copy, as_version=4), folder, timeout)
        shutil.rmtree(folder, ignore_errors=True)
        verdict = "ok" if not found else f"{len(found)} problem(s)"
        print(f"== {name}: {time.perf_counter() - start:.0f} s, {verdict}", flush=True)
        problems += [f"{name}: {p}" for p in found]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every toc notebook")
    parser.add_argument("--skip-first-cell", action="store_true", help="run part 2 only")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or toc_notebooks()
    print(f"Python {sys.version.split()[0]} at {sys.executable}", flush=True)
    problems = [] if args.skip_first_cell else check_first_cells(paths, args.timeout)
    problems += check_notebooks(paths, args.timeout)
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"{len(paths)} notebooks, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
