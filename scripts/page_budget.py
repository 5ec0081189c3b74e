"""Print every page's visible Chinese characters, visible code cells and reading time.

Usage (from the repository root)::

    python scripts/page_budget.py                      # every page of _toc.yml
    python scripts/page_budget.py chapters/02_activation   # the pages under a folder
    python scripts/page_budget.py --readme              # rewrite README's reading-time sentence

The counts and the formula are ``_ext/reading_time.py``'s (CONTRIBUTING "阅读时间"); section
pages (the ``sections`` of a chapter in ``_toc.yml``) must stay within the budget of at most
4,500 characters and 12 visible code cells outside the exercises. Exits 1 if one does not.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))

from reading_time import (  # noqa: E402
    BUDGET_CHARS,
    BUDGET_CODE_CELLS,
    page_stats,
    readme_sentence,
    source_of,
    toc_pages,
)

README_BLOCK = re.compile(r"(<!-- reading-times -->\n).*?(\n<!-- /reading-times -->)", re.DOTALL)


def update_readme(root: Path = ROOT) -> bool:
    """Rewrite the sentence between README's reading-times markers; True if it changed."""
    path = root / "README.md"
    text = path.read_text(encoding="utf-8")
    if not README_BLOCK.search(text):
        raise SystemExit(
            "README.md has no <!-- reading-times --> ... <!-- /reading-times --> block"
        )
    new = README_BLOCK.sub(lambda m: m.group(1) + readme_sentence(root) + m.group(2), text)
    path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str]) -> int:
    if argv == ["--readme"]:
        print("README.md updated" if update_readme() else "README.md already current")
        return 0
    prefixes = [a.rstrip("/") for a in argv]
    over = 0
    print(f"{'page':48} {'chars':>6} {'cells':>5} {'ex.cells':>8} {'min':>4}  budget")
    for docname, depth, _children in toc_pages(ROOT):
        if prefixes and not any(docname.startswith(p) for p in prefixes):
            continue
        stats = page_stats(source_of(ROOT, docname), ROOT)
        section = depth >= 1
        flag = ""
        if section:
            flag = "ok" if stats.within_budget else "OVER"
            over += not stats.within_budget
        print(
            f"{docname:48} {stats.chars:6d} {stats.code_cells:5d} "
            f"{stats.exercise_code_cells:8d} {stats.minutes:4d}  {flag}"
        )
    print(f"budget per section page: <= {BUDGET_CHARS} characters, <= {BUDGET_CODE_CELLS} cells")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
