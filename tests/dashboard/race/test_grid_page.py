"""The Race page's grid mode through Streamlit's AppTest, with real pool workers and a real run store: reached from
the Runs page, a 2 × 2 grid started in one click and trained to the end, its chart and table, and bad grids
refused with the fix."""
from __future__ import annotations

import dataclasses
import re

import pytest
from streamlit.testing.v1 import AppTest

from core import limits
from core.races import list_races, race_members
from core.runs import Store
from core.spec import TrainSpec
from dashboard import keys
from tests.dashboard.race.test_race_page import APP, home, rerun_until   # noqa: F401  (home: the fixture)

TINY = {keys.TRAIN_SPEC: {**TrainSpec().to_dict(), "epochs": 5}}


def grid_page(**session) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in session.items():
        at.session_state[k] = v
    at.run()
    at.query_params["mode"] = "grid"           # as the Runs page's link opens it
    at.switch_page("../pages/race.py").run()
    assert not at.exception, at.exception
    return at


def test_the_runs_page_links_to_the_race_page_in_grid_mode(home):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("../pages/runs.py").run()
    assert not at.exception, at.exception
    link = next(link for link in at.get("page_link") if link.proto.label == "Sweep a grid →")
    assert link.proto.page.endswith("race") and "mode=grid" in link.proto.query_string


def test_a_two_by_two_grid_starts_in_one_click_and_trains_to_the_end(home):
    at = grid_page(**TINY)
    assert at.radio(key=keys.RACE_MODE).value == "grid"
    assert at.multiselect(key=keys.GRID_SETTINGS).value == ["Optimiser", "Learning rate"]
    assert any("2 × 2 = 4 runs" in c.value for c in at.caption)
    at.button(key=keys.GRID_START).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with Store(home) as store:
        grids = list_races(store, kind="grid")
        assert len(grids) == 1 and grids[0]["settings"] == ["optimizer", "lr"]
        run_ids = [r for r, _ in race_members(store, grids[0]["id"])]
        assert [(store.get_run(r).train["optimizer"], store.get_run(r).train["lr"]) for r in run_ids] == [
            ("sgd", 0.01), ("sgd", 0.1), ("adam", 0.01), ("adam", 0.1)]
    rerun_until(at, lambda: any("reached the lowest" in s.value or "within noise" in s.value
                                for s in [*at.success, *at.info]) and "Still training" not in
                " ".join(s.value for s in [*at.success, *at.info]), "the grid's verdict")
    figure = at.get("plotly_chart")[0].proto.spec
    for label in ("SGD lr=0.01", "SGD lr=0.1", "Adam lr=0.01", "Adam lr=0.1"):
        assert f'"{label}"' in figure
    assert "Validation accuracy" in figure
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == ["SGD", "SGD", "Adam", "Adam"] and list(table["lr"]) == ["0.01", "0.1"] * 2
    assert set(table["status"]) == {"finished"}
    with Store(home) as store:
        best = {r: float(store.metrics(r, ["val_loss"])["value"].min()) for r in run_ids}
    lowest = run_ids.index(min(best, key=best.get))
    styled = at.dataframe[0].proto.arrow_data.styler.styles
    assert "font-weight: 600" in styled                 # one row highlighted, every cell of it: the best run's
    assert {int(r) for r in re.findall(r"row(\d+)_col", styled)} == {lowest}
    assert len(set(re.findall(r"row\d+_col(\d+)", styled))) == len(table.columns)


@pytest.mark.parametrize("change, said", [
    (lambda at: at.multiselect(key=keys.GRID_SETTINGS).set_value(["Learning rate"]),
     "A grid varies at least 2 settings (got 1: lr)"),
    (lambda at: at.text_input(key=keys.grid_values("lr")).set_value("0.01, quick"), "'quick' is not a number"),
    (lambda at: at.text_input(key=keys.grid_values("optimizer")).set_value("sgd, sgd"), "sgd is given twice"),
])
def test_a_bad_grid_is_refused_with_the_fix_and_starts_nothing(home, change, said):
    at = grid_page(**TINY)
    change(at).run()
    at.button(key=keys.GRID_START).click().run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]           # as the page shows it: markup escaped
    assert any(text.startswith("The grid did not start.") and said in text for text in shown), shown
    with Store(home) as store:
        assert store.list_runs() == []


def test_a_grid_past_the_cap_names_it_and_its_variable(home, monkeypatch):
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, max_grid_runs=3))
    at = grid_page(**TINY)
    assert any("At most 3 runs" in c.value for c in at.caption)
    at.button(key=keys.GRID_START).click().run()
    said = " ".join(e.value.replace("\\", "") for e in at.error)
    assert "2 × 2 = 4 runs" in said and "limit of 3" in said and "GLASSNET_MAX_GRID_RUNS" in said
    with Store(home) as store:
        assert store.list_runs() == []


def test_the_mode_follows_the_choice_and_the_address(home):
    at = grid_page(**TINY)
    assert at.button(key=keys.GRID_START) and not any(b.key == keys.RACE_START for b in at.button)
    at.radio(key=keys.RACE_MODE).set_value("race").run()
    assert not at.exception
    assert any(b.key == keys.RACE_START for b in at.button) and not any(b.key == keys.GRID_START for b in at.button)
    assert at.query_params["mode"] in ("race", ["race"])
    at.run()                                          # a rerun keeps the mode chosen
    assert at.radio(key=keys.RACE_MODE).value == "race"
