"""The weekly check (``.github/workflows/weekly.yml``) and its scripts, without the network.

The workflow's three parts need Docker, the Colab-like Python and the Internet, so they run on
GitHub; here: its structure, ``actionlint`` over every workflow (when installed), and the
scripts' logic (link collection and verdicts against a local HTTP server, the Colab check's
reading of the first cell).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest
import yaml
from loading import load_module

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
WEEKLY = WORKFLOWS / "weekly.yml"


links = load_module("check_links", ROOT / "scripts" / "check_links.py")
colab = load_module("colab_check", ROOT / "scripts" / "colab_check.py")
editions = load_module("course_editions", ROOT / "scripts" / "editions.py")


def _weekly() -> dict:
    return yaml.safe_load(WEEKLY.read_text(encoding="utf-8"))


def _runs(job: dict) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


def test_runs_weekly_and_by_hand() -> None:
    wf = _weekly()
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert "workflow_dispatch" in on
    (schedule,) = on["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert day == "*" and month == "*" and weekday.isdigit(), schedule  # once a week
    assert wf["permissions"] == {"contents": "read"}


def test_the_three_parts_and_the_report() -> None:
    jobs = _weekly()["jobs"]
    assert "bash scripts/binder_check.sh" in _runs(jobs["binder"])
    assert "scripts/colab_check.py" in _runs(jobs["colab"])
    runs = _runs(jobs["links"])
    assert "jupyter-book build . -W" in runs and "scripts/check_links.py" in runs
    report = jobs["report"]
    assert set(report["needs"]) == {"binder", "colab", "links"}
    assert "failure" in report["if"]
    assert report["permissions"] == {"issues": "write"}
    assert "gh issue create" in _runs(report) and "gh issue comment" in _runs(report)
    for name, job in jobs.items():
        if name != "report":
            assert "permissions" not in job, f"{name} must not widen the permissions"


def test_colab_job_uses_colab_python_and_no_course_pins() -> None:
    wf = _weekly()
    version = str(wf["env"]["COLAB_PYTHON"])
    assert tuple(int(p) for p in version.split(".")) >= (3, 11)
    steps = wf["jobs"]["colab"]["steps"]
    python = next(s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "${{ env.COLAB_PYTHON }}"
    packages = str(wf["env"]["COLAB_PACKAGES"])
    assert "nnlib" not in packages and "==" not in packages  # Colab has neither


def test_binder_script_builds_from_binder_folder_and_runs_nbval_lax() -> None:
    text = (ROOT / "scripts" / "binder_check.sh").read_text(encoding="utf-8")
    assert "repo2docker" in text and "--nbval-lax" in text
    assert "editions.chapter_notebooks()" in text  # every notebook of _toc.yml
    assert (ROOT / "binder" / "requirements.txt").is_file()  # repo2docker then ignores the root
    assert subprocess.run(["bash", "-n", str(ROOT / "scripts" / "binder_check.sh")]).returncode == 0


def _actionlint() -> str | None:
    exe = Path(sys.executable).with_name("actionlint")
    return str(exe) if exe.is_file() else shutil.which("actionlint")


def test_actionlint_passes_on_every_workflow() -> None:
    exe = _actionlint()
    if exe is None:
        pytest.skip("actionlint is not installed (pip install -r requirements.txt)")
    # ShellCheck checks the run: scripts too when it is installed; otherwise it is switched off
    # explicitly so the result does not depend on the machine.
    shellcheck = [] if shutil.which("shellcheck") else ["-shellcheck="]
    workflows = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    result = subprocess.run(
        [exe, "-no-color", "-oneline", *shellcheck, "-pyflakes=", *map(str, workflows)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------ scripts/check_links.py
def test_links_are_collected_from_pages_and_bibliography(tmp_path: Path) -> None:
    site = tmp_path / "html"
    (site / "_static").mkdir(parents=True)
    (site / "index.html").write_text(
        '<a href="https://a.example/x#frag">x</a><a href="page.html">in</a>'
        '<img src="https://b.example/i.png"><a href="mailto:x@y">m</a>',
        encoding="utf-8",
    )
    (site / "_static" / "skip.html").write_text('<a href="https://c.example/">', "utf-8")
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{k1,\n  doi = {10.1000/xyz},\n}\n"
        "@book{k2,\n  url = {https://d.example/book},\n  doi = {https://doi.org/10.2/ab},\n}\n",
        encoding="utf-8",
    )
    found = links.collect(site, bib)
    assert found == {
        "https://a.example/x": {"index.html"},
        "https://b.example/i.png": {"index.html"},
        "https://doi.org/10.1000/xyz": {"refs.bib: k1"},
        "https://d.example/book": {"refs.bib: k2"},
        "https://doi.org/10.2/ab": {"refs.bib: k2"},
    }


def test_the_real_site_sources_are_collected() -> None:
    found = links.bib_links(ROOT / "references.bib")
    assert found and all(u.startswith("https://") for u in found)


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, body: bool) -> None:
        code = {"/ok": 200, "/gone": 404, "/robots": 403, "/nohead": 200}.get(self.path, 500)
        if self.command == "HEAD" and self.path == "/nohead":
            code = 405
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    ("path", "verdict"),
    [("/ok", "ok"), ("/gone", "broken"), ("/robots", "unsure"), ("/nohead", "ok")],
)
def test_link_verdicts(
    server: str, path: str, verdict: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # the local server, not through a proxy
    assert links.check(server + path, timeout=5, tries=1).verdict == verdict


def test_binder_launch_links_are_not_fetched() -> None:
    url = "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/x.ipynb"
    assert links.check(url).verdict == "skipped"


# ------------------------------------------------------------------ scripts/colab_check.py
def test_colab_first_cell_installs_the_pinned_torch() -> None:
    pin = next(
        line.split("==")[1].strip()
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith("torch==")
    )
    for path in editions.chapter_notebooks(ROOT):
        source = colab.first_code_cell(nbformat.read(path, as_version=4)).source
        assert colab.pinned_torch(source) == pin, path
        assert "nnlib @ " in source and "import nnlib" in source, path


def test_colab_kernels_run_without_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    env = colab.clean_env()
    assert "PYTHONPATH" not in env and "MPLBACKEND" not in env
