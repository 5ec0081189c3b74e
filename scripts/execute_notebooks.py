"""Re-execute chapter notebooks in place, so their stored outputs are current.

Usage (from the repository root, inside the project environment)::

    python scripts/execute_notebooks.py                  # every notebook of _toc.yml
    python scripts/execute_notebooks.py chapters/02_activation/03_vanishing.ipynb
    python scripts/execute_notebooks.py --jobs 1         # one kernel at a time

Each notebook runs top to bottom in a fresh kernel with its own folder as the working directory,
exactly as ``pytest --nbval`` runs it. Several notebooks run at once (``--jobs``, default: the
number of CPUs, at most 4): every kernel computes on one thread (``import nnlib`` pins it), so
on a 2-core machine two kernels take about half the wall time of one after the other, and the
outputs are the same either way (each notebook has its own kernel and seeds). No timing metadata
is recorded and printed text is stored as one stream per cell, so re-executing an unchanged
chapter leaves its file unchanged.

**Status record** (the site's 课程状态 page, ``appendix/status.md``, renders it): for every
notebook it stores, the entry of ``chapters/_status.json`` (keyed by the notebook's path, keys
sorted, so the file is deterministic apart from the measured values) is replaced by

- ``seconds``: wall time from starting the kernel to the end of the last cell, 0.1 s;
- ``peak_mib``: the kernel process's peak resident memory, its ``VmHWM`` line in
  ``/proc/self/status`` read *inside the kernel* right after the last cell (the kernel's
  high-water mark: exact, not sampled; ``null`` where there is no ``/proc``, e.g. macOS);
- ``fingerprint``: ``nnlib.numerics.fingerprint()`` computed inside that kernel after the last
  cell, i.e. on the numerics path the outputs were made on;
- ``machine`` (CPU model from ``/proc/cpuinfo``, logical cores, OS and architecture),
  ``versions`` (Python, torch, NumPy, matplotlib, Jupyter Book, as installed in the kernel's
  environment) and ``date`` (UTC day of the run).

These come from one extra cell run in the same kernel after the notebook's last cell and then
dropped: the notebook's bytes are the same as without it. Only successful runs are recorded
(a failing cell raises before anything is written). ``pytest --nbval`` never writes the file.
Entries of notebooks that no longer exist are dropped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
STATUS = ROOT / "chapters" / "_status.json"
STATUS_ABOUT = (
    "Written by scripts/execute_notebooks.py when it stores a notebook's outputs; rendered by "
    "the course-status directive (_ext/course_status.py) on appendix/status.md. Do not edit."
)

#: Run in the notebook's kernel after its last cell (then dropped from the notebook): the
#: kernel's peak memory first (before this cell allocates anything), then the environment and
#: the numerics fingerprint of the path the outputs were computed on. Prints one JSON line.
PROBE = r"""
def _course_status_probe():
    import json, os, platform
    from importlib import metadata

    peak = None
    try:
        with open("/proc/self/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    from nnlib.numerics import fingerprint

    dists = {"torch": "torch", "numpy": "numpy", "matplotlib": "matplotlib",
             "jupyter_book": "jupyter-book"}
    versions = {key: metadata.version(dist) for key, dist in dists.items()}
    versions["python"] = platform.python_version()
    machine = {"cpu": cpu, "cores": os.cpu_count(),
               "system": f"{platform.system()} {platform.machine()}"}
    print(json.dumps({"peak_mib": peak, "fingerprint": fingerprint(),
                      "machine": machine, "versions": versions}))


_course_status_probe()
del _course_status_probe
"""


def chapter_notebooks() -> list[Path]:
    """Every notebook of ``_toc.yml``, in reading order (sections included)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import editions

    return editions.chapter_notebooks(ROOT)


def execute(path: Path, timeout: int = 600) -> dict:
    """Execute ``path`` in place in a fresh ``python3`` kernel of the current environment.

    Returns the notebook's status entry (module docstring); the notebook file holds no trace of
    the measurement.
    """
    nb = nbformat.read(path, as_version=4)
    last = len(nb.cells) - 1
    probe = nbformat.v4.new_code_cell(PROBE)
    nb.cells.append(probe)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    finished: list[float] = []

    def after_cell(cell_index: int, **_: object) -> None:
        if cell_index == last:
            finished.append(time.perf_counter())

    client.on_cell_executed = after_cell
    start = time.perf_counter()
    client.execute()
    assert nb.cells.pop() is probe
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    nbformat.write(nb, path)
    return status_entry(probe, (finished or [time.perf_counter()])[0] - start)


def status_entry(probe: nbformat.NotebookNode, seconds: float) -> dict:
    """The status entry from the probe cell's printed JSON and the measured wall time."""
    text = "".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream")
    lines = [line for line in text.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"the status probe printed no record: {probe.outputs!r}")
    entry = json.loads(lines[-1])
    entry["seconds"] = round(seconds, 1)
    entry["date"] = dt.datetime.now(dt.UTC).date().isoformat()
    return entry


def status_key(path: Path) -> str:
    """A notebook's key in the status file: its path from the repository root, with ``/``."""
    return path.resolve().relative_to(ROOT).as_posix()


def load_status(path: Path = STATUS) -> dict:
    """The status record (``{"about": ..., "notebooks": {key: entry}}``), empty if missing."""
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"about": STATUS_ABOUT, "notebooks": {}}


