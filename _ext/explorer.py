"""Interactive explorers: the ``explorer`` directive (README "讲师：交互图").

A page places an explorer with::

    ```{explorer} init-depth
    What to try and what to look for (MyST Markdown, shown as the figure's caption).
    ```

The numbers are ``explorers/<name>.json``, computed by ``nnlib.explorers`` on the pinned
numerics path (``python scripts/make_explorer_data.py``; ``tests/test_explorers.py`` checks that
the stored files are current). The page gets:

- native controls (``<select>``, ``<input type="range">``, each with a ``<label>``), shown from
  the start and disabled until the script runs (nothing moves when it starts);
- the figure of the **default setting** as inline SVG, in a wide and a narrow (stacked) layout,
  rendered at build time by the same script (``explorer_static/explorer.js``) in Node.js, so the
  PDF and a reader without JavaScript see it; CSS shows the layout that fits the column;
- a readout (``<output aria-live="polite">``) that states the numbers shown, in Chinese;
- the data as ``<script type="application/json">``: no request, no CDN, works offline.

The script and its style sheet are added only to pages that hold an explorer.
"""

from __future__ import annotations

import hashlib
import html
import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from page_assets import add_static_folder, link_assets
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

DATA_DIR = "explorers"
STATIC_DIR = Path(__file__).with_name("explorer_static")
SCRIPT = STATIC_DIR / "explorer.js"
STYLE_PLACEHOLDER = "<!-- explorer.css -->"
KINDS = ("activation-depth", "init-depth", "training")


class explorer(nodes.General, nodes.Element):
    """One explorer: ``<figure class="explorer">``."""


# --------------------------------------------------------------------------- controls
def _menu(key: str, label: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "kind": "select",
        "options": [(e["name"], e["label"]) for e in entries],
    }


def _slider(key: str, label: str, texts: list[str], low: int = 0) -> dict[str, Any]:
    """A slider over ``low .. low + len(texts) - 1``; ``texts[k]`` names position ``low + k``."""
    return {
        "key": key,
        "label": label,
        "kind": "range",
        "min": low,
        "max": low + len(texts) - 1,
        "labels": {str(low + k): text for k, text in enumerate(texts)},
    }


