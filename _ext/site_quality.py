"""Page metadata and page-speed fixes for the built site (README "网站").

Metadata, per page:
- ``<meta name="description">``: the page's own (MyST ``html_meta``) if it has one, else its
  first paragraph of prose (or first list, such as the learning goals), shortened to
  ``site_description_length`` characters, else ``site_description``;
- Open Graph tags (``og:title``, ``og:description``, ``og:type``, ``og:locale``,
  ``og:site_name``, and, once the public address is known, ``og:url`` and ``og:image``).
  The public address is ``html_baseurl`` or, if that is empty, the GitHub Pages address derived
  from ``repository.url`` (https://github.com/OWNER/REPO → https://OWNER.github.io/REPO/), so
  the repository URL stays the one place that names the site. No ``rel=canonical`` is added.

Speed (each measured with Lighthouse, see ``scripts/lighthouse_benchmark.py``):
- the theme's ``scripts/fontawesome.js`` (1.5 MB, ≈ 530 kB gzipped, on every page) draws icons
  that the theme's CSS already draws with the Font Awesome web fonts, so it is replaced by an
  empty script in the output (the installed theme is not touched);
- those web fonts (≈ 300 kB) are cut down to the icons the site uses: every ``fa-*`` class
  named in the built pages or the theme's scripts, looked up in the theme's CSS. fontTools
  (a matplotlib dependency) does the subsetting, brotli writes WOFF2;
- the icon rules of the theme's render-blocking CSS are cut to the same icons;
- the theme's search scripts and search index (render-blocking, on every page, for a
  search-as-you-type box that is off) are kept on the search page only;
- the theme script's check "which code blocks scroll sideways" (it forces layout of the
  whole page on load) runs for each block only when it nears the screen;
- every image of a page loads lazily (``loading="lazy"``), so a chapter's plots do not compete
  with its text for the first seconds on a slow phone connection. (The first image used to be
  eager; on a phone a chapter's first plot sits thousands of pixels down, yet its 80 kB were
  fetched with the critical CSS and fonts: Lighthouse "offscreen images", chapter 3 at 80.)
- the notebooks store figures at print resolution (``nnlib.plotting.stored_dpi``: 300 dpi on
  paper, for the PDF); the web site (builder ``html`` only, not the ``singlehtml`` the PDF is
  printed from) serves them scaled to ``nnlib.plotting.SCREEN_SCALE`` pixels per CSS pixel,
  sharp on phone and laptop screens, at a third to a half of the bytes. Only matplotlib PNGs of
  a higher resolution are touched; the page keeps their display size (``width``/``height``).

Layout shift: with ``html_context.default_mode: auto`` the theme writes ``data-theme="auto"``
into ``<html>`` and only its deferred script turns that into ``light`` or ``dark``. The first
paint therefore had neither theme's rules (inline code without its border, other colours), and
when the script ran, every line holding inline code grew and re-wrapped: a cumulative layout
shift of 0.15-0.19 on phones on most pages. ``RESOLVE_THEME_JS`` (in ``<head>``, before the
first paint) sets ``data-theme`` from ``data-mode`` the way the theme's script does: the mode the
reader chose, or for ``auto`` the system's ``prefers-color-scheme`` now (the theme also stores
the last resolved theme, which is stale once the system setting changes).
It also marks ``<html class="js">`` so that ``_static/site.css`` can show a dropdown (深入,
solutions) collapsed from the first paint; sphinx-togglebutton only collapses them after the
page has loaded, which moved everything below an open dropdown up (2.3: 0.068). Without
JavaScript the dropdowns stay open, as before.
"""

from __future__ import annotations

import html
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

FONTAWESOME_JS_STUB = (
    "/* Icons are drawn by the theme's CSS with the Font Awesome web fonts; the theme's 1.5 MB\n"
    "   fontawesome.js is replaced by this empty file (see _ext/site_quality.py). */\n"
)


# --------------------------------------------------------------------------- metadata
def site_url(app: Sphinx) -> str:
    """Public address of the site, ending in '/', or '' when unknown."""
    base = (app.config.html_baseurl or "").strip()
    if not base:
        repo = str(app.config.html_theme_options.get("repository_url", "") or "")
        match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repo)
        if match:
            owner, name = match.groups()
            base = f"https://{owner.lower()}.github.io/{name}/"
    return base if not base or base.endswith("/") else base + "/"


