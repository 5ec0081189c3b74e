#!/usr/bin/env python3
"""Check every external link of the built site and of ``references.bib`` (weekly workflow, part 3).

Usage (from the repository root, after ``jupyter-book build .``)::

    python scripts/check_links.py                       # _build/html and references.bib
    python scripts/check_links.py --report links.md     # also write a Markdown report
    python scripts/check_links.py --list                # only list the links, no network

What it collects: every ``http(s)`` address in an ``<a href>``, ``<img src>`` or ``<source src>``
of every HTML page of the built site (so also the links the build adds: repository, edit and
launch buttons, downloads, the "讨论" threads), and every ``url`` and ``doi`` field of
``references.bib`` (a DOI is checked as ``https://doi.org/<doi>``). Fragments are dropped and
each address is fetched once.

How it judges (standard library only; HEAD, then GET when a server refuses HEAD; redirects
followed; two retries with back-off for time-outs, 429 and 5xx):

- **broken** (exit 1): 404 or 410, a host that does not resolve, a refused connection, a TLS
  error, or a time-out on every try;
- **unsure** (listed, exit 0 unless ``--strict``): 401, 403, 429 and 5xx after the retries; many
  sites answer robots with these while a reader's browser gets the page;
- **skipped**: Binder launch links (``mybinder.org/v2/...``: fetching one starts an image build;
  the Binder environment is checked by part 1 of the workflow instead).

What it cannot check: the content behind a link (a moved page that still answers 200), anchors
inside other sites, pages that need a login, and whether a link is reachable from mainland China
(it runs where it runs: GitHub's runners).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html.parser
import re
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36 dl-basics-link-check"
)
SKIP = [
    (re.compile(r"^https://mybinder\.org/v2/"), "Binder launch link (part 1 checks Binder)"),
]
BROKEN_STATUS = {404, 410}


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "img": "src", "source": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value and value.startswith(("http://", "https://")):
                self.found.append(value)


def normalise(url: str) -> str:
    return urllib.parse.urldefrag(url.strip())[0]


def site_links(html_dir: Path) -> dict[str, set[str]]:
    """``{url: pages}`` for the external links of every page under ``html_dir``."""
    found: dict[str, set[str]] = {}
    for page in sorted(html_dir.rglob("*.html")):
        rel = page.relative_to(html_dir).as_posix()
        if rel.startswith(("_static/", "_sources/")):
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for url in parser.found:
            found.setdefault(normalise(url), set()).add(rel)
    return found


def bib_links(bib: Path) -> dict[str, set[str]]:
    """``{url: {"references.bib: <key>"}}`` for every ``url`` and ``doi`` field."""
    found: dict[str, set[str]] = {}
    key = "?"
    for line in bib.read_text(encoding="utf-8").splitlines():
        entry = re.match(r"\s*@\w+\s*\{\s*([^,\s]+)", line)
        if entry:
            key = entry[1]
        field_match = re.match(r"\s*(url|doi)\s*=\s*[{\"](.+?)[}\"]\s*,?\s*$", line, re.I)
        if not field_match:
            continue
        value = field_match[2].strip()
        if field_match[1].lower() == "doi":
            value = "https://doi.org/" + re.sub(r"^https?://(dx\.)?doi\.org/", "", value)
        found.setdefault(normalise(value), set()).add(f"{bib.name}: {key}")
    return found


@dataclass
class Result:
    url: str
    verdict: str  # ok, broken, unsure, skipped
    detail: str
    where: set[str] = field(default_factory=set)


def _request(url: str, method: str, timeout: float) -> int:
    req = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    if method == "GET":
        req.add_header("Range", "bytes=0-1023")
    context = ssl.create_default_context()
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        code = int(exc.code)
        exc.close()  # its response holds the connection open
        return code


def check(url: str, timeout: float = 20.0, tries: int = 3) -> Result:
    for pattern, reason in SKIP:
        if pattern.search(url):
            return Result(url, "skipped", reason)
    detail = ""
    for attempt in range(tries):
        try:
            status = _request(url, "HEAD", timeout)
            if status >= 400 and status not in BROKEN_STATUS:
                status = _request(url, "GET", timeout)  # some servers refuse HEAD
            elif status in BROKEN_STATUS:
                status = _request(url, "GET", timeout)  # ... or answer it wrongly
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, socket.gaierror):
                return Result(url, "broken", f"host does not resolve ({reason})")
            if isinstance(reason, (ssl.SSLError, ssl.CertificateError)):
                return Result(url, "broken", f"TLS error ({reason})")
            if isinstance(reason, ConnectionRefusedError):
                return Result(url, "broken", "connection refused")
            detail = f"network error ({reason})"
        except TimeoutError:
            detail = "time-out"
        except (ConnectionError, OSError) as exc:
            detail = f"network error ({exc})"
        else:
            if status < 400:
                return Result(url, "ok", str(status))
            if status in BROKEN_STATUS:
                return Result(url, "broken", f"HTTP {status}")
            detail = f"HTTP {status}"
            if status not in {429} and status < 500:
                return Result(url, "unsure", detail)
        time.sleep(2.0 * (attempt + 1))
    verdict = "broken" if detail == "time-out" else "unsure"
    return Result(url, verdict, detail + f" after {tries} tries")


def collect(html_dir: Path, bib: Path) -> dict[str, set[str]]:
    links: dict[str, set[str]] = {}
    sources = []
    if html_dir.is_dir():
        sources.append(site_links(html_dir))
    if bib.is_file():
        sources.append(bib_links(bib))
    for source in sources:
        for url, where in source.items():
            links.setdefault(url, set()).update(where)
    return links


def report(results: list[Result]) -> str:
    lines = ["| 结果 | 地址 | 说明 | 出现在 |", "|---|---|---|---|"]
    order = {"broken": 0, "unsure": 1, "skipped": 2, "ok": 3}
    for r in sorted(results, key=lambda r: (order[r.verdict], r.url)):
        if r.verdict == "ok":
            continue
        where = ", ".join(sorted(r.where)[:3]) + (" …" if len(r.where) > 3 else "")
        lines.append(f"| {r.verdict} | <{r.url}> | {r.detail} | {where} |")
    counts = {v: sum(r.verdict == v for r in results) for v in order}
    head = (
        f"外部链接 {len(results)} 个：ok {counts['ok']}，broken {counts['broken']}，"
        f"unsure {counts['unsure']}，skipped {counts['skipped']}。"
    )
    return head + "\n\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--bib", type=Path, default=ROOT / "references.bib")
    parser.add_argument("--report", type=Path, help="write a Markdown report here")
    parser.add_argument("--list", action="store_true", help="list the links; fetch nothing")
    parser.add_argument("--strict", action="store_true", help="unsure links fail too")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site} holds no built site: run jupyter-book build . first", file=sys.stderr)
        return 2
    links = collect(args.site, args.bib)
    if args.list:
        for url in sorted(links):
            print(url)
        return 0
    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        results = list(pool.map(check, sorted(links)))
    for result in results:
        result.where = links[result.url]
    text = report(results)
    print(text)
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    bad = {"broken", "unsure"} if args.strict else {"broken"}
    return 1 if any(r.verdict in bad for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