def controls(data: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The controls of an explorer and its default state (the control values).

    Each control: ``key`` (the state field), ``label``, ``kind`` (``select`` or ``range``),
    ``options`` (``[(value, text)]``) for a menu, or ``min``, ``max`` and ``labels`` for a slider.

    Raises:
        ValueError: for an unknown kind (the message names the valid kinds).
    """
    kind, default = data.get("kind"), data.get("default", {})
    if kind == "activation-depth":
        layers = [f"{n} 层" for n in range(1, data["depth"])]
        return [
            _menu("activation", "激活函数", data["activations"]),
            _slider("n", "经过的层数 n", layers, low=1),
        ], {"activation": default["activation"], "n": default["n"]}
    if kind == "init-depth":
        scales = data["scales"]
        return [
            _menu("init", "初始化方法", data["inits"]),
            _menu("activation", "激活函数", data["activations"]),
            _slider("scaleIndex", "权重再乘以", [f"×{s:g}" for s in scales]),
            _slider("depth", "层数", [f"{n} 层" for n in range(1, data["depth"] + 1)], low=1),
        ], {
            "init": default["init"],
            "activation": default["activation"],
            "scaleIndex": scales.index(default["scale"]),
            "depth": default["depth"],
        }
    if kind == "training":
        lrs, snaps = data["lrs"], data["snapshots"]
        return [
            _slider("lrIndex", "学习率", [f"{lr:g}" for lr in lrs]),
            _menu("init", "初始化方法", data["inits"]),
            _menu("activation", "激活函数", data["activations"]),
            _slider("snapshot", "训练步数", [f"第 {s} 步" for s in snaps]),
        ], {
            "lrIndex": lrs.index(default["lr"]),
            "init": default["init"],
            "activation": default["activation"],
            "snapshot": snaps.index(default["step"]),
        }
    raise ValueError(f"unknown explorer kind {kind!r}; valid kinds: {', '.join(KINDS)}")


# --------------------------------------------------------------------------- static figure
@cache
def _render_cached(script_hash: str, data_text: str, state_text: str) -> tuple[str, str]:
    from mathjax_prerender import node_executable

    program = (
        "const m = require(process.argv[1]);"
        "let s = ''; process.stdin.on('data', (c) => (s += c));"
        "process.stdin.on('end', () => { const a = JSON.parse(s);"
        "process.stdout.write(JSON.stringify(m.render(a.data, a.state))); });"
    )
    run = subprocess.run(
        [node_executable(), "-e", program, str(SCRIPT)],
        input=f'{{"data":{data_text},"state":{state_text}}}',
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise ExtensionError(f"explorer: rendering the default figure failed:\n{run.stderr}")
    out = json.loads(run.stdout)
    return out["svg"], out["text"]


def render_default(data_text: str, state: dict[str, Any]) -> tuple[str, str]:
    """SVG and readout of the default setting, by ``explorer.js`` in Node.js."""
    script_hash = hashlib.sha1(SCRIPT.read_bytes()).hexdigest()
    return _render_cached(script_hash, data_text, json.dumps(state, sort_keys=True))


# --------------------------------------------------------------------------- directive
class ExplorerDirective(SphinxDirective):
    """``{explorer} <name>``: the explorer of ``explorers/<name>.json``; the content is its
    caption."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        path = Path(self.env.srcdir) / DATA_DIR / f"{name}.json"
        if not path.is_file():
            valid = sorted(p.stem for p in path.parent.glob("*.json"))
            raise self.error(f"explorer: no data file {DATA_DIR}/{name}.json; valid: {valid}")
        self.env.note_dependency(str(path))
        self.env.note_dependency(str(SCRIPT))
        text = path.read_text(encoding="utf-8").strip()
        try:
            data = json.loads(text)
            spec, state = controls(data)
        except (ValueError, KeyError) as exc:
            raise self.error(f"explorer: {path.name}: {exc}") from exc
        svg, readout = render_default(text, {**state, "narrow": False})
        svg_narrow, _ = render_default(text, {**state, "narrow": True})
        node = explorer(
            name=name,
            data_text=text,
            spec=spec,
            state=state,
            svg=svg,
            svg_narrow=svg_narrow,
            readout=readout,
        )
        caption = nodes.container(classes=["explorer-caption"])
        self.state.nested_parse(StringList(self.content), self.content_offset, caption)
        node += caption
        return [node]


def _esc(value: Any) -> str:
    """Text for HTML text and attribute values (quotes included)."""
    return html.escape(str(value), quote=True)


def visit_explorer_html(self: Any, node: explorer) -> None:
    name = node["name"]
    parts = [
        f'<figure class="explorer" id="explorer-{name}" data-kind="{_esc(name)}">',
        STYLE_PLACEHOLDER,
        '<div class="explorer-controls">',
    ]
    for control in node["spec"]:
        cid = f"explorer-{name}-{control['key']}"
        value = node["state"][control["key"]]
        if control["kind"] == "select":
            options = "".join(
                f'<option value="{_esc(v)}"{" selected" if v == value else ""}>{_esc(t)}</option>'
                for v, t in control["options"]
            )
            parts.append(
                f'<div class="explorer-control"><label for="{cid}">{_esc(control["label"])}</label>'
                f'<select id="{cid}" data-key="{control["key"]}" disabled>{options}</select></div>'
            )
        else:
            labels = control["labels"]
            low = control.get("min", 0)
            shown = labels[str(value)]
            by_index = [labels.get(str(k), "") for k in range(control["max"] + 1)]
            listed = _esc(json.dumps(by_index, ensure_ascii=False))
            parts.append(
                f'<div class="explorer-control"><label for="{cid}">{_esc(control["label"])}'
                f'：<span data-shows="{cid}">{_esc(shown)}</span></label>'
                f'<input type="range" id="{cid}" data-key="{control["key"]}" disabled min="{low}" '
                f'max="{control["max"]}" step="1" value="{value}" aria-valuetext="{_esc(shown)}" '
                f"data-labels='{listed}'>"
                "</div>"
            )
    parts.append("</div>")
    parts.append(
        f'<div class="explorer-figure"><div class="ex-wide">{node["svg"]}</div>'
        f'<div class="ex-narrow">{node["svg_narrow"]}</div></div>'
    )
    parts.append(
        f'<output class="explorer-readout" aria-live="polite">{_esc(node["readout"])}</output>'
    )
    parts.append(
        '<noscript><p class="explorer-noscript">这是默认设置下的静态图。'
        "启用 JavaScript 后，可以用菜单和滑块改变设置。</p></noscript>"
    )
    data = node["data_text"].replace("</", "<\\/")
    parts.append(f'<script type="application/json" class="explorer-data">{data}</script>')
    parts.append("<figcaption>")
    self.body.append("\n".join(parts))


def depart_explorer_html(self: Any, node: explorer) -> None:
    self.body.append("</figcaption></figure>\n")


def visit_explorer_other(self: Any, node: explorer) -> None:
    self.body.append("")


def skip(self: Any, node: explorer) -> None:
    raise nodes.SkipNode


def add_static_path(app: Sphinx) -> None:
    add_static_folder(app, STATIC_DIR)


def add_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Script and style only on pages with an explorer (``page_assets.link_assets``)."""
    link_assets(app, context, doctree, STYLE_PLACEHOLDER, STATIC_DIR, "explorer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(
        explorer,
        html=(visit_explorer_html, depart_explorer_html),
        latex=(skip, None),
        text=(skip, None),
        man=(skip, None),
        texinfo=(skip, None),
    )
    app.add_directive("explorer", ExplorerDirective)
    app.connect("builder-inited", add_static_path)
    app.connect("html-page-context", add_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
