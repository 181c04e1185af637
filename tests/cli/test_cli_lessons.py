"""`python -m core lessons`: the list as JSON, and a check's verdict with its exit code (0 passed, 1 not yet,
2 an unknown lesson or run)."""
from __future__ import annotations

import json

import pytest

from core.lessons import lesson
from tests.cli.cli_process import cli, last_json
from tests.helpers_lessons import train_lesson_run


@pytest.fixture(scope="module")
def zeros_and_he(tmp_path_factory):
    home = tmp_path_factory.mktemp("lessons_home")
    setup = lesson("zeros-vs-he").setup
    return home, train_lesson_run(home, setup, "zeros"), train_lesson_run(home, setup, "he", layers={"init": "he"})


def test_the_list_is_json_with_every_lesson(tmp_path):
    proc = cli("lessons", "--json", home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = last_json(proc)
    names = [one["name"] for one in out["lessons"]]
    assert {"zeros-vs-he", "bias-fairness", "digits-cnn"} <= set(names)
    assert out["problems"] == []
    first = out["lessons"][0]
    assert {"title", "text", "change", "question", "setup", "check"} <= set(first)


def test_a_passing_check_exits_0_with_its_sentence(zeros_and_he):
    home, zeros, he = zeros_and_he
    proc = cli("lessons", "check", "zeros-vs-he", "--run", zeros, "--run", he, "--json", home=home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = last_json(proc)
    assert out["passed"] is True and out["lesson"] == "zeros-vs-he"
    assert out["runs"] == {"zeros": zeros, "he": he}
    assert "symmetry" in out["sentence"]
    text = cli("lessons", "check", "zeros-vs-he", "--run", zeros, "--run", he, home=home)
    assert text.returncode == 0 and text.stdout.startswith("passed: Your zeros run")
    before = cli("lessons", "--json", "--home", home, "check", "zeros-vs-he", "--run", zeros, "--run", he)
    assert before.returncode == 0 and last_json(before)["runs"] == {"zeros": zeros, "he": he}


def test_a_check_that_does_not_pass_exits_1_saying_what_is_missing(zeros_and_he):
    home, zeros, _ = zeros_and_he
    proc = cli("lessons", "check", "zeros-vs-he", "--run", zeros, home=home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.startswith("not yet: Still missing: your He run")


@pytest.mark.parametrize("args, words", [
    (["check", "nope", "--run", "0" * 24], "there is no lesson 'nope'"),
    (["check", "zeros-vs-he", "--run", "0" * 24], "no run 000000000000000000000000"),
    (["check", "zeros-vs-he", "--run", "abc"], "is not a run id"),
    (["check", "zeros-vs-he"], "--run"),
])
def test_usage_mistakes_are_one_error_line_and_exit_2(tmp_path, args, words):
    proc = cli("lessons", *args, home=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], proc.stderr


def test_a_broken_lesson_in_the_workspace_is_reported_and_the_others_listed(tmp_path):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "mine.json").write_text(json.dumps({"name": "mine"}))
    proc = cli("lessons", "--json", home=tmp_path)
    assert proc.returncode == 0
    out = last_json(proc)
    assert out["problems"] == ["lesson file mine.json: title: must be a text that is not empty"]
    assert "warning: lesson file mine.json" in proc.stderr
    assert len(out["lessons"]) >= 8
