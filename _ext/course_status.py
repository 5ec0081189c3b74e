"""The 课程状态 page: when, where and how fast every notebook's stored outputs were made.

``{course-status}`` (used once, on ``appendix/status.md``) renders, at build time, the record
that ``scripts/execute_notebooks.py`` writes into ``chapters/_status.json`` whenever it stores a
notebook's outputs: per notebook of ``_toc.yml`` (reading order, nested sections included; the
list comes from the table of contents, never from a list in this file) the execution time, the
kernel's peak memory, the numerics fingerprint and the date; then the machine and the versions
next to the pins of ``requirements.txt``. A notebook of the table of contents without a record
gets a row saying so (``tests/test_course_status.py`` fails on it, so the site never ships one).

The page is rebuilt when the record, the table of contents or the pins change
(``note_dependency``). The directive only reads files: no network, no kernel, no git.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from editions_site import editions
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[1]
STATUS = "chapters/_status.json"

#: (key in the record's ``versions``, label on the page, distribution pinned in requirements.txt)
VERSIONS = [
    ("python", "Python", None),
    ("torch", "PyTorch", "torch"),
    ("numpy", "NumPy", "numpy"),
    ("matplotlib", "Matplotlib", "matplotlib"),
    ("jupyter_book", "Jupyter Book", "jupyter-book"),
]


def pins(root: Path = ROOT) -> dict[str, str]:
    """``name==version`` lines of ``requirements.txt`` (names lower-case)."""
    found = {}
    for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;#]+)", line)
        if match:
            found[match[1].lower()] = match[2]
    return found


def python_pin(root: Path = ROOT) -> str:
    """The Python minor version the course is pinned to (``binder/runtime.txt``: python-3.11)."""
    text = (root / "binder" / "runtime.txt").read_text(encoding="utf-8")
    match = re.search(r"python-(\d+\.\d+)", text)
    return match[1] if match else ""


def pinned_fingerprint(root: Path = ROOT) -> str:
    """``nnlib.numerics.PINNED_FINGERPRINT``, read from the source (importing nnlib would
    import torch into the build)."""
    tree = ast.parse((root / "nnlib" / "numerics.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "PINNED_FINGERPRINT" for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    return ""


def load_record(root: Path = ROOT) -> dict[str, dict[str, Any]]:
    path = root / STATUS
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("notebooks", {})


def toc_notebooks(root: Path = ROOT) -> list[tuple[str, str]]:
    """(document name, path of its notebook from the root) for every notebook of _toc.yml."""
    ed = editions()
    found = []
    for doc in ed.toc_files(root):
        path = ed.source_of(doc, root)
        if path.suffix == ".ipynb":
            found.append((doc, path.relative_to(root).as_posix()))
    return found


def release_of(version: str) -> str:
    """``2.13.0+cpu`` → ``2.13.0`` (the local build tag is not part of the pin)."""
    return version.split("+", 1)[0]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _distinct(values: list[str]) -> str:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return "；".join(seen) if seen else "—"


def status_markdown(root: Path = ROOT) -> str:
    """The page's tables, as MyST Markdown."""
    ed = editions()
    record = load_record(root)
    rows = toc_notebooks(root)
    pinned = pinned_fingerprint(root)
    lines = [
        "| 页面 | 执行时间 | 峰值内存 | 数值指纹 | 执行日期 |",
        "|---|---:|---:|---|---|",
    ]
    total = 0.0
    entries = []
    for doc, key in rows:
        title = _cell(ed.title_of(doc, root)).replace("`", "")
        link = f"{{doc}}`{title} </{doc}>`"
        entry = record.get(key)
        if entry is None:
            lines.append(f"| {link} | 未记录 | 未记录 | 未记录 | 未记录 |")
            continue
        entries.append(entry)
        total += float(entry["seconds"])
        peak = "—" if entry.get("peak_mib") is None else f"{entry['peak_mib']} MiB"
        same = entry["fingerprint"] == pinned
        mark = "= 固定值" if same else f"`{entry['fingerprint']}`（≠ 固定值）"
        lines.append(f"| {link} | {entry['seconds']:.1f} s | {peak} | {mark} | {entry['date']} |")
    summary = (
        f"共 {len(rows)} 个笔记本，{len(entries)} 个有执行记录，合计执行时间 {total:.1f} s"
        f"（每个都在全新内核中从头执行）。"
    )
    env = [
        "| 项目 | 保存输出时 | 固定版本 |",
        "|---|---|---|",
    ]
    cpus = [e["machine"]["cpu"] for e in entries]
    cores = [str(e["machine"]["cores"]) for e in entries]
    systems = [e["machine"]["system"] for e in entries]
    env.append(f"| 处理器 | {_cell(_distinct(cpus))} | — |")
    env.append(f"| 逻辑核数 | {_distinct(cores)} | — |")
    env.append(f"| 系统 | {_cell(_distinct(systems))} | — |")
    pin = pins(root)
    for key, label, dist in VERSIONS:
        used = _distinct([e["versions"][key] for e in entries])
        want = f"{python_pin(root)}.x" if dist is None else pin.get(dist, "—")
        env.append(f"| {label} | {used} | {want} |")
    env.append(f"| 数值指纹 | `{_distinct([e['fingerprint'] for e in entries])}` | `{pinned}` |")
    return "\n".join([summary, "", *lines, "", "**环境与版本**", "", *env])


class CourseStatusDirective(SphinxDirective):
    """``{course-status}``: the tables of the 课程状态 page (module docstring)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        root = Path(self.env.srcdir)
        for name in (STATUS, "_toc.yml", "requirements.txt", "binder/runtime.txt"):
            if (root / name).is_file():
                self.env.note_dependency(str(root / name))
        for _doc, key in toc_notebooks(root):
            self.env.note_dependency(str(root / key))  # titles come from the notebooks
        holder = nodes.container(classes=["course-status"])
        text = status_markdown(root)
        self.state.nested_parse(StringList(text.splitlines(), source=STATUS), 0, holder)
        return [holder]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("course-status", CourseStatusDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
