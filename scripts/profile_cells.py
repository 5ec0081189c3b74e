"""Per-cell CPU time of a chapter, to find what to make cheaper.

Usage (inside the project environment, from the repository root)::

    python scripts/profile_cells.py chapters/03_initialization.ipynb [--top 10]

Runs every code cell in one namespace in this process (matplotlib's Agg backend, magics
translated by IPython) and prints each cell's CPU time (``time.process_time``): unlike wall time
it hardly changes when other processes load the machine. ``scripts/benchmark.py`` measures the
real thing (a fresh kernel, wall time, peak memory).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbformat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--top", type=int, default=10, help="how many of the costliest cells")
    args = parser.parse_args()
    os.environ["MPLBACKEND"] = "Agg"
    from IPython.core.inputtransformer2 import TransformerManager

    import nnlib  # noqa: F401 - pin the numerics path first, as the chapter's first cell does

    nb = nbformat.read(args.notebook, as_version=4)
    os.chdir(args.notebook.resolve().parent)
    to_python = TransformerManager().transform_cell
    namespace: dict = {"__name__": "__main__", "get_ipython": lambda: None}
    costs: list[tuple[float, int, str]] = []
    total = 0.0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "%pip" in cell.source:
            continue
        start = time.process_time()
        exec(compile(to_python(cell.source), f"<cell {index}>", "exec"), namespace)  # noqa: S102
        spent = time.process_time() - start
        total += spent
        first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
        costs.append((spent, index, first[:70]))
    print(f"{args.notebook.name}: {total:.1f} s CPU in code cells")
    for spent, index, first in sorted(costs, reverse=True)[: args.top]:
        print(f"  cell {index:3d}  {spent:6.2f} s  {first}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
