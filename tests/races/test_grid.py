"""Grids through the real executor and store: every combination of several settings' values, within the run cap,
stored and read back as a group, counted as one request, and one trained to the end with each run's settings
applied."""
from __future__ import annotations

import dataclasses
import json

import pytest

from core import limits
from core.races import (RaceError, get_race, list_races, parse_grid, plan_grid, plan_race, race_members, race_of,
                        race_result, same_start, start_race)
from core.runs import Store, executor
from core.runs.executor import TooManyRuns
from core.spec import NetworkSpec, TrainSpec

NET = NetworkSpec.dense([8], "tanh")
BASE = TrainSpec(optimizer="adam", epochs=6, seed=5)


@pytest.fixture
def set_limit(monkeypatch):
    def change(**values):
        monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, **values))
    return change


def test_a_grid_is_every_combination_with_each_runs_settings_applied():
    plan = plan_grid(["optimizer=sgd,adam", "lr=0.01,0.1", "batch_size=8,32"], NET, BASE, "xor")
    assert len(plan.runs) == 8 and plan.setting == "optimizer,lr,batch_size"
    assert plan.values[0] == {"optimizer": "sgd", "lr": 0.01, "batch_size": 8}
    assert plan.values[-1] == {"optimizer": "adam", "lr": 0.1, "batch_size": 32}
    assert len({json.dumps(v, sort_keys=True) for v in plan.values}) == 8
    for value, (label, network, train) in zip(plan.values, plan.runs):
        assert (train.optimizer, train.lr, train.batch_size) == (value["optimizer"], value["lr"], value["batch_size"])
        assert train.seed == 5 and train.epochs == 6 and network == NET
    assert plan.runs[2][0] == "SGD lr=0.1 batch_size=8"
    assert plan.name == "Grid of optimiser × learning rate × batch size on xor"


def test_a_grid_can_mix_layer_and_training_settings():
    plan = plan_grid({"activation": "relu, sigmoid", "l2": "0, 0.01"}, NET, BASE)
    layers = [network.layers[0] for _, network, _ in plan.runs]
    assert [layer.activation for layer in layers] == ["relu", "relu", "sigmoid", "sigmoid"]
    assert [train.l2 for _, _, train in plan.runs] == [0.0, 0.01, 0.0, 0.01]


@pytest.mark.parametrize("items, words", [
    (["lr=0.01,0.1"], "a grid varies at least 2 settings (got 1: lr)"),
    (["lr=0.01,0.1", "lr=0.3,1"], "Learning rate (lr) is given twice; give each setting once"),
    (["speed=1,2", "lr=0.01,0.1"], "a grid cannot vary 'speed'; choose settings among optimizer, lr"),
    (["optimizer", "lr=0.01,0.1"], "'optimizer' is not setting=values; write each setting with its values"),
    (["optimizer=sgd,newton", "lr=0.01,0.1"], "unknown value 'newton'; use some of sgd"),
    (["optimizer=sgd,adam", "lr=0.01,fast"], "'fast' is not a number"),
    (["optimizer=sgd,adam", "lr=0.01"], "Learning rate: a grid needs at least 2 values"),
    (["optimizer=sgd,adam", "batch_size=8,-1"], "Batch size -1 cannot be used"),
])
def test_bad_grids_are_refused_naming_the_problem_and_the_fix(items, words):
    with pytest.raises(RaceError) as refused:
        plan_grid(items, NET, BASE)
    assert words in str(refused.value)


def test_a_grid_past_the_run_cap_names_the_cap_its_variable_and_the_fix(set_limit):
    items = ["optimizer=sgd,adam,rmsprop", "lr=0.001,0.01,0.1", "batch_size=8,16,32"]
    with pytest.raises(RaceError) as refused:
        parse_grid(items)                                  # 27 runs against the default of 24
    said = str(refused.value)
    assert "3 × 3 × 3 = 27 runs" in said and "limit of 24" in said and "GLASSNET_MAX_GRID_RUNS" in said
    assert "leave out some values or a setting" in said
    set_limit(max_grid_runs=3)
    with pytest.raises(RaceError, match="2 × 2 = 4 runs was asked for, more than the limit of 3"):
        parse_grid(["optimizer=sgd,adam", "lr=0.01,0.1"])
    set_limit(max_grid_runs=27)
    assert len(parse_grid(items)) == 3


