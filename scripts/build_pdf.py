#!/usr/bin/env python3
"""Build the PDF edition: Jupyter Book's single-page HTML build, printed by the system Chromium.

Usage (from the repository root; ``bash scripts/build_pdf.sh`` sets up .venv and runs this)::

    python scripts/build_pdf.py               # build _build/singlehtml, then print the PDF
    python scripts/build_pdf.py --no-build    # print an existing _build/singlehtml again

Output: ``_build/pdf/<repo>.pdf``, copied to ``_build/html/downloads/`` when the site is built
(the site's "下载 PDF" link points there).

How (README "四种版本" explains the choice against XeLaTeX, with measured times):

1. ``jupyter-book build . --builder singlehtml``: the whole book, in ``_toc.yml`` order, as one
   HTML page, with the same extensions as the site, so every formula is already typeset by
   ``_ext/mathjax_prerender.py`` (no TeX is left for the printer) and uses MathJax's own fonts.
2. Playwright drives the system Chromium (no browser download: the same one the site tests use)
   to open that page, reshape it for paper and print it with PDF bookmarks (``outline``), a tagged
   structure, page numbers in the footer and embedded, subset fonts:
   - a title page (title, author, version, date, site address, licences) and a table of contents
     with page numbers (the print's bookmarks give them; the contents pages alone are printed
     again with the numbers and spliced in);
   - each chapter starts a new page; its headings move up one level, so every chapter is a
     top-level bookmark;
   - **hidden exercise solutions are printed right after their exercise**, opened and labelled
     "参考答案"; other collapsed blocks (深入 dropdowns) are opened; the collapsed plumbing
     input of ``hide-input`` cells (the Colab setup, verification cells) stays out, their
     outputs stay in, as on the site;
   - only SIL OFL 1.1 fonts: text in Noto Serif/Sans CJK SC (system package ``fonts-noto-cjk``;
     subset to the book's characters and converted to TrueType outlines, so they are embedded
     as real fonts, see TEXT_FONTS),
     code in Noto Sans Mono (``fonts-noto-mono``) with Noto Sans Mono CJK SC for Chinese,
     symbols that these lack (𝟙) from STIX (``fonts-stix``), math in MathJax's TeX fonts;
   - Chromium's outline repeats the title of a heading that starts a page ("练习练习"):
     the bookmarks are cleaned afterwards with pypdf.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import editions  # noqa: E402

from nnlib.plotting import PRINT_MAX_WIDTH_CM, SCREEN_DPI  # noqa: E402

ROOT = editions.ROOT
SINGLE = ROOT / "_build" / "singlehtml"
PDF_DIR = ROOT / "_build" / "pdf"

# Flags that let Debian's Chromium run headless as root in a container (as tests/site/conftest.py).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]

PRINT_CSS = (
    """
