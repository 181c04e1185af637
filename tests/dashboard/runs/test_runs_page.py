"""The Runs page through Streamlit's AppTest: listing, comparing, renaming, deleting, downloading."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.runs import Store
from tests.helpers_runs import train_run

APP = str(Path(__file__).resolve().parents[3] / "dashboard" / "app.py")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    return tmp_path


def open_runs(run_id=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if run_id:
        at.query_params["run"] = run_id
    at.run()
    at.switch_page("../pages/runs.py").run()
    assert not at.exception, at.exception
    return at


def button(at, key):
    return next(b for b in at.button if b.key == key)


def test_no_runs_points_to_train(home):
    at = open_runs()
    assert "No runs yet" in at.info[0].value


def test_runs_are_listed_and_compared(home):
    sgd = train_run(home, "spiral", epochs=3, optimizer="sgd", lr=0.1, name="SGD")
    adam = train_run(home, "spiral", epochs=3, optimizer="adam", name="Adam")
    at = open_runs()
    table = at.dataframe[0].value
    assert list(table["name"]) == ["Adam", "SGD"]
    assert list(table["architecture"]) == ["2→8→2", "2→8→2"]
    assert list(table["parameters"]) == [42, 42]
    assert table["best_val"].between(0, 1).all()
    # the two runs on the same data are compared by default: one line each on loss and accuracy
    assert set(at.multiselect(key="runs_compare").value) == {sgd, adam}
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) == 2
    assert sorted(t["name"] for t in specs[0]["data"]) == sorted([f"Adam ({adam[:6]})", f"SGD ({sgd[:6]})"])
    settings = at.dataframe[1].value
    assert {"train.optimizer", "train.lr"} <= set(settings.index)
    assert "train.batch_size" not in settings.index           # only the differing settings by default
    at.toggle(key="runs_only_diff").set_value(False).run()
    assert "train.batch_size" in at.dataframe[1].value.index


def test_rename_changes_the_stored_name(home):
    run_id = train_run(home, "iris", epochs=2, name="old")
    at = open_runs()
    at.text_input(key=f"runs_name_{run_id}").input("iris — Adam, lr 0.01").run()
    button(at, "runs_rename").click().run()
    assert not at.exception
    assert Store(home).get_run(run_id).name == "iris — Adam, lr 0.01"
    assert list(at.dataframe[0].value["name"]) == ["iris — Adam, lr 0.01"]
    assert "Renamed" in at.success[0].value
    at.text_input(key=f"runs_name_{run_id}").input("   ").run()
    button(at, "runs_rename").click().run()
    assert "cannot be empty" in at.error[0].value


def test_delete_asks_for_confirmation_then_removes_the_run(home):
    keep = train_run(home, "spiral", epochs=2, name="keep")
    gone = train_run(home, "spiral", epochs=2, name="gone")
    at = open_runs(gone)
    assert at.selectbox(key="runs_manage").value == gone
    button(at, "runs_delete").click().run()
    assert Store(home).get_run(gone)                                # nothing deleted yet
    assert "cannot be undone" in at.warning[0].value
    button(at, "runs_delete_no").click().run()
    assert not at.warning and len(Store(home).list_runs()) == 2
    button(at, "runs_delete").click().run()
    button(at, "runs_delete_yes").click().run()
    assert not at.exception
    assert [r.id for r in Store(home).list_runs()] == [keep]
    assert list(at.dataframe[0].value["name"]) == ["keep"]
    assert "Deleted" in at.success[0].value


def test_downloads_offer_each_format(home):
    train_run(home, "spiral", epochs=2, name="dl")
    at = open_runs()
    labels = {b.label for b in at.get("download_button")}
    assert labels == {"Spec (JSON)", "Metrics (CSV)", "PyTorch code", "Weights (safetensors)", "ONNX model"}
    assert not any(b.proto.disabled for b in at.get("download_button"))
    # the eager ones carry their file; the model files are made on click (see test_evaluate for their bytes)
    urls = {b.label: b.proto.url for b in at.get("download_button")}
    assert urls["Spec (JSON)"] and urls["Metrics (CSV)"]


def test_names_with_markup_stay_plain_text(home):
    run_id = train_run(home, "spiral", epochs=2, name="<script>x</script> **bold**")
    at = open_runs()
    assert list(at.dataframe[0].value["name"]) == ["<script>x</script> **bold**"]
    assert at.selectbox(key="runs_manage").options[0].startswith("<script>x</script> **bold**")
    button(at, "runs_delete").click().run()
    warning = at.warning[0].value
    assert "<script>" not in warning and "\\<script\\>" in warning and "\\*\\*bold\\*\\*" in warning
    assert Store(home).get_run(run_id)


def test_a_run_without_checkpoints_cannot_download_weights(home):
    Store(home).create_run(name="queued", dataset={"kind": "builtin", "name": "spiral"}, network={"layers": []},
                           train={}, status="failed")
    at = open_runs()
    disabled = {b.label: b.proto.disabled for b in at.get("download_button")}
    assert disabled["ONNX model"] and not disabled["Spec (JSON)"]
    assert at.dataframe[0].value["architecture"].iloc[0] == "2→2"      # no hidden layers
