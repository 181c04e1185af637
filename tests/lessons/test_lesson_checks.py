"""Each shipped lesson, trained for real from its ready setup: the lesson's change gives the outcome it teaches
and its check passes; without the change's run, or with a run that misses the bar, it does not."""
from __future__ import annotations

import pytest

from core.lessons import check, lesson
from core.runs import Store
from tests.helpers_lessons import train_lesson_run

# lesson -> the runs a learner makes: (name, changes); the first is the setup as it is
PLANS = {
    "zeros-vs-he": [("zeros", {}), ("he", {"layers": {"init": "he"}})],
    "learning-rate": [("good", {}), ("high", {"train": {"lr": 5.0}}), ("low", {"train": {"lr": 0.0005}})],
    "optimiser-race": [("sgd", {}), ("momentum", {"train": {"optimizer": "momentum"}}),
                       ("adam", {"train": {"optimizer": "adam"}})],
    "vanishing-gradients": [("sigmoid", {}), ("relu", {"layers": {"activation": "relu", "init": "he"}})],
    "overfitting": [("plain", {}), ("l2", {"train": {"l2": 0.01}})],
    "imbalance": [("plain", {}), ("balanced", {"train": {"class_weights": "balanced"}})],
    "digits-cnn": [("cnn", {})],
    "bias-fairness": [("biased", {}), ("fair", {"data": {"bias": 0.0}})],
}


@pytest.mark.parametrize("name", list(PLANS))
def test_the_lesson_s_change_passes_its_check_and_less_does_not(name, tmp_path):
    one = lesson(name)
    ids = [train_lesson_run(tmp_path, one.setup, label, **changes) for label, changes in PLANS[name]]
    with Store(tmp_path) as store:
        verdict = check(one, store, ids)
        assert verdict.passed, verdict.sentence
        assert set(verdict.runs.values()) == set(ids)
        assert "{" not in verdict.sentence
        if len(ids) > 1:
            fewer = check(one, store, ids[:-1])
            assert not fewer.passed
            dropped = next(role for role, run_id in verdict.runs.items() if run_id == ids[-1])
            label = next(r["label"] for r in one.check["runs"] if r["role"] == dropped)
            assert fewer.sentence.startswith(f"Still missing: {label}") or fewer.sentence.startswith("Not yet"), \
                fewer.sentence


def test_a_run_that_misses_the_bar_fails_with_the_number_it_reached(tmp_path):
    one = lesson("zeros-vs-he")
    zeros = train_lesson_run(tmp_path, one.setup, "zeros")
    weak = train_lesson_run(tmp_path, one.setup, "weak he", epochs=2, layers={"init": "he"}, train={"lr": 0.0001})
    with Store(tmp_path) as store:
        verdict = check(one, store, [zeros, weak])
    assert not verdict.passed
    assert "“weak he”" in verdict.sentence and "validation accuracy" in verdict.sentence, verdict.sentence
    assert "at least 90 %" in verdict.sentence


def test_runs_on_other_data_are_not_counted(tmp_path):
    one = lesson("zeros-vs-he")
    other = train_lesson_run(tmp_path, one.setup, "noisier", epochs=2, data={"noise": 0.3}, layers={"init": "he"})
    with Store(tmp_path) as store:
        verdict = check(one, store, [other])
    assert not verdict.passed
    assert "lesson's data" in verdict.sentence and "moons" in verdict.sentence, verdict.sentence


def test_a_comparison_that_does_not_hold_names_both_runs_and_numbers(tmp_path):
    one = lesson("optimiser-race")
    ids = [train_lesson_run(tmp_path, one.setup, "sgd"),
           train_lesson_run(tmp_path, one.setup, "adam", train={"optimizer": "adam"}),
           train_lesson_run(tmp_path, one.setup, "short momentum", epochs=2, train={"optimizer": "momentum"})]
    with Store(tmp_path) as store:
        verdict = check(one, store, ids)
    assert not verdict.passed
    assert verdict.sentence.startswith("Not yet: your momentum run (“short momentum”) has validation loss "), \
        verdict.sentence
    assert "your SGD run (“sgd”)" in verdict.sentence and "lower by at least 0.05" in verdict.sentence


def test_a_cnn_trained_too_briefly_misses_the_digits_bar(tmp_path):
    one = lesson("digits-cnn")
    weak = train_lesson_run(tmp_path, one.setup, "one epoch", epochs=1, train={"lr": 0.0001})
    with Store(tmp_path) as store:
        verdict = check(one, store, [weak])
    assert not verdict.passed
    assert "“one epoch”" in verdict.sentence and "test accuracy" in verdict.sentence and "at least 90 %" in \
        verdict.sentence, verdict.sentence
