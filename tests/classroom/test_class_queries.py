"""The class-wide queries on a real run store: the teacher's alone (a student, and personal mode's one person,
are refused), each student's runs named with their student, the results as CSV, and the hand-out kept in the
store and read back by a student as the teacher handed it out."""
from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from core.classroom import (ClassFeed, HandoutError, TeachersOnly, active_count, class_runs, current_handout,
                            hand_out, machine, pause_all, results_csv, results_table, resume_all, stop_all,
                            waiting_runs, withdraw_handout, workers)
from core.presets import default_network
from core.runs import PERSONAL, Store, class_keys, join, scoped
from core.spec import TrainSpec

SPIRAL = {"kind": "builtin", "name": "spiral", "params": {"n": 300, "noise": 0.2, "seed": 1}, "sha256": None,
          "preprocess": {"scaling": "standard", "val_fraction": 0.15, "test_fraction": 0.15, "split_seed": 0}}


@pytest.fixture
def klass(tmp_path):
    """(store, {name: scoped view}) of a class with two students and a teacher, each student with a run."""
    store = Store(tmp_path)
    keys = class_keys(tmp_path)
    people = {"Ada": join(store, "Ada", keys.code), "Bob": join(store, "=Bob", keys.code),
              "Teacher": join(store, "Ms L", keys.teacher_key)}
    views = {name: scoped(store, p) for name, p in people.items()}
    for name, lr in (("Ada", 0.1), ("Bob", 0.01)):
        run_id = views[name].create_run(name=f"{name} run", dataset=SPIRAL, network=default_network().to_dict(),
                                        train=TrainSpec(lr=lr, epochs=3).to_dict(), status="finished")
        store.add_metrics(run_id, [(10 * e, e, "val_loss", 1.0 / e) for e in (1, 2, 3)]
                          + [(10 * e, e, "val_accuracy", 0.5 + 0.1 * e) for e in (1, 2, 3)])
        store.update_run(run_id, epoch=3, step=30)
    yield store, views
    store.close()


QUERIES = {
    "class_runs": class_runs,
    "feed": lambda v: ClassFeed().update(v),
    "results_table": results_table,
    "results_csv": results_csv,
    "pause_all": pause_all,
    "resume_all": resume_all,
    "stop_all": stop_all,
    "active_count": active_count,
    "hand_out": lambda v: hand_out(v, SPIRAL, default_network().to_dict(), TrainSpec().to_dict()),
    "withdraw_handout": withdraw_handout,
    "waiting_runs": waiting_runs,
    "workers": workers,
}


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_a_class_wide_query_is_refused_to_a_student_and_to_personal_mode(klass, query):
    store, views = klass
    with pytest.raises(TeachersOnly, match="for the teacher"):
        QUERIES[query](views["Ada"])
    with pytest.raises(TeachersOnly, match="make class"):
        QUERIES[query](scoped(store, PERSONAL))
    QUERIES[query](views["Teacher"])                          # the teacher's is answered


def test_the_teacher_sees_every_students_run_with_their_name(klass):
    _, views = klass
    assert sorted((cr.student, cr.run.name) for cr in class_runs(views["Teacher"])) == \
        [("=Bob", "Bob run"), ("Ada", "Ada run")]


def test_the_results_csv_has_a_row_a_run_with_its_final_metrics(klass):
    _, views = klass
    rows = list(csv.DictReader(io.StringIO(results_csv(views["Teacher"]).decode())))
    by_run = {r["run"]: r for r in rows}
    assert set(by_run) == {"Ada run", "Bob run"}
    ada = by_run["Ada run"]
    assert (ada["student"], ada["status"], ada["epochs"], ada["optimiser"], float(ada["lr"])) == \
        ("Ada", "finished", "3", "adam", 0.1)
    assert float(ada["val_loss"]) == pytest.approx(1 / 3) and float(ada["val_accuracy"]) == pytest.approx(0.8)
    assert by_run["Bob run"]["student"] == "'=Bob"           # a name a spreadsheet would run as a formula


