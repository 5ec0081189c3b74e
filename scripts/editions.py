#!/usr/bin/env python3
"""The course's downloadable editions: facts shared by the build scripts, the tests and Sphinx.

- the book's pages and chapter titles, in reading order, from ``_toc.yml`` (never a fixed list);
- the course version (``project.version`` of ``pyproject.toml``: one version for the course,
  its nnlib wheel, CITATION.cff and CHANGELOG.md);
- the public site address (``html.baseurl`` of ``_config.yml`` or, if empty, the GitHub Pages
  address of ``repository.url``: the one configured site URL) and the download addresses;
- building nnlib's wheel and the notebook zip into ``<site>/downloads/``.

Usage (from the repository root, after ``jupyter-book build .``)::

    python scripts/editions.py            # wheel + notebook zip into _build/html/downloads/
    python scripts/editions.py --print    # print the download addresses
    python scripts/editions.py --version  # print the course version
    python scripts/editions.py --release DIR   # the release files (release workflow)

The PDF is built by ``scripts/build_pdf.py`` (``bash scripts/build_pdf.sh``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
DOWNLOADS = "downloads"  # folder of the site holding the editions

#: A Chinese PyPI mirror shown in the setup instructions (any PEP 503 mirror works).
MIRROR = "https://pypi.tuna.tsinghua.edu.cn/simple"


# --------------------------------------------------------------------------- the browser
def find_chromium() -> str | None:
    """The Chromium that prints the PDF and runs the site's browser checks: ``$CHROMIUM_PATH``
    if set, else Debian's ``chromium`` (what ``.ci/run`` installs), else a Google Chrome on PATH
    (preinstalled on GitHub's runners); ``None`` if there is none."""
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


# --------------------------------------------------------------------------- configuration
def config(root: Path = ROOT) -> dict[str, Any]:
    import yaml  # here, so that `--version` runs on a bare Python (release workflow)

    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}


def version(root: Path = ROOT) -> str:
    """The course version: ``project.version`` in ``pyproject.toml``."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


def site_url(root: Path = ROOT) -> str:
    """Public address of the site, ending in '/'.

    ``html.baseurl`` if set, else ``https://<owner>.github.io/<repo>/`` from ``repository.url``
    (the rule of ``_ext/site_quality.py``; a test checks that both agree).

    Raises:
        ValueError: if neither gives an https address.
    """
    cfg = config(root)
    base = str((cfg.get("html") or {}).get("baseurl") or "").strip()
    if not base:
        repo = str((cfg.get("repository") or {}).get("url") or "")
        match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repo)
        if match:
            base = f"https://{match[1].lower()}.github.io/{match[2]}/"
    if not base.startswith("https://"):
        raise ValueError("_config.yml: set html.baseurl or repository.url (https://github.com/…)")
    return base if base.endswith("/") else base + "/"


def slug(root: Path = ROOT) -> str:
    """Short file-name prefix of the editions: the repository name, e.g. ``dl-basics``."""
    url = str((config(root).get("repository") or {}).get("url") or "course")
    return url.rstrip("/").removesuffix(".git").split("/")[-1]


def wheel_name(root: Path = ROOT) -> str:
    return f"nnlib-{version(root)}-py3-none-any.whl"


def pdf_name(root: Path = ROOT) -> str:
    return f"{slug(root)}.pdf"


def zip_name(root: Path = ROOT) -> str:
    return f"{slug(root)}-notebooks.zip"


def download_paths(root: Path = ROOT) -> dict[str, str]:
    """Site-relative paths of the three downloads (the site itself is the fourth edition)."""
    return {
        "pdf": f"{DOWNLOADS}/{pdf_name(root)}",
        "wheel": f"{DOWNLOADS}/{wheel_name(root)}",
        "zip": f"{DOWNLOADS}/{zip_name(root)}",
    }


def wheel_url(root: Path = ROOT) -> str:
    """Where Colab installs nnlib from (written into every chapter by sync_repo_url.py)."""
    return site_url(root) + download_paths(root)["wheel"]


# --------------------------------------------------------------------------- book structure
def toc_files(root: Path = ROOT) -> list[str]:
    """Every document of ``_toc.yml`` in reading order (root first), without suffix.

    Understands the jb-book forms: ``chapters:`` or ``parts: [{chapters: …}]``, with nested
    ``sections:``.
    """
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [str(toc["root"])]

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries or []:
            if "file" in entry:
                files.append(str(entry["file"]))
            walk(entry.get("sections", []))

    walk(toc.get("chapters", []))
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    return files


def section_files(root: Path = ROOT) -> list[str]:
    """The section pages of ``_toc.yml`` (the ``sections`` of a chapter), in reading order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(entries: list[dict[str, Any]], depth: int) -> None:
        for entry in entries:
            if depth:
                found.append(str(entry["file"]))
            walk(entry.get("sections", []), depth + 1)

    walk(toc.get("chapters", []), 0)
    for part in toc.get("parts", []):
        walk(part.get("chapters", []), 0)
    return found


