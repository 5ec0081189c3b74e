"""Publishing checks: Binder configuration, the Colab setup cell, the Pages workflow.

Binder and GitHub Actions cannot run here, so these tests check their configuration for the
properties that make them work (README "在线运行" says how to check a Binder launch by hand).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
WORKFLOWS = ROOT / ".github" / "workflows"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"

#: What a Binder launch must have for the chapters to run: torch, the plotting stack, the Chinese
#: plot font that nnlib registers, the model summary helper, the package that ships chapter 5's
#: digits data and the Jupyter kernel.
BINDER_REQUIRED = {
    "torch",
    "numpy",
    "matplotlib",
    "torchinfo",
    "scikit-learn",
    "pylopdf-fonts-zh-cn",
    "ipykernel",
}


def _load_sync_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sync_repo_url", ROOT / "scripts/sync_repo_url.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


sync = _load_sync_script()


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    """``name -> version`` for every ``name==version`` line of a requirements file."""
    pins: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert match, f"{path.name}: not an exact pin: {raw!r}"
        pins[_canonical(match[1])] = match[2]
    return pins


def _config() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# Binder (repo2docker)
# --------------------------------------------------------------------------------------------


def test_binder_folder_holds_the_configuration() -> None:
    # repo2docker reads binder/ (or .binder/, never both) and then ignores the root files, so
    # the root requirements.txt (PyPI torch = CUDA build) and pyproject.toml are not used.
    assert BINDER.is_dir()
    assert not (ROOT / ".binder").exists(), "repo2docker refuses both binder/ and .binder/"
    for name in ("requirements.txt", "runtime.txt", "postBuild"):
        assert (BINDER / name).is_file(), name


def test_binder_installs_the_cpu_build_of_the_pinned_torch() -> None:
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
    ]
    options = [line for line in lines if line.startswith("-")]
    # An *extra* index: PyPI stays the main index for everything else.
    assert f"--extra-index-url {CPU_INDEX}" in options
    for option in options:
        assert not option.startswith(("--index-url", "-i ", "--find-links", "-f ")), option
    root_torch = _pins(ROOT / "requirements.txt")["torch"]
    assert _pins(BINDER / "requirements.txt")["torch"] == f"{root_torch}+cpu"


def _binder_excludes() -> set[str]:
    text = (BINDER / "requirements.txt").read_text(encoding="utf-8")
    match = re.search(r"^# binder-excludes:(.*)$", text, re.M)
    assert match, "binder/requirements.txt must list what it leaves out: '# binder-excludes: ...'"
    return {_canonical(name) for name in match[1].split()}


def test_binder_pins_match_the_root_requirements() -> None:
    root = _pins(ROOT / "requirements.txt")
    binder = _pins(BINDER / "requirements.txt")
    excludes = _binder_excludes()
    assert not BINDER_REQUIRED & excludes
    assert BINDER_REQUIRED <= binder.keys()
    for name, version in root.items():
        if name in excludes:
            assert name not in binder, f"{name} is both pinned and excluded"
            continue
        assert name in binder, (
            f"{name}=={version} is in requirements.txt but not in binder/requirements.txt: "
            "add it there, or to its '# binder-excludes:' line if Binder does not need it"
        )
        expected = f"{version}+cpu" if name == "torch" else version
        assert binder[name] == expected, f"{name}: binder {binder[name]} != {expected}"
    extra = binder.keys() - root.keys()
    assert not extra, f"pinned for Binder only: {sorted(extra)}"
    assert excludes <= root.keys(), (
        f"excluded but not in requirements.txt: {excludes - root.keys()}"
    )


def test_binder_requirements_have_no_local_paths() -> None:
    # A local path makes repo2docker copy the whole repository before `pip install`, so every
    # content commit would rebuild the environment; nnlib is installed by postBuild instead.
    for raw in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        assert not re.match(r"(-e|--editable)\b|\.|/|file:", line), raw


def test_binder_python_version_is_stated() -> None:
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["ruff"]["target-version"] == "py311"


def test_postbuild_stops_on_errors_and_installs_nnlib() -> None:
    path = BINDER / "postBuild"
    text = path.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] in ("#!/bin/bash", "#!/usr/bin/env bash")
    assert os.access(path, os.X_OK), "postBuild must be executable"
    commands = [line for line in lines if line and not line.startswith("#")]
    # repo2docker ignores a failing postBuild command unless the script sets -e, first.
    assert re.fullmatch(r"set -e\w*( -o pipefail)?|set -euo pipefail", commands[0]), commands[0]
    installs = [c for c in commands if re.search(r"\bpip install\b", c)]
    assert any("--no-deps" in c and re.search(r"(-e|--editable) \.(\s|$)", c) for c in installs), (
        installs
    )


def test_nnlib_dependencies_are_pinned_for_binder() -> None:
    # postBuild installs nnlib with --no-deps, so binder/requirements.txt must carry them all.
    # torch is deliberately not an nnlib dependency: Colab keeps its own torch build.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = {
        _canonical(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0])
        for d in pyproject["project"]["dependencies"]
    }
    assert "torch" not in deps
    assert deps <= _pins(BINDER / "requirements.txt").keys()


# --------------------------------------------------------------------------------------------
# Colab setup cell and the single-source repository URL
# --------------------------------------------------------------------------------------------


def _chapters() -> list[Path]:
    """Every notebook under chapters/ (the section notebooks in their chapter folders)."""
    found = sorted((ROOT / "chapters").rglob("*.ipynb"))
    assert found
    return found


def test_repository_is_defined_once_in_config() -> None:
    repo = _config()["repository"]
    assert repo["branch"] == "main"
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repo["url"])
    launch = _config()["launch_buttons"]
    assert launch["binderhub_url"] == "https://mybinder.org"
    assert launch["colab_url"] == "https://colab.research.google.com"
    assert launch["notebook_interface"] == "jupyterlab"


def _site_url() -> str:
    """The site address by the documented rule (README "Fork 本课程"): html.baseurl, else the
    GitHub Pages address of repository.url."""
    base = str((_config().get("html") or {}).get("baseurl") or "")
    if not base:
        owner, name = _config()["repository"]["url"].rstrip("/").split("/")[-2:]
        base = f"https://{owner.lower()}.github.io/{name}/"
    return base if base.endswith("/") else base + "/"


def _version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]


def test_wheel_url_derives_from_the_site_url_and_version() -> None:
    url = sync.editions.wheel_url()
    assert url == f"{_site_url()}downloads/nnlib-{_version()}-py3-none-any.whl"


@pytest.mark.parametrize(
    "path", _chapters(), ids=lambda p: p.relative_to(ROOT / "chapters").as_posix()
)
def test_setup_cell_installs_the_wheel_the_site_publishes(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert sync.installed_from(nb) == [sync.editions.wheel_url()], (
        f"{path.name}: run `python scripts/sync_repo_url.py`"
    )
    assert "github.com" not in "".join(sync.setup_cell(nb)["source"])


def test_setup_cells_are_the_same_guarded_hidden_cell_without_output() -> None:
    sources = {}
    for path in _chapters():
        cell = sync.setup_cell(json.loads(path.read_text(encoding="utf-8")))
        source = "".join(cell["source"])
        sources[path.relative_to(ROOT).as_posix()] = source
        assert 'importlib.util.find_spec("nnlib") is None' in source, path.name
        assert "hide-input" in cell.get("metadata", {}).get("tags", []), path.name
        # Nothing stored: the cell prints nothing where nnlib is installed (CI, book, Binder).
        assert cell.get("outputs") == [], path.name
    assert len(set(sources.values())) == 1, "setup cells differ: copy one verbatim"


def test_sync_script_check_passes_on_the_repository() -> None:
    assert sync.main(["--check"]) == 0


def _fork(tmp_path: Path) -> Path:
    for path in _chapters():
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    url = _config()["repository"]["url"]
    config = config.replace(url, "https://github.com/Teacher/dl-fork", 1)
    config = re.sub(r"(?m)^  branch: main$", "  branch: spring-2027", config, count=1)
    (tmp_path / "_config.yml").write_text(config, encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


FORK_WHEEL = "https://teacher.github.io/dl-fork/downloads/nnlib-{}-py3-none-any.whl"


def test_sync_script_rewrites_only_the_install_url(tmp_path: Path) -> None:
    root = _fork(tmp_path)
    before = {
        p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "chapters").rglob("*.ipynb")
    }
    assert sync.main(["--root", str(root), "--check"]) == 1
    assert sync.main(["--root", str(root)]) == 0
    for name, old_bytes in before.items():
        new_bytes = (root / name).read_bytes()
        old, new = json.loads(old_bytes), json.loads(new_bytes)
        assert sync.installed_from(new) == [FORK_WHEEL.format(_version())]
        # Everything else, outputs and formatting included, is unchanged.
        old_setup, new_setup = sync.setup_cell(old), sync.setup_cell(new)
        new_setup["source"] = old_setup["source"]
        assert new == old, name
        old_lines, new_lines = old_bytes.splitlines(), new_bytes.splitlines()
        assert len(old_lines) == len(new_lines)
        assert sum(a != b for a, b in zip(old_lines, new_lines, strict=True)) == 1, name
    # Idempotent: a second run changes nothing.
    after = {p: p.read_bytes() for p in (root / "chapters").rglob("*.ipynb")}
    assert sync.main(["--root", str(root)]) == 0
    assert {p: p.read_bytes() for p in (root / "chapters").rglob("*.ipynb")} == after
    assert sync.main(["--root", str(root), "--check"]) == 0


def test_sync_script_migrates_the_git_form(tmp_path: Path) -> None:
    # Chapters written before the site served the wheel installed nnlib from git; the script
    # moves them to the wheel and fixes the comment above (two lines), nothing else.
    root = _fork(tmp_path)
    path = sorted((root / "chapters").rglob("*.ipynb"))[0]
    wheel_line = sync.INSTALL_RE.search(path.read_text(encoding="utf-8"))[0]
    old_text = (
        path.read_text(encoding="utf-8")
        .replace(wheel_line, "nnlib @ git+https://github.com/someone/old@main")
        .replace(sync.NEW_COMMENT, sync.OLD_COMMENT)
    )
    path.write_text(old_text, encoding="utf-8")
    assert sync.installed_from(json.loads(old_text)) == ["git+https://github.com/someone/old@main"]
    assert sync.main(["--root", str(root)]) == 0
    new_text = path.read_text(encoding="utf-8")
    assert sync.installed_from(json.loads(new_text)) == [FORK_WHEEL.format(_version())]
    changed = [
        (a, b) for a, b in zip(old_text.splitlines(), new_text.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 2 and sync.NEW_COMMENT in changed[0][1], changed


def test_sync_script_rejects_a_url_colab_cannot_open(tmp_path: Path) -> None:
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://gitlab.com/a/b\n  branch: main\n", "utf-8")
    with pytest.raises(ValueError, match=r"https://github\.com/<owner>/<repo>"):
        sync.load_repository(config)


def test_sync_script_refuses_a_notebook_without_the_guard() -> None:
    nb = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": ["import nnlib"]}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    with pytest.raises(ValueError, match="setup cell"):
        sync.rewrite_notebook_text(json.dumps(nb), "https://a.github.io/b/downloads/x.whl")


# --------------------------------------------------------------------------------------------
# GitHub Pages workflow
# --------------------------------------------------------------------------------------------


def _workflows() -> list[Path]:
    found = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    assert found
    return found


def _actionlint() -> str:
    exe = Path(sys.executable).with_name("actionlint")
    found = str(exe) if exe.is_file() else shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is missing: pip install -r requirements.txt")
    return found


def test_actionlint_passes_on_the_workflows() -> None:
    # ShellCheck and pyflakes integrations are switched off so the result does not depend on
    # whether they happen to be installed.
    result = subprocess.run(
        [
            _actionlint(),
            "-no-color",
            "-oneline",
            "-shellcheck=",
            "-pyflakes=",
            *map(str, _workflows()),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_is_live() -> None:
    # Guard against a linter that passes everything: a broken workflow must fail.
    bad = (
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - run: echo ${{ nope }}\n"
    )
    result = subprocess.run(
        [_actionlint(), "-no-color", "-shellcheck=", "-pyflakes=", "-"],
        input=bad,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout


def _deploy_workflow() -> dict[str, Any]:
    for path in _workflows():
        wf = yaml.safe_load(path.read_text(encoding="utf-8"))
        steps = [s for job in wf["jobs"].values() for s in job.get("steps", [])]
        if any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in steps):
            return wf
    pytest.fail("no workflow uses actions/deploy-pages")


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


def _find(steps: list[dict[str, Any]], action: str) -> dict[str, Any]:
    found = [s for s in steps if str(s.get("uses", "")).split("@")[0] == action]
    assert len(found) == 1, f"expected one {action} step"
    return found[0]


def test_every_action_is_pinned_to_a_major_version_or_commit() -> None:
    for path in _workflows():
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.search(r"uses:\s*([^\s#]+)", line)
            if match and not match[1].startswith("./"):
                assert re.search(r"@(v\d+|[0-9a-f]{40})$", match[1]), f"{path.name}: {match[1]}"


def test_workflow_triggers_permissions_and_concurrency() -> None:
    wf = _deploy_workflow()
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert on["push"]["branches"] == [_config()["repository"]["branch"]]
    assert "pull_request" in on
    # Least privilege: read-only by default; only the deploy job may write to Pages.
    assert wf["permissions"] == {"contents": "read"}
    assert wf["concurrency"]["group"]
    for name, job in wf["jobs"].items():
        if any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in _steps(job)):
            assert job["permissions"] == {"pages": "write", "id-token": "write"}, name
        else:
            assert "permissions" not in job, f"{name} must not widen the permissions"


def test_workflow_builds_with_the_pinned_stack_and_deploys_main_only() -> None:
    wf = _deploy_workflow()
    jobs = wf["jobs"]
    build_name, build = next(
        (n, j)
        for n, j in jobs.items()
        if any("upload-pages-artifact" in str(s.get("uses")) for s in _steps(j))
    )
    steps = _steps(build)
    _find(steps, "actions/checkout")
    python = _find(steps, "actions/setup-python")["with"]
    assert str(python["python-version"]) == "3.11"
    assert python["cache"] == "pip"
    assert python["cache-dependency-path"] == "requirements.txt"
    runs = "\n".join(str(s.get("run", "")) for s in steps)
    # PyPI's Linux torch is the CUDA build: the CPU index provides the same version, CPU-only.
    assert re.search(rf"torch==2\.13\.0 --(extra-)?index-url {re.escape(CPU_INDEX)}", runs)
    assert _pins(ROOT / "requirements.txt")["torch"] == "2.13.0"
    assert "bash scripts/test.sh" in runs  # README's test command; it builds with -W
    test_sh = (ROOT / "scripts/test.sh").read_text(encoding="utf-8")
    assert re.search(r"jupyter-book build \. .*-W", test_sh)
    upload = _find(steps, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "_build/html"
    assert "pull_request" in upload.get("if", "")
    # The deploy job: after the build, never for a pull request, into the Pages environment.
    deploy = next(
        j for j in jobs.values() if any("deploy-pages" in str(s.get("uses")) for s in _steps(j))
    )
    assert deploy["needs"] in (build_name, [build_name])
    assert "github.event_name != 'pull_request'" in deploy["if"]
    assert deploy["environment"]["name"] == "github-pages"
    step = _find(_steps(deploy), "actions/deploy-pages")
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"


# --------------------------------------------------------------------------------------------
# Citable releases: one version, CITATION.cff, CHANGELOG.md, the release workflow
# --------------------------------------------------------------------------------------------


def test_one_version_in_citation_changelog_and_pyproject() -> None:
    version = _version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == version
    assert cff["title"] == _config()["title"]
    assert cff["authors"] and cff["message"]
    assert set(cff["license"]) == {"MIT", "CC-BY-SA-4.0"}  # LICENSE, LICENSE-CONTENT.md
    assert cff["repository-code"] == _config()["repository"]["url"]
    assert cff["url"] == _site_url()
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", changelog, re.M)
    assert newest, "CHANGELOG.md: no '## [X.Y.Z] - YYYY-MM-DD' section"
    assert newest[1] == version, "the newest CHANGELOG.md section is not the current version"
    assert str(cff["date-released"]) == newest[2]
    assert sync.editions.release_notes().strip()


def _release_workflow() -> dict[str, Any]:
    path = WORKFLOWS / "release.yml"
    assert path.is_file()
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_release_workflow_runs_on_version_tags_only() -> None:
    wf = _release_workflow()
    on = wf.get("on", wf.get(True))
    assert set(on) == {"push"}
    assert set(on["push"]) == {"tags"}
    (pattern,) = on["push"]["tags"]
    # GitHub's filter syntax: v1.2.3 matches, v1.2 and 1.2.3 do not.
    assert pattern == "v[0-9]+.[0-9]+.[0-9]+"


def test_release_workflow_least_privilege() -> None:
    wf = _release_workflow()
    assert wf["permissions"] == {"contents": "read"}
    writers = {n: j for n, j in wf["jobs"].items() if "permissions" in j}
    assert list(writers) == ["publish"]
    publish = writers["publish"]
    assert publish["permissions"] == {"contents": "write"}
    # The job holding the write token runs no repository code: no checkout, no scripts.
    steps = _steps(publish)
    assert not any(str(s.get("uses", "")).startswith("actions/checkout") for s in steps)
    runs = "\n".join(str(s.get("run", "")) for s in steps)
    assert "scripts/" not in runs and "pip " not in runs
    for job in wf["jobs"].values():
        for step in _steps(job):
            if str(step.get("uses", "")).startswith("actions/checkout"):
                assert step["with"]["persist-credentials"] is False


def test_release_workflow_tests_builds_and_attaches_the_four_editions() -> None:
    wf = _release_workflow()
    build = wf["jobs"]["build"]
    steps = _steps(build)
    runs = "\n".join(str(s.get("run", "")) for s in steps)
    python = _find(steps, "actions/setup-python")["with"]
    assert str(python["python-version"]) == "3.11"
    assert re.search(rf"torch==2\.13\.0 --index-url {re.escape(CPU_INDEX)}", runs)
    assert "fonts-noto-cjk" in runs and "fonts-noto-mono" in runs and "fonts-stix" in runs
    assert "bash scripts/test.sh" in runs  # every check + the four editions
    assert '"$TAG" != "v$version"' in runs  # the tag must be the course version
    assert "scripts/editions.py --release release" in runs
    upload = _find(steps, "actions/upload-artifact")
    publish = wf["jobs"]["publish"]
    assert publish["needs"] in ("build", ["build"])
    download = _find(_steps(publish), "actions/download-artifact")
    assert download["with"]["name"] == upload["with"]["name"]
    create = "\n".join(str(s.get("run", "")) for s in _steps(publish))
    assert "gh release create" in create and "--notes-file release/NOTES.md" in create
    for kind in ("*.pdf", "*.whl", "*.zip", "*.tar.gz"):
        assert f"release/{kind}" in create, kind
    test_sh = (ROOT / "scripts/test.sh").read_text(encoding="utf-8")
    assert "scripts/editions.py" in test_sh and "scripts/build_pdf.py" in test_sh


def test_release_files_are_named_by_version(tmp_path: Path) -> None:
    # collect_release only copies what the build made: check the names it gives, on stubs.
    html = tmp_path / "html"
    downloads = html / "downloads"
    downloads.mkdir(parents=True)
    ed = sync.editions
    for name in (ed.pdf_name(), ed.wheel_name(), ed.zip_name()):
        (downloads / name).write_bytes(b"x")
    (html / "index.html").write_text("<html></html>", encoding="utf-8")
    files = {p.name for p in ed.collect_release(tmp_path / "release", html)}
    v, slug = _version(), ed.slug()
    assert files == {
        f"{slug}-{v}.pdf",
        f"nnlib-{v}-py3-none-any.whl",
        f"{slug}-notebooks-{v}.zip",
        f"{slug}-site-{v}.tar.gz",
        "NOTES.md",
    }


def test_deploy_workflow_installs_the_pdf_fonts() -> None:
    runs = "\n".join(
        str(s.get("run", "")) for job in _deploy_workflow()["jobs"].values() for s in _steps(job)
    )
    assert "fonts-noto-cjk" in runs and "fonts-noto-mono" in runs and "fonts-stix" in runs