def first_paragraph(doctree: nodes.document) -> str:
    """Text of the first paragraph of prose (not inside a code cell, admonition or table)."""
    skip = (nodes.literal_block, nodes.Admonition, nodes.table, nodes.container, nodes.raw)

    def in_skipped(node: nodes.Node) -> bool:
        parent = node.parent
        while parent is not None:
            classes = parent.get("classes", []) if isinstance(parent, nodes.Element) else []
            if isinstance(parent, skip) or any(c.startswith("cell") for c in classes):
                return True
            parent = parent.parent
        return False

    for para in doctree.findall(nodes.paragraph):
        text = " ".join(para.astext().split())
        if len(text) >= 10 and not in_skipped(para):
            item = para.parent
            if isinstance(item, nodes.list_item) and item.parent is not None:
                # A list (e.g. the learning goals): describe the page with all its items.
                items = [" ".join(li.astext().split()) for li in item.parent.children]
                return "".join(i if i[-1:] in "；;。，," else i + "；" for i in items if i)
            return text
    return ""


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # End at the last full stop or comma in the second half, if there is one.
    stops = [cut.rfind(p) for p in "。；！？，,."]
    best = max(stops)
    return cut[: best + 1] if best >= limit // 2 else cut.rstrip() + "…"


def add_metadata(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if doctree is None:  # genindex, search: nothing to describe
        return
    metatags = context.get("metatags", "")
    description = ""
    for tag in re.findall(r"<meta\b[^>]*>", metatags):
        if 'name="description"' in tag:
            description = html.unescape(re.search(r'content="([^"]*)"', tag).group(1))
    if not description:
        description = shorten(first_paragraph(doctree), app.config.site_description_length)
        if not description:
            description = app.config.site_description
        if description:
            metatags += f'\n<meta name="description" content="{html.escape(description)}" />'
    site_name = app.config.html_title or app.config.project
    title = re.sub(r"<[^>]+>", "", context.get("title", "")) or site_name
    og = {
        "og:title": title if title == site_name else f"{title} — {site_name}",
        "og:type": "website" if pagename == app.config.root_doc else "article",
        "og:locale": (app.config.language or "zh_CN").replace("-", "_"),
        "og:site_name": site_name,
        "og:description": description,
    }
    base = site_url(app)
    if base:
        og["og:url"] = base + app.builder.get_target_uri(pagename)
        if app.config.site_social_image:
            og["og:image"] = base + "_static/" + app.config.site_social_image
    for prop, value in og.items():
        if value:
            metatags += f'\n<meta property="{prop}" content="{html.escape(value)}" />'
    context["metatags"] = metatags


# --------------------------------------------------------------------------- speed
def used_icon_names(outdir: Path) -> set[str]:
    names: set[str] = set()
    pattern = re.compile(r"\bfa-[a-z0-9]+(?:-[a-z0-9]+)*")
    files = list(outdir.rglob("*.html")) + list((outdir / "_static").rglob("*.js"))
    for file in files:
        if file.name == "fontawesome.js":
            continue
        names.update(pattern.findall(file.read_text(encoding="utf-8", errors="ignore")))
    return names


def icon_codepoints(theme_css: str, names: set[str]) -> set[int]:
    """Code points of the named icons, from rules like ``.fa-github:before{content:"\\f09b"}``."""
    points: set[int] = set()
    for selectors, code in re.findall(r"([^{}]+)\{content:\"\\([0-9a-f]{4,5})\"\}", theme_css):
        for sel in selectors.split(","):
            match = re.fullmatch(r"\s*\.(fa-[a-z0-9-]+):(?::)?(?:before|after)\s*", sel)
            if match and match.group(1) in names:
                points.add(int(code, 16))
    return points


def subset_icon_fonts(outdir: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    static = outdir / "_static"
    css_file = static / "styles" / "pydata-sphinx-theme.css"
    fonts = sorted((static / "vendor" / "fontawesome").rglob("*.woff2"))
    if not css_file.is_file() or not fonts:
        logger.warning("site_quality: theme icon fonts not found; nothing subset")
        return
    points = icon_codepoints(css_file.read_text(encoding="utf-8"), used_icon_names(outdir))
    for font_path in fonts:
        font = TTFont(font_path)
        keep = points & set(font.getBestCmap())
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(keep) or [0x20])
        subsetter.subset(font)
        font.flavor = "woff2"
        font.save(font_path)
        # The .ttf twins are only fallbacks for browsers without WOFF2 (none current).


def trim_icon_css(outdir: Path, names: set[str]) -> None:
    """Drop the theme CSS rules that give code points to icons the site never shows."""
    css_file = outdir / "_static" / "styles" / "pydata-sphinx-theme.css"
    if not css_file.is_file():
        return

    def keep(match: re.Match[str]) -> str:
        selectors = [sel for sel in match.group(1).split(",") if _icon_name(sel) in names]
        return ",".join(selectors) + match.group(2) if selectors else ""

    css = css_file.read_text(encoding="utf-8")
    pattern = (
        r"(?<=[{}])((?:\.fa-[a-z0-9-]+:{1,2}(?:before|after),?)+)(\{content:\"\\[0-9a-f]{4,5}\"\})"
    )
    css_file.write_text(re.sub(pattern, keep, css), encoding="utf-8")


def _icon_name(selector: str) -> str:
    match = re.fullmatch(r"\s*\.(fa-[a-z0-9-]+):{1,2}(?:before|after)\s*", selector)
    return match.group(1) if match else ""


def drop_inline_search_scripts(outdir: Path) -> None:
    """The theme loads Sphinx's search scripts and the whole search index, render-blocking, on
    every page for its search-as-you-type box, even when that feature is off (as here). Only
    the search page needs them; elsewhere they cost the index's size (growing with the text)."""
    pattern = re.compile(
        r'\s*<script src="(?:\.\./)*_static/searchtools\.js"></script>'
        r'\s*<script src="(?:\.\./)*_static/language_data\.js"></script>'
        r'\s*<script src="(?:\.\./)*searchindex\.js"></script>'
    )
    for page in outdir.rglob("*.html"):
        if page == outdir / "search.html" or "_static" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        new = pattern.sub("", text)
        if new != text:
            page.write_text(new, encoding="utf-8")


# pydata-sphinx-theme 0.17 (minified): on load, on resize and on every DOM change it reads
# scrollWidth of every code block and output to give the scrollable ones a tab stop. Reading
# scrollWidth forces style and layout of the whole chapter, including the off-screen sections
# that content-visibility would skip (Lighthouse mobile: 1-3 s of main-thread work).
_TAB_STOPS = re.compile(
    r"function (\w+)\(\)\{const (\w+)=\(\)=>\{document\.querySelectorAll\((\[[^\]]*\])\.join"
    r'\(", "\)\)\.forEach\((\w+)=>\{\4\.tabIndex=\4\.scrollWidth>\4\.clientWidth\|\|'
    r"\4\.scrollHeight>\4\.clientHeight\?0:-1\}\)\},(\w+)=(\w+)\(\2,300\);"
    r'window\.addEventListener\("resize",\5\),new MutationObserver\(\5\)\.observe\('
    r'document\.getElementById\("main-content"\),\{subtree:!0,childList:!0\}\),\2\(\)\}'
)
# Same result, measured for an element each time it comes near the screen (it is laid out
# then anyway), and again for those near the screen once the page, its fonts or its content
# change. Until its first measurement every such element has a tab stop, so nothing
# scrollable is ever unreachable by keyboard.
_LAZY_TAB_STOPS = (
    r"function \1(){const s=\3.join(', '),"
    r"c=e=>{e.tabIndex=e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1},"
    r"o=new IntersectionObserver(t=>t.forEach(t=>{t.isIntersecting&&c(t.target)}),"
    r"{rootMargin:'300px'}),"
    r"a=()=>document.querySelectorAll(s).forEach(e=>{e.hasAttribute('tabindex')||"
    r"(e.tabIndex=0),o.unobserve(e),o.observe(e)}),r=\6(a,300);"
    r"window.addEventListener('resize',r),window.addEventListener('load',r),"
    r"document.fonts&&document.fonts.ready.then(r),new MutationObserver(r).observe("
    r"document.getElementById('main-content'),{subtree:!0,childList:!0}),a()}"
)


def lazy_tab_stops(outdir: Path) -> None:
    script = outdir / "_static" / "scripts" / "pydata-sphinx-theme.js"
    if not script.is_file():
        return
    text = script.read_text(encoding="utf-8")
    if "IntersectionObserver(t=>t.forEach(t=>{t.isIntersecting&&c(" in text:
        return  # already done (incremental build)
    new, count = _TAB_STOPS.subn(_LAZY_TAB_STOPS, text)
    if count != 1:
        logger.warning("site_quality: theme script changed; tab-stop speed-up not applied")
        return
    script.write_text(new, encoding="utf-8")
    script.with_name(script.name + ".map").unlink(missing_ok=True)


def replace_fontawesome_js(outdir: Path) -> None:
    script = outdir / "_static" / "scripts" / "fontawesome.js"
    if script.is_file():
        script.write_text(FONTAWESOME_JS_STUB, encoding="utf-8")
        for extra in ("fontawesome.js.map", "fontawesome.js.LICENSE.txt"):
            (script.parent / extra).unlink(missing_ok=True)


def scale_figures_for_screens(outdir: Path) -> int:
    """Scale every matplotlib figure in ``outdir/_images`` stored at more than
    ``SCREEN_SCALE * SCREEN_DPI`` pixels per inch down to that (Lanczos), dropping an alpha
    channel that is fully opaque. Returns how many files were scaled; a file already scaled is
    left alone, so a rebuild is idempotent."""
    from PIL import Image

    from nnlib.plotting import SCREEN_DPI, SCREEN_SCALE

    target = SCREEN_SCALE * SCREEN_DPI

    def scale(path: Path) -> bool:
        with Image.open(path) as image:
            dpi = float(image.info.get("dpi", (0, 0))[0])
            if dpi <= target + 0.1 or not image.info.get("Software", "").startswith("Matplotlib"):
                return False
            ratio = target / dpi
            size = (round(image.width * ratio), round(image.height * ratio))
            small = image.resize(size, Image.Resampling.LANCZOS)
        if small.mode == "RGBA" and small.getextrema()[3] == (255, 255):
            small = small.convert("RGB")
        small.save(path, dpi=(target, target), optimize=True)
        return True

    # Pillow releases the GIL while it resamples and compresses: one thread per core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return sum(pool.map(scale, sorted((outdir / "_images").glob("*.png"))))


def speed_up(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    if app.builder.name == "html":
        scale_figures_for_screens(outdir)
    replace_fontawesome_js(outdir)
    lazy_tab_stops(outdir)
    subset_icon_fonts(outdir)
    trim_icon_css(outdir, used_icon_names(outdir))
    if not app.config.html_theme_options.get("search_as_you_type"):
        drop_inline_search_scripts(outdir)


def logo_with_title(app: Sphinx, config: Any) -> None:
    """Show the book title beside the (square) logo; with a logo the theme hides it by default."""
    logo = config.html_theme_options.setdefault("logo", {})
    logo.setdefault("text", config.html_title or config.project)
    # A screen reader announces the image; an empty or file-name alt is what tests/site forbid.
    logo.setdefault("alt_text", "课程标志")


def lazy_images(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Load every image of a page only when the reader scrolls near it (the browser fetches one
    already on screen at once)."""
    body = context.get("body")
    if not body:
        return

    def mark(match: re.Match[str]) -> str:
        tag = sized(match.group(0))
        if "loading=" in tag:
            return tag
        return tag.replace("<img ", '<img loading="lazy" decoding="async" ', 1)

    context["body"] = re.sub(r"<img [^>]*>", mark, body)


_PIXEL_STYLE = re.compile(r' style="width: (\d+)px; height: (\d+)px;"')


def sized(tag: str) -> str:
    """Turn docutils' fixed ``style="width: Wpx; height: Hpx;"`` (a notebook figure's display
    size) into ``width``/``height`` attributes. The style pinned the height while the theme's
    ``max-width: 100%`` shrank the width on a phone, squashing the figure; the attributes give
    the browser the aspect ratio to reserve (no layout shift as a lazy image arrives), and
    ``_static/site.css`` scales the image down to the column (``height: auto``)."""
    return _PIXEL_STYLE.sub(r' width="\1" height="\2"', tag, count=1)


def accessible_citations(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Drop the ARIA roles docutils gives a bibliography (``role="list"`` around entries that are
    not list items, the deprecated ``doc-biblioentry``): Lighthouse's accessibility audit flags
    both (aria-required-children, aria-allowed-role, aria-deprecated-role)."""
    body = context.get("body")
    if not body or "citation" not in body:
        return
    body = body.replace(' role="doc-biblioentry"', "")
    context["body"] = body.replace(
        '<div role="list" class="citation-list">', '<div class="citation-list">'
    )


# Runs in <head>, after the theme's own inline script set data-mode/data-theme from localStorage.
RESOLVE_THEME_JS = (
    "(()=>{const d=document.documentElement,m=d.dataset.mode;"
    'd.dataset.theme=m==="light"||m==="dark"?m:'
    'matchMedia("(prefers-color-scheme: dark)").matches?"dark":"light";'
    'd.classList.add("js");})();'
)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_js_file(None, body=RESOLVE_THEME_JS, priority=1)
    app.connect("html-page-context", lazy_images)
    app.connect("html-page-context", accessible_citations)
    app.connect("config-inited", logo_with_title)
    app.add_config_value("site_description_length", 120, "html")
    app.add_config_value("site_social_image", "", "html")
    # Used for a page without a paragraph of prose and without its own description.
    app.add_config_value("site_description", "", "html")
    app.connect("html-page-context", add_metadata)
    app.connect("build-finished", speed_up)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
