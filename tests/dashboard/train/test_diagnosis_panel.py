"""The Train page's Diagnosis panel through AppTest, on runs really trained into a real store: a run whose
learning rate was raised mid-run says it diverged, why, the fix and where (marked on the loss chart); a
healthy run says so in one line."""
from __future__ import annotations

import json

import pytest

from core.data import load_builtin
from tests.helpers_diagnose import trained
from tests.helpers_runs import open_page, shown


@pytest.fixture(scope="module")
def moons():
    return load_builtin("moons", n=300, noise=0.1)


def loss_chart(at) -> dict:
    for el in at.get("plotly_chart"):
        if el.proto.id and "train.chart.loss" in el.proto.id:
            return json.loads(el.proto.spec)
    raise AssertionError("no loss chart")


def test_a_run_whose_learning_rate_was_raised_is_diagnosed_as_diverged(tmp_path, monkeypatch, moons):
    def raise_lr(trainer):
        return "run", (50.0 if trainer.epoch >= 20 else None)
    run_id = trained(tmp_path, moons, epochs=40, control=raise_lr)
    at = open_page(tmp_path, monkeypatch, "train", run_id)
    errors = [shown(e.value) for e in at.error]
    said = next((e for e in errors if "Training diverged** (divergence)" in e), None)
    assert said is not None, errors
    assert "Lower the Learning rate on the Train page" in said and "raised from 0.03 to 50" in said
    assert not at.success                                         # not also called healthy
    layout = loss_chart(at)["layout"]
    marks = [a for a in layout.get("annotations", []) if a["text"] == "Training diverged"]
    assert len(marks) == 1 and marks[0]["x"] >= 20


def test_a_healthy_run_says_so_in_one_line(tmp_path, monkeypatch, moons):
    run_id = trained(tmp_path, moons, epochs=40)
    at = open_page(tmp_path, monkeypatch, "train", run_id)
    healthy = [shown(s.value) for s in at.success if "no sign of a common training failure" in shown(s.value)]
    assert len(healthy) == 1 and healthy[0].startswith("Healthy")
    assert not [e for e in at.error if "(" in e.value and ")" in e.value and "Fix:" in e.value]
    assert not [a for a in loss_chart(at)["layout"].get("annotations", []) if a["text"] == "Training diverged"]