def source_of(doc: str, root: Path = ROOT) -> Path:
    for suffix in (".ipynb", ".md"):
        path = root / f"{doc}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"_toc.yml names {doc!r}, but neither .ipynb nor .md exists")


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of ``_toc.yml`` in reading order (the chapters and notebook appendices)."""
    paths = [source_of(doc, root) for doc in toc_files(root)]
    return [p for p in paths if p.suffix == ".ipynb"]


def _markdown_texts(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return [
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"]
            if c["cell_type"] == "markdown"
        ]
    text = path.read_text(encoding="utf-8")
    return [re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)]


def _plain(markdown: str) -> str:
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " ", markdown, flags=re.S)  # math
    text = re.sub(r"`[^`]*`", " ", text)  # code
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links
    text = re.sub(r"\{[a-z-]+\}", " ", text)  # roles
    return re.sub(r"[*_#>]", "", text)


def title_of(doc: str, root: Path = ROOT) -> str:
    """The document's H1 title (first ``# `` line), as plain text."""
    for text in _markdown_texts(source_of(doc, root)):
        match = re.search(r"^# +(.+?)\s*$", text, re.M)
        if match:  # inline code stays in a title ("4.1 用 nn.Module 定义网络")
            return " ".join(_plain(re.sub(r"`([^`]*)`", r"\1", match[1])).split())
    raise ValueError(f"{doc}: no '# title' line")


def phrase_of(doc: str, root: Path = ROOT, length: int = 8) -> str:
    """A run of ``length`` Chinese characters from the document's first prose paragraph: a
    phrase that a text edition (the PDF) must contain, in the reading order of the source."""
    for text in _markdown_texts(source_of(doc, root)):
        for para in re.split(r"\n\s*\n", text):
            if para.lstrip().startswith(("#", ":::", "```", "(", "|", "<", "$$", "-", "*", "1.")):
                continue
            match = re.search(rf"[\u4e00-\u9fff]{{{length}}}", _plain(para))
            if match:
                return match[0]
    raise ValueError(f"{doc}: no paragraph with {length} Chinese characters in a row")


def figure_count(path: Path) -> int:
    """Number of stored figures (``image/png`` or ``image/svg+xml`` outputs) in a notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(
        1
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
        if {"image/png", "image/svg+xml"} & set(out.get("data", {}))
    )


# --------------------------------------------------------------------------- the downloads
def build_wheel(out: Path, root: Path = ROOT) -> Path:
    """``nnlib-<version>-py3-none-any.whl`` into ``out`` (setuptools from the environment, no
    download: torch already requires setuptools)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # Build from a clean copy: setuptools reuses a stale build/lib of the source tree.
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            shutil.copy(root / name, src / name)
        shutil.copytree(
            root / "nnlib", src / "nnlib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        env = dict(os.environ)
        env.setdefault("SOURCE_DATE_EPOCH", _commit_time(root))
        subprocess.run(
            [
                sys.executable,
                *("-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"),
                *("--wheel-dir", tmp, str(src)),
            ],
            check=True,
            env=env,
        )
        built = sorted(Path(tmp).glob("nnlib-*.whl"))
        if [p.name for p in built] != [wheel_name(root)]:
            raise RuntimeError(f"expected {wheel_name(root)}, pip built {built}")
        target = out / built[0].name
        shutil.copyfile(built[0], target)
    for old in out.glob("nnlib-*.whl"):
        if old != target:
            old.unlink()
    return target


def _commit_time(root: Path) -> str:
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True
        )
        stamp = result.stdout.strip()
    except OSError:
        stamp = ""
    return stamp if stamp.isdigit() else "1767225600"  # 2026-01-01


