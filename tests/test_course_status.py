"""The 课程状态 page: its data (``chapters/_status.json``) and ``_ext/course_status.py``.

``scripts/execute_notebooks.py`` writes the record whenever it stores a notebook's outputs; these
tests check that the checked-in record covers every notebook of ``_toc.yml`` (so the page lists
every notebook with real data), that its versions are the pins of ``requirements.txt``, that its
fingerprint is the pinned one, and that the file is written deterministically.
"""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stdout
from pathlib import Path

import nbformat
import pytest
from loading import load_module

ROOT = Path(__file__).resolve().parents[1]


sys.path.insert(0, str(ROOT / "_ext"))  # course_status imports editions_site
execute = load_module("execute_notebooks", ROOT / "scripts" / "execute_notebooks.py")
status = load_module("course_status", ROOT / "_ext" / "course_status.py")
RECORD = json.loads((ROOT / status.STATUS).read_text(encoding="utf-8"))


def test_every_toc_notebook_has_a_record() -> None:
    keys = [key for _, key in status.toc_notebooks()]
    assert keys, "no notebook in _toc.yml"
    missing = [key for key in keys if key not in RECORD["notebooks"]]
    assert not missing, (
        f"no status record for {missing}: run `python scripts/execute_notebooks.py` on them"
    )


def test_record_holds_no_vanished_notebook() -> None:
    for key in RECORD["notebooks"]:
        assert (ROOT / key).is_file(), key


@pytest.mark.parametrize("key", sorted(RECORD["notebooks"]))
def test_record_fields(key: str) -> None:
    entry = RECORD["notebooks"][key]
    assert set(entry) == {"date", "fingerprint", "machine", "peak_mib", "seconds", "versions"}
    assert 0 < entry["seconds"] < 600
    assert entry["peak_mib"] is None or 50 < entry["peak_mib"] < 4096
    assert len(entry["date"]) == 10 and entry["date"][4] == "-"
    assert entry["machine"]["cpu"] and entry["machine"]["cores"] >= 1


@pytest.mark.parametrize("key", sorted(RECORD["notebooks"]))
def test_record_versions_match_the_pins(key: str) -> None:
    versions = RECORD["notebooks"][key]["versions"]
    pins = status.pins()
    for name, _, dist in status.VERSIONS:
        if dist is None:
            assert versions[name].startswith(status.python_pin() + "."), (key, versions[name])
        else:
            assert status.release_of(versions[name]) == pins[dist], (key, name, versions[name])


@pytest.mark.parametrize("key", sorted(RECORD["notebooks"]))
def test_record_fingerprint_is_the_pinned_one(key: str) -> None:
    from nnlib.numerics import PINNED_FINGERPRINT

    assert RECORD["notebooks"][key]["fingerprint"] == PINNED_FINGERPRINT
    assert status.pinned_fingerprint() == PINNED_FINGERPRINT


def test_record_file_is_deterministic() -> None:
    text = (ROOT / status.STATUS).read_text(encoding="utf-8")
    expected = json.dumps(RECORD, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    assert text == expected
    assert RECORD["about"] == execute.STATUS_ABOUT


def test_write_status_sorts_and_drops_vanished(tmp_path: Path) -> None:
    out = tmp_path / "status.json"
    real = status.toc_notebooks()[0][1]
    entry = {"seconds": 1.0}
    execute.write_status({"notebooks": {"chapters/gone.ipynb": entry, real: entry}}, out)
    first = out.read_text(encoding="utf-8")
    assert json.loads(first)["notebooks"] == {real: entry}
    execute.write_status(json.loads(first), out)
    assert out.read_text(encoding="utf-8") == first


def test_probe_prints_the_environment() -> None:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        exec(execute.PROBE, {})  # noqa: S102 - the probe is the project's own code
    cell = nbformat.v4.new_code_cell(execute.PROBE)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=buffer.getvalue())]
    entry = execute.status_entry(cell, 2.345)
    assert entry["seconds"] == 2.3
    assert set(entry["versions"]) == {"python", "torch", "numpy", "matplotlib", "jupyter_book"}
    assert entry["machine"]["cores"] >= 1
    if Path("/proc/self/status").is_file():
        assert entry["peak_mib"] > 0


def test_status_entry_needs_the_probe_output() -> None:
    cell = nbformat.v4.new_code_cell("pass")
    with pytest.raises(RuntimeError, match="no record"):
        execute.status_entry(cell, 1.0)


def test_page_lists_every_toc_notebook() -> None:
    text = status.status_markdown()
    for doc, _ in status.toc_notebooks():
        assert f"</{doc}>`" in text, doc
    assert "未记录" not in text


def test_page_marks_a_notebook_without_record(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(status, "load_record", lambda root=ROOT: {})
    text = status.status_markdown()
    rows = [line for line in text.splitlines() if "未记录" in line]
    assert len(rows) == len(status.toc_notebooks())


def test_release_of_drops_the_local_tag() -> None:
    assert status.release_of("2.13.0+cpu") == "2.13.0"
    assert status.release_of("3.11.2") == "3.11.2"


def test_execution_leaves_no_trace_in_the_notebook(tmp_path: Path) -> None:
    # The status probe runs in the same kernel after the last cell and is dropped: executing
    # twice gives the same bytes, with no extra cell, and a complete record.
    path = tmp_path / "tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    entry = execute.execute(path)
    first = path.read_bytes()
    execute.execute(path)
    assert path.read_bytes() == first
    stored = nbformat.reads(first.decode("utf-8"), as_version=4)
    assert len(stored.cells) == 1 and stored.cells[0].outputs[0]["text"] == "42\n"
    assert set(entry) == {"date", "fingerprint", "machine", "peak_mib", "seconds", "versions"}
    assert entry["seconds"] > 0
