"""dashboard/train/live/feed.py: a LiveFeed reads a real run store incrementally, as the Train page polls it."""
from __future__ import annotations

import json

import numpy as np

from dashboard.train.live import LiveFeed


def new_run(store) -> str:
    return store.create_run(name="feed", dataset={"kind": "builtin", "name": "spiral"}, network={}, train={},
                            status="running")


def test_a_feed_grows_with_each_update_and_reports_whether_anything_arrived(store):
    run_id = new_run(store)
    feed = LiveFeed(run_id)
    assert not feed.update(store, store.get_run(run_id))
    store.add_metrics(run_id, [(1, 1, "loss", 0.9), (2, 1, "loss", 0.7), (2, 1, "val_loss", 0.8)])
    store.add_frame(run_id, 2, 1, "boundary", b"grid-1")
    store.add_frame(run_id, 2, 1, "hist", json.dumps({"0:Linear": {"min": -1, "max": 1, "counts": [1, 2]}}).encode())
    assert feed.update(store, store.get_run(run_id))
    assert feed.loss_step.tolist() == [1, 2] and feed.loss.tolist() == [0.9, 0.7]
    assert [a.tolist() for a in feed.epoch_series("val_loss")] == [[1], [0.8]]
    assert feed.boundary == (2, 1, b"grid-1")
    assert list(feed.hist) == ["0:Linear"]
    assert not feed.update(store, store.get_run(run_id))          # nothing new: nothing read twice
    assert feed.loss_step.tolist() == [1, 2]

    store.add_metrics(run_id, [(3, 2, "loss", 0.5), (4, 2, "val_loss", 0.6)])
    store.add_frame(run_id, 4, 2, "boundary", b"grid-2")
    assert feed.update(store, store.get_run(run_id))
    assert feed.loss.tolist() == [0.9, 0.7, 0.5]
    assert np.array_equal(feed.epoch_series("val_loss")[0], [1, 2])
    assert feed.boundary == (4, 2, b"grid-2") and feed.latest("val_loss") == 0.6


def test_a_resume_from_a_checkpoint_rewinds_the_feed(store):
    run_id = new_run(store)
    store.add_metrics(run_id, [(1, 1, "loss", 0.9), (2, 1, "loss", 0.7), (3, 2, "loss", 0.6)])
    feed = LiveFeed(run_id)
    feed.update(store, store.get_run(run_id))
    assert len(feed.loss) == 3
    store.truncate_after(run_id, 2)                  # as a resume from the epoch-1 checkpoint does
    store.add_event(run_id, 2, 1, "resume_from_checkpoint")
    store.add_metrics(run_id, [(3, 2, "loss", 0.65)])
    assert feed.update(store, store.get_run(run_id))
    assert feed.loss_step.tolist() == [1, 2, 3] and feed.loss.tolist() == [0.9, 0.7, 0.65]
