"""Every chapter page of the built site carries Binder, Colab and repository links.

The expected links are derived from ``_config.yml`` (``repository`` and ``launch_buttons``), the
way sphinx-book-theme builds them, so a fork that changes ``repository.url`` gets its own links.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import toc_documents

ROOT = Path(__file__).resolve().parents[2]


def _config() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def _chapter_notebooks() -> list[str]:
    """Repository paths of the notebook chapters in ``_toc.yml``, e.g. ``chapters/x.ipynb``."""
    entries = toc_documents()[1:]
    notebooks = [f"{entry}.ipynb" for entry in entries if (ROOT / f"{entry}.ipynb").is_file()]
    assert notebooks, "no notebook chapters in _toc.yml"
    return notebooks


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.add(href)  # entities such as &amp; are already decoded


def _links(page: Path) -> set[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


def _expected(notebook: str) -> dict[str, str]:
    config = _config()
    repo = config["repository"]
    launch = config["launch_buttons"]
    url, branch = repo["url"].rstrip("/"), repo["branch"]
    owner, name = url.removeprefix("https://github.com/").split("/")
    book = str(repo.get("path_to_book") or "").strip("/")
    path = f"{book}/{notebook}" if book else notebook
    ui = {"jupyterlab": "lab/tree", "classic": "tree"}[launch["notebook_interface"]]
    binder = launch["binderhub_url"].rstrip("/")
    colab = launch["colab_url"].rstrip("/")
    return {
        "Binder": f"{binder}/v2/gh/{owner}/{name}/{branch}?urlpath={ui}/{path}",
        "Colab": f"{colab}/github/{owner}/{name}/blob/{branch}/{path}",
        "repository": url,
        "edit": f"{url}/edit/{branch}/{path}",
    }


def test_expected_links_have_the_documented_form() -> None:
    # Pin the concrete form for this repository, so a theme or config change is noticed.
    links = _expected("chapters/01_neural_network.ipynb")
    url = _config()["repository"]["url"]
    slug = url.removeprefix("https://github.com/")
    assert links["Binder"] == (
        f"https://mybinder.org/v2/gh/{slug}/main?urlpath=lab/tree/chapters/01_neural_network.ipynb"
    )
    assert links["Colab"] == (
        f"https://colab.research.google.com/github/{slug}/blob/main/chapters/01_neural_network.ipynb"
    )


@pytest.mark.parametrize("notebook", _chapter_notebooks())
def test_chapter_page_has_launch_and_repository_links(html_dir: Path, notebook: str) -> None:
    page = html_dir / Path(notebook).with_suffix(".html")
    assert page.is_file(), page
    hrefs = _links(page)
    for kind, href in _expected(notebook).items():
        assert href in hrefs, f"{page.name}: no {kind} link {href}"
    url = _config()["repository"]["url"].rstrip("/")
    assert any(h.startswith(f"{url}/issues/new?") for h in hrefs), f"{page.name}: no issue link"
    # The launch links open a file that exists in the repository.
    assert (ROOT / notebook).is_file()
