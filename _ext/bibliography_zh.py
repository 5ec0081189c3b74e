"""Chinese citation style for sphinxcontrib-bibtex (README "讲师：如何添加参考文献").

``{cite:t}`he2015delving``` → He 等（2015）, ``{cite:p}`glorot2010understanding``` →
（Glorot 和 Bengio，2010）: the way the chapters already write citations in Chinese prose.
Registered as the referencing style ``author_year_zh`` (``bibtex_reference_style`` in
``_config.yml``); the reference list itself uses pybtex's ``plain`` style, which prints the DOI
and URL of every entry as links.

The bibliography is ``references.bib`` at the book root; ``appendix/references.md`` lists every
entry. An unknown key in ``{cite}`` is a build warning, so ``-W`` fails the build
(tests/test_bibliography.py proves it on a tiny book).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sphinxcontrib.bibtex.plugin
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle


def round_brackets() -> BracketStyle:
    return BracketStyle(left="（", right="）", sep="；", sep2="；", last_sep="；")


def no_brackets() -> BracketStyle:
    return BracketStyle(left="", right="", sep="；", sep2="；", last_sep="；")


def chinese_persons() -> PersonStyle:
    return PersonStyle(sep="、", sep2=" 和 ", last_sep=" 和 ", other=" 等")


@dataclass
class ChineseAuthorYearStyle(AuthorYearReferenceStyle):
    """Author-year citations with Chinese brackets and separators."""

    bracket_textual: BracketStyle = field(default_factory=round_brackets)
    bracket_parenthetical: BracketStyle = field(default_factory=round_brackets)
    bracket_author: BracketStyle = field(default_factory=no_brackets)
    bracket_label: BracketStyle = field(default_factory=round_brackets)
    bracket_year: BracketStyle = field(default_factory=no_brackets)
    person: PersonStyle = field(default_factory=chinese_persons)
    author_year_sep: str = "，"
    text_reference_sep: str = ""


sphinxcontrib.bibtex.plugin.register_plugin(
    "sphinxcontrib.bibtex.style.referencing", "author_year_zh", ChineseAuthorYearStyle
)


def setup(app: Sphinx) -> dict[str, Any]:
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
