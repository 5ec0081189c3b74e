"""Self-check quizzes: the ``quiz`` directive (README "讲师：如何添加自测题").

A page shows a chapter's quiz with one line in a Markdown cell::

    ```{quiz} 02_activation
    ```

and a section page shows its part of it, selected by question id, in the order given::

    ```{quiz} 02_activation
    :questions: sigmoid-range, vanishing-product
    ```

Every question is shown on exactly one page (tests/test_quiz.py checks it over all pages).

The questions live in ONE data file per chapter, ``quizzes/<name>.yml`` (the single source: no
question is written twice). :func:`load_quiz` validates it and raises a ``ValueError`` that names
the file, the question and the bad field. Two kinds of question:

- ``type: choice``: one correct answer among ``choices``; every choice carries its own
  ``feedback`` saying why it is right or wrong;
- ``type: numeric``: ``answer`` and an absolute ``tolerance``; ``correct`` and ``wrong`` texts,
  and optional ``mistakes``: typical wrong values with their own explanation.

The options of a choice question are shown in a fixed shuffled order, seeded from the question's
``id`` (:func:`choice_order`): the same in every build, and the data file may list the correct
option anywhere. Each option keeps its own feedback. ``tests/test_quiz.py`` checks over all quiz
files that the correct option's shown position is spread and that it is rarely the longest.

A quiz that cannot be shown (bad YAML, a missing field, an unknown id) fails the build, with or
without ``-W`` (:func:`fail_on_quiz_errors`); a YAML syntax error names the file and the line of
the real mistake (:func:`yaml_error_message`). Numbers may be written ``9e6`` (:class:`QuizLoader`).

Every question names a section to re-read in ``see``: a MyST label (``ch2-softmax``) or a page
(``chapters/02_activation``). The link is a normal Sphinx cross-reference, so a stale target is
a build warning (an error under ``-W``). Texts are MyST Markdown (code, ``$math$``).

The HTML works with no kernel, offline and with no request to another origin: plain forms
(``fieldset``/``legend``, radio inputs with labels, a labelled text input), a "检查答案" button, an
``aria-live`` region for the feedback, and the explanations rendered at build time (hidden until
used). The small script and style sheet (``_ext/quiz_static/``) are added only to pages that
hold a quiz: Jupyter Book would add every file under ``_static/`` to every page.
"""

from __future__ import annotations

import copy
import hashlib
import math
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from page_assets import add_static_folder, link_assets
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import SphinxError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

QUIZ_DIR = "quizzes"
STATIC_DIR = Path(__file__).with_name("quiz_static")
QUESTION_TYPES = ("choice", "numeric")
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
NAME_PATTERN = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*")

TOP_KEYS = {"questions": True, "intro": False}
COMMON_KEYS = {"id": True, "type": True, "prompt": True, "see": True}
TYPE_KEYS = {
    "choice": {"choices": True},
    "numeric": {
        "answer": True,
        "tolerance": True,
        "correct": True,
        "wrong": True,
        "mistakes": False,
    },
}
CHOICE_KEYS = {"text": True, "feedback": True, "correct": False}
MISTAKE_KEYS = {"value": True, "feedback": True}


# --------------------------------------------------------------------------- data
def _check_keys(where: str, item: Any, keys: dict[str, bool]) -> None:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: must be a mapping with the fields {sorted(keys)}")
    unknown = sorted(set(item) - set(keys))
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {unknown}; valid fields: {sorted(keys)}")
    for key, required in keys.items():
        if required and key not in item:
            raise ValueError(f"{where}: missing field '{key}'")


