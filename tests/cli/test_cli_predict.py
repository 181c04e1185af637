"""`python -m core predict`: a run's predictions on its test split and on a CSV file of the same columns."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.data import load_builtin
from tests.cli.cli_process import cli


@pytest.fixture(scope="module")
def split_predictions(trained, cli_home, tmp_path_factory):
    _, out = trained
    path = tmp_path_factory.mktemp("pred") / "f.csv"
    proc = cli("predict", "--run", out["run_id"], "--split", "test", "--out", path, home=cli_home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return pd.read_csv(path)


def test_predict_split_writes_columns_and_rows(split_predictions, trained):
    spiral = load_builtin("spiral")
    frame = split_predictions
    assert list(frame.columns) == ["x1", "x2", "label", "prediction", "proba_0", "proba_1"]
    assert spiral.class_names == ["0", "1"]
    assert len(frame) == len(spiral.idx_test) == 60
    # the original columns are the test rows, in order
    raw = spiral.raw.iloc[spiral.idx_test].reset_index(drop=True)
    np.testing.assert_allclose(frame[["x1", "x2"]].to_numpy(), raw[["x1", "x2"]].to_numpy().astype(float), rtol=1e-12)
    probs = frame[["proba_0", "proba_1"]].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert (frame.prediction == probs.argmax(axis=1)).all()
    accuracy = float((frame.prediction == frame.label).mean())
    assert accuracy == pytest.approx(trained[1]["metrics"]["test_accuracy"], abs=1e-6)


def test_predict_csv_of_the_same_columns(split_predictions, trained, cli_home, tmp_path):
    _, out = trained
    src = tmp_path / "new_rows.csv"
    split_predictions[["x1", "x2", "label"]].to_csv(src, index=False)
    dest = tmp_path / "pred.csv"
    proc = cli("predict", "--run", out["run_id"], "--csv", src, "--out", dest, home=cli_home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = pd.read_csv(dest)
    assert list(got.columns) == ["x1", "x2", "label", "prediction", "proba_0", "proba_1"]
    assert len(got) == len(split_predictions)
    assert (got.prediction == split_predictions.prediction).all()
    np.testing.assert_allclose(got[["proba_0", "proba_1"]], split_predictions[["proba_0", "proba_1"]], atol=1e-6)

