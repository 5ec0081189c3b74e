"""Glossary definitions built into every page at its {term} links (``_ext/term_tips.py``).

Checked on the HTML of a small stub book (``term_tips_stub.py``); the behaviour in a browser
(hover, keyboard focus, Escape, tap) is tested in ``tests/site/test_term_tips_browser.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import term_tips_stub

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import term_tips  # noqa: E402


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run, out = term_tips_stub.build(tmp_path_factory.mktemp("termtips"))
    assert run.returncode == 0, run.stderr
    return out


def test_every_term_link_points_at_its_definition(html: Path) -> None:
    page = (html / "chapter.html").read_text(encoding="utf-8")
    links = re.findall(
        r'<a class="reference internal term-tip-link" href="([^"]+)" '
        r'aria-describedby="([^"]+)">',
        page,
    )
    assert len(links) == 3
    for href, tip_id in links:
        assert href.startswith("glossary.html#term-")
        tip = re.search(
            rf'<span class="term-tip" role="tooltip" id="{tip_id}">([^<]*)</span>', page
        )
        assert tip is not None, tip_id
    tips = re.findall(r'role="tooltip" id="[^"]+">([^<]*)<', page)
    assert tips[0] == "英文：rectified linear unit。ReLU(x) = max(0, x)：正数原样输出，负数变成 0。"
    assert tips[1] == "英文：standard error。n 个独立结果时约为样本标准差除以 √n。"
    assert all("见" not in t and "\\" not in t and "$" not in t for t in tips)
    assert len(set(re.findall(r'id="(tip-[^"]+)"', page))) == 3, "ids are unique"


def test_assets_only_where_there_are_tips_and_nothing_foreign(html: Path) -> None:
    assert "term_tips.js" in (html / "chapter.html").read_text(encoding="utf-8")
    assert "term_tips.css" in (html / "chapter.html").read_text(encoding="utf-8")
    assert "term_tips" not in (html / "plain.html").read_text(encoding="utf-8")
    for asset in ("term_tips.js", "term_tips.css"):
        text = (html / "_static" / asset).read_text(encoding="utf-8")
        assert "http" not in text and "import(" not in text, f"{asset} must load nothing"


def test_definition_text_rules() -> None:
    assert term_tips._math_text(r"\sqrt{n}") == "√n"
    assert term_tips._math_text(r"\frac{1}{2}\sigma'(0)") == "1/2·σ'(0)"
    assert term_tips._math_text(r"\mathrm{ReLU}(x) = \max(0, x)") == "ReLU(x) = max(0, x)"


@pytest.mark.parametrize(
    ("tex", "text"),
    [  # formulas of appendix/glossary.md that an earlier version garbled (w^topx, fan\_in, …)
        (r"y = f(\mathbf{w}^\top\mathbf{x} + b)", "y = f(wᵀx + b)"),
        (r"2/(\text{fan\_in} + \text{fan\_out})", "2/(fan_in + fan_out)"),
        (r"\mathcal{N}(\mu, \sigma^2)", "N(μ, σ²)"),
        (r"\frac{\lambda}{2}\|w\|^2", "λ/2‖w‖²"),
        (r"\theta \leftarrow \theta - \eta\nabla L", "θ ← θ - η∇L"),
        (
            r"\operatorname{softmax}(\mathbf{z})_i = e^{z_i} / \sum_j e^{z_j}",
            "softmax(z)_i = e^(z_i) / Σ_j e^(z_j)",
        ),
        (r"\sigma(x) = 1/(1 + e^{-x})", "σ(x) = 1/(1 + e^(-x))"),
        (r"\hat p", "p\u0302"),
        (r"x\,\Phi(x)", "x Φ(x)"),
        # nested groups, fractions after a function, products, literal braces
        (r"\frac{1}{\sqrt{n}}", "1/√n"),
        (r"\sqrt{\text{fan\_in}}", "√fan_in"),
        (r"\log\frac{p}{1-p}", "log(p/(1-p))"),
        (r"\frac{dy}{dx} = \frac{dy}{du}\frac{du}{dx}", "dy/dx = dy/du·du/dx"),
        (r"W^{(l)} \in \{0, 1\}", "W^(l) ∈ {0, 1}"),
        (r"\left(x\right)", "(x)"),
    ],
)
def test_math_in_tips_reads_as_plain_text(tex: str, text: str) -> None:
    assert term_tips._math_text(tex) == text


def test_every_command_of_the_glossary_is_known() -> None:
    """A new glossary formula with a command the tips do not know would show its bare name."""
    operator_names = {"log", "ln", "exp", "max", "min", "sup", "tanh"}  # shown as they are
    known = set(term_tips.SYMBOLS) | set(term_tips.UNWRAP.split("|")) | term_tips.STRUCTURE
    known |= operator_names
    glossary = (ROOT / "appendix" / "glossary.md").read_text(encoding="utf-8")
    for tex in set(re.findall(r"\$([^$\n]+)\$", glossary)):
        assert set(re.findall(r"\\([A-Za-z]+)", tex)) <= known, tex
        text = term_tips._math_text(tex)
        assert "\\" not in text and not re.search(r"frac|sqrt|hat|left|right", text), (tex, text)


def test_tip_markup_rules() -> None:
    body = (
        '<p><a class="reference internal" href="g.html#term-x">'
        '<span class="xref std std-term">x</span></a></p>'
    )
    out, count = term_tips.add_tips(body, {"term-x": ("g", "定义。")}, "p")
    assert count == 1 and 'role="tooltip"' in out and "定义。" in out
    out, count = term_tips.add_tips(body, {}, "p")
    assert (out, count) == (body, 0), "an unknown term stays a plain link"
