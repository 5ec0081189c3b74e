"""Glossary definitions where the reader is: every ``{term}`` link shows its definition.

The definition is written into the page at build time, next to the link, as a
``<span role="tooltip">``; the link points at it with ``aria-describedby`` (a screen reader reads
it after the term). It shows on mouse hover and on keyboard focus (CSS), stays while the pointer
is on it, hides with Escape, and on a touch screen the first tap on a term shows it and a second
tap follows the link (``term_tips.js``, a few lines). No foreign script, no request: the style
sheet and script come from ``_ext/term_tips_static`` and are added only to pages with a term link.

Tried first (issue 22): ``sphinx-tippy`` loads tippy.js and Popper from unpkg.com by default and
scrapes every link of the built site; ``sphinx-hoverxref`` fetches its tooltips from the Read the
Docs embed API at reading time. Neither works offline without vendoring a library, so this is a
small extension of its own.

Text of a tip: the glossary entry's definition as plain text, without its citations and without
the closing "见第 N 章" sentence (the link itself leads to the entry); inline math is shown as
plain text (``\\sqrt{n}`` → ``√n``, ``\\mathbf{w}^\\top\\mathbf{x}`` → ``wᵀx``,
``\\sigma^2`` → ``σ²``), short enough for a one-line formula.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

STATIC_DIR = Path(__file__).with_name("term_tips_static")
MAX_CHARS = 160

#: A resolved {term} link in the HTML body: ``<a class="reference internal" href="…#term-…">
#: <span class="xref std std-term">…</span></a>``.
TERM_LINK = re.compile(
    r'<a class="reference internal" href="(?P<href>[^"#]*#(?P<id>[^"]+))">'
    r'(?P<inner><span class="xref std std-term">.*?</span>)</a>',
    re.DOTALL,
)


# Symbols that read as letters (a space after them in TeX only ends the command name) …
LETTERS = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "varepsilon": "ε",
    "epsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "pi": "π",
    "sigma": "σ",
    "phi": "φ",
    "Phi": "Φ",
    "sum": "Σ",
    "partial": "∂",
    "nabla": "∇",
    "infty": "∞",
    "ldots": "…",
    "dots": "…",
    "top": "ᵀ",
}
# … and relations and operators, shown with a space on each side.
OPERATORS = {
    "times": "×",
    "cdot": "·",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "approx": "≈",
    "neq": "≠",
    "pm": "±",
    "in": "∈",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
}
SYMBOLS = LETTERS | OPERATORS
# Commands with their own rule in _math_text; any other command (\log, \max, …) shows its name.
STRUCTURE = {"frac", "sqrt", "hat", "left", "right", "quad", "qquad"}
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# Font and operator-name commands whose argument is shown as it is.
UNWRAP = "mathrm|text|operatorname|mathbf|boldsymbol|mathit|mathcal|mathbb"
FUNCTIONS = "log|ln|exp|sin|cos|tanh"  # a fraction after one of these is its argument: log(p/q)
_OPEN, _CLOSE = "\x01", "\x02"  # literal braces \{ \} while the grouping braces are read


def _simple(part: str) -> bool:
    """One token: a name or number (``x``, ``fan_in``, ``12``, ``λ``, ``√n``), or bracketed."""
    return bool(re.fullmatch(r"√?[\w.]+", part)) or _bracketed(part)


def _bracketed(part: str) -> bool:
    return part.startswith("(") and part.endswith(")") and part.count("(") == 1


def _group(part: str) -> str:
    return part if _simple(part) else f"({part})"


def _script(mark: str, body: str) -> str:
    """``^2`` → ``²``, ``^ᵀ`` → ``ᵀ``, ``^{-x}`` → ``^(-x)``, ``^{z_i}`` → ``^(z_i)``,
    ``_{ij}`` → ``_ij``, ``^{(l)}`` → ``^(l)``."""
    if mark == "^" and body == "ᵀ":
        return "ᵀ"
    if mark == "^" and body.isdigit():
        return body.translate(SUPERSCRIPTS)
    if len(body) == 1 or _bracketed(body) or (mark == "_" and body.isalnum()):
        return mark + body
    return f"{mark}({body})"


def _fraction(match: re.Match[str]) -> str:
    function, top, bottom = match[1], match[2], match[3]
    text = f"{_group(top)}/{_group(bottom)}"
    if function:  # \log\frac{p}{1-p} → log(p/(1-p))
        return f"{function}({text})"
    before = match.string[: match.start()].rstrip()
    after = match.string[match.end() :].lstrip()
    if before and (before[-1].isalnum() or before[-1] in ")}"):  # a product: dy/du·du/dx
        text = "·" + text
    if after[:1].isalnum() or (after[:1] == "\\" and not after.startswith("\\frac")):  # 1/2·σ'(0)
        text += "·"
    return text


def _math_text(tex: str) -> str:
    """Readable plain text for a short inline formula (``\\sqrt{n}`` → ``√n``).

    Symbols are replaced first, while each command name still ends where TeX ends it
    (``\\mathbf{w}^\\top\\mathbf{x}`` → ``wᵀx``); then the innermost ``{…}`` groups are read
    (fonts unwrapped, ``\\frac``, ``\\sqrt``, ``\\hat``, super- and subscripts), again until
    nothing changes, so nested groups work (``\\frac{1}{\\sqrt{n}}`` → ``1/√n``). Any other
    command shows its name (``\\log p`` → ``log p``).
    """
    tex = tex.replace(r"\{", _OPEN).replace(r"\}", _CLOSE)
    tex = tex.replace(r"\_", "_").replace(r"\|", "‖")
    tex = re.sub(r"\\(?:left|right)(?![A-Za-z])\.?", "", tex)
    tex = re.sub(r"\\(?:[,;:! ]|quad(?![A-Za-z])|qquad(?![A-Za-z]))", " ", tex)
    # a letter-like symbol takes the space that only ended its name: \nabla L → ∇L
    tex = re.sub(r"\\([A-Za-z]+)(?:\s+(?=\w))?", lambda m: LETTERS.get(m[1], m[0]), tex)
    tex = re.sub(
        r"\\([A-Za-z]+)", lambda m: f" {OPERATORS[m[1]]} " if m[1] in OPERATORS else m[0], tex
    )
    rules = [
        (rf"\\(?:{UNWRAP})\s*\{{([^{{}}]*)\}}", lambda m: m[1]),
        (r"\\hat\s*(?:\{([^{}]*)\}|(\w))", lambda m: (m[1] or m[2]) + "\u0302"),
        (rf"(?:\\({FUNCTIONS})\s*)?\\frac\s*\{{([^{{}}]*)\}}\s*\{{([^{{}}]*)\}}", _fraction),
        (r"\\sqrt\s*\{([^{}]*)\}", lambda m: "√" + _group(m[1])),
        (r"([\^_])\{([^{}]*)\}", lambda m: _script(m[1], m[2])),
    ]
    for _ in range(10):  # deepest nesting in practice: 3
        before = tex
        for pattern, replace in rules:
            tex = re.sub(pattern, replace, tex)
        if tex == before:
            break
    tex = re.sub(r"\^([0-9]|ᵀ)", lambda m: _script("^", m[1]), tex)
    tex = re.sub(r"\\([A-Za-z]+)", r"\1", tex)
    tex = tex.replace("{", "").replace("}", "").replace(_OPEN, "{").replace(_CLOSE, "}")
    return " ".join(tex.split())


def definition_text(definition: nodes.Element) -> str:
    """The plain text of a glossary definition for its tip (see the module docstring)."""
    node = definition.deepcopy()
    for xref in list(node.findall(addnodes.pending_xref)):
        if xref.get("refdomain") in ("std", "doc") or xref.get("reftype") in ("doc", "ref"):
            xref.replace_self(nodes.Text(xref.astext()))
        else:  # citations ({cite:p}) and other references: left out of the tip
            xref.parent.remove(xref)
    for cite in list(node.findall(nodes.citation_reference)):
        cite.parent.remove(cite)
    for math in list(node.findall(nodes.math)):
        math.replace_self(nodes.Text(_math_text(math.astext())))
    text = " ".join(node.astext().split())
    text = re.sub(r"见[^。]*。\s*$", "", text).strip()
    if len(text) > MAX_CHARS:
        cut = text.rfind("。", 0, MAX_CHARS)
        text = text[: cut + 1] if cut > 40 else text[:MAX_CHARS].rstrip() + "……"
    return text


def collect_definitions(app: Sphinx, doctree: nodes.document) -> None:
    """Store the tip text of every glossary term read (by the term's anchor id)."""
    env = app.env
    tips = getattr(env, "term_tips", None)
    if tips is None:
        tips = env.term_tips = {}
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            definitions = [c for c in item.children if isinstance(c, nodes.definition)]
            if not definitions:
                continue
            text = definition_text(definitions[0])
            for term in item.findall(nodes.term):
                for term_id in term["ids"]:
                    tips[term_id] = (env.docname, text)


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    tips = getattr(env, "term_tips", {})
    for key in [k for k, (doc, _) in tips.items() if doc == docname]:
        del tips[key]


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    if getattr(other, "term_tips", None):
        if getattr(env, "term_tips", None) is None:
            env.term_tips = {}
        env.term_tips.update(other.term_tips)


def add_tips(body: str, tips: dict[str, tuple[str, str]], pagename: str) -> tuple[str, int]:
    """Wrap every term link of ``body`` whose definition is known; return the body and the
    number of tips added."""
    count = 0

    def wrap(match: re.Match[str]) -> str:
        nonlocal count
        tip = tips.get(match["id"])
        if tip is None or not tip[1]:
            return match[0]
        count += 1
        digest = hashlib.sha1(f"{pagename}:{match['id']}".encode()).hexdigest()[:6]
        tip_id = f"tip-{digest}-{count}"
        return (
            f'<span class="term-tip-wrap"><a class="reference internal term-tip-link" '
            f'href="{match["href"]}" aria-describedby="{tip_id}">{match["inner"]}</a>'
            f'<span class="term-tip" role="tooltip" id="{tip_id}">{html.escape(tip[1])}</span>'
            f"</span>"
        )

    return TERM_LINK.sub(wrap, body), count


def add_static_path(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC_DIR))


def page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    body = context.get("body")
    if doctree is None or not body:
        return
    tips = getattr(app.env, "term_tips", {})
    if not tips:
        return
    body, count = add_tips(body, tips, pagename)
    if not count:
        return
    context["body"] = body
    # Sphinx adds the ?v=<checksum> of local assets itself.
    app.add_css_file("term_tips.css")
    app.add_js_file("term_tips.js", defer="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", add_static_path)
    app.connect("doctree-read", collect_definitions)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("html-page-context", page_context)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
