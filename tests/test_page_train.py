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

from core import jobs
from core.store import ACTIVE, Store

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
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
    assert "spiral" in text and "parameters" in text and "dense 8 relu" in text
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
    boundary = chart(at, "train.chart.boundary")
    assert np.asarray(boundary["data"][0]["z"]["bdata"] if isinstance(boundary["data"][0]["z"], dict)
                      else boundary["data"][0]["z"]).size > 0
    assert trace_len(chart(at, "train.chart.score")["data"][0]["x"]) > 0
    assert len(chart(at, "train.chart.grads")["data"]) == 3
    assert at.session_state["_train_tick_ms"] < 1000


def test_pause_step_resume_and_stop_change_the_run(home):
    at = train_page()
    run = start_long_run(at, home)
    at.button(key="train.pause").click().run()
    run = rerun_until(at, lambda: (r := current_run(at, home)).status == "paused" and r, "the pause")
    at.run()
    step = run.step
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
    at.session_state["train"] = {"loss": "mse", "device": "cuda" if "cuda" not in _devices() else "mps"}
    at.run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert any("does not fit this dataset" in w.value for w in at.warning)
    assert any("**Device**" in e.value and "not available" in e.value for e in at.error)
    assert at.button(key="train.start").disabled


def _devices():
    from core.train import available_devices
    return available_devices()
