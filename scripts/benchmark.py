"""Benchmark: per-chapter execution time and peak memory, and book build time (cold and warm).

Usage (inside the project environment, from the repository root)::

    python scripts/benchmark.py            # every chapter + the two builds
    python scripts/benchmark.py --no-build
    python scripts/benchmark.py --jobs 4   # the course-wide run with 4 kernels at once

Prints figures; it asserts nothing (budgets are checked by reading them, not by timed tests).
Budgets (issue tracker): each notebook <= 1 GB peak RSS; cold build <= 30 s; and, because machines
differ in speed, times relative to a *floor* measured in the same run (a fresh kernel that only
imports torch, matplotlib and nnlib): each section notebook <= 3x the floor, and the whole course
<= 1.5x what it took before the chapters were split into sections (issue 20). The whole course is
timed twice: one kernel at a time (the sum of the rows: the CPU cost) and as
``scripts/execute_notebooks.py`` runs it, ``--jobs`` kernels at once (default: one per CPU, at
most 4; longest notebooks first), which is the wall time an instructor or CI waits. The budget
is checked against the former, like for like: the baseline was measured one kernel at a time.
That baseline is
kept in floors, ``BASELINE_COURSE_FLOORS``: the six single-notebook chapters of commit ed4494f
took 37.9 s pinned against a 2.19 s floor on the 2-core reference machine (2026-12-01), i.e.
17.3 floors. To measure the baseline again on another machine, run the benchmark of that commit
in a worktree of it (``git worktree add /tmp/base ed4494f``) with its own ``nnlib`` first on
``PYTHONPATH``.

- Every chapter runs twice: under nnlib's numerics pin (as the site, CI and learners run it) and
  with ``NNLIB_NATIVE_NUMERICS=1`` (the CPU's native kernels); *pin cost* is the difference.

- *exec* is the wall time to start a fresh kernel and run every cell; *cells* is the part spent
  running cells.
- *peak RSS* is the kernel process's high-water mark of resident memory (``VmHWM`` in
  ``/proc/<pid>/status``), read after the last cell: exact, not sampled.
- The notebooks are executed in memory; nothing in ``chapters/`` is written.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_BUDGET_FLOORS = 3.0
BASELINE_COURSE_FLOORS = 17.3
COURSE_BUDGET_FACTOR = 1.5
PIN_COST_BUDGET = 0.30
CHAPTER_BUDGET_MB = 1024.0
BUILD_BUDGET_S = 30.0


def _peak_rss_mb(pid: int) -> float:
    """Return the peak resident set size (VmHWM) of process ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


FLOOR_SOURCE = "import matplotlib.pyplot\nimport torch\n\nimport nnlib"


def floor_notebook() -> nbformat.NotebookNode:
    """A one-cell notebook that only imports torch, matplotlib and nnlib."""
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])


def run_notebook(
    path: Path, nb: nbformat.NotebookNode | None = None, native: bool = False
) -> tuple[float, float, float]:
    """Execute ``path`` (or ``nb``, run in ``path``'s folder) in a fresh kernel.

    With ``native`` the kernel runs with ``NNLIB_NATIVE_NUMERICS=1`` (no numerics pin).
    Returns (total seconds, cell seconds, peak RSS MiB).
    """
    if nb is None:
        nb = nbformat.read(path, as_version=4)
    if native:
        os.environ["NNLIB_NATIVE_NUMERICS"] = "1"
    else:
        os.environ.pop("NNLIB_NATIVE_NUMERICS", None)
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


def default_jobs() -> int:
    """The default of ``scripts/execute_notebooks.py --jobs`` (one place says what it is)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from execute_notebooks import default_jobs as jobs

    return jobs()


def course_wall_time(paths: list[Path], jobs: int) -> float:
    """Seconds to execute every notebook of ``paths`` (pinned), ``jobs`` kernels at once."""
    start = time.perf_counter()
    # spawn: workers must not inherit this process's event loop (it has run kernels already).
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(run_notebook, paths))
    return time.perf_counter() - start


def notebooks_in_toc() -> list[Path]:
    """The notebooks of ``_toc.yml``, in reading order (scripts/editions.py)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import editions

    return [p.resolve() for p in editions.chapter_notebooks(ROOT)]


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's processor string)."""
    info = Path("/proc/cpuinfo")
    if info.is_file():
        for line in info.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    import platform

    return platform.processor() or platform.machine()


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
    parser.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        help="kernels at once for the course-wide run (default: %(default)s)",
    )
    args = parser.parse_args()
    os.environ.pop("MPLBACKEND", None)

    paths = [p.resolve() for p in args.notebooks] or notebooks_in_toc()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {cpu_model()}")
    floor = min(run_notebook(ROOT / "chapters" / "floor.ipynb", floor_notebook())[0] for _ in "ab")
    print(f"floor (fresh kernel importing torch, matplotlib, nnlib; best of 2): {floor:.2f} s")
    head = f"{'notebook':44} {'pinned s':>8} {'x floor':>7} {'cells s':>7} {'native s':>8}"
    print(f"{head} {'pin cost':>8} {'peak MiB':>8}  budget")
    total_pinned = 0.0
    seconds: dict[Path, float] = {}
    for path in paths:
        total, cells, mb = run_notebook(path)
        native, _, _ = run_notebook(path, native=True)
        total_pinned += total
        seconds[path] = total
        ratio, cost = total / floor, total / native - 1
        ok = ratio <= CHAPTER_BUDGET_FLOORS and mb <= CHAPTER_BUDGET_MB
        flags = ("ok" if ok else "OVER") + ("" if cost <= PIN_COST_BUDGET else ", pin > 30 %")
        name = (
            path.relative_to(ROOT / "chapters").as_posix()
            if path.is_relative_to(ROOT)
            else path.name
        )
        print(
            f"{name:44} {total:8.1f} {ratio:7.2f} {cells:7.1f} {native:8.1f} "
            f"{cost:8.0%} {mb:8.0f}  {flags}"
        )
    budget = COURSE_BUDGET_FACTOR * BASELINE_COURSE_FLOORS
    course = total_pinned / floor
    ok = "ok" if course <= budget else "OVER"
    print(
        f"all {len(paths)} notebooks, one kernel at a time: {total_pinned:.1f} s = "
        f"{course:.1f} x floor = {course / BASELINE_COURSE_FLOORS:.2f} x the course before the "
        f"split ({ok}, budget {COURSE_BUDGET_FACTOR} x {BASELINE_COURSE_FLOORS} = {budget:.1f} "
        f"floors; per notebook {CHAPTER_BUDGET_FLOORS:.0f} x)"
    )
    jobs = max(1, min(args.jobs, len(paths)))
    wall = course_wall_time(sorted(paths, key=seconds.__getitem__, reverse=True), jobs)
    print(
        f"all {len(paths)} notebooks, {jobs} kernels at once (as execute_notebooks.py runs "
        f"them): {wall:.1f} s = {wall / floor:.1f} x floor = "
        f"{wall / floor / BASELINE_COURSE_FLOORS:.2f} x the course before the split, which was "
        "measured one kernel at a time (the wait, not a like-for-like comparison)"
    )

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
