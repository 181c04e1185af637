"""The Dataset type: its plain-data summary."""

from __future__ import annotations

import json

import pytest

from core.data import load_builtin


def test_summary_reports_balance_and_notes():
    ds = load_builtin("german_credit")
    s = ds.summary()
    assert s["task"] == "classification" and s["n_classes"] == 2 and s["n_features"] == ds.n_features
    assert s["class_counts"] == {"bad": 300, "good": 700}
    assert s["class_balance"]["good"] == pytest.approx(0.7)
    assert s["notes"] == ds.notes and sum(s["rows"].values()) == 1000
    json.dumps(s)  # plain data
    r = load_builtin("regression2d").summary()
    assert r["n_classes"] == 0 and "target_stats" in r and r["class_names"] is None
