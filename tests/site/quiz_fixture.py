"""A tiny book that shows every quiz of ``quizzes/`` (tests of ``_ext/quiz.py``).

The chapters are being rewritten while the quizzes are written, so the quiz tests do not wait
for the directive to appear in them: this builds one stub page per data file
(``chapters/<name>.md`` holding ``{quiz} <name>``) and one page holding every label the quizzes
link to, with the site's theme, math renderer and quiz extension, under ``-W``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the stub-book builder
from stub_book import sphinx_build  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
QUIZ_DIR = ROOT / "quizzes"
sys.path.insert(0, str(ROOT / "_ext"))
import quiz  # noqa: E402


def quiz_names() -> list[str]:
    return sorted(p.stem for p in QUIZ_DIR.glob("*.yml"))


def load(name: str) -> dict:
    """A quiz data file, read as the build reads it (``answer: 9e6`` is a number)."""
    return quiz.load_quiz(QUIZ_DIR / f"{name}.yml")


CONF = """
import sys
sys.path.insert(0, {ext!r})
project = "测验示例"
language = "zh_CN"
extensions = ["myst_parser", "sphinx_book_theme", "mathjax_prerender", "quiz"]
html_theme = "sphinx_book_theme"
html_math_renderer = "mathjax_prerender"
html_context = {{"default_mode": "auto"}}
html_theme_options = {{"search_bar_text": "搜索"}}
myst_enable_extensions = ["dollarmath", "colon_fence"]
exclude_patterns = ["_build", "quizzes"]
"""


def write_book(src: Path) -> None:
    """Write the stub book into ``src`` (an empty folder)."""
    (src / "chapters").mkdir(parents=True)
    shutil.copytree(QUIZ_DIR, src / "quizzes")
    (src / "conf.py").write_text(CONF.format(ext=str(ROOT / "_ext")), encoding="utf-8")
    labels: set[str] = set()
    for name in quiz_names():
        for question in load(name)["questions"]:
            if "/" not in question["see"]:
                labels.add(question["see"])
        (src / "chapters" / f"{name}.md").write_text(
            f"# 第 {name[:2]} 章（示例）\n\n## 自测\n\n```{{quiz}} {name}\n```\n", encoding="utf-8"
        )
    sections = "".join(f"({label})=\n## {label}\n\n正文。\n\n" for label in sorted(labels))
    (src / "sections.md").write_text(f"# 被链接的小节\n\n{sections}", encoding="utf-8")
    pages = "\n".join(f"chapters/{name}" for name in quiz_names())
    (src / "index.md").write_text(
        f"# 测验示例\n\n```{{toctree}}\n{pages}\nsections\n```\n", encoding="utf-8"
    )


def build(src: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``sphinx-build -W`` of the stub book; returns the finished process."""
    return sphinx_build(src, out, "--keep-going")


if __name__ == "__main__":
    # Preview every quiz without touching the chapters:
    #   .venv/bin/python tests/site/quiz_fixture.py   →  _build/quiz_preview/html/index.html
    import tempfile

    out = ROOT / "_build" / "quiz_preview" / "html"
    with tempfile.TemporaryDirectory() as tmp:
        write_book(Path(tmp) / "src")
        run = build(Path(tmp) / "src", out)
    print(run.stderr if run.returncode else f"built {out / 'index.html'}")
    sys.exit(run.returncode)
