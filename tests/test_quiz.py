"""The quiz data files (``quizzes/*.yml``) and the validation of ``_ext/quiz.py``.

Every data file must load; each holds 4–6 questions with both kinds (choice and numeric), and
its links name labels that exist in the chapters. Bad data raises a ``ValueError`` that names
the file, the question and the field. The rendering is tested on a built book in
``tests/site/test_quiz.py``.
"""

from __future__ import annotations

import collections
import copy
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import quiz  # noqa: E402

DATA_FILES = sorted((ROOT / "quizzes").glob("*.yml"))
CHAPTERS = ROOT / "chapters"

GOOD = {
    "questions": [
        {
            "id": "pick-one",
            "type": "choice",
            "prompt": "哪一个？",
            "choices": [
                {"text": "甲", "feedback": "不对。"},
                {"text": "乙", "correct": True, "feedback": "对。"},
            ],
            "see": "ch2-softmax",
        },
        {
            "id": "a-number",
            "type": "numeric",
            "prompt": "多少？",
            "answer": 0.25,
            "tolerance": 0.001,
            "correct": "对。",
            "wrong": "不对。",
            "mistakes": [{"value": 0.5, "feedback": "那是函数值。"}],
            "see": "chapters/02_activation",
        },
    ]
}


def test_there_is_a_quiz_per_chapter() -> None:
    names = {p.stem for p in DATA_FILES}
    assert {"01_neural_network", "02_activation", "03_initialization", "04_build_network"} <= names
    assert {"05_real_data", "06_summary"} <= names


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.stem for p in DATA_FILES])
def test_data_file_is_valid(path: Path) -> None:
    data = quiz.load_quiz(path)
    questions = data["questions"]
    assert 4 <= len(questions) <= 12, "4–12 questions per chapter (at least 2 per section)"
    assert {q["type"] for q in questions} == {"choice", "numeric"}, "both kinds of question"


def chapter_labels() -> set[str]:
    labels: set[str] = set()
    for nb in CHAPTERS.rglob("*.ipynb"):  # chapter folders hold the section notebooks
        labels.update(re.findall(r"\(([A-Za-z0-9_-]+)\)=", nb.read_text(encoding="utf-8")))
    return labels


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.stem for p in DATA_FILES])
def test_links_name_existing_labels(path: Path) -> None:
    """A label a question links to exists in the chapters (the build checks it again, with
    ``-W``, once the chapter shows its quiz). Page links are checked by the build only: a new
    chapter may not have landed yet."""
    labels = chapter_labels()
    missing = [
        q["see"]
        for q in quiz.load_quiz(path)["questions"]
        if "/" not in q["see"] and q["see"] not in labels
    ]
    assert missing == [], f"labels not found in chapters/*.ipynb: {missing}"


def test_questions_are_not_written_twice() -> None:
    prompts = [q["prompt"] for p in DATA_FILES for q in quiz.load_quiz(p)["questions"]]
    assert len(prompts) == len(set(prompts))


def test_good_data_passes() -> None:
    assert quiz.validate_quiz(copy.deepcopy(GOOD), "x.yml") == GOOD


def broken(edit) -> dict:  # noqa: ANN001
    data = copy.deepcopy(GOOD)
    edit(data)
    return data


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("questions"), r"x\.yml: missing field 'questions'"),
        (lambda d: d.update(extra=1), r"unknown field\(s\) \['extra'\]"),
        (
            lambda d: d["questions"][0].update(type="essay"),
            r"questions\[0\] \(id 'pick-one'\): field 'type'",
        ),
        (
            lambda d: d["questions"][0].pop("prompt"),
            r"questions\[0\] \(id 'pick-one'\): missing field 'prompt'",
        ),
        (lambda d: d["questions"][0].update(promt="x"), r"unknown field\(s\) \['promt'\]"),
        (lambda d: d["questions"][1].update(id="pick-one"), r"field 'id' repeats"),
        (lambda d: d["questions"][0].update(id="Bad Id"), r"field 'id' must be lowercase"),
        (lambda d: d["questions"][0]["choices"][0].update(correct=True), r"exactly one choice"),
        (
            lambda d: d["questions"][0]["choices"][1].pop("feedback"),
            r"choices\[1\]: missing field 'feedback'",
        ),
        (
            lambda d: d["questions"][0]["choices"].pop(),
            r"field 'choices' must be a list of at least 2",
        ),
        (
            lambda d: d["questions"][1].update(tolerance="small"),
            r"\(id 'a-number'\): field 'tolerance' must be a finite number",
        ),
        (lambda d: d["questions"][1].update(tolerance=-1), r"field 'tolerance' must be >= 0"),
        (
            lambda d: d["questions"][1].update(answer=True),
            r"field 'answer' must be a finite number",
        ),
        (lambda d: d["questions"][1].pop("wrong"), r"missing field 'wrong'"),
        (
            lambda d: d["questions"][1]["mistakes"][0].update(value=0.2505),
            r"mistakes\[0\]: field 'value' .* judged correct",
        ),
        (lambda d: d["questions"][1].update(see="see 2.5"), r"field 'see' must be a MyST label"),
        (lambda d: d["questions"][1].update(correct=""), r"field 'correct' must be non-empty text"),
    ],
)
def test_bad_data_names_the_field(edit, message: str) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=message):
        quiz.validate_quiz(broken(edit), "x.yml")