def learner_requirements(root: Path = ROOT) -> str:
    """What a learner installs to run the chapters: the pins of ``binder/requirements.txt``
    (the chapters' runtime set, equal to requirements.txt, tested) with PyPI's torch instead of
    the ``+cpu`` local version, plus jupyterlab, plus the nnlib wheel next to the file."""
    pins = []
    for raw in (root / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            pins.append(line.replace("+cpu", ""))
    for raw in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if raw.startswith("jupyterlab=="):
            pins.append(raw.strip())
    head = (
        f"# 运行本课程各章所需的固定版本（课程版本 {version(root)}），以及同一文件夹中的 nnlib。\n"
        "# 在解压后的文件夹中运行：pip install -r requirements.txt（见 README.md）\n"
    )
    return head + "\n".join(pins) + f"\n./{wheel_name(root)}\n"


def zip_readme(root: Path = ROOT) -> str:
    site = site_url(root)
    title = config(root).get("title", "")
    return f"""# {title} · 笔记本（版本 {version(root)}）

这个压缩包来自课程网站 <{site}>，包含全部章节笔记本（已执行，带输出）、课程共享代码包
`nnlib` 的安装文件（`{wheel_name(root)}`）和运行所需的固定版本清单 `requirements.txt`。
准备环境不需要访问 GitHub，PyPI 的国内镜像即可。

## 准备环境（Python 3.11 或更新）

在解压后的文件夹中运行（Windows 上把 `.venv/bin/` 换成 `.venv\\Scripts\\`）：

```bash
python3 -m venv .venv
.venv/bin/pip install -r requirements.txt --index-url {MIRROR}
.venv/bin/jupyter lab chapters/
```

`--index-url` 可换成任何 PyPI 镜像（例如 `https://mirrors.aliyun.com/pypi/simple/`），
也可以不写（直接用 PyPI）。

**PyTorch**：Windows 和 macOS 上 PyPI（及其镜像）的 `torch` 就是 CPU 版，上面的命令即可。
Linux 上 PyPI 的 `torch` 是 CUDA 版，会再装几 GB 的 `nvidia-*` 包（也都在镜像上）；只要 CPU 版时，
先从 PyTorch 的 CPU 索引装同一版本，再运行上面的第二行：

```bash
.venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
```

## 内容

- `chapters/`：各章笔记本，顺序与网站相同；
- `{wheel_name(root)}`：`nnlib`，`requirements.txt` 的最后一行安装它；
- 网站与 PDF 版：<{site}>（PDF：<{site}{download_paths(root)["pdf"]}>）。

课程文字与图采用 CC BY-SA 4.0 许可，代码采用 MIT 许可。
"""


def build_zip(out: Path, wheel: Path, root: Path = ROOT) -> Path:
    """The notebook zip: one folder holding the chapters, the wheel, requirements and README."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / zip_name(root)
    folder = f"{slug(root)}-{version(root)}"
    stamp = (2026, 1, 1, 0, 0, 0)  # fixed timestamps: the same sources give the same zip

    def add(name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, data)

    with zipfile.ZipFile(target, "w") as archive:
        add("README.md", zip_readme(root).encode("utf-8"))
        add("requirements.txt", learner_requirements(root).encode("utf-8"))
        add(wheel.name, wheel.read_bytes())
        for nb in chapter_notebooks(root):
            add(nb.relative_to(root).as_posix(), nb.read_bytes())
    return target


def release_notes(root: Path = ROOT) -> str:
    """The CHANGELOG.md section of the current version (``## [X.Y.Z] - date`` up to the next).

    Raises:
        ValueError: if CHANGELOG.md has no section for the version.
    """
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(
        rf"^## \[{re.escape(version(root))}\][^\n]*\n(.*?)(?=^## \[|\Z)", text, re.M | re.S
    )
    if not match:
        raise ValueError(f"CHANGELOG.md has no '## [{version(root)}] - <date>' section")
    return match[1].strip() + "\n"


def collect_release(target: Path, html_dir: Path = HTML, root: Path = ROOT) -> list[Path]:
    """The files a GitHub release carries, versioned: the PDF, the wheel, the notebook zip, the
    site as a .tar.gz, and NOTES.md (the CHANGELOG section)."""
    downloads = html_dir / DOWNLOADS
    v, name = version(root), slug(root)
    target.mkdir(parents=True, exist_ok=True)
    files = {
        downloads / pdf_name(root): target / f"{name}-{v}.pdf",
        downloads / wheel_name(root): target / wheel_name(root),
        downloads / zip_name(root): target / f"{name}-notebooks-{v}.zip",
    }
    for source, dest in files.items():
        if not source.is_file():
            raise FileNotFoundError(f"{source} is missing: run scripts/build.sh first")
        shutil.copyfile(source, dest)
    site = target / f"{name}-site-{v}.tar.gz"
    with tarfile.open(site, "w:gz") as archive:
        archive.add(html_dir, arcname=f"{name}-site-{v}")
    notes = target / "NOTES.md"
    notes.write_text(release_notes(root), encoding="utf-8")
    return [*files.values(), site, notes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=HTML, help="the built site (default %(default)s)"
    )
    parser.add_argument("--print", action="store_true", help="print the download addresses")
    parser.add_argument("--version", action="store_true", help="print the course version")
    parser.add_argument("--release", type=Path, help="collect the release files into this folder")
    args = parser.parse_args(argv)
    if args.version:
        print(version())
        return 0
    if args.release:
        for path in collect_release(args.release, args.out):
            print(f"==> {path} ({path.stat().st_size / 1024:.0f} kB)")
        return 0
    if args.print:
        print(f"version {version()}  site {site_url()}")
        for kind, path in download_paths().items():
            print(f"{kind:5} {site_url()}{path}")
        return 0
    if not (args.out / "index.html").is_file():
        print(f"{args.out} holds no built site: run jupyter-book build . first", file=sys.stderr)
        return 1
    downloads = args.out / DOWNLOADS
    wheel = build_wheel(downloads)
    archive = build_zip(downloads, wheel)
    for path in (wheel, archive):
        print(f"==> {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
