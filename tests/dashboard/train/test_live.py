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


def covered_means(steps, truth) -> list[float]:
    """The mean of the true step losses (truth[s - 1] is step s's) over the steps each row covers: those after
    the row before it."""
    steps = [int(s) for s in steps]
    return [float(np.mean(truth[a:b])) for a, b in zip([0, *steps[:-1]], steps)]


def test_a_feed_reads_a_long_run_a_bounded_number_of_rows_a_poll_and_catches_up(store):
    run_id = new_run(store)
    n = 25_000
    truth = 1.0 / np.arange(1, n + 1)
    store.add_metrics(run_id, [(s, 1 + (s - 1) // 100, "loss", float(truth[s - 1])) for s in range(1, n + 1)]
                      + [(s, s // 100, "val_loss", 2.0 / s) for s in range(100, n + 1, 100)])
    run = store.get_run(run_id)
    feed, read, polls = LiveFeed(run_id), [], 0
    while True:
        before = feed.last_step
        assert feed.update(store, run)
        polls += 1
        read.append(store.db.execute("SELECT count(*) FROM metrics WHERE run=? AND step>? AND step<=?",
                                     (run_id, before, feed.last_step)).fetchone()[0])
        if not feed.behind:
            break
        assert polls < 10
    assert max(read) <= 10_001 and polls == 3 and sum(read) == n + n // 100     # every row read once
    assert not feed.update(store, run)
    # held within the limit (20,000 step losses), merged into means, spanning the whole run
    assert len(feed.loss) <= 20_000 and feed.loss_step[-1] == n and feed.loss_step[0] <= 4
    np.testing.assert_allclose(feed.loss, covered_means(feed.loss_step, truth), rtol=1e-9)
    assert feed.epoch_series("val_loss")[0].tolist() == list(range(1, n // 100 + 1))


def test_what_a_feed_holds_stays_within_the_limits_as_a_run_grows(store, monkeypatch):
    import dataclasses

    from core import limits
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, max_loss_points=100,
                                                              max_epoch_points=10, max_frames=5))
    run_id = new_run(store)
    feed, truth = LiveFeed(run_id), []
    for epoch in range(1, 201):                      # 25 steps an epoch, each epoch logged, as a worker writes
        losses = [float(np.sin(len(truth) + i) + epoch) for i in range(25)]
        first = len(truth) + 1
        truth += losses
        store.add_metrics(run_id, [(first + i, epoch, "loss", v) for i, v in enumerate(losses)]
                          + [(len(truth), epoch, "val_loss", float(epoch))])
        store.add_frame(run_id, len(truth), epoch, "hist", json.dumps({"0:Linear": {"min": 0, "max": epoch,
                                                                                   "counts": [1]}}).encode())
        feed.update(store, store.get_run(run_id))
        assert len(feed.loss) <= 100 and len(feed.epoch_series("val_loss")[0]) <= 10
        assert len(feed.hist["0:Linear"]) <= 5
    assert feed.loss_step[-1] == len(truth) and feed.loss_step[0] <= 200
    np.testing.assert_allclose(feed.loss, covered_means(feed.loss_step, np.asarray(truth)), rtol=1e-9)
    epochs = feed.epoch_series("val_loss")[0]
    assert epochs[-1] == 200 and epochs[0] <= 64 and np.diff(epochs).max() <= 64     # the newest; spread
    assert feed.hist["0:Linear"][-1][0] == 200


def test_a_feed_that_finds_the_store_thinned_still_draws_the_whole_run(store):
    run_id = new_run(store)
    truth = np.cos(np.arange(1, 1201) / 50.0) + 2.0
    add = lambda a, b: store.add_metrics(run_id, [(s, 1 + s // 100, "loss", float(truth[s - 1]))  # noqa: E731
                                                  for s in range(a, b + 1)])
    add(1, 1000)
    feed = LiveFeed(run_id)
    feed.update(store, store.get_run(run_id))
    add(1001, 1200)
    # meanwhile the run thinned its losses: every block of 256 steps up to step 1,024 became one row, at the
    # block's last step, holding the block's mean (as core.runs.thinning leaves it)
    with store.transaction():
        for end in range(256, 1025, 256):
            store.db.execute("DELETE FROM metrics WHERE run=? AND name='loss' AND step>? AND step<?",
                             (run_id, end - 256, end))
            store.db.execute("UPDATE metrics SET value=? WHERE run=? AND name='loss' AND step=?",
                             (float(truth[end - 256:end].mean()), run_id, end))
    assert feed.update(store, store.get_run(run_id))
    steps = feed.loss_step
    assert (np.diff(steps) > 0).all() and steps[-1] == 1200 and steps[0] == 1
    np.testing.assert_allclose(feed.loss, covered_means(steps, truth), rtol=1e-9)     # no step counted twice


def test_a_run_waiting_for_a_worker_polls_only_its_place_in_line_and_slowly(store):
    from dashboard.train.live.view import POLL_S, SLOW_POLL_S, poll_every
    run_id = new_run(store)
    store.update_run(run_id, status="queued", pid=None)
    live, charts = poll_every(store.get_run(run_id))
    # a class pressing Start together leaves most runs waiting: their pages poll little, and no chart polls
    assert live is not None and live >= 2 * POLL_S and charts is None
    store.update_run(run_id, pid=12345)                       # a worker took it: it polls as it trains
    assert poll_every(store.get_run(run_id)) == (POLL_S, SLOW_POLL_S)
    store.update_run(run_id, status="running")
    assert poll_every(store.get_run(run_id)) == (POLL_S, SLOW_POLL_S)
    store.update_run(run_id, status="finished", pid=None)
    assert poll_every(store.get_run(run_id)) == (None, None)
    assert poll_every(store.get_run(run_id), catching_up=True) == (POLL_S, SLOW_POLL_S)
