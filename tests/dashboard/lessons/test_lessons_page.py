"""The Lessons page through Streamlit's AppTest: a lesson opened, its ready setup put in the session on the way
to Train, "Check my runs" saying what it found in this person's runs only, and the teacher's hand-out."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.classroom import current_handout
from core.lessons import lesson
from core.runs import Store, class_keys, join, token_for
from dashboard import keys
from dashboard.lessons import LESSON_CHECK, LESSON_HAND_OUT, LESSON_OPEN, LESSON_PICK
from tests.helpers_lessons import train_lesson_run
from tests.helpers_runs import APP, shown


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A workspace with a zeros run and a He run of the first lesson."""
    home = tmp_path_factory.mktemp("lessons_page")
    setup = lesson("zeros-vs-he").setup
    return home, [train_lesson_run(home, setup, "zeros"), train_lesson_run(home, setup, "he", layers={"init": "he"})]


def lessons_page(home, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("GLASSNET_HOME", str(home))
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("../pages/lessons.py").run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader")
             for e in getattr(at, kind)]
    return " ".join(shown(p) for p in parts)


def test_a_lesson_opens_with_its_text_and_question(tmp_path, monkeypatch):
    at = lessons_page(tmp_path, monkeypatch)
    assert at.radio(key=LESSON_PICK).value == "zeros-vs-he"
    at.radio(key=LESSON_PICK).set_value("bias-fairness").run()
    one = lesson("bias-fairness")
    assert one.title in texts(at) and one.question in texts(at)
    assert at.query_params["lesson"] in ("bias-fairness", ["bias-fairness"])
    at.switch_page("../pages/runs.py").run()
    at.query_params.pop("lesson", None)                               # the menu's links carry no ?lesson=
    at.switch_page("../pages/lessons.py").run()
    assert at.radio(key=LESSON_PICK).value == "bias-fairness"          # the lesson open is kept meanwhile


def test_the_setup_button_fills_the_settings_and_goes_to_train(tmp_path, monkeypatch):
    at = lessons_page(tmp_path, monkeypatch, {"lesson": "vanishing-gradients"})
    at.button(key=LESSON_OPEN).click().run()
    assert not at.exception, at.exception
    one = lesson("vanishing-gradients")
    assert at.session_state[keys.DATASET_REF] == one.setup["dataset"]
    assert at.session_state[keys.NETWORK] == one.setup["network"]
    assert at.session_state[keys.TRAIN_SPEC] == one.setup["train"]
    assert any(t.value == "Train" for t in at.title), [t.value for t in at.title]


def test_check_my_runs_says_what_is_missing_then_what_was_found(trained, tmp_path, monkeypatch):
    at = lessons_page(tmp_path, monkeypatch)                        # a workspace without runs
    at.button(key=LESSON_CHECK).click().run()
    assert "None of your runs is on this lesson's data" in shown(at.info[0].value)
    home, _ = trained
    at = lessons_page(home, monkeypatch)
    at.button(key=LESSON_CHECK).click().run()
    assert not at.exception, at.exception
    sentence = shown(at.success[0].value)
    assert sentence.startswith("Your zeros run kept its hidden units identical (symmetry)"), sentence
    assert "Why:" in texts(at)


def test_a_student_s_check_sees_only_their_runs_and_the_teacher_hands_a_lesson_out(trained, tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_MODE", "class")
    home, runs = trained
    with Store(home) as store:
        code = class_keys(home)
        ada, bob = join(store, "Ada", code.code), join(store, "Bob", code.code)
        teacher = join(store, "Teacher", code.teacher_key)
        for run_id in runs:
            store.update_run(run_id, owner=bob.id)
        tokens = {p.name: token_for(store, p) for p in (ada, bob, teacher)}
    at = lessons_page(home, monkeypatch, {"who": tokens["Ada"]})
    at.button(key=LESSON_CHECK).click().run()
    assert not at.success and "None of your runs" in shown(at.info[0].value)
    at = lessons_page(home, monkeypatch, {"who": tokens["Bob"]})
    assert LESSON_HAND_OUT not in [b.key for b in at.button]          # a student hands nothing out
    at.button(key=LESSON_CHECK).click().run()
    assert at.success, texts(at)
    at = lessons_page(home, monkeypatch, {"who": tokens["Teacher"], "lesson": "imbalance"})
    at.button(key=LESSON_HAND_OUT).click().run()
    assert not at.exception, at.exception
    with Store(home) as store:
        handed = current_handout(store)
    assert handed.settings == lesson("imbalance").settings


def test_a_broken_lesson_file_is_named_and_the_others_still_open(tmp_path, monkeypatch):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "mine.json").write_text('{"name": "mine", "title": 3}')
    at = lessons_page(tmp_path, monkeypatch)
    warning = shown(at.warning[0].value)
    assert warning.startswith("lesson file mine.json: title: must be a text"), warning
    assert at.radio(key=LESSON_PICK).value == "zeros-vs-he"
