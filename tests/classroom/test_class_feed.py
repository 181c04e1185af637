"""The class's curves read incrementally from a real run store: only what is new, runs that come and go, a
bounded number of points however long a run trains, and a run resumed from a checkpoint read again."""
from __future__ import annotations

import pytest

from core.classroom import ClassFeed
from core.classroom.feed import MAX_POINTS
from core.runs import Store, class_keys, join, scoped


@pytest.fixture
def klass(tmp_path):
    store = Store(tmp_path)
    keys = class_keys(tmp_path)
    ada = scoped(store, join(store, "Ada", keys.code))
    teacher = scoped(store, join(store, "Ms L", keys.teacher_key))
    yield store, ada, teacher
    store.close()


def new_run(view, name="run", status="running"):
    return view.create_run(name=name, dataset={"kind": "builtin", "name": "spiral"}, network={}, train={"epochs": 9},
                           status=status)


def log(store, run_id, epochs, value=lambda e: 1.0 / e):
    store.add_metrics(run_id, [(10 * e, e, "val_loss", value(e)) for e in epochs]
                      + [(10 * e + 1, e, "loss", 9.0) for e in epochs])
    store.update_run(run_id, epoch=max(epochs), step=10 * max(epochs))


def reads(store):
    """Count the statements the store's connection runs from now on."""
    seen = []
    store.db.conn.set_trace_callback(seen.append)      # the SQLite connection under the store
    return seen


def test_the_feed_reads_only_what_is_new(klass):
    store, ada, teacher = klass
    run_id = new_run(ada)
    log(store, run_id, [1, 2])
    feed = ClassFeed()
    assert feed.update(teacher)
    assert feed.curve(run_id, "val_loss").points() == ([1, 2], [1.0, 0.5])
    assert feed.curve(run_id, "loss") is None                      # step losses are not read
    log(store, run_id, [3])
    assert feed.update(teacher)
    assert feed.curve(run_id, "val_loss").points()[0] == [1, 2, 3]
    store.update_run(run_id, status="finished")
    feed.update(teacher)                                           # read once more after it ended…
    seen = reads(store)
    assert not feed.update(teacher)                                # …then not again
    assert not [s for s in seen if "FROM metrics" in s]


def test_a_deleted_run_leaves_and_a_new_one_comes(klass):
    store, ada, teacher = klass
    first = new_run(ada, "first")
    log(store, first, [1])
    feed = ClassFeed()
    feed.update(teacher)
    second = new_run(ada, "second")
    store.delete_run(first)
    assert feed.update(teacher)
    assert [cr.run.name for cr in feed.runs] == ["second"] and feed.curve(first, "val_loss") is None


def test_a_long_run_keeps_a_bounded_curve_with_its_newest_point_and_best(klass):
    store, ada, teacher = klass
    run_id = new_run(ada)
    feed = ClassFeed()
    for start in range(1, 5001, 500):
        log(store, run_id, list(range(start, start + 500)), value=lambda e: abs(e - 1234) + 0.5)
        feed.update(teacher)
    curve = feed.curve(run_id, "val_loss")
    epochs, _ = curve.points()
    assert MAX_POINTS <= len(epochs) <= 2 * MAX_POINTS + 1
    assert epochs[0] == 1 and epochs[-1] == 5000 and epochs == sorted(epochs)
    assert curve.best == 0.5                                       # epoch 1234's, thinned out or not


def test_a_run_resumed_from_a_checkpoint_is_read_again(klass):
    store, ada, teacher = klass
    run_id = new_run(ada)
    log(store, run_id, [1, 2, 3, 4])
    feed = ClassFeed()
    feed.update(teacher)
    store.truncate_after(run_id, 20)                               # back to epoch 2; epochs 3 and 4 trained again
    store.add_event(run_id, 20, 2, "resume_from_checkpoint", {})
    log(store, run_id, [3, 4], value=lambda e: 7.0)
    feed.update(teacher)
    assert feed.curve(run_id, "val_loss").points() == ([1, 2, 3, 4], [1.0, 0.5, 7.0, 7.0])
