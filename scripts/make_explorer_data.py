"""Compute the data of the interactive explorers into ``explorers/<name>.json``.

Usage (from the repository root, inside the project environment)::

    python scripts/make_explorer_data.py            # every explorer
    python scripts/make_explorer_data.py --check    # exit 1 if a stored file is not current

The numbers come from ``nnlib.explorers`` on nnlib's pinned numerics path (``import nnlib`` pins
it first), so the same file comes out on any x86-64 machine; ``tests/test_explorers.py`` runs the
check. Re-run it after changing an experiment the explorers show.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nnlib  # noqa: F401 - pins the numerics path before any tensor operation
from nnlib.explorers import EXPLORERS
from nnlib.utils import start_chapter

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "explorers"


def render(name: str) -> str:
    """The JSON text of explorer ``name`` (compact, keys in a fixed order, one final newline)."""
    start_chapter(0)
    data = EXPLORERS[name]()
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    OUT.mkdir(exist_ok=True)
    for name in EXPLORERS:
        path = OUT / f"{name}.json"
        text = render(name)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{path.relative_to(ROOT)}: {len(text.encode()) / 1024:.1f} kB")
    if stale:
        print(f"not current: {stale}; run python scripts/make_explorer_data.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
