"""The quiz data files (``quizzes/*.yml``) and the validation of ``_ext/quiz.py``.

Every data file must load; each holds 4–6 questions with both kinds (choice and numeric), and
its links name labels that exist in the chapters. Bad data raises a ``ValueError`` that names
the file, the question and the field. The rendering is tested on a built book in
``tests/site/test_quiz.py``.
"""

from __future__ import annotations

import copy
import re
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
    assert 4 <= len(questions) <= 10, "4–10 questions per chapter (at least 2 per section page)"
    assert {q["type"] for q in questions} == {"choice", "numeric"}, "both kinds of question"


def chapter_labels() -> set[str]:
    labels: set[str] = set()
    for nb in CHAPTERS.rglob("*.ipynb"):  # chapter folders hold section notebooks
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
    with pytest.raises(ValueError, match=r"bad\.yml: not valid YAML"):
        quiz.load_quiz(bad)
    ok = tmp_path / "ok.yml"
    ok.write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    assert quiz.load_quiz(ok) == GOOD


def test_math_only_choice_gets_a_spoken_name() -> None:
    assert quiz.spoken(r"$\sigma(z_1 - z_0)$") == "sigma (z_1 - z_0)"
    assert quiz.spoken(r"$\frac{1}{2}$") == "frac 12"
    assert quiz.spoken("`[4, 3]`") is None  # code is read as text
    assert quiz.spoken(r"几乎是 $0$") is None  # the label has words
