"""`python -m core evaluate`: a run's scores on a split, checked against the predictions `predict` writes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, f1_score

from tests.cli.cli_process import cli, last_json


def test_evaluate_scores_are_those_of_the_predictions(trained, cli_home, tmp_path):
    run_id = trained[1]["run_id"]
    pred_csv = tmp_path / "p.csv"
    assert cli("predict", "--run", run_id, "--split", "test", "--out", pred_csv, home=cli_home).returncode == 0
    frame = pd.read_csv(pred_csv)
    proc = cli("evaluate", "--run", run_id, "--json", home=cli_home)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = last_json(proc)
    assert out["task"] == "classification" and out["split"] == "test" and out["n"] == len(frame)
    assert out["accuracy"] == pytest.approx(float((frame.prediction == frame.label).mean()), abs=1e-12)
    assert out["macro_f1"] == pytest.approx(f1_score(frame.label, frame.prediction, average="macro"), abs=1e-12)
    assert out["mean_average_precision"] == pytest.approx(average_precision_score(frame.label, frame.proba_1), abs=1e-6)
    assert [c["support"] for c in out["per_class"]] == np.bincount(frame.label, minlength=2).tolist()
    assert np.asarray(out["confusion"]).sum() == len(frame)


def test_a_threshold_moves_the_predictions_and_nonsense_is_refused(trained, cli_home):
    run_id = trained[1]["run_id"]
    low = last_json(cli("evaluate", "--run", run_id, "--threshold", "0", "--json", home=cli_home))
    assert low["threshold"] == 0 and low["per_class"][1]["recall"] == 1.0     # everything called the second class
    bad = cli("evaluate", "--run", run_id, "--threshold", "7", home=cli_home)
    assert bad.returncode == 2 and "from 0 to 1" in bad.stderr and "Traceback" not in bad.stderr
    missing = cli("evaluate", "--run", "0" * 24, home=cli_home)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_a_regressor_gets_its_errors(tmp_path):
    proc = cli("train", "--dataset", "diabetes", "--hidden", "8", "--epochs", "3", "--json", home=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = cli("evaluate", "--run", last_json(proc)["run_id"], "--split", "val", home=tmp_path)
    assert text.returncode == 0 and "MAE" in text.stdout and "R²" in text.stdout