def test_load_reports_bad_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("questions: [\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.yml: line 2, column 1: not valid YAML"):
        quiz.load_quiz(bad)
    ok = tmp_path / "ok.yml"
    ok.write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    assert quiz.load_quiz(ok) == GOOD


def test_math_only_choice_gets_a_spoken_name() -> None:
    assert quiz.spoken(r"$\sigma(z_1 - z_0)$") == "sigma (z_1 - z_0)"
    assert quiz.spoken(r"$\frac{1}{2}$") == "frac 12"
    assert quiz.spoken("`[4, 3]`") is None  # code is read as text
    assert quiz.spoken(r"几乎是 $0$") is None  # the label has words


# --------------------------------------------------------------------------- YAML errors, numbers
def quoted_prompt_line(lines: list[str]) -> int:
    """Index of the first line of a real data file holding ``prompt: '...'`` on one line."""
    return next(
        i for i, line in enumerate(lines) if re.match(r"\s+prompt: '.*'$", line) is not None
    )


@pytest.mark.parametrize("path", DATA_FILES[:3], ids=[p.stem for p in DATA_FILES[:3]])
def test_unclosed_quote_names_its_own_line(tmp_path: Path, path: Path) -> None:
    """A quote left open is reported on the line where it opened, not where YAML gave up."""
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        n = quoted_prompt_line(lines)
    except StopIteration:
        pytest.skip(f"{path.name} has no one-line quoted prompt")
    lines[n] = lines[n].removesuffix("'")
    bad = tmp_path / path.name
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as info:
        quiz.load_quiz(bad)
    message = str(info.value)
    assert message.startswith(f"{path.name}: line {n + 1}:"), message
    assert "<unicode string>" not in message


