"""Benchmark: per-chapter execution time and peak memory, and book build time (cold and warm).

Usage (inside the project environment, from the repository root)::

    python scripts/benchmark.py            # every chapter + the two builds
    python scripts/benchmark.py --no-build

Prints figures; it asserts nothing (budgets are checked by reading them, not by timed tests).
Budgets (issue tracker): each chapter <= 20 s and <= 1 GB peak RSS; cold build <= 30 s.

- *exec* is the wall time to start a fresh kernel and run every cell; *cells* is the part spent
  running cells.
- *peak RSS* is the kernel process's high-water mark of resident memory (``VmHWM`` in
  ``/proc/<pid>/status``), read after the last cell: exact, not sampled.
- The notebooks are executed in memory; nothing in ``chapters/`` is written.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_BUDGET_S = 20.0
CHAPTER_BUDGET_MB = 1024.0
BUILD_BUDGET_S = 30.0


def _peak_rss_mb(pid: int) -> float:
    """Return the peak resident set size (VmHWM) of process ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def run_notebook(path: Path) -> tuple[float, float, float]:
    """Execute ``path`` in a fresh kernel; return (total seconds, cell seconds, peak RSS MiB)."""
    nb = nbformat.read(path, as_version=4)
    peak = {"mb": 0.0}
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )

    def after_cell(**_: object) -> None:
        peak["mb"] = max(peak["mb"], _peak_rss_mb(client.km.provisioner.pid))

    client.on_cell_executed = after_cell
    start = time.perf_counter()
    with client.setup_kernel():
        cells_start = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        cells = time.perf_counter() - cells_start
    return time.perf_counter() - start, cells, peak["mb"]


def build(out: Path) -> float:
    """Run ``jupyter-book build`` into ``out`` (warnings are errors); return seconds."""
    exe = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    subprocess.run(
        [str(exe), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="skip the book builds")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter")
    args = parser.parse_args()
    os.environ.pop("MPLBACKEND", None)

    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "chapters").glob("*.ipynb"))
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"{'notebook':32} {'exec s':>7} {'cells s':>8} {'peak RSS MiB':>13}  budget")
    for path in paths:
        total, cells, mb = run_notebook(path)
        ok = total <= CHAPTER_BUDGET_S and mb <= CHAPTER_BUDGET_MB
        print(f"{path.name:32} {total:7.1f} {cells:8.1f} {mb:13.0f}  {'ok' if ok else 'OVER'}")

    if not args.no_build:
        with tempfile.TemporaryDirectory(prefix="jb-bench-") as tmp:
            out = Path(tmp)
            cold = build(out)
            warm = build(out)
        shutil.rmtree(out, ignore_errors=True)
        ok = "ok" if cold <= BUILD_BUDGET_S else "OVER"
        print(
            f"jupyter-book build: cold {cold:.1f} s ({ok}, budget {BUILD_BUDGET_S:.0f} s), "
            f"warm {warm:.1f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
