"""The interactive explorers: their data (``nnlib.explorers``), the ``explorer`` directive, size.

The browser test (``tests/site/test_explorers.py``) drives them by keyboard and compares what
they display with what ``nnlib`` computes.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from stub_book import sphinx_build, write_explorer_book

from nnlib.experiments.activation import gradient_profile
from nnlib.experiments.initialization import depth_profile
from nnlib.explorers import EXPLORERS, saturated_intervals, sig

ROOT = Path(__file__).resolve().parent.parent
DATA = {name: json.loads((ROOT / "explorers" / f"{name}.json").read_text()) for name in EXPLORERS}
sys.path.insert(0, str(ROOT / "_ext"))

import explorer  # noqa: E402


def test_sig_rounds_to_significant_digits() -> None:
    assert sig(0.000123456) == 0.000123
    assert sig(123456.0, 4) == 123500.0
    assert sig(0.0) == 0.0
    assert sig(float("nan")) is None and sig(float("inf")) is None
    with pytest.raises(ValueError, match="digits"):
        sig(1.0, 0)


def test_saturated_intervals_find_the_flat_tails_only() -> None:
    x = torch.linspace(-8, 8, 161)
    sigmoid_slope = torch.sigmoid(x) * (1 - torch.sigmoid(x))
    assert saturated_intervals(x, sigmoid_slope) == [
        [-8.0, -6.0],
        [6.0, 8.0],
    ]  # sigma'(6) = 0.00247 < 1 % of 0.25
    silu_slope = torch.sigmoid(x) * (1 + x * (1 - torch.sigmoid(x)))
    assert all(b - a >= 0.5 for a, b in saturated_intervals(x, silu_slope))
    with pytest.raises(ValueError, match="same shape"):
        saturated_intervals(x, x[:3])


def test_stored_data_is_current_and_deterministic() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_explorer_data.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    ("init", "activation"),
    [
        ("kaiming_normal", "relu"),
        ("xavier_normal", "relu"),
        ("xavier_normal", "tanh"),
        ("default", "relu"),
    ],
)
def test_init_explorer_shows_what_depth_profile_measures(init: str, activation: str) -> None:
    # The settings chapter 3 asserts on (width 256, 30 layers, seed 0).
    profile = depth_profile(activation, init, 256, 30)
    run = DATA["init-depth"]["runs"][f"{init}|{activation}|1"]
    assert run["forward"] == [sig(v) for v in profile.forward]
    assert run["backward"] == [sig(v) for v in profile.backward]


def test_weight_scale_multiplies_the_first_layer_signal() -> None:
    runs = DATA["init-depth"]["runs"]
    base, double = runs["kaiming_normal|relu|1"], runs["kaiming_normal|relu|2"]
    assert double["forward"][0] == pytest.approx(2 * base["forward"][0], rel=1e-2)


def test_activation_explorer_shows_the_measured_gradient() -> None:
    norms = gradient_profile("sigmoid", depth=20).preact_grad_norm
    sigmoid = next(a for a in DATA["activation-depth"]["activations"] if a["name"] == "sigmoid")
    assert sigmoid["through"][10] == sig(norms[9] / norms[19])
    # The measured decay respects the bound 0.25 per layer only together with the weights; the
    # explorer shows both, and after 10 layers less than a millionth is left.
    assert sigmoid["through"][10] < 1e-6


def test_training_explorer_shows_the_three_behaviours() -> None:
    runs = DATA["training"]["runs"]
    zeros = runs["0.1|zeros|relu"]["loss"]
    assert max(zeros) - min(zeros) < 1e-3, "all-zero weights: a dead start, the loss stays at ln 2"
    diverged = runs["10|kaiming_normal|relu"]["loss"]
    assert diverged[5] > 2 * diverged[0], "learning rate 10: the loss jumps up"
    relu, sigmoid = (
        runs["0.1|kaiming_normal|relu"]["loss"],
        runs["0.1|kaiming_normal|sigmoid"]["loss"],
    )
    assert relu[100] < sigmoid[100], "sigmoid starts slower"


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_page_weight_of_an_explorer_is_within_60_kb_gzipped(name: str) -> None:
    parts = [
        (ROOT / "explorers" / f"{name}.json").read_bytes(),
        explorer.SCRIPT.read_bytes(),
        (explorer.STATIC_DIR / "explorer.css").read_bytes(),
    ]
    size = sum(len(gzip.compress(p, 9)) for p in parts)
    assert size <= 60 * 1024, f"{name}: {size / 1024:.1f} kB gzipped"


def test_controls_reject_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="valid kinds: activation-depth"):
        explorer.controls({"kind": "nope"})


def _stub(tmp_path: Path, body: str) -> Path:
    return write_explorer_book(tmp_path / "src", body)


def test_directive_renders_controls_static_figure_and_data(tmp_path: Path) -> None:
    body = "# 试验\n\n" + "".join(
        f"```{{explorer}} {name}\n试试看。\n```\n\n" for name in EXPLORERS
    )
    run = sphinx_build(_stub(tmp_path, body), tmp_path / "out")
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page.count('<figure class="explorer"') == 3
    assert page.count("<svg") >= 3, "the default setting is drawn at build time"
    assert page.count('class="explorer-controls"') == 3
    assert page.count('data-key="') == page.count('" disabled'), "usable once the script runs"
    assert page.count('class="ex-wide"') == page.count('class="ex-narrow"') == 3
    for cid in re.findall(r'<(?:select|input)[^>]* id="([^"]+)"', page):
        assert f'<label for="{cid}">' in page, f"{cid}: no label"
    assert page.count('aria-live="polite"') == 3
    assert "explorer.js" in page and "explorer.css" in page
    assert "<noscript>" in page


def test_unknown_explorer_fails_the_strict_build(tmp_path: Path) -> None:
    run = sphinx_build(_stub(tmp_path, "# 试验\n\n```{explorer} nope\n```\n"), tmp_path / "out")
    assert run.returncode != 0
    assert "explorers/nope.json" in run.stderr and "init-depth" in run.stderr
