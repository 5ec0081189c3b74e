"""The one bibliography: ``references.bib`` and how the book cites it.

Every entry gives a way to the work (a DOI or an https URL) and belongs to exactly one group of
``appendix/references.md``; a citation of an unknown key fails a ``-W`` build (checked on a
tiny book built with the site's bibliography configuration, a few seconds). The built page is
checked in ``tests/site/test_references_page.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file
from stub_book import sphinx_build

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "references.bib"
PAGE = ROOT / "appendix" / "references.md"
GROUPS = re.findall(r':filter: keywords % "([a-z]+)"', PAGE.read_text(encoding="utf-8"))
ENTRIES = parse_file(str(BIB)).entries


def test_groups_of_the_page() -> None:
    assert GROUPS == ["textbook", "neuron", "activation", "training", "data"]


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_entry_has_doi_or_https_url_and_one_group(key: str) -> None:
    fields = ENTRIES[key].fields
    assert "doi" in fields or "url" in fields, "a DOI or a URL"
    if "url" in fields:
        assert fields["url"].startswith("https://"), fields["url"]
    if "doi" in fields:
        assert re.fullmatch(r"10\.\d{4,9}/\S+", fields["doi"]), fields["doi"]
    groups = [g.strip() for g in fields.get("keywords", "").split(",") if g.strip()]
    assert len(groups) == 1 and groups[0] in GROUPS, groups


def test_the_works_the_issue_names_are_there() -> None:
    expected = {
        "mcculloch1943logical", "rosenblatt1958perceptron", "cybenko1989approximation",
        "hornik1991approximation", "leshno1993multilayer", "glorot2010understanding",
        "glorot2011deep", "maas2013rectifier", "he2015delving", "clevert2016elu",
        "hendrycks2016gelu", "ramachandran2017searching", "elfwing2018sigmoid",
        "shazeer2020glu", "kingma2015adam", "loshchilov2019decoupled", "grinsztajn2022tree",
        "russakovsky2015imagenet", "lecun1998efficient", "qiu2020nndl", "zhang2023d2l",
    }  # fmt: skip
    assert expected <= set(ENTRIES)


def test_config_uses_the_bibliography() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]
    assert "sphinxcontrib.bibtex" in config["config"]["extensions"]
    assert config["config"]["bibtex_bibfiles"] == ["references.bib"]
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert "appendix/references" in toc


CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["myst_parser", "sphinxcontrib.bibtex", "bibliography_zh"]
language = "zh_CN"
bibtex_bibfiles = [{bib!r}]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year_zh"
"""


def test_unknown_citation_fails_the_strict_build(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        CONF.format(ext=str(ROOT / "_ext"), bib=str(BIB)), encoding="utf-8"
    )
    (src / "index.md").write_text(
        "# 引用\n\n{cite:t}`he2015delving` 与 {cite:p}`glorot2010understanding`。\n\n"
        "```{toctree}\nbad\n```\n\n```{bibliography}\n```\n",
        encoding="utf-8",
    )
    (src / "bad.md").write_text("# 错误\n\n{cite:p}`no_such_key2099`\n", encoding="utf-8")
    run = sphinx_build(src, tmp_path / "out", "--keep-going")
    assert run.returncode != 0, "an unknown key must fail the -W build"
    assert "no_such_key2099" in run.stderr
    warnings = [line for line in run.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert all("no_such_key2099" in line for line in warnings), warnings
    page = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "index.html").read_text(encoding="utf-8"))
    assert "He 等（2015）" in page
    assert "（Glorot 和 Bengio，2010）" in page
