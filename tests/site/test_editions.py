"""The course's other editions, as published with the site (README "四种版本"):

- the PDF (``downloads/<repo>.pdf``): page count, a bookmark per document of ``_toc.yml``, each
  chapter's text extractable (searchable, copyable), every figure, typeset math, every hidden
  solution, OFL fonts only, the version on the title page;
- nnlib's wheel and the notebook zip (``downloads/``), linked from the intro, every footer and
  every chapter's download menu; the Colab setup cell installs exactly that wheel;
- the front door (``index.html``) and the image alt texts of every page.

Run after ``scripts/build.sh`` (or ``scripts/test.sh``), which builds all four into _build/html.
The chapter list always comes from ``_toc.yml`` (scripts/editions.py).
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, book_pages, editions

DOCS = editions.toc_files()
NOTEBOOKS = editions.chapter_notebooks()
DOWNLOADS = editions.download_paths()
SOLUTION_LABEL = "参考答案（代码与输出）"


# --------------------------------------------------------------------------- the PDF
@pytest.fixture(scope="module")
def pdf(html_dir: Path) -> Any:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # Chromium's trailer size notes
    path = html_dir / DOWNLOADS["pdf"]
    if not path.is_file():
        pytest.fail(f"{path} is missing: run scripts/build_pdf.sh (scripts/build.sh does)")
    return PdfReader(path)


@pytest.fixture(scope="module")
def pdf_text(html_dir: Path, pdf: Any) -> str:
    """The PDF's text layer, as a reader copies or searches it (PDFium: the engine of Chrome's
    PDF viewer; 20x faster than pypdf's extractor here)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(html_dir / DOWNLOADS["pdf"])
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_page_count_is_sane(pdf: Any) -> None:
    # About 20 pages per chapter-level document (a chapter with its sections, an appendix page);
    # far fewer means content went missing, far more means the layout broke.
    top = [d for d in DOCS if d not in set(editions.section_files())]
    assert 5 * len(top) <= len(pdf.pages) <= 60 * len(DOCS), len(pdf.pages)


def _outline(pdf: Any) -> list[tuple[str, int, list]]:
    """Top-level bookmarks: (title, page index, the list of their children's items)."""
    items = list(pdf.outline)
    out = []
    for k, item in enumerate(items):
        if isinstance(item, list):
            continue
        children = items[k + 1] if k + 1 < len(items) and isinstance(items[k + 1], list) else []
        out.append(
            (" ".join(str(item.title).split()), pdf.get_destination_page_number(item), children)
        )
    return out


def test_pdf_bookmarks_are_chapters_then_their_sections_in_reading_order(pdf: Any) -> None:
    sections = set(editions.section_files())
    top = _outline(pdf)
    titles = [editions.title_of(doc) for doc in DOCS if doc not in sections]
    missing = [t for t in titles if t not in [t for t, _, _ in top]]
    assert missing == [], (
        f"no top-level bookmark for {missing}; bookmarks: {[t for t, _, _ in top]}"
    )
    pages = [page for title, page, _ in top if title in titles]
    assert pages == sorted(pages), "chapters out of order"
    # Each section page is a second-level bookmark under its chapter, in reading order.
    toc = editions.toc_files()
    for title, _, children in top:
        docs = [d for d in DOCS if d not in sections and editions.title_of(d) == title]
        if not docs:
            continue
        expected = [
            d for d in editions.section_files() if d.rsplit("/", 1)[0] + "/index" == docs[0]
        ]
        if not expected:
            continue
        child_titles = [" ".join(str(c.title).split()) for c in children if not isinstance(c, list)]
        wanted = [editions.title_of(d) for d in sorted(expected, key=toc.index)]
        assert [t for t in child_titles if t in wanted] == wanted, (
            f"{title}: section bookmarks {child_titles}, expected {wanted}"
        )


def test_pdf_contents_page_gives_each_document_its_page(pdf: Any, pdf_text: str) -> None:
    starts: dict[str, int] = {}
    for title, page, children in _outline(pdf):
        starts.setdefault(title, page + 1)
        for child in children:
            if not isinstance(child, list):
                starts.setdefault(
                    " ".join(str(child.title).split()), pdf.get_destination_page_number(child) + 1
                )
    contents = _squash(pdf_text[: pdf_text.find(editions.phrase_of(DOCS[0]))])
    for doc in DOCS:
        title = editions.title_of(doc)
        assert _squash(title) + str(starts[title]) in contents, (
            f"contents: {title} p.{starts[title]}"
        )