def test_quote_open_to_the_end_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "open.yml"
    bad.write_text("questions:\n  - id: a\n    prompt: 'no end\n    see: x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"open\.yml: line 3: the quote"):
        quiz.load_quiz(bad)


def test_other_syntax_error_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "indent.yml"
    bad.write_text("questions:\n  - id: a\n     type: choice\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"indent\.yml: line 3, column \d+: not valid YAML"):
        quiz.load_quiz(bad)


def test_exponent_without_a_dot_is_a_number(tmp_path: Path) -> None:
    data = copy.deepcopy(GOOD)
    data["questions"][1].update(answer=9e6, tolerance=1e5)
    data["questions"][1]["mistakes"][0]["value"] = 9e5
    text = yaml.safe_dump(data, allow_unicode=True)
    text = text.replace("answer: 9000000.0", "answer: 9e6").replace(
        "tolerance: 100000.0", "tolerance: 1E+5"
    )
    text = text.replace("value: 900000.0", "value: 9e5")
    assert "answer: 9e6" in text and "tolerance: 1E+5" in text and "value: 9e5" in text
    path = tmp_path / "exp.yml"
    path.write_text(text, encoding="utf-8")
    question = quiz.load_quiz(path)["questions"][1]
    assert question["answer"] == 9e6 and question["tolerance"] == 1e5
    assert question["mistakes"][0]["value"] == 9e5
    # Other texts stay texts.
    assert quiz.parse_yaml("a: 9e6x\nb: e6\nc: '9e6'\nd: 1.5\n") == {
        "a": "9e6x",
        "b": "e6",
        "c": "9e6",
        "d": 1.5,
    }


# --------------------------------------------------------------------------- shuffle, balance
def choice_questions() -> list[tuple[str, dict]]:
    return [
        (p.stem, q)
        for p in DATA_FILES
        for q in quiz.load_quiz(p)["questions"]
        if q["type"] == "choice"
    ]


def correct_index(question: dict) -> int:
    return next(i for i, c in enumerate(question["choices"]) if c.get("correct"))


def test_shuffle_is_a_fixed_permutation_seeded_by_the_id() -> None:
    question = copy.deepcopy(GOOD["questions"][0])
    question["choices"] += [{"text": t, "feedback": "x"} for t in "丙丁戊"]
    order = quiz.choice_order(question)
    assert sorted(order) == list(range(5))
    assert quiz.choice_order(copy.deepcopy(question)) == order, "same id, same order"
    orders = set()
    for n in range(20):
        question["id"] = f"question-{n}"
        orders.add(tuple(quiz.choice_order(question)))
    assert len(orders) > 5, "the order depends on the id"


def visible_length(text: str) -> int:
    """Length of an option as read: markup (``$``, backticks, ``*``, braces) and spaces not
    counted, a TeX command (``\\sqrt``, ``\\mathcal``) counted as one symbol."""
    text = re.sub(r"\\text\{([^}]*)\}", r"\1", text)
    text = re.sub(r"\\[A-Za-z]+", "x", text)
    return len(re.sub(r"[\s$`*{}\\]", "", text))


def test_correct_option_position_is_spread() -> None:
    """After the build-time shuffle, no position holds the correct option in more than half of
    the choice questions (always picking the first option must not pay)."""
    questions = choice_questions()
    positions = collections.Counter(
        quiz.choice_order(q).index(correct_index(q)) for _, q in questions
    )
    assert max(positions.values()) <= len(questions) / 2, positions


def test_correct_option_is_rarely_the_longest() -> None:
    """The correct option is the longest (ties included) in at most a third of the choice
    questions: picking the longest option must not pay either."""
    questions = choice_questions()
    longest = []
    for name, q in questions:
        lengths = [visible_length(c["text"]) for c in q["choices"]]
        if lengths[correct_index(q)] == max(lengths):
            longest.append(f"{name}:{q['id']}")
    assert len(longest) <= len(questions) / 3, (len(longest), len(questions), longest)


# --------------------------------------------------------------------------- builds
CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["myst_parser", "quiz"]
exclude_patterns = ["_build", "quizzes"]
"""


def build_book(
    tmp_path: Path, data: str, *options: str, directive: str = ""
) -> tuple[subprocess.CompletedProcess, Path]:
    src, out = tmp_path / "src", tmp_path / "html"
    (src / "quizzes").mkdir(parents=True)
    (src / "conf.py").write_text(CONF.format(ext=str(ROOT / "_ext")), encoding="utf-8")
    (src / "quizzes" / "demo.yml").write_text(data, encoding="utf-8")
    (src / "index.md").write_text(
        f"# 示例\n\n(ch2-softmax)=\n## 节\n\n```{{quiz}} demo\n{directive}```\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", *options, "-q", "-b", "html", str(src), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return run, out / "index.html"


def test_build_shows_shuffled_choices_with_their_own_feedback(tmp_path: Path) -> None:
    data = copy.deepcopy(GOOD)
    del data["questions"][1]
    question = data["questions"][0]
    question["choices"] = [
        {"text": f"选项{t}", "feedback": f"解释{t}", **({"correct": True} if t == "丙" else {})}
        for t in "甲乙丙丁"
    ]
    question["see"] = "ch2-softmax"
    run, html = build_book(tmp_path, yaml.safe_dump(data, allow_unicode=True), "-W")
    assert run.returncode == 0, run.stderr
    page = html.read_text(encoding="utf-8")
    shown = re.findall(r"<label[^>]*>选项(.)</label>", page)
    order = quiz.choice_order(question)
    assert shown == ["甲乙丙丁"[i] for i in order]
    for position, label in enumerate(shown):
        block = re.search(
            rf'<div data-key="{position}"( data-correct="true")?>\s*<p>解释(.)</p>', page
        )
        assert block is not None, position
        assert block.group(2) == label, "each option keeps its own feedback"
        assert (block.group(1) is not None) == (label == "丙")


@pytest.mark.parametrize("strict", [False, True], ids=["without-W", "with-W"])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("questions: [\n", r"demo\.yml: line 2"),
        ("questions:\n  - id: a\n    type: choice\n", r"missing field 'prompt'"),
    ],
    ids=["bad-yaml", "missing-key"],
)
def test_quiz_error_fails_every_build(
    tmp_path: Path, strict: bool, data: str, message: str
) -> None:
    run, _ = build_book(tmp_path, data, *(["-W"] if strict else []))
    assert run.returncode != 0, "the build must fail"
    assert re.search(message, run.stderr), run.stderr
    assert "index.md" in run.stderr, "the error names the page"


def test_unknown_question_id_fails_the_build_without_w(tmp_path: Path) -> None:
    data = copy.deepcopy(GOOD)
    data["questions"][1]["see"] = "ch2-softmax"
    text = yaml.safe_dump(data, allow_unicode=True)
    run, html = build_book(tmp_path, text, directive=":questions: a-number\n")
    assert run.returncode == 0, run.stderr
    page = html.read_text(encoding="utf-8")
    assert "quiz-demo-a-number" in page and "quiz-demo-pick-one" not in page
    run, _ = build_book(tmp_path / "bad", text, directive=":questions: a-numbr\n")
    assert run.returncode != 0
    assert "no question with id ['a-numbr']" in run.stderr, run.stderr
