"""core/runs/loading.py: a stored run comes back with the weights of the checkpoint asked for, predicts on
its rows, and is written out."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core.runs import Store, StoreError, export, load_run, predictions_frame
from tests.helpers_runs import train_run


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    home = tmp_path_factory.mktemp("loading-home")
    return home, train_run(home, "iris", epochs=12, options={"checkpoint_every": 5})


def weights(loaded) -> np.ndarray:
    return np.concatenate([p.detach().numpy().ravel() for p in loaded.net.parameters()])


def test_load_run_takes_the_last_the_best_or_one_epochs_weights(trained):
    home, run_id = trained
    with Store(home) as store:
        assert store.epoch_checkpoints(run_id) == [5, 10, 12]
        best_epoch = next(c["epoch"] for c in store.checkpoints(run_id) if c["kind"] == "best")
        last, fifth = load_run(store, run_id), load_run(store, run_id, 5)
        assert (last.epoch, fifth.epoch, load_run(store, run_id, "best").epoch) == (12, 5, best_epoch)
        assert load_run(store, run_id, "last").epoch == 12
        assert not np.allclose(weights(last), weights(fifth))
        assert not last.net.training
        with pytest.raises(StoreError, match="no epoch checkpoint at epoch 7"):
            load_run(store, run_id, 7)


def test_predictions_keep_the_rows_and_add_each_class(trained):
    home, run_id = trained
    with Store(home) as store:
        loaded = load_run(store, run_id)
    ds = loaded.dataset
    X, _ = ds.split("test")
    original = ds.raw.iloc[ds.idx_test]
    out = predictions_frame(loaded, X, original)
    assert len(out) == len(original) and list(out.columns[:original.shape[1]]) == list(original.columns)
    proba = out[[f"proba_{name}" for name in ds.class_names]].to_numpy()
    assert np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert out["prediction"].tolist() == [ds.class_names[i] for i in proba.argmax(axis=1)]


def test_export_writes_the_spec_and_names_an_unknown_format(trained, tmp_path):
    home, run_id = trained
    with Store(home) as store:
        spec = json.loads(export(store, run_id, "spec", tmp_path / "run.json").read_text())
        assert set(spec) == {"network", "train", "dataset"} and spec["dataset"]["name"] == "iris"
        with pytest.raises(StoreError, match="unknown export format 'pickle'"):
            export(store, run_id, "pickle", tmp_path / "run.bin")
