"""Races through the real executor and store: one run per value, the same start, one request against the cap,
found again, and a winner read from what the runs logged."""
from __future__ import annotations

import dataclasses

import pytest

from core import limits
from core.races import (RaceError, list_races, plan_race, race_members, race_of, race_result, same_start,
                        start_race)
from core.runs import executor
from core.runs.executor import TooManyRuns
from core.spec import NetworkSpec, TrainSpec

NET = NetworkSpec.dense([16, 16], "tanh")
BASE = TrainSpec(optimizer="adam", epochs=20, seed=3)


@pytest.fixture
def cap_of(monkeypatch):
    def make(cap: int):
        monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, max_active_runs_per_person=cap))
    return make


def lowest_val_loss_run(store, run_ids) -> str:
    """The run whose validation loss went lowest, straight from the metrics table."""
    best = {r: float(store.metrics(r, ["val_loss"])["value"].min()) for r in run_ids}
    return min(best, key=best.get)


def test_a_race_of_three_learning_rates_trains_alike_but_for_the_rate_and_names_the_lowest_loss(
        store, spiral, wait_for):
    plan = plan_race("lr", "0.0003, 0.003, 0.03", NET, BASE, spiral.name)
    race_id, run_ids = start_race(store, plan, spiral.ref.to_dict(), data_name=spiral.name)
    assert len(run_ids) == 3 and race_members(store, race_id) == list(zip(run_ids, [0.0003, 0.003, 0.03]))
    runs = [store.get_run(r) for r in run_ids]
    assert [r.train["lr"] for r in runs] == [0.0003, 0.003, 0.03]
    assert {r.train["seed"] for r in runs} == {3} and all(r.network == runs[0].network for r in runs)
    assert all(r.dataset == runs[0].dataset for r in runs)
    assert same_start(store, run_ids)
    for run_id in run_ids:
        assert executor.wait(store, run_id, timeout=180).status == "finished"
    result = race_result(store, race_id)
    assert result.ended and [e.status for e in result.entries] == ["finished"] * 3
    lowest = lowest_val_loss_run(store, run_ids)
    label = next(e.label for e in result.entries if e.run_id == lowest)
    assert result.sentence.startswith(label), result.sentence
    assert result.winner in (lowest, None) and (result.winner is None) == result.within_noise
    assert race_of(store, run_ids[1]) == race_id
    assert [r["id"] for r in list_races(store)] == [race_id]


def test_runs_that_differ_in_initialisation_do_not_start_alike_and_dropout_does(store, spiral):
    plan = plan_race("init", "xavier, zeros", NET, BASE)
    _, run_ids = start_race(store, plan, spiral.ref.to_dict(), start=False)
    assert [store.get_run(r).network["layers"][0]["init"] for r in run_ids] == ["xavier", "zeros"]
    assert not same_start(store, run_ids)
    _, run_ids = start_race(store, plan_race("dropout", "0, 0.5", NET, BASE), spiral.ref.to_dict(), start=False)
    assert same_start(store, run_ids)             # a dropout layer draws no weights


def test_a_race_whose_runs_are_all_deleted_is_no_longer_listed(store, spiral):
    race_id, run_ids = start_race(store, plan_race("lr", "0.01, 0.1", NET, BASE), spiral.ref.to_dict(), start=False)
    executor.delete(store, run_ids[0])
    assert race_members(store, race_id) == [(run_ids[1], 0.1)] and len(list_races(store)) == 1
    executor.delete(store, run_ids[1])
    assert list_races(store) == []


def test_a_race_of_five_starts_under_a_cap_of_three_and_counts_as_one_request(store, spiral, cap_of):
    cap_of(3)
    plan = plan_race("optimizer", "sgd, momentum, adagrad, rmsprop, adam", NET, BASE)
    _, run_ids = start_race(store, plan, spiral.ref.to_dict(), start=False)
    assert len(run_ids) == 5
    for name in ("one", "two"):           # the race is one of three: two runs more fit
        executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=BASE, name=name, start=False)
    with pytest.raises(TooManyRuns, match="a race counts as one"):
        executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=BASE, name="three", start=False)
    with pytest.raises(TooManyRuns):
        start_race(store, plan, spiral.ref.to_dict(), start=False)
    assert len(store.list_runs()) == 7


@pytest.mark.parametrize("setting, values, words", [
    ("lr", "0.01, fast", "'fast' is not a number"),
    ("batch_size", "-8, 32", "Batch size -8 cannot be used: it must be a whole number from 1"),
    ("batch_size", "8, 2.5", "'2.5' is not a whole number"),
    ("lr", "0.1", "at least 2 values"),
    ("lr", "0.1, 0.1, 0.2", "0.1 is given twice"),
    ("optimizer", "sgd, newton", "unknown value 'newton'; use some of sgd"),
    ("lr", "0.1, 50", "at most 10"),
    ("momentum", "0.5, 0.9", "a race cannot vary 'momentum'; choose one of optimizer"),
    ("lr", ",".join(str(0.001 * i) for i in range(1, 10)), "at most 8 values"),
])
def test_bad_values_are_refused_with_the_fix_and_nothing_is_recorded(store, setting, values, words):
    with pytest.raises(RaceError, match=None) as refused:
        plan_race(setting, values, NET, BASE)
    assert words in str(refused.value)
    assert store.list_runs() == []


def test_a_layer_setting_needs_a_layer_that_has_it(store):
    with pytest.raises(RaceError, match="no layer with a dropout setting"):
        plan_race("dropout", "0, 0.5", NetworkSpec(layers=[]), BASE)


def test_in_a_class_a_race_is_its_students_alone_and_the_teachers_to_see(store, spiral):
    from core.runs import NotYours, class_keys, join, scoped
    keys = class_keys(store.home)
    ada, bob = join(store, "Ada", keys.code), join(store, "Bob", keys.code)
    teacher = join(store, "Teacher", keys.teacher_key)
    race_id, run_ids = start_race(scoped(store, ada), plan_race("lr", "0.01, 0.1", NET, BASE), spiral.ref.to_dict(),
                                  owner=ada.id, start=False)
    assert {store.get_run(r).owner for r in run_ids} == {ada.id}
    assert [r["id"] for r in list_races(store, owner=ada.id, everyone=False)] == [race_id]
    assert list_races(store, owner=bob.id, everyone=False) == []
    with pytest.raises(NotYours):
        race_result(scoped(store, bob), race_id)
    assert len(race_result(scoped(store, teacher), race_id).entries) == 2
