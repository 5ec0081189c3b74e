"""Script and style sheet of a page widget (quiz, explorer), added only to pages that use it.

Jupyter Book adds every file under ``_static/`` to every page, so the widgets keep theirs in their
own folder and add them here, page by page. The style sheet is linked where the first widget of
the page starts (a placeholder comment its HTML writes), not in ``<head>``: a stylesheet in the
body blocks only the content after it, so the text above paints without waiting for it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def link_assets(
    app: Sphinx, context: dict, doctree: Any, placeholder: str, static_dir: Path, name: str
) -> None:
    """On a page whose body holds ``placeholder``: add ``<name>.js`` (deferred) and replace the
    first placeholder by a versioned link to ``<name>.css`` (the others are removed)."""
    body = context.get("body", "")
    if doctree is None or placeholder not in body:
        return
    app.add_js_file(f"{name}.js", defer="defer")
    css = static_dir / f"{name}.css"
    version = hashlib.sha1(css.read_bytes()).hexdigest()[:8]
    href = context["pathto"](f"_static/{name}.css", 1)
    link = f'<link rel="stylesheet" href="{href}?v={version}">'
    body = body.replace(placeholder, link, 1).replace(placeholder + "\n", "")
    context["body"] = body.replace(placeholder, "")


def add_static_folder(app: Sphinx, static_dir: Path) -> None:
    """Serve ``static_dir`` as an extra ``_static`` folder in HTML builds (not injected into
    every page: :func:`link_assets` adds its files where they are used)."""
    if app.builder.format == "html":
        app.config.html_static_path.append(str(static_dir))
