"""Lesson files: the shipped ones read cleanly, and a malformed one is named with its field and the fix."""
from __future__ import annotations

import copy
import json

import pytest

from core.lessons import DATA_DIR, LessonError, lesson, lessons, read_lesson

TOPICS = {"zeros-vs-he", "learning-rate", "optimiser-race", "vanishing-gradients", "overfitting", "imbalance",
          "digits-cnn", "bias-fairness"}


def good() -> dict:
    return json.loads((DATA_DIR / "zeros-vs-he.json").read_text())


def written(tmp_path, data, name="zeros-vs-he.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_the_shipped_lessons_read_cleanly_and_cover_the_topics():
    found, problems = lessons()
    assert problems == []
    assert TOPICS <= {one.name for one in found}
    assert [one.name for one in found][:2] == ["zeros-vs-he", "learning-rate"]     # by their order field
    for one in found:
        assert one.title and one.text and one.question and one.change
        assert set(one.setup) == {"dataset", "network", "train"}


def broken(change):
    data = good()
    change(data)
    return data


@pytest.mark.parametrize("change, field, words", [
    (lambda d: d.pop("question"), "question", "must be a text"),
    (lambda d: d.update(name="Zeros He"), "name", "slug"),
    (lambda d: d.update(name="other"), "name", "file's name"),
    (lambda d: d["setup"]["train"].update(lr=-1), "setup.train", "learning rate"),
    (lambda d: d["setup"]["network"]["layers"][0].update(init="ones"), "setup.network", "initialisation"),
    (lambda d: d["setup"]["dataset"].update(name="nowhere"), "setup.dataset.name", "nowhere"),
    (lambda d: d["setup"]["dataset"]["params"].update(bias=1), "setup.dataset.params.bias", "no such parameter"),
    (lambda d: d["check"]["runs"][0]["where"].update(colour="red"), "check.runs[0].where.colour", "setting"),
    (lambda d: d["check"]["runs"][0].update(diagnoses=["sadness"]), "check.runs[0].diagnoses", "symmetry"),
    (lambda d: d["check"]["runs"][1]["metrics"].update(speed={"min": 1}), "check.runs[1].metrics.speed", "metric"),
    (lambda d: d["check"]["compare"][0].update(than="nobody"), "check.compare[0].than", "not a role"),
    (lambda d: d["check"]["compare"][0].update(lower="he"), "check.compare[0]", "one of them"),
    (lambda d: d["check"].update(passed="{ghost.val_accuracy}"), "check.passed", "names no role"),
    (lambda d: d["check"].update(runs=[]), "check.runs", "at least one"),
    (lambda d: d["check"]["runs"][0]["where"].update(lr={"min": "low"}), "check.runs[0].where.lr.min", "number"),
])
def test_a_malformed_lesson_is_named_with_its_file_and_field(tmp_path, change, field, words):
    with pytest.raises(LessonError) as caught:
        read_lesson(written(tmp_path, broken(change)))
    message = str(caught.value)
    assert message.startswith(f"lesson file zeros-vs-he.json: {field}"), message
    assert words in message, message
    assert caught.value.field == field


def test_a_file_that_is_not_json_says_where(tmp_path):
    with pytest.raises(LessonError, match=r"zeros-vs-he.json: is not valid JSON .* line 1"):
        read_lesson(written(tmp_path, "{name: 1}"))


def test_a_workspace_lesson_is_listed_and_a_broken_one_reported_beside_the_others(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    mine = copy.deepcopy(good())
    mine.update(name="my-lesson", title="My own lesson")
    written(folder, mine, "my-lesson.json")
    written(folder, "[", "broken.json")
    found, problems = lessons(tmp_path)
    assert "my-lesson" in {one.name for one in found}
    assert TOPICS <= {one.name for one in found}
    assert [p.file for p in problems] == ["broken.json"]
    assert lesson("my-lesson", tmp_path).title == "My own lesson"


def test_an_unknown_lesson_names_the_lessons_there_are():
    with pytest.raises(LessonError, match="there is no lesson 'nope'; the lessons are zeros-vs-he"):
        lesson("nope")
