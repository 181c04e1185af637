"""core/runs/queue.py on a real SQLite run store, no worker processes: the fair-share order, a run's place in
line and the wait estimated from the speed of recent runs."""
from __future__ import annotations

import dataclasses

import pytest

from core import limits
from core.runs import executor, queue

NET = {"layers": []}

pytestmark = pytest.mark.usefixtures("backend")     # each test on SQLite and on PostgreSQL


def add(store, name, status="queued", owner=None, epochs=10, epoch=0, summary=None):
    run_id = store.create_run(name=name, dataset={"kind": "builtin", "name": "spiral"}, network=NET,
                              train={"epochs": epochs, "lr": 0.01}, status=status, owner=owner)
    store.update_run(run_id, epoch=epoch, **({"summary": summary} if summary else {}))
    return run_id


# ------------------------------------------------------------------ the order
def test_fewest_runs_holding_a_worker_goes_first_then_who_started_least_recently():
    waiting = [("a1", "ann"), ("a2", "ann"), ("b1", "bob"), ("n1", None)]
    # nobody holds a worker, nobody started yet: round robin in the order people first queued
    assert queue.fair_order(waiting, {}, {}) == ["a1", "b1", "n1", "a2"]
    # Ann trains two runs now: the others come first
    assert queue.fair_order(waiting, {"ann": 2}, {}) == ["b1", "n1", "a1", "a2"]
    # equal holdings: the person handed a run least recently first (never counts as longest ago)
    assert queue.fair_order(waiting, {}, {"ann": 5.0, "bob": 9.0, None: 7.0})[:3] == ["a1", "n1", "b1"]
    assert queue.fair_order(waiting, {}, {"ann": 9.0, "bob": 5.0})[:3] == ["n1", "b1", "a1"]
    assert queue.fair_order([], {"ann": 1}, {}) == []


def test_queue_order_reads_the_store_and_a_claim_hands_out_the_first(store):
    for i in range(3):
        add(store, f"ann {i}", owner="ann")
    bob = add(store, "bob", owner="bob")
    ann = [r.id for r in sorted(store.list_runs(owner="ann"), key=lambda r: r.created)]
    assert queue.queue_order(store) == [ann[0], bob, ann[1], ann[2]]
    assert queue.claim(store, 4242) == ann[0]
    assert store.get_run(ann[0]).pid == 4242 and store.get_run(ann[0]).status == "queued"
    # Ann now holds a worker (her run is handed over and starting): Bob's is next, then Ann's by age
    assert queue.queue_order(store) == [bob, ann[1], ann[2]]
    assert queue.claim(store, 4243) == bob
    assert queue.claim(store, 4244) == ann[1]
    assert [tuple(r) for r in store.db.execute("SELECT owner, worker FROM claims ORDER BY rowid")] == \
        [("ann", 4242), ("bob", 4243), ("ann", 4244)]


# ------------------------------------------------------------------ place in line and the wait
@pytest.fixture
def workers(monkeypatch):
    def set_k(k: int):
        monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, workers=k))
    return set_k


def test_place_in_line_follows_the_fair_order_and_the_wait_grows_with_it(store, workers):
    workers(1)
    training = add(store, "carl's", status="running", owner="carl", epochs=100, epoch=40)   # 60 epochs to go
    a1 = add(store, "ann 1", owner="ann", epochs=20)
    a2 = add(store, "ann 2", owner="ann", epochs=30)
    b1 = add(store, "bob 1", owner="bob", epochs=10)
    assert executor.queue_position(store, training) is None            # it does not wait
    # nothing measured yet: the place, and no guess at the time
    assert [executor.queue_position(store, r) for r in (a1, b1, a2)] == [(1, None), (2, None), (3, None)]
    for i in range(3):                                                 # recent runs took 0.1 s an epoch
        add(store, f"done {i}", status="finished", epochs=50, summary={"seconds": 5.0, "epochs": 50})
    places = {r: executor.queue_position(store, r) for r in (a1, b1, a2)}
    assert places[a1] == (1, pytest.approx(6.0))       # Carl's 60 epochs left
    assert places[b1] == (2, pytest.approx(8.0))       # ... and Ann's first run's 20
    assert places[a2] == (3, pytest.approx(9.0))       # ... and Bob's 10

    workers(2)                                          # a free worker: the first in line starts now
    assert executor.queue_position(store, a1) == (1, 0.0)
    assert executor.queue_position(store, b1) == (2, pytest.approx((60 + 20) * 0.1 / 2))

    workers(1)
    store.update_run(training, status="paused")         # the only worker is held by a paused run: no estimate
    assert executor.queue_position(store, a1) == (1, None)


def test_the_spawn_way_has_no_queue(store, monkeypatch):
    run_id = add(store, "waits")
    assert executor.queue_position(store, run_id) == (1, 0.0)          # no worker busy: it starts now
    monkeypatch.setenv("GLASSNET_EXECUTOR", "spawn")
    assert executor.queue_position(store, run_id) is None