def test_the_queue_names_who_waits_in_the_order_runs_will_start(klass, monkeypatch):
    from core import limits
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, workers=1))
    store, views = klass
    for who, i in (("Ada", 1), ("Ada", 2), ("Bob", 1)):                     # queued, no worker has them yet
        views[who].create_run(name=f"{who} {i}", dataset=SPIRAL, network={}, train={"epochs": 5})
    waiting = waiting_runs(views["Teacher"])
    assert [(w.place, w.student, w.run) for w in waiting] == [(1, "Ada", "Ada 1"), (2, "=Bob", "Bob 1"),
                                                              (3, "Ada", "Ada 2")]   # turns between students
    assert waiting[0].seconds == 0.0 and not any(w.paused for w in waiting)
    pause_all(views["Teacher"])
    assert all(w.paused for w in waiting_runs(views["Teacher"]))                  # they will start paused
    w = workers(views["Teacher"])
    assert (w.own_each, w.busy, w.alive, w.size, w.waiting) == (False, 0, 0, 1, 3)


def test_a_handout_round_trips_through_the_store_to_a_student(klass):
    store, views = klass
    assert current_handout(views["Ada"]) is None
    network = {"layers": [{"type": "dense", "units": 5, "activation": "relu"}]}
    train = {"optimizer": "sgd", "lr": 0.3, "epochs": 7}
    given = hand_out(views["Teacher"], SPIRAL, network, train)
    got = current_handout(views["Bob"])
    assert got == given
    assert got.dataset == SPIRAL
    assert got.network["layers"][0]["units"] == 5 and got.network["layers"][0]["activation"] == "relu"
    assert got.train == TrainSpec(optimizer="sgd", lr=0.3, epochs=7).to_dict()
    with Store(store.home) as other:                          # kept in the workspace, not in this connection
        assert current_handout(scoped(other, views["Ada"].person)) == given
    assert withdraw_handout(views["Teacher"]) and current_handout(views["Ada"]) is None


def test_settings_that_cannot_train_are_not_handed_out(klass):
    _, views = klass
    with pytest.raises(HandoutError, match="Train page"):
        hand_out(views["Teacher"], SPIRAL, default_network().to_dict(), {"lr": -1})
    with pytest.raises(HandoutError, match="Build page"):
        hand_out(views["Teacher"], SPIRAL, {"layers": [{"type": "dense", "units": 0}]}, {})
    assert current_handout(views["Ada"]) is None


def test_machine_reads_load_and_memory_from_proc(tmp_path):
    (tmp_path / "loadavg").write_text("1.50 0.75 0.25 3/400 12345\n")
    (tmp_path / "meminfo").write_text("MemTotal:       1000 kB\nMemFree:  10 kB\nMemAvailable:    250 kB\n")
    m = machine(tmp_path)
    assert m.load == (1.5, 0.75, 0.25) and m.memory_total == 1_024_000 and m.memory_available == 256_000
    assert m.memory_used_fraction == pytest.approx(0.75)
    empty = machine(tmp_path / "nothing")
    assert empty.load is None and empty.memory_used_fraction is None


def test_an_explanation_waiting_for_a_worker_has_its_place_in_the_class_queue(klass, monkeypatch):
    """Analysis jobs wait in the runs' line: the teacher sees them there, with their student, so the places
    listed run 1, 2, 3 without a gap."""
    from core import limits
    from core.runs import executor
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, workers=1))
    store, views = klass
    ada_run = next(r for r in views["Ada"].list_runs())
    views["Ada"].create_run(name="Ada 1", dataset=SPIRAL, network={}, train={"epochs": 5})
    views["Bob"].create_run(name="Bob 1", dataset=SPIRAL, network={}, train={"epochs": 5})
    executor.submit_job(views["Ada"], "shap", {"run": ada_run.id, "rows": 20}, start=False)
    waiting = waiting_runs(views["Teacher"])
    assert [w.place for w in waiting] == [1, 2, 3]
    assert ("Ada", "explanation of Ada run") in [(w.student, w.run) for w in waiting]
    assert workers(views["Teacher"]).waiting == 3
