"""The references page lists every entry of ``references.bib``, each with a working link out."""

from __future__ import annotations

import html
import re
from pathlib import Path

from conftest import ROOT
from pybtex.database import parse_file

ENTRIES = parse_file(str(ROOT / "references.bib")).entries


def test_references_page_lists_every_entry(html_dir: Path) -> None:
    page = html.unescape((html_dir / "appendix" / "references.html").read_text(encoding="utf-8"))
    # one <div class="citation"> per entry (its ARIA role is dropped: _ext/site_quality.py)
    assert len(re.findall(r'<div class="citation" id=', page)) == len(ENTRIES)
    hrefs = set(re.findall(r'href="([^"]+)"', page))
    for key, entry in ENTRIES.items():
        fields = entry.fields
        links = {fields.get("url")} | (
            {"https://doi.org/" + fields["doi"]} if "doi" in fields else set()
        )
        assert links & hrefs, f"{key}: no link to {links - {None}}"


def test_every_entry_is_annotated_for_the_reader(html_dir: Path) -> None:
    """Each entry is introduced in Chinese by a citation on the page (a short note on what it is
    good for), not only listed."""
    source = (ROOT / "appendix" / "references.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"\{cite:t\}`([^`]+)`", source))
    assert cited == set(ENTRIES)
