"""The Race page through Streamlit's AppTest, with real pool workers and a real run store.

AppTest never fires the live fragment's run_every, so waiting reruns the page while polling, with a deadline.
"""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.races import list_races, race_members
from core.runs import ACTIVE, Store
from core.runs import executor as jobs
from core.spec import TrainSpec
from dashboard import keys
from dashboard.race.charts import race_figure

APP = str(Path(__file__).resolve().parents[3] / "dashboard" / "app.py")
TIMEOUT = 180


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    store = Store(tmp_path)
    yield tmp_path
    for run in store.list_runs():
        if run.status in ACTIVE:
            jobs.stop(store, run.id)
    jobs.shutdown(store)
    store.close()


def race_page(**session) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in session.items():
        at.session_state[k] = v
    at.run()
    at.switch_page("../pages/race.py").run()
    assert not at.exception, at.exception
    return at


def rerun_until(at: AppTest, condition, what: str):
    deadline = time.monotonic() + TIMEOUT
    while True:
        at.run()
        assert not at.exception, at.exception
        if condition():
            return
        if time.monotonic() > deadline:
            shown = [m.value for m in [*at.info, *at.success, *at.error]]
            pytest.fail(f"timed out after {TIMEOUT} s waiting for {what}; the page says {shown}")
        time.sleep(0.3)


def test_start_race_trains_one_run_per_value_and_shows_the_chart_and_who_won(home):
    at = race_page(**{keys.TRAIN_SPEC: {**TrainSpec().to_dict(), "epochs": 8}})
    at.selectbox(key=keys.RACE_SETTING).set_value("Learning rate").run()
    at.text_input(key=keys.race_values("lr")).set_value("0.001, 0.1").run()
    at.button(key=keys.RACE_START).click().run()
    assert not at.exception and not at.error
    with Store(home) as store:
        races = list_races(store)
        assert len(races) == 1 and races[0]["setting"] == "lr"
        run_ids = [r for r, _ in race_members(store, races[0]["id"])]
        assert [store.get_run(r).train["lr"] for r in run_ids] == [0.001, 0.1]
    assert at.query_params["race"] == [races[0]["id"]] or at.query_params["race"] == races[0]["id"]
    rerun_until(at, lambda: any("reached the lowest" in s.value or "within noise" in s.value
                                for s in [*at.success, *at.info]), "the race's verdict")
    figure = at.get("plotly_chart")[0].proto.spec
    assert '"lr=0.001"' in figure and '"lr=0.1"' in figure and "Validation accuracy" in figure
    table = at.dataframe[0].value
    assert list(table["run"]) == ["lr=0.001", "lr=0.1"] and set(table["status"]) == {"finished"}


def test_bad_values_get_a_message_naming_the_fix_and_start_nothing(home):
    at = race_page()
    at.selectbox(key=keys.RACE_SETTING).set_value("Batch size").run()
    at.text_input(key=keys.race_values("batch_size")).set_value("32, -8").run()
    at.button(key=keys.RACE_START).click().run()
    assert [e.value for e in at.error] == [
        "The race did not start. Batch size \\-8 cannot be used\\: it must be a whole number from 1 to 65536 "
        "\\(got \\-8\\)"]
    at.selectbox(key=keys.RACE_SETTING).set_value("Learning rate").run()
    at.text_input(key=keys.race_values("lr")).set_value("0.01, quick").run()
    at.button(key=keys.RACE_START).click().run()
    assert "is not a number; write numbers separated by commas" in at.error[0].value.replace("\\", "")
    with Store(home) as store:
        assert store.list_runs() == [] and list_races(store) == []


def test_the_chart_keeps_a_colour_per_run_with_training_dashed():
    curves = [(name, pd.DataFrame({"epoch": [1, 2], "train_loss": [0.9, 0.8], "val_loss": [1.0, 0.9],
                                   "val_accuracy": [0.5, 0.6]})) for name in ("SGD", "Adam")]
    fig = race_figure(curves, classifier=True)
    by_run = {}
    for trace in fig.data:
        by_run.setdefault(trace.legendgroup, []).append((trace.line.color, trace.line.dash, trace.showlegend))
    assert list(by_run) == ["SGD", "Adam"]
    for lines in by_run.values():
        assert len({c for c, _, _ in lines}) == 1 and [d for _, d, _ in lines] == ["solid", "dash", "solid"]
        assert [s for _, _, s in lines] == [True, False, False]
    assert by_run["SGD"][0][0] != by_run["Adam"][0][0]
    assert len(race_figure(curves, classifier=False).data) == 4


def test_the_default_race_starts_the_five_optimisers_on_its_own_spiral(home):
    at = race_page()
    at.button(key=keys.RACE_DEFAULT).click().run()
    assert not at.exception and not at.error
    with Store(home) as store:
        race = list_races(store)[0]
        runs = [store.get_run(r) for r, _ in race_members(store, race["id"])]
    assert [r.train["optimizer"] for r in runs] == ["sgd", "momentum", "adagrad", "rmsprop", "adam"]
    assert {r.dataset["params"]["n"] for r in runs} == {2000} and {r.train["lr"] for r in runs} == {0.003}
    assert any(m.value == "#### Optimiser race on spiral \\(default\\)" for m in at.markdown)
    at.button(key=keys.RACE_DEFAULT).click().run()           # a second press moments later is the same race
    with Store(home) as store:
        assert len(list_races(store)) == 1


def test_a_race_in_progress_says_it_is_still_training_and_stop_ends_every_run(home):
    at = race_page(**{keys.TRAIN_SPEC: {**TrainSpec().to_dict(), "epochs": 100000, "batch_size": 8}})
    at.selectbox(key=keys.RACE_SETTING).set_value("Learning rate").run()
    at.text_input(key=keys.race_values("lr")).set_value("0.001, 0.01").run()
    at.button(key=keys.RACE_START).click().run()
    rerun_until(at, lambda: any(i.value.startswith("Still training \\(2 of 2 runs")
                                and ("reached the lowest" in i.value or "within noise" in i.value) for i in at.info),
                "the standing so far of both runs")
    next(b for b in at.button if b.label == "Stop the race").click().run()
    rerun_until(at, lambda: not any(b.label == "Stop the race" for b in at.button), "the race to end")
    sentence = [*at.success, *at.info][0].value.replace("\\", "")
    assert "Still training" not in sentence
    assert "lr=0.001 was stopped at epoch" in sentence and "lr=0.01 was stopped at epoch" in sentence
    assert set(at.dataframe[0].value["status"]) == {"stopped"}
