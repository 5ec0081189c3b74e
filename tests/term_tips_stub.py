"""A small book with a glossary and {term} links, for the tests of ``_ext/term_tips.py``
(``tests/test_term_tips.py`` reads its HTML, ``tests/site/test_term_tips_browser.py`` uses it in
Chromium)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from stub_book import sphinx_build

ROOT = Path(__file__).resolve().parents[1]

CONF = """
import sys
sys.path.insert(0, {ext!r})
project = "术语提示示例"
language = "zh_CN"
extensions = ["myst_parser", "sphinx_book_theme", "mathjax_prerender", "term_tips"]
html_theme = "sphinx_book_theme"
html_math_renderer = "mathjax_prerender"
html_context = {{"default_mode": "auto"}}
html_theme_options = {{"search_bar_text": "搜索"}}
myst_enable_extensions = ["dollarmath"]
"""

PAGES = {
    "index.md": "# 术语提示示例\n\n```{toctree}\nchapter\nplain\nglossary\n```\n",
    "chapter.md": (
        "# 一章\n\n正文里第一次出现 {term}`ReLU`，还有{term}`标准误差`。\n\n"
        + "一句很长的话把术语推到这一行的最右边，" * 3
        + "{term}`饱和`。\n"
    ),
    "plain.md": "# 没有术语的页\n\n这一页没有术语链接。\n",
    "glossary.md": (
        "# 术语表\n\n```{glossary}\nReLU\n线性整流单元\n"
        "  英文：rectified linear unit。$\\mathrm{ReLU}(x) = \\max(0, x)$："
        "正数原样输出，负数变成 0。"
        "见{doc}`第 1 章 <chapter>`。\n\n"
        "标准误差\n  英文：standard error。$n$ 个独立结果时约为样本标准差除以 $\\sqrt{n}$。"
        "见{doc}`第 1 章 <chapter>`。\n\n"
        "饱和\n  英文：saturation。激活函数在输入绝对值很大时几乎不变、导数接近 0 的情形。\n```\n"
    ),
}


def build(tmp: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Write the stub book under ``tmp`` and build it with ``-W``; return the run and the
    output folder."""
    src = tmp / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(CONF.format(ext=str(ROOT / "_ext")), encoding="utf-8")
    for name, text in PAGES.items():
        (src / name).write_text(text, encoding="utf-8")
    return sphinx_build(src, tmp / "html"), tmp / "html"