def write_status(data: dict, path: Path = STATUS) -> None:
    """Write the record deterministically (sorted keys, one layout), dropping vanished files."""
    notebooks = {k: v for k, v in data.get("notebooks", {}).items() if (ROOT / k).is_file()}
    record = {"about": STATUS_ABOUT, "notebooks": notebooks}
    text = json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def record(path: Path, entry: dict, status: Path = STATUS) -> None:
    """Store ``entry`` as the status of notebook ``path`` in the status file."""
    data = load_status(status)
    data.setdefault("notebooks", {})[status_key(path)] = entry
    write_status(data, status)


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


def default_jobs() -> int:
    """Kernels at once by default: one per CPU, at most 4 (each takes up to ≈ 0.5 GB)."""
    return max(1, min(4, os.cpu_count() or 1))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="default: every notebook of _toc.yml")
    parser.add_argument(
        "--jobs", type=int, default=default_jobs(), help="kernels at once (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    # A backend forced through the environment (e.g. MPLBACKEND=Agg) would drop every figure.
    os.environ.pop("MPLBACKEND", None)
    # Stored outputs are always made on the pinned numerics path (README "数值路径"): ignore an
    # opt-out left in the shell, and fail rather than store outputs if the pin cannot act.
    if os.environ.pop("NNLIB_NATIVE_NUMERICS", None) is not None:
        print("note: NNLIB_NATIVE_NUMERICS ignored: outputs are stored on the pinned path")
    os.environ["NNLIB_STRICT_NUMERICS"] = "1"
    paths = list(dict.fromkeys(Path(a).resolve() for a in args.notebooks)) or chapter_notebooks()
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file() or not path.is_relative_to(ROOT):
            print(f"not a notebook of this repository: {path}", file=sys.stderr)
            return 2
    # Longest first (as last recorded), so that no long notebook starts last on its own.
    last = load_status().get("notebooks", {})
    paths.sort(key=lambda p: -last.get(status_key(p), {}).get("seconds", 0.0))
    jobs = max(1, min(args.jobs, len(paths)))
    print(f"executing {len(paths)} notebook(s), {jobs} at a time", flush=True)
    start = time.perf_counter()
    failed: list[str] = []
    # spawn: each worker starts clean (no event loop or sockets inherited from this process).
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        running = {pool.submit(execute, path): path for path in paths}
        for done in as_completed(running):
            name = running[done].relative_to(ROOT)
            try:
                entry = done.result()
            except Exception as err:  # a failing cell: report it, finish the others
                failed.append(f"{name}: {type(err).__name__}: {err}")
                print(f"FAILED {name}", flush=True)
                continue
            record(running[done], entry)  # only this process writes the status file
            print(f"{name}: {entry['seconds']:.1f} s, peak {entry['peak_mib']} MiB", flush=True)
    print(f"done in {time.perf_counter() - start:.1f} s", flush=True)
    for line in failed:
        print(line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
