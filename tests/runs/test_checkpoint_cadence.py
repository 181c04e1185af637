"""When a run saves its weights (core/runs/cadence.py): a small network at every logged epoch, before that
epoch's metrics, so a killed worker's resume redoes at most the steps since its last logged epoch; a bigger
one every `checkpoint_every` epochs, and always within MAX_GAP_S of the last save."""
from __future__ import annotations

import os
import signal

import pytest

from core.model import network_for
from core.training import StoreRecorder
from core.runs import executor
from core.spec import NetworkSpec, TrainSpec
from core.training import Trainer, seed_everything

TIMEOUT = 120
NET = NetworkSpec.dense([16, 16], "tanh")


class Probe:
    """Placed after the recorder: at each logged epoch, the newest checkpoint and the resume files on disk."""

    def __init__(self, store, run_id):
        self.store, self.run_id, self.seen = store, run_id, []

    def on_epoch(self, trainer, report):
        newest = newest_checkpoint(self.store, self.run_id)
        resume_files = sorted(p.name for p in self.store.run_dir(self.run_id).glob("resume-*.safetensors"))
        self.seen.append((report.epoch, report.step, newest, resume_files))


def newest_checkpoint(store, run_id):
    """(epoch, step) of the newest checkpoint a run could resume from, read from its files' metadata."""
    from core.model import load_checkpoint
    found = [load_checkpoint(c["path"])[1] for c in store.checkpoints(run_id) if c["kind"] != "best"]
    return max(((int(m["epoch"]), int(m["step"])) for m in found), default=None, key=lambda es: es[1])


def recorded(store, spiral, spec):
    run_id = store.create_run(name="cadence", dataset=spiral.ref.to_dict(), network=NET.to_dict(), train=spec.to_dict())
    seed_everything(0)
    probe = Probe(store, run_id)
    trainer = Trainer(network_for(NET, spiral), spiral, spec, callbacks=[StoreRecorder(store, run_id), probe])
    return run_id, trainer, trainer.fit(), probe


@pytest.fixture
def saving_is_cheap(monkeypatch):
    """Every save counts as quick, whatever the disk is doing now: the time budget has a test of its own
    (test_saving_takes_at_most_a_tenth_of_the_time_on_a_slow_disk), and no test here hangs on timing."""
    try:
        from core.runs import cadence
    except ImportError:        # a recorder without a cadence of its own: the tests then show what it saves
        return None
    monkeypatch.setattr(cadence, "SAVE_SHARE", 1e9)
    return cadence


def test_a_small_network_is_saved_at_every_logged_epoch_before_its_metrics(store, spiral, saving_is_cheap):
    spec = TrainSpec(epochs=30, batch_size=8, checkpoint_every=1000)     # never a 'kept' epoch but the last
    run_id, trainer, result, probe = recorded(store, spiral, spec)
    assert result.status == "finished" and trainer.eval_every == 1 and len(probe.seen) == 30
    for epoch, step, newest, resume_files in probe.seen:
        # the weights of this very epoch were on disk when its metrics were recorded
        assert newest == (epoch, step), (epoch, newest)
        assert len(resume_files) <= 2, resume_files               # the older ones are removed as it goes
    kinds = sorted((c["kind"], c["epoch"]) for c in store.checkpoints(run_id))
    assert kinds == [("best", trainer.best_epoch), ("epoch", 30)]   # at the end only what is kept stays
    assert not list(store.run_dir(run_id).glob("resume-*"))


def test_a_network_over_the_cheap_size_keeps_to_checkpoint_every_and_to_the_longest_gap(store, spiral,
                                                                                         saving_is_cheap, monkeypatch):
    spec = TrainSpec(epochs=12, batch_size=8, checkpoint_every=4)
    monkeypatch.setattr(saving_is_cheap, "CHEAP_BYTES", 0)           # every network counts as big
    run_id, _, _, probe = recorded(store, spiral, spec)
    saved_at = sorted({newest[0] for _, _, newest, _ in probe.seen if newest is not None})
    assert saved_at == [4, 8, 12]
    assert not any(files for *_, files in probe.seen)

    monkeypatch.setattr(saving_is_cheap, "MAX_GAP_S", 0.0)           # ... but the last save is always 'long ago'
    run_id, _, _, probe = recorded(store, spiral, spec)
    assert [newest for _, _, newest, _ in probe.seen] == [(epoch, step) for epoch, step, _, _ in probe.seen]


def test_saving_takes_at_most_a_tenth_of_the_time_on_a_slow_disk():
    from core.runs import cadence
    small, big = 100_000, cadence.CHEAP_BYTES + 1
    assert cadence.cheap_enough(small, last_save_s=0.0, since_last_s=0.001)          # the first save
    assert not cadence.cheap_enough(small, last_save_s=0.012, since_last_s=0.05)     # 12 ms fsyncs, 50 ms epochs
    assert cadence.cheap_enough(small, last_save_s=0.012, since_last_s=0.12)
    assert not cadence.cheap_enough(big, last_save_s=0.001, since_last_s=10.0)
    assert cadence.cheap_enough(big, last_save_s=5.0, since_last_s=cadence.MAX_GAP_S)   # never more than 30 s apart


def usable_checkpoint_at_the_last_logged_epoch(store, run_id) -> bool:
    """The newest checkpoint of the run holds the weights of its last recorded epoch."""
    run = store.get_run(run_id)
    return run.epoch > 0 and newest_checkpoint(store, run_id) == (run.epoch, run.step)


def test_a_killed_worker_resumes_from_its_last_logged_epoch(store, spiral, wait_for):
    """checkpoint_every=1000: before saving at logged epochs, the first checkpoint came after 30 s. The worker is
    frozen (SIGSTOP) at a moment where its last logged epoch was saved — one of its first forty — then killed."""
    spec = TrainSpec(epochs=100000, batch_size=8, checkpoint_every=1000)
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=spec, name="killed")
    wait_for(lambda: store.get_run(run_id).epoch >= 5, TIMEOUT, what="five logged epochs")
    pid = store.get_run(run_id).pid

    def frozen_after_a_save():
        os.kill(pid, signal.SIGSTOP)
        if usable_checkpoint_at_the_last_logged_epoch(store, run_id):
            return True
        os.kill(pid, signal.SIGCONT)
        if store.get_run(run_id).epoch > 40:     # a few hundred milliseconds of training
            pytest.fail("forty logged epochs went by and none of them was saved")
        return False

    wait_for(frozen_after_a_save, TIMEOUT, interval=0.01, what="a logged epoch whose weights were saved")
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not executor.pid_alive(pid), TIMEOUT, what="the killed worker to be gone")
    assert run_id in executor.recover(store)
    reached = store.get_run(run_id)
    executor.resume(store, run_id)
    event = wait_for(lambda: [e for e in store.events(run_id) if e["kind"] == "resume_from_checkpoint"],
                     TIMEOUT, what="the resume")[0]
    assert event["detail"]["epoch"] == reached.epoch >= 5
    assert event["detail"]["epochs_redone"] == 0 and event["detail"]["steps_redone"] == 0
    wait_for(lambda: store.get_run(run_id).epoch > reached.epoch + 1, TIMEOUT, what="training to go on")
    executor.stop(store, run_id, wait=30)
