"""The site's links to the course's other editions, its version, and its front door.

- **Version**: ``release``/``version`` come from ``project.version`` in ``pyproject.toml`` (the
  one course version; ``scripts/editions.py``) and are shown in every page's footer.
- **Downloads**: every page's footer, and every chapter's download menu, link the PDF, the
  notebook zip and nnlib's wheel in ``downloads/`` (built by ``scripts/editions.py`` and
  ``scripts/build_pdf.py``). Page text may name them with the tokens ``@PDF@``, ``@ZIP@``,
  ``@WHEEL@``, ``@WHEEL_NAME@``, ``@VERSION@`` and ``@SITE@`` (site address); the single-page
  build (the PDF's source) links the public site instead of local files.
- **Front door**: the site root ``index.html`` (Jupyter Book writes a bare redirect with no
  title, language or icon) is a small page with ``lang="zh-CN"``, title, description, favicon,
  a canonical link to the intro, and a redirect to it.
"""

from __future__ import annotations

import html
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

ROOT = Path(__file__).resolve().parents[1]


def editions() -> Any:
    """``scripts/editions.py`` (versions, site address, table of contents), loaded once per
    process (the scripts folder is not a package)."""
    name = "course_editions"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "editions.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def set_version(app: Sphinx, config: Any) -> None:
    version = editions().version(ROOT)
    config.release = config.release or version
    config.version = config.version or version


def _links(app: Sphinx, pathto: Any) -> dict[str, str]:
    ed = editions()
    paths = ed.download_paths(ROOT)
    if app.builder.name == "html":
        urls = {kind: pathto(path, 1) for kind, path in paths.items()}
    else:  # singlehtml (the PDF) and others: the public copies
        urls = {kind: ed.site_url(ROOT) + path for kind, path in paths.items()}
    return urls


def page_links(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    ed = editions()
    urls = _links(app, context["pathto"])
    e = html.escape
    version = e(ed.version(ROOT))
    context["theme_extra_footer"] = (
        f'<p class="course-editions">版本 {version} · 下载：'
        f'<a href="{e(urls["pdf"])}">下载 PDF</a> · '
        f'<a href="{e(urls["zip"])}">全部笔记本（zip）</a> · '
        f'<a href="{e(urls["wheel"])}">nnlib（wheel）</a></p>'
    )
    body = context.get("body")
    if body and ("@" in body or "&#64;" in body):
        body = re.sub(r"&#64;([A-Z_]+)&#64;", r"@\1@", body)  # docutils writes @ in text so
        for token, value in {
            "@PDF@": urls["pdf"],
            "@ZIP@": urls["zip"],
            "@WHEEL@": urls["wheel"],
            "@WHEEL_NAME@": ed.wheel_name(ROOT),
            "@VERSION@": ed.version(ROOT),
            "@SITE@": ed.site_url(ROOT),
        }.items():
            body = body.replace(token, e(value))
        context["body"] = body
    # The chapter's download menu: the whole course next to "this page".
    for button in context.get("header_buttons", []):
        if button.get("label") != "download-buttons":
            continue
        for item in button.get("buttons", []):
            if item.get("label") == "download-pdf-button":
                item["text"] = "打印本页"
        button["buttons"] += [
            {
                "type": "link",
                "url": urls["pdf"],
                "text": "整本书 PDF",
                "tooltip": "下载整门课程的 PDF 版",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            },
            {
                "type": "link",
                "url": urls["zip"],
                "text": "全部笔记本",
                "tooltip": "下载全部章节笔记本（zip，含 nnlib 与 requirements.txt）",
                "icon": "fas fa-file-zipper",
                "label": "download-notebooks-button",
            },
            {
                "type": "link",
                "url": urls["wheel"],
                "text": "nnlib",
                "tooltip": "下载课程共享代码包 nnlib（wheel）",
                "icon": "fas fa-box",
                "label": "download-wheel-button",
            },
        ]


FRONT_DOOR = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{title}</title>
<meta name="description" content="{description}" />
<link rel="icon" href="{favicon}" />
<link rel="canonical" href="{canonical}" />
<meta http-equiv="refresh" content="0; url={root}" />
</head>
<body>
<p><a href="{root}">{title}：进入课程</a></p>
</body>
</html>
"""


def write_front_door(app: Sphinx, exception: Exception | None) -> None:
    """Runs before sphinx-external-toc's bare redirect (which skips an existing index.html)."""
    if exception is not None or app.builder.name != "html":
        return
    root_doc = app.config.root_doc
    if root_doc == "index":
        return
    root = app.builder.get_target_uri(root_doc)
    favicon = app.config.html_favicon or ""
    favicon = "_static/" + Path(favicon).name if favicon else "_static/logo.svg"
    e = html.escape
    text = FRONT_DOOR.format(
        title=e(app.config.html_title or app.config.project),
        description=e(app.config.site_description or ""),
        favicon=e(favicon),
        canonical=e(editions().site_url(ROOT) + root),
        root=e(root),
    )
    (Path(app.outdir) / "index.html").write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", set_version)
    # After sphinx-book-theme has built the header buttons (priority 501).
    app.connect("html-page-context", page_links, priority=600)
    app.connect("build-finished", write_front_door, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
