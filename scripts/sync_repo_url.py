#!/usr/bin/env python3
"""Point every chapter's Colab setup cell at the nnlib wheel that the course site serves.

Colab opens a single notebook without the rest of the repository, so each chapter's first code
cell installs ``nnlib`` when it is not importable, with
``pip install "nnlib @ <site>/downloads/nnlib-<version>-py3-none-any.whl"``. The site address
comes from ``_config.yml`` (``html.baseurl``, or the
GitHub Pages address of ``repository.url``) and the version from ``pyproject.toml``, both through
``scripts/editions.py``; the build publishes exactly that wheel (no GitHub needed). That URL is
the only copy of the address that cannot be derived at build time; this script rewrites it.
It also migrates the older form ``"nnlib @ git+<repository>@<branch>"`` (and the comment line
above it that said where nnlib came from).

Usage (from the repository root)::

    python scripts/sync_repo_url.py           # rewrite the chapters that differ
    python scripts/sync_repo_url.py --check   # change nothing; exit 1 if any chapter differs

Guarantees: only the install requirement (and, when migrating, that comment) inside the first
code cell changes, byte for byte (outputs, metadata, formatting and every other cell stay as they
are); running it twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import editions  # noqa: E402

#: The pip requirement in the setup cell: ``nnlib`` (optionally with extras) from a URL, either
#: the site's wheel (``url`` only) or, in the older form, git (``git+<url>@<branch>``).
#: Matches both the notebook's source text and its JSON encoding (neither contains ``"``,
#: ``\\``, ``@`` or whitespace).
INSTALL_RE = re.compile(
    r"(?P<head>nnlib(?:\[[A-Za-z0-9_,-]*\])? @ )(?P<git>git\+)?(?P<url>[^\s\"\\@]+)"
    r"(?:@(?P<branch>[^\s\"\\]+))?"
)

#: The comment line of the older setup cell, and what it says now.
OLD_COMMENT = "# Colab 中没有课程的共享代码包 nnlib，先从仓库安装；"
NEW_COMMENT = "# Colab 中没有课程的共享代码包 nnlib，先从课程网站下载安装；"

#: Hosts whose links Jupyter Book's Colab and Binder buttons can build.
_GITHUB_RE = re.compile(r"^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Repository:
    """Where the course lives: ``url`` = ``https://github.com/<owner>/<repo>``, ``branch``."""

    url: str
    branch: str

    @property
    def owner(self) -> str:
        return self.url.split("/")[-2]

    @property
    def name(self) -> str:
        return self.url.split("/")[-1]


def load_repository(config: Path = ROOT / "_config.yml") -> Repository:
    """Read ``repository.url`` and ``repository.branch`` from a Jupyter Book ``_config.yml``.

    Raises:
        ValueError: if either is missing, or the URL is not ``https://github.com/<owner>/<repo>``
            (the only form the Colab button supports).
    """
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    repo = data.get("repository") or {}
    url = str(repo.get("url") or "").strip().rstrip("/")
    url = url.removesuffix(".git")
    branch = str(repo.get("branch") or "").strip()
    if not _GITHUB_RE.match(url):
        raise ValueError(
            f"{config}: repository.url must look like https://github.com/<owner>/<repo>, "
            f"got {url!r}"
        )
    if not branch or re.search(r"[\s\"\\@]", branch):
        raise ValueError(f"{config}: repository.branch must be a branch name, got {branch!r}")
    return Repository(url=url, branch=branch)


def setup_cell(nb: dict[str, Any]) -> dict[str, Any]:
    """Return the first code cell of a notebook (the Colab setup cell).

    Raises:
        ValueError: if the notebook has no code cell.
    """
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            return cell
    raise ValueError("the notebook has no code cell")


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def installed_from(nb: dict[str, Any]) -> list[str]:
    """The URLs that the setup cell installs ``nnlib`` from (``git+…@branch`` for the old form)."""
    return [
        f"git+{m['url']}@{m['branch']}" if m["git"] else m["url"]
        for m in INSTALL_RE.finditer(_source(setup_cell(nb)))
    ]


def _retarget(text: str, target: str) -> str:
    text = INSTALL_RE.sub(lambda m: f"{m['head']}{target}", text)
    return text.replace(OLD_COMMENT, NEW_COMMENT)


def rewrite_notebook_text(text: str, target: str) -> str:
    """Return the notebook JSON ``text`` with its setup cell installing nnlib from ``target``.

    The edit is made on the raw text so the file keeps its exact formatting; the result is
    checked by parsing it: it must equal the input notebook with only the setup cell's source
    changed.

    Raises:
        ValueError: if the setup cell has no ``"nnlib @ <url>"`` requirement, or the edit cannot
            be confined to the setup cell.
    """
    nb = json.loads(text)
    cell = setup_cell(nb)
    if not INSTALL_RE.search(_source(cell)):
        raise ValueError(
            'the first code cell has no `"nnlib @ <url>"` requirement '
            "(copy the setup cell verbatim from another chapter)"
        )
    src = cell["source"]
    cell["source"] = (
        [_retarget(s, target) for s in src] if isinstance(src, list) else _retarget(src, target)
    )
    if json.loads(text) == nb:
        return text  # already in sync
    # Edit the raw text at the requirement (and the old comment) of the setup cell only: try
    # each occurrence alone, then all together; keep the first edit whose parsed result is
    # exactly the expected notebook (only the setup cell changed).
    candidates = []
    comment = text.find(OLD_COMMENT)
    for m in INSTALL_RE.finditer(text):
        edited = text[: m.start()] + _retarget(m.group(0), target) + text[m.end() :]
        candidates.append(edited)
        if 0 <= comment < m.start():
            candidates.append(edited[:comment] + NEW_COMMENT + edited[comment + len(OLD_COMMENT) :])
    candidates.append(_retarget(text, target))
    for candidate in candidates:
        if json.loads(candidate) == nb:
            return candidate
    raise ValueError("could not confine the edit to the setup cell; edit the URL by hand")


def chapters(root: Path = ROOT) -> list[Path]:
    """The chapter notebooks: every ``chapters/*.ipynb``, sorted (also those not yet listed in
    ``_toc.yml``)."""
    return sorted((root / "chapters").rglob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a chapter is out of sync"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    load_repository(args.root / "_config.yml")  # the launch buttons need a GitHub URL
    target = editions.wheel_url(args.root)
    stale: list[str] = []
    for path in chapters(args.root):
        text = path.read_bytes().decode("utf-8")  # bytes: keep line endings as they are
        rel = path.relative_to(args.root)
        try:
            new = rewrite_notebook_text(text, target)
        except ValueError as err:
            print(f"{rel}: {err}", file=sys.stderr)
            return 2
        if new == text:
            continue
        stale.append(str(rel))
        if not args.check:
            path.write_bytes(new.encode("utf-8"))
    if args.check:
        if stale:
            print(f"out of sync with _config.yml ({target}): {', '.join(stale)}", file=sys.stderr)
            print("run: python scripts/sync_repo_url.py", file=sys.stderr)
            return 1
        print(f"all chapters install nnlib from {target}")
        return 0
    print(f"rewrote {len(stale)} chapter(s) to install nnlib from {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
