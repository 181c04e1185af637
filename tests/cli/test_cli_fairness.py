"""`python -m core fairness`: per-group metrics and disparities that match fairlearn's, and the audit report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def fair_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fair_home")


@pytest.fixture(scope="module")
def fair_run(fair_home):
    """A german credit run trained in-process (its sensitive columns are sex and age)."""
    from core.cli import main
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["train", "--dataset", "german_credit", "--hidden", "8", "--epochs", "15", "--json",
                     "--home", str(fair_home)])
    assert code == 0
    return json.loads(buf.getvalue().strip().splitlines()[-1])["run_id"]


def test_fairness_json_matches_the_engine_and_fairlearn(fair_run, fair_home, capsys, tmp_path):
    import fairlearn.metrics as fm
    from core.cli import main
    from core.fairness import Grouping, group_labels
    from core.runs import load_run, predict_array
    from core.runs import Store
    report = tmp_path / "audit.html"
    code = main(["fairness", "--run", fair_run, "--sensitive", "sex", "--threshold", "0.6", "--json",
                 "--report", str(report), "--home", str(fair_home)])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and out["sensitive"] == "sex" and set(out["groups"]) == {"female", "male"}
    for g in out["groups"].values():
        assert {"count", "selection_rate", "tpr", "fpr", "accuracy"} <= set(g)
    with Store(fair_home) as store:
        loaded = load_run(store, fair_run)
    ds = loaded.dataset
    X, y = ds.split("test")
    good = list(ds.class_names).index("good")
    pred = (predict_array(loaded.net, X)[:, good] >= 0.6).astype(int)
    groups, _ = group_labels(ds.raw.iloc[ds.idx_test], Grouping.of("sex"))
    truth = (y == good).astype(int)
    assert out["demographic_parity_difference"] == pytest.approx(
        fm.demographic_parity_difference(truth, pred, sensitive_features=groups))
    assert out["equalized_odds_difference"] == pytest.approx(
        fm.equalized_odds_difference(truth, pred, sensitive_features=groups))
    assert out["equal_opportunity_difference"] == pytest.approx(
        fm.equal_opportunity_difference(truth, pred, sensitive_features=groups))
    assert out["groups"]["female"]["count"] == int((groups == "female").sum())
    assert "female" in report.read_text() and report.read_text().lstrip().lower().startswith("<!doctype html")


FAIRNESS_BAD_INPUT = {
    "unknown column": (["--sensitive", "colour"], "colour"),
    "a threshold above 1": (["--sensitive", "sex", "--threshold", "1.5"], "--threshold"),
    "bad bins": (["--sensitive", "age", "--bins", "age=young,old"], "--bins"),
    "unknown favourable class": (["--sensitive", "sex", "--favourable", "excellent"], "excellent"),
}


@pytest.mark.parametrize("case", list(FAIRNESS_BAD_INPUT))
def test_fairness_bad_input_exits_2_with_one_error_line(case, fair_run, fair_home, capsys):
    from core.cli import main
    args, word = FAIRNESS_BAD_INPUT[case]
    code = main(["fairness", "--run", fair_run, *args, "--home", str(fair_home)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and word in lines[0], captured.err


def test_fairness_of_a_regression_run_is_refused(fair_home, capsys):
    from core.cli import main
    assert main(["train", "--dataset", "diabetes", "--hidden", "4", "--epochs", "2", "--json",
                 "--home", str(fair_home)]) == 0
    run_id = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_id"]
    assert main(["fairness", "--run", run_id, "--sensitive", "sex", "--home", str(fair_home)]) == 2
    assert "regression" in capsys.readouterr().err

