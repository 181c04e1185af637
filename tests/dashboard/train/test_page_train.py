"""The Train page through Streamlit's AppTest, with real worker processes and a real run store.

AppTest never fires the live fragment's run_every, so every wait reruns the page in a loop
while polling the store, with a deadline.
"""
from __future__ import annotations

import base64
import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.runs import executor as jobs
from core.runs import ACTIVE, Store
from core.training import BOUNDARY_RESOLUTION
from dashboard.state import DEFAULT_DATASET
from tests.helpers_runs import shown

APP = str(Path(__file__).resolve().parents[3] / "dashboard" / "app.py")
TIMEOUT = 120


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    store = Store(tmp_path)
    before = set(jobs._children)
    yield tmp_path
    for run in store.list_runs():                # stop whatever a test left training
        if run.status in ACTIVE:
            store.update_run(run.id, control="stop")
    deadline = time.monotonic() + 20
    for run_id, proc in list(jobs._children.items()):
        if run_id in before:
            continue
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except Exception:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        jobs._children.pop(run_id, None)
    jobs.shutdown(store)
    store.close()


def train_page(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    return at


def rerun_until(at: AppTest, condition, what: str, timeout: float = TIMEOUT):
    """Rerun the page (as the live fragment would) until condition() holds."""
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        assert not at.exception, at.exception
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


def trace_len(values) -> int:
    if isinstance(values, dict) and "bdata" in values:            # plotly's typed-array encoding
        return len(base64.b64decode(values["bdata"])) // np.dtype(values["dtype"]).itemsize
    return len(values or [])


def plotly_array(values) -> np.ndarray:
    """An array of a chart's JSON spec: a plain list, or plotly's typed array {dtype, bdata (base64), shape}."""
    if isinstance(values, dict) and "bdata" in values:
        flat = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        return flat.reshape([int(n) for n in values["shape"].split(",")]) if "shape" in values else flat
    return np.asarray(values, dtype=float)


def heatmap(at: AppTest) -> dict:
    """The decision-boundary chart's heatmap trace (what the network predicts over the plane)."""
    return next(t for t in chart(at, "train.chart.boundary")["data"] if t["type"] == "heatmap")


def chart(at: AppTest, key: str) -> dict:
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        if el.proto.id and key in el.proto.id:
            return spec
    raise AssertionError(f"no chart {key}")


def loss_points(at: AppTest) -> int:
    try:
        spec = chart(at, "train.chart.loss")
    except AssertionError:
        return 0
    return sum(trace_len(t.get("x")) for t in spec["data"] if t.get("name") == "loss per step")


def current_run(at: AppTest, home):
    run_id = at.query_params["run"]
    run_id = run_id[0] if isinstance(run_id, list) else run_id
    return Store(home).get_run(run_id)


def start_long_run(at: AppTest, home):
    """Start a run that trains for minutes (stopped by the test or the fixture)."""
    at.number_input(key="train.epochs").set_value(100000)
    at.number_input(key="train.batch_size").set_value(4)
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    rerun_until(at, lambda: current_run(at, home).status == "running" and current_run(at, home).epoch >= 1,
                "the run to train an epoch")
    return current_run(at, home)


# ------------------------------------------------------------------ tests
def test_train_page_renders_with_defaults_and_says_what_to_do(home):
    at = train_page()
    text = " ".join(m.value for m in at.markdown)
    assert "**Spiral**" in text and "parameters" in text and "dense 8 relu" in text     # the set's label
    assert "press **Start training**" in at.info[0].value
    assert not at.button(key="train.start").disabled
    assert at.selectbox(key="train.optimizer").value == "adam"
    assert at.number_input(key="train.lr").value == pytest.approx(0.01)
    for key in ("train.optimizer", "train.lr", "train.batch_size", "train.epochs", "train.loss", "train.l1",
                "train.l2", "train.class_weights", "train.grad_clip", "train.early_stopping", "train.seed",
                "train.device"):
        widget = at.get("selectbox") + at.get("number_input")
        assert any(w.key == key and w.help for w in widget), f"{key} needs a help tooltip"
    assert "cpu" in at.selectbox(key="train.device").options
    assert at.session_state["train"]["optimizer"] == "adam"
    assert len(at.get("plotly_chart")) == 1          # the data, before any training


def test_start_trains_a_run_and_the_charts_fill_in(home):
    at = train_page()
    at.number_input(key="train.epochs").set_value(60)
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    run = current_run(at, home)
    assert run.train["epochs"] == 60 and run.dataset["name"] == "spiral"
    run = rerun_until(at, lambda: (r := current_run(at, home)).status == "finished" and r, "the run to finish")
    at.run()
    assert loss_points(at) == run.step > 0
    assert "Finished 60 epochs" in at.success[0].value and "Test accuracy" in at.success[0].value
    grid = plotly_array(heatmap(at)["z"])                # P(class 1) over the plane, one row per y
    assert grid.shape == (BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
    assert np.isfinite(grid).all() and 0 <= grid.min() < grid.max() <= 1
    assert trace_len(chart(at, "train.chart.score")["data"][0]["x"]) > 0
    assert len(chart(at, "train.chart.grads")["data"]) == 3
    assert not any("Fairness" in m.value for m in at.markdown)      # the spiral has no groups to compare


def test_the_boundary_heatmap_shows_each_class_where_its_points_are(home):
    """A network trained to 100 % test accuracy on two moons far apart: the heatmap is the grid the run's plane
    and resolution say, holds probabilities, and in the cell of every data point shows that point's class."""
    from core.data import DatasetRef, load_dataset
    from tests.helpers_runs import train_run
    run_id = train_run(home, "moons", hidden=(16, 16), epochs=60, params={"noise": 0.05})
    run = Store(home).get_run(run_id)
    assert run.summary["test_accuracy"] == 1.0                      # separable, and learnt
    heat = heatmap(train_page(run=run_id))
    x, y, p = (plotly_array(heat[k]) for k in ("x", "y", "z"))
    n = BOUNDARY_RESOLUTION
    (x0, x1), (y0, y1) = run.summary["boundary_extent"]
    assert p.shape == (n, n)
    np.testing.assert_allclose(x, np.linspace(x0, x1, n), rtol=1e-6)
    np.testing.assert_allclose(y, np.linspace(y0, y1, n), rtol=1e-6)
    assert np.isfinite(p).all() and p.min() >= 0 and p.max() <= 1
    assert p.min() < 0.05 and p.max() > 0.95                         # sure of each class somewhere
    data = load_dataset(DatasetRef.from_dict(run.dataset), home)
    X = np.vstack([data.X_train, data.X_test])
    label = np.concatenate([data.y_train, data.y_test])
    col = np.rint((X[:, 0] - x0) / (x1 - x0) * (n - 1)).astype(int)  # the cell each point is drawn on
    row = np.rint((X[:, 1] - y0) / (y1 - y0) * (n - 1)).astype(int)
    shown = p[row, col]
    for c in (0, 1):
        says = shown[label == c] > 0.5 if c == 1 else shown[label == c] < 0.5
        assert says.mean() >= 0.97, f"class {c}: the heatmap shows it at {says.mean():.0%} of its points"


def test_pause_step_resume_and_stop_change_the_run(home):
    at = train_page()
    run = start_long_run(at, home)
    at.button(key="train.pause").click().run()
    # the row says 'paused' a moment before the step it paused at is written with the pause event
    run = rerun_until(at, lambda: (r := current_run(at, home)).status == "paused" and r, "the pause")
    rerun_until(at, lambda: "pause" in [e["kind"] for e in Store(home).events(run.id)], "the pause to be recorded")
    step = current_run(at, home).step
    at.button(key="train.step").click().run()
    rerun_until(at, lambda: current_run(at, home).step == step + 1, "one more step")
    assert current_run(at, home).status == "paused"
    at.button(key="train.resume").click().run()
    rerun_until(at, lambda: current_run(at, home).step > step + 5, "training to go on")
    at.button(key="train.stop").click().run()
    rerun_until(at, lambda: current_run(at, home).status == "stopped", "the stop")
    at.run()
    assert "Stopped at epoch" in at.info[0].value
    assert loss_points(at) > 0


def test_learning_rate_changed_while_training_is_marked_on_the_loss_curve(home):
    at = train_page()
    run = start_long_run(at, home)
    at.number_input(key=f"train.live_lr.{run.id}").set_value(0.05)
    at.button(key="train.set_lr").click().run()
    store = Store(home)
    rerun_until(at, lambda: any(e["kind"] == "lr" for e in store.events(run.id)), "the lr change")
    at.run()
    spec = chart(at, "train.chart.loss")
    assert any("0.01 → 0.05" in a.get("text", "") for a in spec["layout"].get("annotations", []))
    assert spec["layout"].get("shapes")
    at.button(key="train.stop").click().run()


def test_a_refresh_finds_the_run_and_a_killed_worker_can_be_resumed(home):
    at = train_page()
    run = start_long_run(at, home)
    again = train_page(run=run.id)                    # a reload / second tab: the URL carries the run
    assert again.button(key="train.pause")
    rerun_until(again, lambda: loss_points(again) > 0, "the second view's loss chart")
    os.kill(run.pid, signal.SIGKILL)                  # the worker dies (a crash, a reboot)
    rerun_until(again, lambda: current_run(again, home).status == "interrupted", "the run to be marked interrupted")
    again.run()
    assert "interrupted" in again.warning[0].value
    again.button(key="train.resume_interrupted").click().run()
    rerun_until(again, lambda: current_run(again, home).status == "running", "the resumed run")
    again.button(key="train.stop").click().run()


def test_invalid_settings_show_an_error_and_block_start(home):
    at = train_page()
    at.number_input(key="train.lr").set_value(0.0).run()
    assert not at.exception
    assert any("Learning rate" in e.value and "above 0" in e.value for e in at.error)
    assert at.button(key="train.start").disabled

    at.number_input(key="train.lr").set_value(0.01)
    at.selectbox(key="train.optimizer").set_value("momentum").run()
    at.number_input(key="train.momentum").set_value(0.0)
    at.checkbox(key="train.nesterov").check().run()
    assert any("**Nesterov** needs a momentum above 0" in e.value for e in at.error)
    assert at.button(key="train.start").disabled
    assert not Store(home).list_runs()


def test_a_spec_that_does_not_fit_the_data_is_explained(home):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["train"] = {"loss": "mae", "device": "cuda" if "cuda" not in _devices() else "mps"}
    at.run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert any("does not fit this dataset" in w.value for w in at.warning)
    assert any("**Device**" in e.value and "not available" in e.value for e in at.error)
    assert at.button(key="train.start").disabled


def _devices():
    from core.training import available_devices
    return available_devices()


# ------------------------------------------------------------------ a reload, an interruption
def test_a_reload_with_a_run_in_the_url_shows_that_runs_network_and_settings(home):
    from tests.helpers_runs import train_run
    run_id = train_run(home, "moons", hidden=(16, 4), epochs=3, optimizer="sgd", lr=0.05)
    run = Store(home).get_run(run_id)
    at = train_page(run=run_id)                      # a new session: nothing of its own yet
    assert at.session_state["network"] == run.network
    assert at.selectbox(key="train.optimizer").value == "sgd"
    assert at.number_input(key="train.lr").value == pytest.approx(0.05)
    assert at.number_input(key="train.epochs").value == 3
    text = " ".join(m.value for m in at.markdown)
    assert "moons" in text and "dense 16 tanh → dense 4 tanh" in text
    assert not any("not the data chosen now" in c.value for c in at.caption)
    # Start trains what the page shows: the run's data, network and settings
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    again = current_run(at, home)
    assert again.id != run_id
    assert again.network == run.network and again.dataset == run.dataset
    assert {k: again.train[k] for k in ("optimizer", "lr", "epochs", "batch_size", "seed")} == \
        {k: run.train[k] for k in ("optimizer", "lr", "epochs", "batch_size", "seed")}


def test_a_session_keeps_its_own_settings_when_it_opens_a_run(home):
    from tests.helpers_runs import train_run
    run_id = train_run(home, "moons", hidden=(16,), epochs=3, optimizer="sgd", lr=0.05)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["train"] = {"optimizer": "adamw", "lr": 0.003}
    at.session_state["network"] = {"layers": [{"type": "dense", "units": 5, "activation": "relu"}]}
    at.session_state["dataset_ref"] = DEFAULT_DATASET
    at.query_params["run"] = run_id
    at.run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="train.optimizer").value == "adamw"
    assert at.number_input(key="train.lr").value == pytest.approx(0.003)
    assert at.session_state["network"]["layers"][0]["units"] == 5
    assert any("not the data chosen now" in c.value for c in at.caption)   # the run's data stays its own


def test_an_interrupted_run_says_once_how_to_resume(home):
    import subprocess
    import sys
    store = Store(home)
    run_id = store.create_run(name="cut short", dataset={"kind": "builtin", "name": "spiral",
                                                          "params": {"n": 400, "noise": 0.1, "seed": 0},
                                                          "sha256": None, "preprocess": {}},
                              network={"layers": []}, train={"epochs": 50}, status="running")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()                                      # a worker that is no longer there
    store.update_run(run_id, pid=gone.pid, heartbeat=time.time() - 3600, epoch=7)
    at = train_page(run=run_id)                      # opening the workspace recovers the run
    assert store.get_run(run_id).status == "interrupted"
    warning = next(w.value for w in at.warning if "interrupted" in w.value)
    assert "interrupted at epoch 7" in warning
    assert warning.lower().count("resume") == 1 and warning.count("checkpoint") == 1, warning
    assert at.button(key="train.resume_interrupted")


# ------------------------------------------------------------------ fairness over training
def biased_loans_ref() -> dict:
    from core.data import load_builtin
    return load_builtin("biased_loans").ref.to_dict()


def fairness_charts(at: AppTest) -> dict:
    return {key: chart(at, f"train.chart.{key}") for key in ("fair_gaps", "fair_groups", "fair_tradeoff")}


def test_a_run_on_data_with_groups_shows_fairness_over_training(home):
    from tests.helpers_runs import train_run
    run_id = train_run(home, "biased_loans", hidden=(8,), epochs=6)
    at = train_page(run=run_id)
    assert any("Fairness over training" in m.value for m in at.markdown)
    assert any("groups of **sex**" in c.value and "No mitigation" in c.value for c in at.caption)
    figs = fairness_charts(at)
    gaps = {t["name"]: trace_len(t["x"]) for t in figs["fair_gaps"]["data"]}
    assert gaps["demographic parity"] == 6 and gaps["equalized odds"] == 6     # one point per epoch
    assert sorted(t["name"] for t in figs["fair_groups"]["data"]) == ["female", "male"]
    assert all(trace_len(t["y"]) == 6 for t in figs["fair_groups"]["data"])
    path, now = figs["fair_tradeoff"]["data"]
    assert trace_len(path["x"]) == 6 and now["name"] == "now (epoch 6)"
    # the per-group chart can compare the loss instead
    at.selectbox(key="train.fair_metric").set_value("loss").run()
    assert not at.exception, at.exception
    assert chart(at, "train.chart.fair_groups")["layout"]["yaxis"]["title"]["text"] == "loss"


def test_data_without_groups_has_no_fairness_section_or_settings(home):
    from tests.helpers_runs import train_run
    run_id = train_run(home, "iris", hidden=(8,), epochs=3)
    at = train_page(run=run_id)
    assert not any("Fairness" in m.value for m in at.markdown)
    assert not any("fair_" in (el.proto.id or "") for el in at.get("plotly_chart"))
    assert not any(e.label == "Fairness" for e in at.expander)
    assert "train.reweigh" not in [c.key for c in at.checkbox]


def test_the_fairness_settings_go_into_the_run_it_starts(home):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["dataset_ref"] = biased_loans_ref()
    at.run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert any(e.label == "Fairness" for e in at.expander)
    assert at.selectbox(key="train.sensitive").options == ["sex"]
    for widget in (at.selectbox(key="train.sensitive"), at.checkbox(key="train.reweigh"),
                   at.selectbox(key="train.fairness_penalty"), at.number_input(key="train.fairness_lambda")):
        assert widget.help, f"{widget.key} needs a help tooltip"
    assert at.number_input(key="train.fairness_lambda").disabled        # no penalty: no weight to set
    at.checkbox(key="train.reweigh").check()
    at.selectbox(key="train.fairness_penalty").set_value("equalized_odds").run()
    at.number_input(key="train.fairness_lambda").set_value(2.5)
    at.number_input(key="train.epochs").set_value(4).run()
    assert not at.exception, at.exception
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    run = current_run(at, home)
    assert run.dataset["name"] == "biased_loans"
    assert {k: run.train[k] for k in ("sensitive", "reweigh", "fairness_penalty", "fairness_lambda")} == \
        {"sensitive": "sex", "reweigh": True, "fairness_penalty": "equalized_odds", "fairness_lambda": 2.5}
    # the mitigated run streams its fairness section, and says which mitigation it trains with
    rerun_until(at, lambda: current_run(at, home).status == "finished", "the run to finish")
    at.run()
    assert any("reweighing and an equalized-odds penalty (λ = 2.5)" in c.value for c in at.caption)
    assert trace_len(chart(at, "train.chart.fair_gaps")["data"][0]["x"]) > 0


def test_when_the_live_view_reruns_the_page_the_settings_boxes_get_their_values_again(home):
    """A browser can drop the values of the settings boxes over a rerun that follows the page load closely
    (it then shows each box's minimum: learning rate 0, batch size 1). When the live view reruns the page
    because the run's status changed, the page sends every box its value again."""
    at = train_page()
    at.number_input(key="train.lr").set_value(0.05).run()
    at.run()
    assert not at.number_input(key="train.lr").proto.set_value        # the browser has it: not sent again
    at.session_state["_train_resync"] = {"settings"}    # what the live view asks for before it reruns the page
    at.run()
    lr = at.number_input(key="train.lr")
    assert lr.proto.set_value and lr.value == pytest.approx(0.05)
    assert at.number_input(key="train.batch_size").proto.set_value
    at.run()
    assert not at.number_input(key="train.lr").proto.set_value        # once


def test_a_value_typed_as_the_live_view_reruns_the_page_is_kept(home):
    """The person types a number in a box while a run's status changes: the value reaches the server in
    the same request as the live view's rerun of the page. The box keeps what was typed (and Start
    would train with it) rather than getting back the value the page last wrote."""
    at = train_page()
    at.number_input(key="train.epochs").set_value(300).run()
    at.number_input(key="train.epochs").set_value(999)
    at.session_state["_train_resync"] = {"settings"}
    at.run()
    epochs = at.number_input(key="train.epochs")
    assert epochs.value == 999 and epochs.proto.set_value
    assert at.session_state["train"]["epochs"] == 999
    assert at.number_input(key="train.lr").proto.set_value       # the other boxes get theirs again
    at.session_state["_train_resync"] = {"settings"}
    at.run()
    assert at.number_input(key="train.epochs").value == 999


# ------------------------------------------------------------------ the decision boundary by group
def boundary_traces(at: AppTest) -> list[dict]:
    return chart(at, "train.chart.boundary")["data"]


def test_a_2d_run_with_groups_can_colour_the_boundary_view_by_group(home):
    from tests.helpers_runs import train_run
    run_id = train_run(home, "two_groups", hidden=(8,), epochs=8, params={"bias": 1.0})
    at = train_page(run=run_id)
    toggle = at.toggle(key="train.by_group")
    assert toggle.value is False and "group" in toggle.label and toggle.help
    before = boundary_traces(at)
    assert before[0]["type"] == "heatmap"
    names = [t.get("name") for t in before[1:]]
    assert names == ["0 (train)", "1 (train)", "0 (test)", "1 (test)"]          # by class
    assert not any(t["type"] == "contour" for t in before)
    toggle.set_value(True).run()
    assert not at.exception, at.exception
    after = boundary_traces(at)
    points = {t["name"]: t for t in after if t["type"] == "scatter" and "(" in t["name"]}
    assert set(points) == {"A (train)", "B (train)", "A (test)", "B (test)"}
    assert points["A (train)"]["marker"]["color"] != points["B (train)"]["marker"]["color"]
    assert points["A (test)"]["marker"]["color"] == points["A (train)"]["marker"]["color"]
    n_train = sum(trace_len(points[f"{g} (train)"]["x"]) for g in "AB")
    from core.data import load_builtin
    assert n_train == len(load_builtin("two_groups", bias=1.0).idx_train)
    assert [t["name"] for t in after if t.get("name", "").startswith("class ")] == ["class 0", "class 1"]
    lines = [t for t in after if t["type"] == "contour"]                     # two classes: the 0.5 line
    assert len(lines) == 1 and lines[0]["contours"]["start"] == 0.5 and lines[0]["contours"]["end"] == 0.5
    assert lines[0]["name"] == "all groups: P(1) = 0.50"
    # the choice outlives a visit to another page
    at.switch_page("../pages/home.py").run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert at.toggle(key="train.by_group").value is True
    assert any(t.get("name") == "A (train)" for t in boundary_traces(at))
    at.toggle(key="train.by_group").set_value(False).run()
    assert [t.get("name") for t in boundary_traces(at)[1:]] == names


def test_2d_data_without_groups_has_no_group_toggle_on_the_boundary_view(home):
    from tests.helpers_runs import train_run
    run_id = train_run(home, "spiral", hidden=(8,), epochs=2)
    at = train_page(run=run_id)
    assert boundary_traces(at)[0]["type"] == "heatmap"
    assert "train.by_group" not in [t.key for t in at.toggle]
    assert not any(t["type"] == "contour" for t in boundary_traces(at))


# ------------------------------------------------------------------ Start: invalid boxes, click bursts
def badge(at: AppTest) -> str:
    """The text of the run's status badge, e.g. 'paused'."""
    marks = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(marks) == 1, marks
    return marks[0].rsplit(":", 1)[1].rstrip("]").strip()


@pytest.mark.parametrize("key,value,words", [
    ("train.batch_size", 0, "**Batch size** is 0: it takes a whole number from 1 to 65,536"),
    ("train.batch_size", 10**9, "**Batch size** is 1,000,000,000"),
    ("train.epochs", 10**8, "**Epochs** is 100,000,000: it takes a whole number from 1 to 100,000"),
    ("train.lr", 1e9, "**Learning rate** is 1,000,000,000: it takes a number above 0 and at most 10"),
    ("train.lr", -1.0, "**Learning rate** is -1"),
])
def test_a_box_outside_its_range_reaches_the_server_and_start_refuses_it(home, key, value, words):
    """The boxes have no browser-side limits (a limit kept the typed value in the browser and the server
    trained with the previous one): the value arrives, the page names the box, and Start refuses."""
    at = train_page()
    box = at.number_input(key=key)
    assert not box.proto.has_min and not box.proto.has_max
    box.set_value(value)
    at.button(key="train.start").click().run()         # typed, then Start at once: both arrive in one rerun
    assert not at.exception, at.exception
    assert any(words in e.value and "Type a number in that range" in e.value for e in at.error), \
        [e.value for e in at.error]
    assert at.button(key="train.start").disabled       # and the click that came with the value started nothing
    assert not Store(home).list_runs()


def test_a_second_press_of_start_with_the_same_settings_starts_no_second_run(home):
    at = train_page()
    at.number_input(key="train.epochs").set_value(100000)
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    first = current_run(at, home)
    at.button(key="train.start").click().run()        # the second click of a burst, handled after the first
    at.button(key="train.start").click().run()
    assert [r.id for r in Store(home).list_runs()] == [first.id]
    assert current_run(at, home).id == first.id
    # other settings are another run
    at.number_input(key="train.seed").set_value(1).run()
    at.button(key="train.start").click().run()
    assert len(Store(home).list_runs()) == 2
    for run in Store(home).list_runs():
        jobs.stop(Store(home), run.id)


def test_the_run_a_refreshed_session_shows_survives_a_visit_to_another_page(home):
    from tests.helpers_runs import train_run
    run_id = train_run(home, "spiral", epochs=2)
    at = train_page(run=run_id)                       # a refresh: the session knows the run from the URL only
    del at.query_params["run"]                        # the sidebar's links carry no query
    at.switch_page("../pages/runs.py").run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert not any("No run yet" in i.value for i in at.info)
    assert current_run(at, home).id == run_id         # back in the URL too


# ------------------------------------------------------------------ controls show at once, a step shows itself
def test_pause_step_and_stop_show_in_the_redraw_that_follows_the_click(home):
    at = train_page()
    run = start_long_run(at, home)
    assert badge(at) == "training"
    at.button(key="train.pause").click().run()          # one redraw, no polling: the worker confirmed meanwhile
    assert badge(at) == "paused" and current_run(at, home).status == "paused"
    paused = next(m.value for m in at.markdown if "Paused at step" in m.value)
    assert f"**Paused at step {current_run(at, home).step:,}**" in paused and "press **Step**" in paused
    before = chart(at, "train.chart.boundary")["data"][0]["z"]
    at.button(key="train.step").click().run()
    run = current_run(at, home)
    stepped = next(m.value for m in at.markdown if "Paused at step" in m.value)
    assert f"**Paused at step {run.step:,}**" in stepped and "that step's batch loss" in stepped
    assert "the update moved the weights by" in stepped and "%** of their size" in stepped
    step = Store(home).events(run.id)[-1]
    assert step["kind"] == "step" and step["step"] == run.step and step["detail"]["relative"] > 0
    assert chart(at, "train.chart.boundary")["data"][0]["z"] != before     # the boundary after that step
    at.button(key="train.stop").click().run()
    assert badge(at) == "stopped"


def test_a_run_that_diverged_without_nan_says_why_and_what_to_change(home):
    from tests.helpers_runs import train_run
    run_id = train_run(home, "spiral", hidden=(8, 8), epochs=100, optimizer="sgd", lr=10.0, activation="relu")
    at = train_page(run=run_id)
    assert badge(at) == "diverged"
    message = next(shown(e.value) for e in at.error if "Training diverged" in e.value)
    assert "every gradient is exactly zero" in message and "Lower the learning rate (now 10; try 0.1)" in message
    assert not at.success                              # no green "Finished" box


def test_a_classifier_is_offered_mse_on_one_hot_targets_and_resampling_and_the_run_gets_them(home):
    from core.data import load_builtin
    ds = load_builtin("breast_cancer")                         # 148 / 251 training rows
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["dataset_ref"] = ds.ref.to_dict()
    at.run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    loss = at.selectbox(key="train.loss")
    assert "MSE on one-hot targets" in loss.options and "cross-entropy" in loss.options
    assert "saturates" in loss.help and "Cross-entropy usually learns faster" in loss.help
    resample = at.selectbox(key="train.resample")
    assert resample.value == "none" and resample.help and "validation and test" in resample.help
    loss.set_value("mse")
    at.selectbox(key="train.resample").set_value("over")
    at.number_input(key="train.epochs").set_value(5).run()
    assert not at.exception, at.exception
    most = int(np.bincount(ds.y_train).max())
    assert any(c.value == f"Training rows per class: malignant 148 → {most}, benign {most} → {most}." for c in at.caption)
    steps = -(-2 * most // 32)                                 # an epoch of the oversampled rows, in batches of 32
    assert any(c.value.startswith(f"{steps} weight updates per epoch") for c in at.caption)
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    run = current_run(at, home)
    assert run.train["loss"] == "mse" and run.train["resample"] == "over"
    run = rerun_until(at, lambda: (r := current_run(at, home)).status == "finished" and r, "the run to finish")
    assert run.summary["resampled"]["after"] == dict.fromkeys(ds.class_names, most)
    assert run.step == 5 * steps and np.isfinite(run.summary["test_accuracy"])
    at.run()
    assert any(c.value.startswith("Trained on oversampled rows") and f"malignant 148 → {most}" in c.value
               for c in at.caption)
    per_step = [t for t in chart(at, "train.chart.loss")["data"] if t.get("name") == "loss per step"][0]
    assert plotly_array(per_step["x"]).max() == pytest.approx(5)      # the last step ends epoch 5, not later


def test_a_regressor_has_no_resampling_and_keeps_mse_as_mean_squared_error(home):
    from core.data import load_builtin
    from core.spec import TrainSpec
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["dataset_ref"] = load_builtin("regression2d").ref.to_dict()
    at.session_state["train"] = {**TrainSpec().to_dict(), "resample": "over"}    # chosen for a classifier before
    at.run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert "train.resample" not in [s.key for s in at.selectbox]
    loss = at.selectbox(key="train.loss")
    assert "mean squared error" in loss.options and "MSE on one-hot targets" not in loss.options
    assert not at.error and not at.button(key="train.start").disabled      # the resampling left over stays off