def _text(where: str, item: dict, key: str) -> str:
    value = item[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: field '{key}' must be non-empty text, got {value!r}")
    return value


def _number(where: str, item: dict, key: str) -> float:
    value = item[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where}: field '{key}' must be a finite number, got {value!r}")
    return float(value)


def validate_quiz(data: Any, source: str = "quiz") -> dict[str, Any]:
    """Check a parsed quiz data file; return it unchanged. Raises ``ValueError`` naming the bad
    field (``source: questions[2] (id 'x'): field 'tolerance' ...``)."""
    _check_keys(source, data, TOP_KEYS)
    if "intro" in data:
        _text(source, data, "intro")
    questions = data["questions"]
    if not isinstance(questions, list) or not questions:
        raise ValueError(f"{source}: field 'questions' must be a non-empty list")
    seen: set[str] = set()
    for n, question in enumerate(questions):
        where = f"{source}: questions[{n}]"
        if isinstance(question, dict) and isinstance(question.get("id"), str):
            where += f" (id '{question['id']}')"
        if not isinstance(question, dict):
            raise ValueError(f"{where}: must be a mapping")
        kind = question.get("type")
        if kind not in QUESTION_TYPES:
            raise ValueError(
                f"{where}: field 'type' must be one of {list(QUESTION_TYPES)}, got {kind!r}"
            )
        _check_keys(where, question, {**COMMON_KEYS, **TYPE_KEYS[kind]})
        qid = _text(where, question, "id")
        if not ID_PATTERN.fullmatch(qid):
            raise ValueError(
                f"{where}: field 'id' must be lowercase words joined by '-', got {qid!r}"
            )
        if qid in seen:
            raise ValueError(f"{where}: field 'id' repeats an earlier question's id {qid!r}")
        seen.add(qid)
        _text(where, question, "prompt")
        see = _text(where, question, "see")
        if not re.fullmatch(r"[A-Za-z0-9_./-]+", see):
            raise ValueError(
                f"{where}: field 'see' must be a MyST label (ch2-softmax) or a page "
                f"(chapters/02_activation), got {see!r}"
            )
        if kind == "choice":
            choices = question["choices"]
            if not isinstance(choices, list) or len(choices) < 2:
                raise ValueError(f"{where}: field 'choices' must be a list of at least 2 choices")
            for m, choice in enumerate(choices):
                cwhere = f"{where}: choices[{m}]"
                _check_keys(cwhere, choice, CHOICE_KEYS)
                _text(cwhere, choice, "text")
                _text(cwhere, choice, "feedback")
                if not isinstance(choice.get("correct", False), bool):
                    raise ValueError(f"{cwhere}: field 'correct' must be true or false")
            n_correct = sum(bool(c.get("correct", False)) for c in choices)
            if n_correct != 1:
                raise ValueError(
                    f"{where}: field 'choices' must have exactly one choice with 'correct: true', "
                    f"found {n_correct}"
                )
        else:
            answer = _number(where, question, "answer")
            tolerance = _number(where, question, "tolerance")
            if tolerance < 0:
                raise ValueError(f"{where}: field 'tolerance' must be >= 0, got {tolerance!r}")
            _text(where, question, "correct")
            _text(where, question, "wrong")
            mistakes = question.get("mistakes", [])
            if not isinstance(mistakes, list):
                raise ValueError(f"{where}: field 'mistakes' must be a list")
            for m, mistake in enumerate(mistakes):
                mwhere = f"{where}: mistakes[{m}]"
                _check_keys(mwhere, mistake, MISTAKE_KEYS)
                value = _number(mwhere, mistake, "value")
                _text(mwhere, mistake, "feedback")
                if abs(value - answer) <= tolerance:
                    raise ValueError(
                        f"{mwhere}: field 'value' {value!r} lies within the tolerance of the "
                        f"answer {answer!r}, so it would be judged correct"
                    )
    return data


def quiz_path(srcdir: str | Path, name: str) -> Path:
    return Path(srcdir) / QUIZ_DIR / f"{name}.yml"


class QuizLoader(yaml.SafeLoader):
    """PyYAML's safe loader, plus YAML 1.2 floats without a dot: ``answer: 9e6`` is the number
    9000000.0 (YAML 1.1, PyYAML's default, reads it as the text ``"9e6"``)."""


QuizLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def parse_yaml(text: str) -> Any:
    """Parse quiz YAML with :class:`QuizLoader` (raises ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=QuizLoader)  # noqa: S506 (a SafeLoader subclass)


def yaml_error_message(name: str, text: str, exc: yaml.YAMLError) -> str:
    """``<file>: line N: <problem>`` for a YAML syntax error, N being the line of the real mistake.

    A quote left open (``prompt: '...`` with no closing ``'``) is not an error where it is made:
    YAML reads on, across lines, to the next quote, and fails there (often dozens of lines
    later). So when the token just before the failure is a quoted text spanning several lines,
    or the failure is the end of the file inside a quoted text, the line reported is the one
    where that quote opened.
    """
    problem = getattr(exc, "problem", None) or str(exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None) or ""
    context_mark = getattr(exc, "context_mark", None)
    if context_mark is not None and "quoted scalar" in context:
        line = context_mark.line + 1
        return (
            f"{name}: line {line}: the quote opened on this line is never closed (YAML: {problem})"
        )
    if mark is None:
        return f"{name}: not valid YAML: {exc}"
    before = None
    try:
        for token in yaml.scan(text, Loader=QuizLoader):
            if token.end_mark.index > mark.index:
                break
            before = token
    except yaml.YAMLError:
        pass
    if (
        isinstance(before, yaml.ScalarToken)
        and before.style in ("'", '"')
        and before.end_mark.line > before.start_mark.line
    ):
        opened = before.start_mark.line + 1
        return (
            f"{name}: line {opened}: the quote {before.style} opened on this line is probably "
            f"not closed on it; YAML read on to line {before.end_mark.line + 1} and failed "
            f"there ({problem})"
        )
    return f"{name}: line {mark.line + 1}, column {mark.column + 1}: not valid YAML: {problem}"


def load_quiz(path: str | Path) -> dict[str, Any]:
    """Read and validate one quiz data file (``quizzes/<name>.yml``).

    Each version of a file is parsed once per process (a build reads a chapter's file for every
    section page and for its reading time); callers get a deep copy they may change."""
    path = Path(path)
    return copy.deepcopy(_load_quiz(path.resolve(), path.stat().st_mtime_ns))


@lru_cache(maxsize=64)
def _load_quiz(path: Path, _mtime: int) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise ValueError(yaml_error_message(path.name, text, exc)) from exc
    return validate_quiz(data, path.name)


def choice_order(question: dict[str, Any]) -> list[int]:
    """The order in which a choice question's options are shown: a shuffle of their indices,
    the same in every build, seeded from the question's ``id``. The data file may list the
    correct option first; the reader sees it wherever the shuffle puts it (each option keeps
    its own feedback)."""
    seed = int.from_bytes(hashlib.sha256(question["id"].encode("utf-8")).digest()[:8], "big")
    order = list(range(len(question["choices"])))
    random.Random(seed).shuffle(order)
    return order


def select_questions(data: dict[str, Any], spec: str, source: str) -> list[dict[str, Any]]:
    """The questions named in ``spec`` (``"id-a, id-b"``), in that order.

    A section page shows part of its chapter's quiz file with ``:questions: id-a, id-b``.
    Raises ``ValueError`` naming an unknown or repeated id and the valid ids.
    """
    by_id = {q["id"]: q for q in data["questions"]}
    wanted = [part.strip() for part in spec.replace(",", " ").split() if part.strip()]
    if not wanted:
        raise ValueError(
            f"{source}: option ':questions:' names no question; valid ids: {sorted(by_id)}"
        )
    unknown = [q for q in wanted if q not in by_id]
    if unknown:
        raise ValueError(f"{source}: no question with id {unknown}; valid ids: {sorted(by_id)}")
    repeated = sorted({q for q in wanted if wanted.count(q) > 1})
    if repeated:
        raise ValueError(f"{source}: option ':questions:' repeats {repeated}")
    return [by_id[q] for q in wanted]


def spoken(text: str) -> str | None:
    """A plain-text name for a choice that is only a formula (``$\\sigma(z_1 - z_0)$``).

    Typeset math is hidden from the accessibility checkers' name computation, so a label that
    holds nothing but math counts as empty (Lighthouse: "Form elements do not have associated
    labels"). Such a choice gets ``aria-label`` = the TeX without backslashes and braces.
    """
    if re.sub(r"\$[^$]*\$", "", text).strip(" `*"):
        return None
    tex = " ".join(m.strip("$") for m in re.findall(r"\$[^$]*\$", text))
    tex = re.sub(r"\\(?:left|right|[,;!]|quad)", " ", tex)
    tex = re.sub(r"\\([A-Za-z]+)", r"\1 ", tex).replace("{", "").replace("}", "")
    return " ".join(tex.split()) or None


# --------------------------------------------------------------------------- nodes
class quiz(nodes.General, nodes.Element):
    """The whole quiz of a page: ``<section class="quiz">``."""


class quiz_question(nodes.General, nodes.Element):
    """One question: a ``<form>`` with a fieldset, the check button and the feedback region."""


class quiz_legend(nodes.General, nodes.TextElement):
    """The question text: ``<legend>``."""


class quiz_choice(nodes.General, nodes.TextElement):
    """A radio input and its ``<label>``."""


class quiz_number(nodes.General, nodes.Element):
    """A labelled text input for a number."""


class quiz_explanations(nodes.General, nodes.Element):
    """Explanations shown after a check, rendered at build time: hidden blocks."""


class quiz_explanation(nodes.General, nodes.Element):
    """One explanation (``data-key`` = choice index, ``correct``, ``wrong`` or ``mistake-N``)."""


def _attrs(**values: Any) -> str:
    out = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        out.append(name if value is True else f'{name}="{_esc(value)}"')
    return (" " + " ".join(out)) if out else ""


def _esc(value: Any) -> str:
    return (
        str(value)
        .replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


STYLE_PLACEHOLDER = "<!-- quiz.css -->"


def visit_quiz_html(self: Any, node: quiz) -> None:
    self.body.append(
        f'<section class="quiz" id="{node["ids"][0]}" data-quiz="{_esc(node["name"])}">\n'
        f"{STYLE_PLACEHOLDER}\n"
    )


def depart_quiz_html(self: Any, node: quiz) -> None:
    self.body.append("</section>\n")


def visit_question_html(self: Any, node: quiz_question) -> None:
    attrs = _attrs(
        class_="quiz-question",
        id=node["ids"][0],
        data_kind=node["kind"],
        data_answer=node.get("answer"),
        data_tolerance=node.get("tolerance"),
        novalidate=True,
    )
    self.body.append(f"<form{attrs}>\n<fieldset>\n")


def depart_question_html(self: Any, node: quiz_question) -> None:
    self.body.append("</form>\n")


def visit_legend_html(self: Any, node: quiz_legend) -> None:
    self.body.append(f'<legend><span class="quiz-number">第 {node["number"]} 题</span> ')


def depart_legend_html(self: Any, node: quiz_legend) -> None:
    self.body.append("</legend>\n")


def visit_choice_html(self: Any, node: quiz_choice) -> None:
    self.body.append(
        f'<div class="quiz-choice"><input type="radio" name="{node["group"]}" '
        f'id="{node["input_id"]}" value="{node["index"]}"'
        + _attrs(aria_label=node.get("spoken"))
        + ">"
        f'<label for="{node["input_id"]}">'
    )


def depart_choice_html(self: Any, node: quiz_choice) -> None:
    self.body.append("</label></div>\n")


def visit_number_html(self: Any, node: quiz_number) -> None:
    self.body.append(
        f'<div class="quiz-number-input">'
        f'<label for="{node["input_id"]}">你的答案（一个数）：</label>'
        f'<input type="text" inputmode="decimal" autocomplete="off" spellcheck="false" '
        f'id="{node["input_id"]}" name="{node["input_id"]}"></div>\n'
    )
    raise nodes.SkipNode


def visit_explanations_html(self: Any, node: quiz_explanations) -> None:
    # The fieldset closes here: the button and the feedback region follow it in the form.
    self.body.append(
        '</fieldset>\n<button type="submit" class="quiz-check">检查答案</button>\n'
        '<div class="quiz-feedback" role="status" aria-live="polite"></div>\n'
        '<div class="quiz-explanations" hidden>\n'
    )


def depart_explanations_html(self: Any, node: quiz_explanations) -> None:
    self.body.append("</div>\n")


def visit_explanation_html(self: Any, node: quiz_explanation) -> None:
    self.body.append(
        "<div"
        + _attrs(
            data_key=node["key"], data_value=node.get("value"), data_correct=node.get("correct")
        )
        + ">\n"
    )


def depart_explanation_html(self: Any, node: quiz_explanation) -> None:
    self.body.append("</div>\n")


# Other builders (LaTeX/PDF, text, ...): the questions and choices print as paragraphs; the
# inputs, button and explanations are left out.
def visit_skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def visit_pass(self: Any, node: nodes.Element) -> None:
    pass


def visit_as_paragraph(self: Any, node: nodes.Element) -> None:
    self.visit_paragraph(node)


def depart_as_paragraph(self: Any, node: nodes.Element) -> None:
    self.depart_paragraph(node)


# --------------------------------------------------------------------------- directive
class QuizDirective(SphinxDirective):
    """``{quiz} <name>``: the questions of ``quizzes/<name>.yml``."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec = {"class": directives.class_option, "questions": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if not NAME_PATTERN.fullmatch(name):
            return self.fail(f"quiz: the name must look like 02_activation, got {name!r}")
        path = quiz_path(self.env.srcdir, name)
        if not path.is_file():
            return self.fail(f"quiz: no data file {QUIZ_DIR}/{name}.yml")
        self.env.note_dependency(str(path))
        try:
            data = load_quiz(path)
        except ValueError as exc:
            return self.fail(f"quiz: {exc}")

        questions = data["questions"]
        if "questions" in self.options:
            try:
                questions = select_questions(data, self.options["questions"], f"{name}.yml")
            except ValueError as exc:
                return self.fail(f"quiz: {exc}")

        root = quiz(name=name, ids=[f"quiz-{name}"])
        intro = data.get(
            "intro",
            "选出或填写答案后按“检查答案”，每个选项都有解释。答案只在你的浏览器里检查，不发送到任何地方。",
        )
        root += self.parse_blocks(intro)
        for number, question in enumerate(questions, start=1):
            root += self.question_node(name, number, question)
        return [root]

    def fail(self, message: str) -> list[nodes.Node]:
        """Report a quiz error and make the build fail, with or without ``-W``.

        The error is logged at once (with the page and line) and kept in the environment;
        :func:`fail_on_quiz_errors` then stops the build once every page is read, so all the
        quiz errors are listed. A page with a quiz error is read again on the next build even
        if it did not change (:func:`reread_failed_pages`)."""
        logger.error(message, location=(self.env.docname, self.lineno))
        errors = getattr(self.env, "quiz_errors", None)
        if errors is None:
            errors = self.env.quiz_errors = {}
        errors.setdefault(self.env.docname, []).append(message)
        return []

    # MyST Markdown in the data file: inline for legends and labels, blocks for explanations.
    def parse_inline(self, text: str) -> list[nodes.Node]:
        parsed, messages = self.state.inline_text(text.strip(), self.lineno)
        return [*parsed, *messages]

    def parse_blocks(self, text: str) -> list[nodes.Node]:
        holder = nodes.Element()
        self.state.nested_parse(StringList(text.strip().splitlines(), source=""), 0, holder)
        return list(holder.children)

    def see_node(self, target: str) -> nodes.paragraph:
        if "/" in target:
            ref = addnodes.pending_xref(
                "",
                refdomain="std",
                reftype="doc",
                reftarget="/" + target.removesuffix(".ipynb"),
                refexplicit=False,
                refwarn=True,
                refdoc=self.env.docname,
            )
        else:
            ref = addnodes.pending_xref(
                "",
                refdomain="std",
                reftype="ref",
                reftarget=target.lower(),
                refexplicit=False,
                refwarn=True,
                refdoc=self.env.docname,
            )
        ref += nodes.inline(target, target)
        para = nodes.paragraph("", "", classes=["quiz-see"])
        para += nodes.Text("回看：")
        para += ref
        return para

    def question_node(self, name: str, number: int, question: dict[str, Any]) -> quiz_question:
        qid = f"quiz-{name}-{question['id']}"
        node = quiz_question(ids=[qid], kind=question["type"])
        legend = quiz_legend(number=number)
        legend += self.parse_inline(question["prompt"])
        node += legend
        explanations = quiz_explanations()
        if question["type"] == "choice":
            # Shown in a fixed shuffled order (choice_order); the value, id and explanation key
            # of an option are its shown position, so its feedback goes with it.
            shown = [question["choices"][i] for i in choice_order(question)]
            for index, choice in enumerate(shown):
                item = quiz_choice(
                    group=qid, input_id=f"{qid}-{index}", index=index, spoken=spoken(choice["text"])
                )
                item += self.parse_inline(choice["text"])
                node += item
                expl = quiz_explanation(
                    key=str(index), correct="true" if choice.get("correct") else None
                )
                expl += self.parse_blocks(choice["feedback"])
                explanations += expl
        else:
            node["answer"] = repr(float(question["answer"]))
            node["tolerance"] = repr(float(question["tolerance"]))
            node += quiz_number(input_id=f"{qid}-input")
            for key in ("correct", "wrong"):
                expl = quiz_explanation(key=key)
                expl += self.parse_blocks(question[key])
                explanations += expl
            for index, mistake in enumerate(question.get("mistakes", [])):
                expl = quiz_explanation(key=f"mistake-{index}", value=repr(float(mistake["value"])))
                expl += self.parse_blocks(mistake["feedback"])
                explanations += expl
        see = quiz_explanation(key="see")
        see += self.see_node(question["see"])
        explanations += see
        node += explanations
        return node


# --------------------------------------------------------------------------- build errors
class QuizError(SphinxError):
    category = "Quiz error"


def purge_quiz_errors(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "quiz_errors", {}).pop(docname, None)


def merge_quiz_errors(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    if getattr(other, "quiz_errors", None):
        if getattr(env, "quiz_errors", None) is None:
            env.quiz_errors = {}
        env.quiz_errors.update(other.quiz_errors)


def reread_failed_pages(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    return sorted(set(getattr(env, "quiz_errors", {})) - removed)


def fail_on_quiz_errors(app: Sphinx, env: BuildEnvironment) -> None:
    """Stop the build when a quiz could not be shown: without ``-W`` Sphinx would only log the
    error, exit 0 and publish the page without its quiz."""
    errors = getattr(env, "quiz_errors", {})
    if errors:
        lines = [f"{doc}: {msg}" for doc, messages in sorted(errors.items()) for msg in messages]
        raise QuizError("the build stops: a quiz could not be shown\n" + "\n".join(lines))


# --------------------------------------------------------------------------- assets
def add_static_path(app: Sphinx) -> None:
    add_static_folder(app, STATIC_DIR)


def add_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Script and style only on pages with a quiz (``page_assets.link_assets``)."""
    link_assets(app, context, doctree, STYLE_PLACEHOLDER, STATIC_DIR, "quiz")


def setup(app: Sphinx) -> dict[str, Any]:
    html = {
        quiz: (visit_quiz_html, depart_quiz_html),
        quiz_question: (visit_question_html, depart_question_html),
        quiz_legend: (visit_legend_html, depart_legend_html),
        quiz_choice: (visit_choice_html, depart_choice_html),
        quiz_number: (visit_number_html, None),
        quiz_explanations: (visit_explanations_html, depart_explanations_html),
        quiz_explanation: (visit_explanation_html, depart_explanation_html),
    }
    other = {
        quiz: (visit_pass, visit_pass),
        quiz_question: (visit_pass, visit_pass),
        quiz_legend: (visit_as_paragraph, depart_as_paragraph),
        quiz_choice: (visit_as_paragraph, depart_as_paragraph),
        quiz_number: (visit_skip, None),
        quiz_explanations: (visit_skip, None),
        quiz_explanation: (visit_skip, None),
    }
    for node_class, visitors in html.items():
        app.add_node(
            node_class,
            html=visitors,
            **{fmt: other[node_class] for fmt in ("latex", "text", "man", "texinfo")},
        )
    app.add_directive("quiz", QuizDirective)
    app.connect("builder-inited", add_static_path)
    app.connect("html-page-context", add_assets)
    app.connect("env-purge-doc", purge_quiz_errors)
    app.connect("env-merge-info", merge_quiz_errors)
    app.connect("env-get-outdated", reread_failed_pages)
    app.connect("env-updated", fail_on_quiz_errors)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
