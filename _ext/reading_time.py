"""Reading time and page budget: "阅读约 N 分钟" on every page, and the ``chapter-sections`` list.

What a reader sees of a page on first load is computed from its source (a notebook or a MyST
Markdown page), by the rules that the site renders it with:

- **Chinese characters** (CJK unified ideographs, U+4E00–U+9FFF) of the visible Markdown, of the
  source of visible code cells (comments and strings included) and of the text outputs of cells
  whose output is shown, plus the prompts and choices of the self-check questions on the page.
- **Not visible**: Markdown blocks that open collapsed (a directive with ``:class: dropdown``,
  e.g. ``深入：…`` admonitions, and ``{dropdown}``), cells tagged ``hide-cell`` or ``remove-cell``,
  the source of cells tagged ``hide-input``/``remove-input``, the outputs of cells tagged
  ``hide-output``/``remove-output``, quiz explanations (shown only after an answer), comments.
- **Visible code cells**: code cells whose source is shown. The budget counts those outside the
  exercises (everything after a ``## 练习`` heading); the reading time counts all of them.

The formula (CONTRIBUTING "阅读时间")::

    minutes = ceil(chinese_characters / 300 + 0.5 * visible_code_cells), at least 1

300 characters a minute is a careful reading pace for technical Chinese prose; half a minute a
code cell is the time to read it and its output (running it takes longer; the page says "阅读").

The budget of a section page (``tests/test_reading_time.py``): at most 4,500 characters and at
most 12 visible code cells outside the exercises. ``python scripts/page_budget.py`` prints the
table for every page of the book.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx

CHARS_PER_MINUTE = 300
MINUTES_PER_CODE_CELL = 0.5
BUDGET_CHARS = 4500
BUDGET_CODE_CELLS = 12

CJK = re.compile(r"[\u4e00-\u9fff]")
PLAIN_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(?!`)\s*[\w-]*\s*$")
FENCE_OPEN = re.compile(r"^(\s*)(`{3,}|:{3,})\s*\{([\w:-]+)\}(.*)$")
EXERCISE_HEADING = re.compile(r"^##\s+练习", re.MULTILINE)
HIDDEN_CELL_TAGS = {"hide-cell", "remove-cell"}
HIDDEN_INPUT_TAGS = {"hide-input", "remove-input"}
HIDDEN_OUTPUT_TAGS = {"hide-output", "remove-output"}
#: myst-nb's render priority for HTML: the first MIME type present is the one shown.
MIME_PRIORITY = (
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/latex",
    "text/plain",
)


@dataclass(frozen=True)
class PageStats:
    """What a reader sees of one page on first load."""

    chars: int
    """Chinese characters visible (prose, visible code, shown outputs, quiz questions)."""
    code_cells: int
    """Visible code cells outside the exercises (the budget's count)."""
    exercise_code_cells: int
    """Visible code cells in the exercises (after ``## 练习``)."""

    @property
    def minutes(self) -> int:
        """``ceil(chars / 300 + 0.5 * all visible code cells)``, at least 1."""
        return reading_minutes(self.chars, self.code_cells + self.exercise_code_cells)

    @property
    def within_budget(self) -> bool:
        return self.chars <= BUDGET_CHARS and self.code_cells <= BUDGET_CODE_CELLS


def reading_minutes(chars: int, code_cells: int) -> int:
    """Reading time in whole minutes: ``ceil(chars / 300 + 0.5 * code_cells)``, at least 1.

    Raises:
        ValueError: if a count is negative.
    """
    if chars < 0 or code_cells < 0:
        raise ValueError(f"counts must be >= 0, got chars={chars}, code_cells={code_cells}")
    return max(1, math.ceil(chars / CHARS_PER_MINUTE + MINUTES_PER_CODE_CELL * code_cells - 1e-9))


def count_cjk(text: str) -> int:
    return len(CJK.findall(text))


# --------------------------------------------------------------------------- Markdown
def visible_markdown(text: str, quiz_text: Any = None) -> str:
    """The part of a MyST Markdown text that is shown on first load.

    Collapsed directives (``:class: dropdown`` or ``{dropdown}``) and HTML comments are dropped;
    a ``{quiz}`` directive is replaced by ``quiz_text(name, option_lines)`` when given.
    """
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        plain = PLAIN_FENCE.match(lines[i])
        if plain:  # a code block: shown as it is, nothing inside is a directive
            close = re.compile(r"^\s*" + re.escape(plain.group(1)) + r"\s*$")
            j = i + 1
            while j < len(lines) and not close.match(lines[j]):
                out.append(lines[j])
                j += 1
            i = j + 1
            continue
        match = FENCE_OPEN.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        fence, name, argument = match.group(2), match.group(3), match.group(4).strip()
        close = re.compile(r"^\s*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            body.append(lines[j])
            j += 1
        options = [line for line in body if re.match(r"^\s*:[\w-]+:", line)]
        collapsed = name == "dropdown" or any(
            re.match(r"^\s*:class:.*\bdropdown\b", line) for line in options
        )
        if name == "quiz":
            if quiz_text is not None:
                out.append(quiz_text(argument, options))
        elif name in {"code-cell", "code-block", "code"}:
            out.extend(body)
        elif not collapsed:
            out.append(argument)
            inner = [line for line in body if line not in options]
            out.append(visible_markdown("\n".join(inner), quiz_text))
        i = j + 1
    return "\n".join(out)


def _quiz_text_factory(srcdir: Path):
    """``quiz_text(name, option_lines)``: prompts and choices of the questions shown."""

    def quiz_text(name: str, options: list[str]) -> str:
        import sys

        sys.path.insert(0, str(Path(__file__).parent))
        try:
            from quiz import load_quiz, quiz_path, select_questions
        finally:
            sys.path.pop(0)
        path = quiz_path(srcdir, name)
        if not path.is_file():
            return ""
        data = load_quiz(path)
        questions = data["questions"]
        for line in options:
            m = re.match(r"^\s*:questions:\s*(.*)$", line)
            if m:
                questions = select_questions(data, m.group(1), path.name)
        parts = [data.get("intro", "选出或填写答案后按“检查答案”，每个选项都有解释。")]
        for q in questions:
            parts.append(q["prompt"])
            parts.extend(c["text"] for c in q.get("choices", []))
        return "\n".join(parts)

    return quiz_text


# --------------------------------------------------------------------------- notebooks
def _output_text(output: dict[str, Any]) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return "".join(output.get("text", ""))
    if kind == "error":
        return "\n".join(output.get("traceback", []))
    data = output.get("data", {})
    for mime in MIME_PRIORITY:
        if mime in data:
            value = "".join(data[mime]) if isinstance(data[mime], list) else str(data[mime])
            if mime.startswith("image/") and mime != "image/svg+xml":
                return ""
            if mime in {"text/html", "image/svg+xml"}:
                value = html.unescape(re.sub(r"<[^>]+>", " ", value))
            return value
    return ""


def notebook_stats(nb: dict[str, Any], quiz_text: Any = None) -> PageStats:
    """Budget counts of a notebook (parsed JSON) as rendered by myst-nb."""
    chars = code = exercise_code = 0
    in_exercises = False
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.get("cell_type") == "markdown":
            if tags & HIDDEN_CELL_TAGS:
                continue
            chars += count_cjk(visible_markdown(source, quiz_text))
            if EXERCISE_HEADING.search(source):
                in_exercises = True
            continue
        if cell.get("cell_type") != "code" or tags & HIDDEN_CELL_TAGS:
            continue
        if not tags & HIDDEN_INPUT_TAGS:
            chars += count_cjk(source)
            if in_exercises:
                exercise_code += 1
            else:
                code += 1
        if not tags & HIDDEN_OUTPUT_TAGS:
            chars += sum(count_cjk(_output_text(o)) for o in cell.get("outputs", []))
    return PageStats(chars, code, exercise_code)


def page_stats(path: str | Path, srcdir: str | Path | None = None) -> PageStats:
    """Budget counts of one source page (``.ipynb`` or ``.md``).

    Cached per file version: a build asks for a section's counts on its own page, on its
    chapter page and in the intro's table."""
    path = Path(path)
    srcdir = Path(srcdir) if srcdir is not None else _find_root(path)
    quizzes = sorted((srcdir / "quizzes").glob("*.yml"))
    versions = tuple(q.stat().st_mtime_ns for q in quizzes)
    return _page_stats(path, path.stat().st_mtime_ns, srcdir, versions)


@lru_cache(maxsize=256)
def _page_stats(path: Path, _mtime: int, srcdir: Path, _quiz_versions: tuple) -> PageStats:
    quiz_text = _quiz_text_factory(srcdir)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        return notebook_stats(json.loads(text), quiz_text)
    if path.suffix == ".md":
        text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)  # front matter
        return PageStats(count_cjk(visible_markdown(text, quiz_text)), 0, 0)
    raise ValueError(f"{path}: a page is .ipynb or .md, got {path.suffix!r}")


def _find_root(path: Path) -> Path:
    for parent in [path.parent, *path.parents]:
        if (parent / "_toc.yml").is_file():
            return parent
    return path.parent


def toc_pages(root: str | Path) -> list[tuple[str, int, list[str]]]:
    """``(docname, depth, children)`` for every page of ``_toc.yml``, in reading order.

    depth 0: the root and appendix pages and chapter pages; 1: sections.
    """
    import yaml

    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    found: list[tuple[str, int, list[str]]] = [(toc["root"], 0, [])]

    def walk(entries: list[dict[str, Any]], depth: int) -> None:
        for entry in entries:
            children = [e["file"] for e in entry.get("sections", [])]
            found.append((entry["file"], depth, children))
            walk(entry.get("sections", []), depth + 1)

    walk(toc.get("chapters", []), 0)
    for part in toc.get("parts", []):
        walk(part.get("chapters", []), 0)
    return found


def source_of(root: str | Path, docname: str) -> Path:
    for suffix in (".ipynb", ".md"):
        path = Path(root) / f"{docname}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"no source for {docname!r} under {root}")


# --------------------------------------------------------------------------- Sphinx
class reading_time(nodes.General, nodes.TextElement):
    """``<p class="reading-time">阅读约 N 分钟</p>``."""


class chapter_sections(nodes.General, nodes.Element):
    """Placeholder of ``{chapter-sections}``, filled once every page has been read."""


class ChapterSectionsDirective(Directive):
    """``{chapter-sections}``: the sections of this chapter page, each with its reading time."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        return [chapter_sections()]


class course_reading_times(nodes.General, nodes.Element):
    """Placeholder of ``{reading-times}``, filled once every page has been read."""


class CourseReadingTimesDirective(Directive):
    """``{reading-times}``: every chapter's sections and reading time, and the course's total."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        return [course_reading_times()]


def course_summary(root: str | Path) -> dict[str, Any]:
    """Reading times of the book: per chapter page (with its sections) and in total.

    ``{"chapters": [(docname, sections, minutes)], "section_range": (lo, hi), "total": t}``;
    a chapter's minutes are its chapter page's plus its sections'. The intro's table and the
    README's sentence are made from this (tests/test_reading_time.py compares the README).
    """
    chapters = []
    section_minutes = []
    for docname, _depth, children in toc_pages(root):
        if not children:
            continue
        own = page_stats(source_of(root, docname), root).minutes
        minutes = [page_stats(source_of(root, c), root).minutes for c in children]
        section_minutes += minutes
        chapters.append((docname, len(children), own + sum(minutes)))
    return {
        "chapters": chapters,
        "section_range": (min(section_minutes), max(section_minutes))
        if section_minutes
        else (0, 0),
        "total": sum(m for _, _, m in chapters),
    }


def readme_sentence(root: str | Path) -> str:
    """The README's one sentence on reading time, computed (between its reading-times markers)."""
    info = course_summary(root)
    lo, hi = info["section_range"]
    sections = sum(n for _, n, _ in info["chapters"])
    return (
        f"全课 {len(info['chapters'])} 章、{sections} 节；每节阅读约 {lo}–{hi} 分钟，"
        f"全部章节合计约 {info['total']} 分钟（按 CONTRIBUTING“阅读时间”的公式从页面算出，"
        "网站每页顶部显示同一结果）。"
    )


def fill_course_reading_times(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    env = app.env
    for placeholder in list(doctree.findall(course_reading_times)):
        info = course_summary(app.srcdir)
        table = nodes.table(classes=["reading-times"])
        group = nodes.tgroup(cols=3)
        table += group
        for _ in range(3):
            group += nodes.colspec(colwidth=1)
        head = nodes.thead()
        group += head
        row = nodes.row()
        for text in ("章", "节数", "阅读时间"):
            row += nodes.entry("", nodes.paragraph("", text))
        head += row
        body = nodes.tbody()
        group += body
        for chapter, sections, minutes in info["chapters"]:
            title = env.titles[chapter].astext() if chapter in env.titles else chapter
            ref = nodes.reference("", title, internal=True)
            ref["refuri"] = app.builder.get_relative_uri(docname, chapter)
            row = nodes.row()
            row += nodes.entry("", nodes.paragraph("", "", ref))
            row += nodes.entry("", nodes.paragraph("", str(sections)))
            row += nodes.entry("", nodes.paragraph("", f"约 {minutes} 分钟"))
            body += row
        lo, hi = info["section_range"]
        note = nodes.paragraph(
            "",
            f"每节阅读约 {lo}–{hi} 分钟，全部章节合计约 {info['total']} 分钟。"
            "时间按页面上实际显示的文字和代码单元算出（每分钟 300 字，每个代码单元半分钟），"
            "不含运行代码和做练习的时间。",
        )
        placeholder.replace_self([table, note])


def _minutes_label(minutes: int) -> str:
    return f"阅读约 {minutes} 分钟"


def add_reading_time(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    path = Path(app.env.doc2path(docname))
    if path.suffix not in {".ipynb", ".md"}:
        return
    stats = page_stats(path, app.srcdir)
    title = next(iter(doctree.findall(nodes.title)), None)
    if title is None:
        return
    node = reading_time("", _minutes_label(stats.minutes), classes=["reading-time"])
    node["minutes"] = stats.minutes
    title.parent.insert(title.parent.index(title) + 1, node)


def fill_chapter_sections(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    env = app.env
    for placeholder in list(doctree.findall(chapter_sections)):
        children = [c for c in env.toctree_includes.get(docname, [])]
        items = nodes.bullet_list(classes=["chapter-sections"])
        total = 0
        for child in children:
            minutes = page_stats(env.doc2path(child), app.srcdir).minutes
            total += minutes
            title = env.titles[child].astext() if child in env.titles else child
            ref = nodes.reference("", title, internal=True)
            ref["refuri"] = app.builder.get_relative_uri(docname, child)
            para = nodes.paragraph("", "", ref, nodes.Text(f"（约 {minutes} 分钟）"))
            items += nodes.list_item("", para)
        summary = nodes.paragraph(
            "", f"本章 {len(children)} 节，合计阅读约 {total} 分钟。", classes=["chapter-total"]
        )
        placeholder.replace_self([items, summary])


def outdated_chapter_pages(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """A chapter page lists its sections' reading times: re-write it when a section changes."""
    touched = added | changed | removed
    parents = [
        parent
        for parent, children in env.toctree_includes.items()
        if parent not in touched and touched.intersection(children)
    ]
    root = app.config.root_doc
    return parents + ([root] if touched and root not in touched else [])


def visit_reading_time_html(self: Any, node: reading_time) -> None:
    self.body.append(f'<p class="reading-time" data-minutes="{node["minutes"]}">')


def depart_reading_time_html(self: Any, node: reading_time) -> None:
    self.body.append("</p>\n")


def visit_as_paragraph(self: Any, node: nodes.Element) -> None:
    self.visit_paragraph(node)


def depart_as_paragraph(self: Any, node: nodes.Element) -> None:
    self.depart_paragraph(node)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(
        reading_time,
        html=(visit_reading_time_html, depart_reading_time_html),
        latex=(visit_as_paragraph, depart_as_paragraph),
        text=(visit_as_paragraph, depart_as_paragraph),
    )
    app.add_node(chapter_sections)
    app.add_directive("chapter-sections", ChapterSectionsDirective)
    app.add_node(course_reading_times)
    app.add_directive("reading-times", CourseReadingTimesDirective)
    app.connect("doctree-resolved", fill_course_reading_times)
    app.connect("doctree-read", add_reading_time)
    app.connect("doctree-resolved", fill_chapter_sections)
    app.connect("env-get-outdated", outdated_chapter_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