def test_a_grid_is_stored_and_read_back_as_a_group_apart_from_races(store, spiral):
    plan = plan_grid(["optimizer=sgd,adam", "lr=0.01,0.1"], NET, BASE, spiral.name)
    grid_id, run_ids = start_race(store, plan, spiral.ref.to_dict(), data_name=spiral.name, start=False)
    race_id, _ = start_race(store, plan_race("lr", "0.01, 0.1", NET, BASE), spiral.ref.to_dict(), start=False)
    stored = get_race(store, grid_id)
    assert stored["kind"] == "grid" and stored["settings"] == ["optimizer", "lr"]
    assert race_members(store, grid_id) == list(zip(run_ids, plan.values))
    assert race_of(store, run_ids[3]) == grid_id
    assert [r["id"] for r in list_races(store, kind="grid")] == [grid_id]
    assert [r["id"] for r in list_races(store, kind="race")] == [race_id]
    assert store.get_run(run_ids[1]).name == "spiral grid: SGD lr=0.1"
    with Store(store.home) as again:                      # another process's view finds the same
        result = race_result(again, grid_id)
    assert result.kind == "grid" and result.settings == ["optimizer", "lr"]
    assert [e.label for e in result.entries] == ["SGD lr=0.01", "SGD lr=0.1", "Adam lr=0.01", "Adam lr=0.1"]
    assert result.to_dict()["runs"][2]["value"] == {"optimizer": "adam", "lr": 0.01}


def test_a_workspace_whose_race_table_predates_grids_keeps_its_races(home):
    """The races table of before (no settings column) gains the column; its race reads as a race of one setting."""
    with Store(home) as old:
        old.db.execute('CREATE TABLE races (id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT, setting TEXT NOT '
                       'NULL, "values" TEXT NOT NULL, created REAL NOT NULL)')
        old.db.execute("CREATE TABLE race_runs (run TEXT PRIMARY KEY, race TEXT NOT NULL, position INTEGER NOT "
                       "NULL, value TEXT NOT NULL)")
        old.db.execute("CREATE INDEX race_runs_by_race ON race_runs (race, position)")
        run_id = old.create_run(name="old", dataset={"name": "xor"}, network=NET.to_dict(), train=BASE.to_dict(),
                                status="finished")
        old.db.execute('INSERT INTO races VALUES (?,?,?,?,?,?)', ("r1", "old race", None, "lr", "[0.1]", 1.0))
        old.db.execute("INSERT INTO race_runs VALUES (?,?,?,?)", (run_id, "r1", 0, "0.1"))
        old.db.commit()
    with Store(home) as store:
        assert get_race(store, "r1")["settings"] == ["lr"] and get_race(store, "r1")["kind"] == "race"
        assert [e.label for e in race_result(store, "r1").entries] == ["lr=0.1"]
        columns = {row[1] for row in store.db.execute("PRAGMA table_info(races)")}
    assert "settings" in columns


def test_a_grid_of_four_starts_under_a_cap_of_two_and_counts_as_one_request(store, spiral, set_limit):
    set_limit(max_active_runs_per_person=2)
    plan = plan_grid(["optimizer=sgd,adam", "lr=0.01,0.1"], NET, BASE)
    _, run_ids = start_race(store, plan, spiral.ref.to_dict(), start=False)
    assert len(run_ids) == 4
    executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=BASE, name="one", start=False)
    with pytest.raises(TooManyRuns, match="a race counts as one"):
        start_race(store, plan, spiral.ref.to_dict(), start=False)
    assert len(store.list_runs()) == 5


def test_a_grid_trains_to_the_end_through_the_executor_with_each_runs_settings(store):
    from core.data import load_builtin
    xor = load_builtin("xor", n=120)
    plan = plan_grid(["optimizer=sgd,adam", "lr=0.01,0.1"], NET, BASE, xor.name)
    grid_id, run_ids = start_race(store, plan, xor.ref.to_dict(), data_name=xor.name)
    for run_id in run_ids:
        assert executor.wait(store, run_id, timeout=180).status == "finished"
    runs = [store.get_run(r) for r in run_ids]
    assert [(r.train["optimizer"], r.train["lr"]) for r in runs] == [
        ("sgd", 0.01), ("sgd", 0.1), ("adam", 0.01), ("adam", 0.1)]
    assert all(r.network == runs[0].network and r.dataset == runs[0].dataset and r.train["seed"] == 5
               for r in runs)
    assert same_start(store, run_ids)
    result = race_result(store, grid_id)
    assert result.ended and all(e.epoch == 6 and e.final_train_loss is not None for e in result.entries)
    best = {r: float(store.metrics(r, ["val_loss"])["value"].min()) for r in run_ids}
    lowest = min(best, key=best.get)
    assert result.sentence.startswith(next(e.label for e in result.entries if e.run_id == lowest))
    assert result.winner in (lowest, None)