@page { size: A4; margin: 18mm 16mm 16mm 16mm; }
html, body { background: #fff !important; }
/* Shadows (admonitions, dropdowns, cards) print as two greyscale raster masks each (about 6 MB
   in all): none on paper. The theme's own rules are !important, so this selector outranks them. */
:root { --pst-color-shadow: transparent; --sd-color-shadow: transparent; }
:root body *, :root body *::before, :root body *::after {
  box-shadow: none !important; text-shadow: none !important; }
body { font-family: "Noto Serif CJK SC", "STIXGeneral", serif; font-size: 10.5pt;
       line-height: 1.6; color: #111; }
h1, h2, h3, h4 { break-after: avoid; }
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; font-size: 8.5pt;
      overflow: visible !important; max-height: none !important; }
.pdf-book { max-width: none; margin: 0; padding: 0; }
.pdf-book .bd-article { padding: 0 !important; }
.pdf-chapter { break-before: page; }
.pdf-book section section { content-visibility: visible !important; }
img { max-width: 100% !important; height: auto; break-inside: avoid; background: #fff; }
.cell_output img { max-width: PRINT_MAX_WIDTH !important; }
div.math, .bd-content div.math { overflow: visible !important; break-inside: avoid; }
.headerlink, .copybtn, .toggle-button, .sd-summary-chevron-right, .sd-summary-chevron-down,
.pdf-book button { display: none !important; }
details { display: block; }
details > summary { list-style: none; }
details > summary::-webkit-details-marker { display: none; }
.pdf-solution { font-weight: 700;
                color: #1a5e20; margin: 0.4em 0 0.2em; }
.pdf-title { height: 250mm; display: flex; flex-direction: column; justify-content: center;
             text-align: center; break-after: page; }
.pdf-title h1.pdf-title-main { font-size: 28pt; margin: 0 0 0.6em; border: 0; }
.pdf-title p { margin: 0.3em 0; }
.pdf-title .pdf-version { font-size: 14pt; margin-bottom: 2em; }
.pdf-title .pdf-small { font-size: 9pt; color: #444; margin-top: 3em; }
.pdf-toc { break-after: page; }
.pdf-toc ol { list-style: none; padding: 0; }
.pdf-toc li { display: flex; align-items: baseline; margin: 0.5em 0; font-size: 12pt; }
.pdf-toc li a { color: #111; text-decoration: none; }
.pdf-toc li.pdf-toc-section { margin: 0.25em 0 0.25em 2em; font-size: 11pt; }
.pdf-toc li .pdf-dots { flex: 1; border-bottom: 1px dotted #888; margin: 0 0.4em; }
a { color: #1a4d8f; }
"""
).replace("PRINT_MAX_WIDTH", f"{PRINT_MAX_WIDTH_CM:g}cm")

# Reshape the single page for paper: runs in the browser; ``arg`` carries the title page data.
RESHAPE_JS = r"""async (arg) => {
  const article = document.querySelector("article.bd-article");
  if (!article) throw new Error("no article.bd-article in the single-page build");
  // Every chapter: a top-level bookmark (headings one level up), on a new page.
  // A chapter's section pages are nested inside its section (the toctree is inlined there):
  // they move up with the chapter, once, and become its second-level bookmarks.
  for (const anchor of article.querySelectorAll('span[id^="document-"]')) {
    const section = anchor.nextElementSibling;
    if (!section) continue;
    if (anchor.closest(".pdf-chapter")) {
      section.classList.add("pdf-section");
      section.id = anchor.id;
      anchor.remove();
      continue;
    }
    section.classList.add("pdf-chapter");
    section.id = anchor.id;
    anchor.remove();
    for (const h of [...section.querySelectorAll("h2, h3, h4, h5, h6")]) {
      const up = document.createElement("h" + (Number(h.tagName[1]) - 1));
      for (const a of h.attributes) up.setAttribute(a.name, a.value);
      up.append(...h.childNodes);
      h.replaceWith(up);
    }
  }
  article.querySelectorAll(".headerlink").forEach((e) => e.remove());
  // Plumbing input of hide-input cells stays out (as collapsed on the site); outputs stay.
  article.querySelectorAll(".tag_hide-input > details").forEach((d) => d.remove());
  // Hidden solutions: printed in place, after their exercise, with a label.
  let solutions = 0;
  article.querySelectorAll(".tag_hide-cell > details").forEach((d) => {
    const box = document.createElement("div");
    box.className = d.className + " pdf-opened";
    const label = document.createElement("p");
    label.className = "pdf-solution";
    label.textContent = "参考答案（代码与输出）";
    d.querySelector(":scope > summary")?.remove();
    box.append(label, ...d.childNodes);
    d.replaceWith(box);
    solutions += 1;
  });
  article.querySelectorAll("details").forEach((d) => { d.open = true; });
  // Every image now (the site loads all but the first lazily).
  const images = [...article.querySelectorAll("img")];
  images.forEach((img) => { img.loading = "eager"; img.decoding = "sync"; });
  await Promise.all(images.map((img) => img.decode().catch(() => {})));
  // A notebook figure prints at its true size (matplotlib's figsize: its page width over
  // screenDpi; 96 CSS px per printed inch), at most PRINT_MAX_WIDTH_CM wide (PRINT_CSS). Its
  // stored pixels give 300 dpi there (nnlib.plotting.stored_dpi).
  images
    .filter((img) => img.hasAttribute("width") && img.hasAttribute("height"))
    .forEach((img) => {
      // Whole CSS pixels on both axes, rounded down: Chromium snaps a printed image's box to
      // whole pixels, which made a 348.2 px tall figure print 349 px tall (299.3 dpi). Rounding
      // both sides down keeps every figure at >= 300 dpi (the shape changes by < 0.3 %).
      const maxWidth = (arg.printMaxWidthCm / 2.54) * 96;
      const width = Math.floor(
        Math.min((Number(img.getAttribute("width")) * 96) / arg.screenDpi, maxWidth)
      );
      const ratio = img.naturalWidth > 0
        ? img.naturalHeight / img.naturalWidth
        : Number(img.getAttribute("height")) / Number(img.getAttribute("width"));
      img.style.width = `${width}px`;
      // If the column is narrower (max-width: 100 %), take the width actually laid out.
      const shown = Math.floor(Math.min(width, img.getBoundingClientRect().width || width));
      img.style.width = `${shown}px`;
      img.style.height = `${Math.floor(shown * ratio)}px`;
    });
  // Title page, contents, then the book; the site's navigation, header and footer go.
  const titlePage = document.createElement("section");
  titlePage.className = "pdf-title";
  titlePage.innerHTML = arg.titlePage;
  const toc = document.createElement("nav");
  toc.className = "pdf-toc";
  toc.innerHTML = arg.toc;
  const book = document.createElement("div");
  book.className = "pdf-book bd-content";
  book.append(article);
  document.documentElement.dataset.theme = "light";
  document.documentElement.dataset.mode = "light";
  document.body.replaceChildren(titlePage, toc, book);
  const style = document.createElement("style");
  style.textContent = arg.css;
  document.head.append(style);
  await document.fonts.ready;
  return {
    text: document.body.innerText,
    images: images.length,
    broken: images.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.src),
    solutions,
    untypeset: [...article.querySelectorAll(".math")]
      .filter((m) => !m.querySelector("mjx-container")).length,
  };
}"""


#: The text fonts: (CSS family, weight, fontconfig pattern). Each is subset to the characters
#: the book uses and served to the page as a web font. Reason: Noto CJK maps one glyph from
#: several code points (网 U+7F51 and the Kangxi radical ⽹ U+2F79, …); Chromium writes the
#: lowest one into the PDF's text layer, so copied or searched text would read "⽹络", not
#: "网络". A subset font that maps each glyph only from the characters in the book fixes that.
TEXT_FONTS = [
    ("PDF Serif", 400, "Noto Serif CJK SC:style=Regular"),
    ("PDF Serif", 700, "Noto Serif CJK SC:style=Bold"),
    ("PDF Sans", 400, "Noto Sans CJK SC:style=Regular"),
    ("PDF Sans", 700, "Noto Sans CJK SC:style=Bold"),
    ("PDF Mono CJK", 400, "Noto Sans Mono CJK SC:style=Regular"),
]

# Superscript digits (10⁻⁷ in the explorers' readouts) are in neither Noto CJK nor STIX: Noto
# Sans Mono (OFL, already embedded for code) is the last fallback before any non-OFL font.
FONT_CSS = """
:root { --pst-font-family-base: "PDF Serif", "STIXGeneral", "Noto Sans Mono", serif;
        --pst-font-family-heading: "PDF Sans", "STIXGeneral", "Noto Sans Mono", sans-serif;
        --pst-font-family-monospace: "Noto Sans Mono", "PDF Mono CJK", "STIXGeneral", monospace; }
body { font-family: "PDF Serif", "STIXGeneral", "Noto Sans Mono", serif !important; }
h1, h2, h3, h4, h5, h6, summary, .admonition-title, th, .pdf-title p, .pdf-toc ol,
.pdf-solution { font-family: "PDF Sans", "STIXGeneral", "Noto Sans Mono", sans-serif !important; }
pre, code, kbd, samp, .highlight, .output pre, pre span, code span {
  font-family: "Noto Sans Mono", "PDF Mono CJK", "STIXGeneral", monospace !important; }
mjx-utext { font-family: "STIXGeneral", "PDF Serif", serif !important; }
"""


def _find_font(pattern: str) -> tuple[str, int] | None:
    found = subprocess.run(
        ["fc-match", "-f", "%{file}:%{index}:%{family}", pattern],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    file, _, rest = found.partition(":")
    index, _, families = rest.partition(":")
    if not file or pattern.split(":")[0] not in families:
        return None
    return file, int(index or 0)


def _to_truetype(font: Any) -> None:
    """Turn a CFF-outline font into a TrueType-outline one (quadratic curves, within 1 unit).
    Chromium embeds a TrueType web font as a real font (CID TrueType) in the PDF, but draws a
    CFF one as Type 3 glyph procedures: bigger files, no hinting, poorer viewer support."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints maxStorage maxFunctionDefs maxInstructionDefs maxStackElements "
        "maxSizeOfInstructions maxComponentElements"
    ).split():
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def _subset_one(job: tuple[str, int, list[int], str]) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    file, index, unicodes, out = job
    font = TTFont(file, fontNumber=index, lazy=True)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    if "CFF " in font:
        _to_truetype(font)
    font.save(out)
    return out


def subset_fonts(text: str, folder: Path) -> str:
    """Subset every font of TEXT_FONTS to the characters of ``text`` into ``folder`` (two at a
    time; reused while the text and fonts stay the same); return the ``@font-face`` rules, or
    "" when fontconfig cannot find the fonts (the page then keeps the system fonts)."""
    import hashlib
    from concurrent.futures import ProcessPoolExecutor

    unicodes = sorted({ord(c) for c in text if ord(c) >= 0x20} | set(range(0x20, 0x7F)))
    fonts = [_find_font(pattern) for _, _, pattern in TEXT_FONTS]
    if None in fonts:
        print("build_pdf: Noto CJK fonts not found (fonts-noto-cjk)", file=sys.stderr)
        return ""
    key = hashlib.sha256(repr((unicodes, fonts)).encode()).hexdigest()[:12]
    folder.mkdir(parents=True, exist_ok=True)
    outs = [folder / f"text-{i}-{key}.ttf" for i in range(len(TEXT_FONTS))]
    jobs = [
        (file, index, unicodes, str(out))
        for (file, index), out in zip(fonts, outs, strict=True)  # type: ignore[misc]
        if not out.is_file()
    ]
    if jobs:
        for old in folder.glob("text-*.*"):
            if old not in outs:
                old.unlink()
        with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            list(pool.map(_subset_one, jobs))
    rules = [
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{out.resolve().as_uri()}") format("truetype"); }}'
        for (family, weight, _), out in zip(TEXT_FONTS, outs, strict=True)
    ]
    return "\n".join(rules) + FONT_CSS


def truetype_math_fonts(static: Path, folder: Path) -> str:
    """MathJax's fonts (CFF outlines in WOFF2) as TrueType copies in ``folder``, with
    ``@font-face`` rules that override the stylesheet's for the same families, so the math is
    embedded as real fonts too."""
    from fontTools.ttLib import TTFont

    css_file = static / "mathjax" / "mathjax-chtml.css"
    if not css_file.is_file():
        return ""
    folder.mkdir(parents=True, exist_ok=True)
    rules = []
    for rule in re.findall(r"@font-face[^{]*\{[^}]*\}", css_file.read_text(encoding="utf-8")):
        match = re.search(r'url\("([^"]+\.woff2?)"\)', rule)
        if not match:
            continue
        source = css_file.parent / match[1]
        out = folder / (source.stem + ".ttf")
        if not out.is_file() or out.stat().st_mtime < source.stat().st_mtime:
            font = TTFont(source)
            font.flavor = None
            if "CFF " in font:
                _to_truetype(font)
            font.save(out)
        src = f'url("{out.resolve().as_uri()}") format("truetype")'
        rules.append(re.sub(r"src:[^;]+;", f"src: {src};", rule))
    return "\n".join(rules)


LOAD_FONTS_JS = """async () => {
  const faces = [...document.fonts].filter((f) => /^"?(PDF |MJX)/.test(f.family));
  await Promise.all(faces.map((f) => f.load()));
  await document.fonts.ready;
  return faces.length;
}"""


def chromium_path() -> str:
    """:func:`editions.find_chromium`, or exit with what to install."""
    found = editions.find_chromium()
    if found is None:
        raise SystemExit(
            "build_pdf: no Chromium found. Install it (Debian/Ubuntu: apt-get install chromium "
            "fonts-noto-cjk) or set CHROMIUM_PATH."
        )
    return found


def title_page_html() -> str:
    cfg = editions.config()
    e = html.escape
    site = editions.site_url()
    today = dt.date.fromtimestamp(int(editions._commit_time(ROOT))).isoformat()
    return (
        f'<h1 class="pdf-title-main">{e(cfg.get("title", ""))}</h1>'
        f'<p class="pdf-version">PDF 版 · 版本 {e(editions.version())}</p>'
        f"<p>{e(cfg.get('author', ''))}</p>"
        f"<p>{e(today)}</p>"
        f'<p>在线版与可运行的笔记本：<a href="{e(site)}">{e(site)}</a></p>'
        '<p class="pdf-small">课程文字与图采用 CC BY-SA 4.0 许可；代码采用 MIT 许可。<br/>'
        "练习的参考答案印在每道练习之后（标有“参考答案”）。</p>"
    )


def toc_html(pages: dict[str, int] | None = None) -> str:
    """The contents: every page of ``_toc.yml``, section pages indented under their chapter."""
    items = []
    sections = set(editions.section_files())
    for doc in editions.toc_files():
        title = html.escape(editions.title_of(doc))
        page = str(pages.get(editions.title_of(doc), "")) if pages else ""
        href = "#document-" + doc if doc != editions.toc_files()[0] else "#"
        cls = ' class="pdf-toc-section"' if doc in sections else ""
        items.append(
            f'<li{cls}><a href="{html.escape(href)}">{title}</a>'
            f'<span class="pdf-dots"></span><span>{page}</span></li>'
        )
    return "<h1>目录</h1><ol>" + "".join(items) + "</ol>"


def footer_template() -> str:
    return (
        '<div style="width:100%;font-size:8pt;color:#555;text-align:center;'
        'font-family:\'Noto Sans Mono\',monospace;"><span class="pageNumber"></span></div>'
    )


def _clean_title(title: str) -> str:
    title = " ".join(str(title).split())
    half = len(title) // 2
    if len(title) % 2 == 0 and title and title[:half] == title[half:]:
        return title[:half]
    return title


def clean_bookmarks(pdf: Path) -> None:
    """Rewrite bookmark titles that Chromium doubled ("练习练习" -> "练习")."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=pdf)
    outlines = writer.root_object.get("/Outlines")
    changed = 0

    def walk(node: object) -> None:
        nonlocal changed
        while node is not None:
            item = node.get_object()
            title = str(item.get("/Title", ""))
            if _clean_title(title) != " ".join(title.split()) or title != title.strip():
                item[NameObject("/Title")] = TextStringObject(_clean_title(title))
                changed += 1
            if "/First" in item:
                walk(item["/First"])
            node = item.get("/Next")

    if outlines is not None and "/First" in outlines.get_object():
        walk(outlines.get_object()["/First"])
    if changed:
        with pdf.open("wb") as out:
            writer.write(out)


def bookmark_pages(pdf: Path, depth: int = 2) -> dict[str, int]:
    """Bookmark title -> 1-based page number, for the top ``depth`` levels (chapters, sections).

    A title that occurs more than once (e.g. "小结") keeps its first page.
    """
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages: dict[str, int] = {}

    def walk(items: list, level: int) -> None:
        previous = None
        for item in items:
            if isinstance(item, list):
                if previous is not None and level < depth:
                    walk(item, level + 1)
                continue
            previous = item
            pages.setdefault(_clean_title(item.title), reader.get_destination_page_number(item) + 1)

    walk(reader.outline, 1)
    return pages


PDF_OPTIONS: dict[str, object] = {
    "format": "A4",
    "print_background": True,
    "outline": True,  # bookmarks from the headings (needs the tagged structure)
    "tagged": True,
    "display_header_footer": True,
    "header_template": "<span></span>",
    "margin": {"top": "18mm", "bottom": "16mm", "left": "16mm", "right": "16mm"},
    "prefer_css_page_size": True,
}


def splice_pages(target: Path, replacement: Path, first: int) -> None:
    """Put the pages of ``replacement`` over ``target``'s pages from ``first`` (0-based): their
    drawing (contents, resources) only; links, bookmarks and page objects stay ``target``'s."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=target)
    for offset, page in enumerate(PdfReader(replacement).pages):
        added = writer.add_page(page)
        keep = writer.pages[first + offset]
        for key in ("/Contents", "/Resources"):
            keep[NameObject(key)] = added.raw_get(key)  # the reference, not a copy
        writer.remove_page(len(writer.pages) - 1)
    with target.open("wb") as out:
        writer.write(out)


def print_pdf(source: Path, target: Path) -> dict[str, object]:
    """Print ``source`` into ``target``: the whole book once, then only the contents pages again
    with the page numbers that the first print found, spliced in (same layout: the numbers sit
    in space the first print reserved)."""
    from playwright.sync_api import sync_playwright

    options = dict(PDF_OPTIONS, footer_template=footer_template())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            # Offline by construction: anything but local files is refused and reported.
            outside: list[str] = []

            def local_only(route: Any) -> None:
                url = route.request.url
                if url.startswith(("file:", "data:", "blob:")):
                    route.continue_()
                else:
                    outside.append(url)
                    route.abort()

            page.route("**/*", local_only)
            page.emulate_media(media="print", color_scheme="light")
            page.goto(source.resolve().as_uri(), wait_until="load")
            arg = {
                "titlePage": title_page_html(),
                "toc": toc_html(None),
                "css": PRINT_CSS,
                "screenDpi": SCREEN_DPI,
                "printMaxWidthCm": PRINT_MAX_WIDTH_CM,
            }
            stats = page.evaluate(RESHAPE_JS, arg)
            tick = time.perf_counter()
            fonts_css = subset_fonts(str(stats["text"]), PDF_DIR / "fonts")
            fonts_css += truetype_math_fonts(source.parent / "_static", PDF_DIR / "fonts" / "math")
            print(f"    fonts subset and converted in {time.perf_counter() - tick:.1f} s")
            page.add_style_tag(content=fonts_css)
            page.evaluate(LOAD_FONTS_JS)
            page.pdf(path=str(target), **options)
            clean_bookmarks(target)
            pages = bookmark_pages(target)
            # The contents run from the page after the title page up to the first document.
            first, last = 2, pages[editions.title_of(editions.toc_files()[0])] - 1
            page.evaluate(
                "(html) => { document.querySelector('.pdf-toc').innerHTML = html; }",
                toc_html(pages),
            )
            toc_pdf = target.with_suffix(".toc.pdf")
            page.pdf(path=str(toc_pdf), page_ranges=f"{first}-{last}", **options)
            splice_pages(target, toc_pdf, first - 1)
            toc_pdf.unlink()
        finally:
            browser.close()
    if outside:
        raise SystemExit(f"build_pdf: the page asked for other sites: {sorted(set(outside))}")
    if stats.get("broken"):
        raise SystemExit(f"build_pdf: images did not load: {stats['broken']}")
    if stats.get("untypeset"):
        raise SystemExit(f"build_pdf: {stats['untypeset']} formulas are not typeset")
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="reuse _build/singlehtml")
    args = parser.parse_args(argv)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # notes on Chromium's trailer size
    start = time.perf_counter()
    if not args.no_build:
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)
        subprocess.run(
            [
                str(Path(sys.executable).with_name("jupyter-book")),
                *("build", str(ROOT), "--builder", "singlehtml", "-W", "-n", "--keep-going"),
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    built = time.perf_counter()
    source = SINGLE / f"{editions.toc_files()[0]}.html"
    if not source.is_file():
        raise SystemExit(f"build_pdf: {source} is missing (run without --no-build)")
    PDF_DIR.mkdir(parents=True, exist_ok=True)
    target = PDF_DIR / editions.pdf_name()
    stats = print_pdf(source, target)
    printed = time.perf_counter()
    site_downloads = editions.HTML / editions.DOWNLOADS
    if (editions.HTML / "index.html").is_file():
        site_downloads.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, site_downloads / target.name)
    from pypdf import PdfReader

    n_pages = len(PdfReader(target).pages)
    print(
        f"==> {target.relative_to(ROOT)}: {n_pages} pages, {target.stat().st_size / 1e6:.1f} MB, "
        f"{stats['images']} images, {stats['solutions']} solutions; single-page build "
        f"{built - start:.1f} s, printing {printed - built:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