def test_pdf_title_page_names_course_and_version(pdf_text: str) -> None:
    first = pdf_text[:400]
    assert editions.config()["title"] in first
    assert f"版本 {editions.version()}" in first


@pytest.mark.parametrize("doc", DOCS)
def test_pdf_text_of_each_document_is_extractable(pdf_text: str, doc: str) -> None:
    # Exact characters, as a reader's search would type them (not the look-alike radicals).
    phrase = editions.phrase_of(doc)
    assert phrase in _squash(pdf_text), f"{doc}: {phrase!r} not found in the PDF text"


def test_pdf_text_has_no_radical_look_alikes(pdf_text: str) -> None:
    found = sorted(set(re.findall(r"[\u2e80-\u2fdf]", pdf_text)))
    assert found == [], f"Kangxi/CJK radicals instead of ideographs: {found}"


def test_pdf_has_every_figure(pdf: Any) -> None:
    images: set[int] = set()
    seen: set[int] = set()

    def collect(resources: Any) -> None:
        resources = resources.get_object() if resources is not None else None
        for ref in (resources or {}).get("/XObject", {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                images.add(ref.idnum)
            elif xobject.get("/Subtype") == "/Form" and ref.idnum not in seen:
                seen.add(ref.idnum)
                collect(xobject.get("/Resources"))

    for page in pdf.pages:
        collect(page.get("/Resources"))
    expected = sum(editions.figure_count(nb) for nb in NOTEBOOKS)
    assert len(images) >= expected, f"{len(images)} images in the PDF, {expected} figures stored"


def test_pdf_figures_are_print_resolution(html_dir: Path) -> None:
    """Every chapter figure is printed at >= 300 dots per inch (PDFium computes each image's
    resolution from its pixels and the size it is drawn at on the page)."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    document = pypdfium2.PdfDocument(html_dir / DOWNLOADS["pdf"])
    try:
        dpis = []
        for page in document:
            for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
                meta = image.get_metadata()
                if meta.width >= 400:  # a figure, not an icon
                    dpis.append(min(meta.horizontal_dpi, meta.vertical_dpi))
    finally:
        document.close()
    expected = sum(editions.figure_count(nb) for nb in NOTEBOOKS)
    assert len(dpis) >= expected, f"{len(dpis)} figures in the PDF, {expected} stored"
    assert min(dpis) >= 299.5, sorted(dpis)[:5]  # 300, up to rounding


def _code_dollar_snippets() -> set[str]:
    """``$…$`` that appear in code or its outputs (matplotlib labels): legitimate in the PDF."""
    snippets: set[str] = set()
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            text = "".join(cell["source"])
            for out in cell.get("outputs", []):
                text += "".join(out.get("text", "")) + "".join(
                    out.get("data", {}).get("text/plain", "")
                )
            snippets |= {_squash(s) for s in re.findall(r"\$[^$\n]+\$", text)}
    return snippets


def test_pdf_has_no_raw_tex(pdf_text: str) -> None:
    allowed = _code_dollar_snippets()
    raw = [s for s in re.findall(r"\$[^$\n]{1,80}\$", pdf_text) if _squash(s) not in allowed]
    assert raw == [], f"untypeset math in the PDF: {raw[:10]}"
    assert not re.search(r"\\\(|\\\[|\$\$", pdf_text)


def test_pdf_prints_every_hidden_solution(pdf_text: str) -> None:
    hidden = sum(
        "hide-cell" in cell.get("metadata", {}).get("tags", [])
        for path in NOTEBOOKS
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
    )
    assert hidden > 0
    assert _squash(pdf_text).count(SOLUTION_LABEL) == hidden


def test_pdf_fonts_are_embedded_and_ofl(pdf: Any) -> None:
    names: set[str] = set()
    seen: set[int] = set()

    def collect(resources: Any) -> None:
        resources = resources.get_object() if resources is not None else None
        if not resources:
            return
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":
                continue  # glyph drawings in the file itself, always embedded
            names.add(str(font.get("/BaseFont")))
            for descendant in font.get("/DescendantFonts") or []:
                descriptor = descendant.get_object().get("/FontDescriptor").get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (
                    f"{font.get('/BaseFont')} is not embedded"
                )
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if id(xobject) not in seen and xobject.get("/Subtype") == "/Form":
                seen.add(id(xobject))
                collect(xobject.get("/Resources"))

    for page in pdf.pages:
        collect(page.get("/Resources"))
    # Noto (fonts-noto-*), STIX (fonts-stix), MathJax TeX, Font Awesome Free (the theme's icon
    # font, e.g. on admonition and dropdown titles): all SIL OFL 1.1.
    ofl = r"\+(Noto|STIX|MJX|MathJax_|FontAwesome6Free)"
    others = sorted(n for n in names if not re.search(ofl, n))
    assert others == [], f"fonts outside the OFL set: {others}"
    # The Chinese text is set in real embedded fonts (not only Type 3 glyph drawings).
    for family in ("NotoSerifCJKsc", "NotoSansCJKsc"):
        assert any(f"+{family}-" in n for n in names), f"{family} not embedded: {sorted(names)}"


# --------------------------------------------------------------------------- wheel and zip
def test_wheel_is_the_current_nnlib(html_dir: Path) -> None:
    wheel = html_dir / DOWNLOADS["wheel"]
    assert wheel.name == f"nnlib-{editions.version()}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        modules = {n for n in names if n.startswith("nnlib/")}
        assert modules == {
            p.relative_to(ROOT).as_posix() for p in (ROOT / "nnlib").rglob("*.py")
        }, "the wheel holds exactly nnlib's current modules"
        meta = archive.read(f"nnlib-{editions.version()}.dist-info/METADATA").decode()
    assert f"\nVersion: {editions.version()}\n" in meta
    assert not re.search(r"^Requires-Dist: torch\b(?!info)", meta, re.M)  # Colab keeps its torch


def test_notebook_zip_is_self_contained(html_dir: Path) -> None:
    path = html_dir / DOWNLOADS["zip"]
    with zipfile.ZipFile(path) as archive:
        files = {n.split("/", 1)[1]: n for n in archive.namelist()}
        for nb in NOTEBOOKS:
            rel = nb.relative_to(ROOT).as_posix()
            assert rel in files, rel
            assert archive.read(files[rel]) == nb.read_bytes(), f"{rel} differs from the source"
        readme = archive.read(files["README.md"]).decode("utf-8")
        requirements = archive.read(files["requirements.txt"]).decode("utf-8")
        assert editions.wheel_name() in files
    assert re.search(r"[\u4e00-\u9fff]{10}", readme), "README in Chinese"
    assert "--index-url" in readme and "github.com" not in readme
    assert requirements.rstrip().endswith(f"./{editions.wheel_name()}")
    assert re.search(r"^torch==\d", requirements, re.M)
    assert re.search(r"^jupyterlab==", requirements, re.M)


# --------------------------------------------------------------------------- links and pages
class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@cache
def _parse(path: Path) -> _Tags:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _hrefs(path: Path) -> set[str]:
    return {a.get("href", "") for tag, a in _parse(path).tags if tag == "a"}


@pytest.mark.parametrize("page", book_pages())
def test_every_page_links_the_downloads_and_shows_the_version(html_dir: Path, page: str) -> None:
    path = html_dir / page
    depth = "../" * page.count("/")
    hrefs = _hrefs(path)
    for kind, target in DOWNLOADS.items():
        assert depth + target in hrefs, f"{page}: no link to the {kind}"
        assert (html_dir / target).is_file(), target
    text = "".join(_parse(path).text)
    assert f"版本 {editions.version()}" in text
    assert "下载 PDF" in text


def test_intro_links_the_downloads_and_the_mirror_setup(html_dir: Path) -> None:
    text = (html_dir / book_pages()[0]).read_text(encoding="utf-8")
    assert not re.search(r"(@|&#64;)[A-Z_]+(@|&#64;)", text), "unreplaced @TOKEN@"
    assert f"当前版本 {editions.version()}" in text
    assert editions.wheel_name() in re.sub(r"<[^>]+>", "", text)
    assert "--index-url" in text and "PIP_INDEX_URL=" in text


@pytest.mark.parametrize("page", [p for p in book_pages() if p.startswith("chapters/")])
def test_chapter_download_menu_offers_the_whole_course(html_dir: Path, page: str) -> None:
    text = (html_dir / page).read_text(encoding="utf-8")
    for label in ("download-book-pdf-button", "download-notebooks-button", "download-wheel-button"):
        assert label in text, f"{page}: {label}"


def test_colab_cells_install_the_published_wheel(html_dir: Path) -> None:
    url = editions.wheel_url()
    assert url.startswith(editions.site_url())
    assert (html_dir / url.removeprefix(editions.site_url())).is_file()
    for nb in NOTEBOOKS:
        assert f'"nnlib @ {url}"' in nb.read_text(encoding="utf-8").replace('\\"', '"'), nb.name


def test_site_url_agrees_with_the_page_metadata(html_dir: Path) -> None:
    intro = book_pages()[0]
    metas = {
        a.get("property"): a.get("content") for t, a in _parse(html_dir / intro).tags if t == "meta"
    }
    assert metas["og:url"] == editions.site_url() + intro


def test_front_door(html_dir: Path) -> None:
    path = html_dir / "index.html"
    text = path.read_text(encoding="utf-8")
    assert re.search(r'<html lang="zh-CN"', text)
    tags = _parse(path).tags
    title = "".join(_parse(path).text)
    assert editions.config()["title"] in title
    meta = {a.get("name") or a.get("http-equiv"): a.get("content") for t, a in tags if t == "meta"}
    assert 20 <= len(meta.get("description") or "") <= 160
    root = book_pages()[0]
    links = {a.get("rel"): a.get("href") for t, a in tags if t == "link"}
    assert links["canonical"] == editions.site_url() + root
    assert (html_dir / links["icon"]).is_file()
    assert meta.get("refresh", "").endswith(f"url={root}")


# --------------------------------------------------------------------------- alt texts
_FILE_LIKE = re.compile(r"(/|\\|\.(png|jpe?g|svg|gif|webp)$|^[0-9a-f]{16,}$)", re.I)


def _bad_alts(path: Path) -> list[str]:
    bad = []
    for tag, attrs in _parse(path).tags:
        if tag != "img":
            continue
        alt = attrs.get("alt")
        if alt is None or not alt.strip() or _FILE_LIKE.search(alt.strip()):
            bad.append(f"{attrs.get('src')}: alt={alt!r}")
    return bad


def _pages(html_dir: Path) -> list[Path]:
    return sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.parts)


def _is_notebook_page(html_dir: Path, page: Path) -> bool:
    doc = page.relative_to(html_dir).with_suffix("").as_posix()
    return (ROOT / f"{doc}.ipynb").is_file()


def test_images_outside_the_chapters_have_real_alt_texts(html_dir: Path) -> None:
    problems = {
        p.relative_to(html_dir).as_posix(): _bad_alts(p)
        for p in _pages(html_dir)
        if not _is_notebook_page(html_dir, p)
    }
    assert {k: v for k, v in problems.items() if v} == {}


def test_chapter_figures_have_real_alt_texts(html_dir: Path) -> None:
    problems = {
        p.relative_to(html_dir).as_posix(): _bad_alts(p)
        for p in _pages(html_dir)
        if _is_notebook_page(html_dir, p)
    }
    assert {k: v for k, v in problems.items() if v} == {}


# --------------------------------------------------------------------------- figure sizes
def test_site_serves_figures_at_twice_their_display_size(html_dir: Path) -> None:
    """The notebooks store figures at print resolution; the site's copies have 2 pixels per CSS
    pixel of the size the page shows them at (sharp on high-density screens, half the bytes)."""
    from PIL import Image

    checked, wrong = 0, []
    for page in _pages(html_dir):
        if not _is_notebook_page(html_dir, page):
            continue
        for tag, attrs in _parse(page).tags:
            src = attrs.get("src") or ""
            if tag != "img" or "_images/" not in src or not src.endswith(".png"):
                continue
            width = attrs.get("width")
            assert width, f"{page.name}: {attrs.get('src')} has no display width"
            with Image.open((page.parent / attrs["src"]).resolve()) as image:
                if abs(image.width - 2 * float(width.removesuffix("px"))) > 1:
                    wrong.append(f"{page.name}: {attrs['src']} {image.width} px for width {width}")
            checked += 1
    assert checked >= sum(editions.figure_count(nb) for nb in NOTEBOOKS)
    assert wrong == []
