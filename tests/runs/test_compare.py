"""core/runs/compare.py: run overviews, learning curves, settings side by side and download bytes, on real
trained runs."""
import pandas as pd
import pytest

from core.runs import (Store, architecture, best_validation, export_bytes, metrics_csv, overview, parameter_count,
                       spec_table, validation_curves)
from tests.helpers_runs import train_run


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    home = tmp_path_factory.mktemp("compare-home")
    ids = {name: train_run(home, name, epochs=4) for name in ("spiral", "iris", "diabetes")}
    return home, ids


def test_overview_describes_each_run(workspace):
    home, ids = workspace
    store = Store(home)
    from core.data import DatasetRef, load_dataset
    table = overview(store, store.list_runs(), lambda r: load_dataset(DatasetRef.from_dict(r.dataset), home))
    row = table.set_index("id").loc[ids["iris"]]
    assert row["architecture"] == "4→8→3"
    assert row["parameters"] == 4 * 8 + 8 + 8 * 3 + 3
    assert row["best_val_metric"] == "accuracy" and 0 <= row["best_val"] <= 1
    assert table.set_index("id").loc[ids["diabetes"], "best_val_metric"] == "R²"
    # without the dataset the row still renders
    run = store.get_run(ids["iris"])
    assert architecture(run, None) == "?→8→?"
    assert parameter_count(run, None) is None


def test_validation_curves_and_best_metric(workspace):
    home, ids = workspace
    curves = validation_curves(Store(home), ids["spiral"])
    assert {"epoch", "val_loss", "val_accuracy"} <= set(curves.columns) and len(curves) >= 1
    assert best_validation(curves)[0] == "val_accuracy"
    assert best_validation(pd.DataFrame(columns=["epoch"])) == (None, None)


def test_spec_table_marks_the_differing_settings(workspace):
    home, ids = workspace
    store = Store(home)
    a = train_run(home, "spiral", epochs=1, optimizer="sgd", lr=0.1)
    runs = [store.get_run(ids["spiral"]), store.get_run(a)]
    table = spec_table(runs, ["adam", "sgd"])
    differing = set(table.index[table["differs"]])
    assert {"train.optimizer", "train.lr", "train.epochs"} <= differing
    assert "data.dataset" not in differing
    assert table.loc["train.optimizer", "sgd"] == "sgd"
    assert list(table["differs"]) == sorted(table["differs"], reverse=True)     # differing rows first


@pytest.mark.parametrize("fmt", ["spec", "pytorch", "safetensors", "onnx"])
def test_every_export_gives_bytes(workspace, fmt):
    home, ids = workspace
    data = export_bytes(Store(home), ids["spiral"], fmt)
    assert len(data) > 100
    assert b"\x80\x03" not in data[:2]      # never a pickle
    csv = metrics_csv(Store(home), ids["spiral"]).decode()
    assert csv.startswith("step,epoch,name,value") and "val_loss" in csv
