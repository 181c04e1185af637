"""resume_epoch: the epoch a resume will continue from, read without changing anything — the same checkpoint
resume_point then loads: the rolling resume checkpoint when it is the newest whole one the metrics reached,
not merely the newest kept epoch checkpoint."""
from __future__ import annotations

import pytest

from core.model import network_for
from core.runs.resumes import resume_epoch, resume_point
from core.spec import NetworkSpec, TrainSpec

NET = NetworkSpec.dense([8], "tanh")
STEPS = 10                                           # steps an epoch, in these made-up runs


def interrupted_run(store, spiral, saved: list[tuple[str, int]], recorded_epoch: int) -> str:
    """A run that saved `saved` (kind, epoch) checkpoints of real weights and recorded metrics up to the end of
    `recorded_epoch`, then was interrupted."""
    run_id = store.create_run(name="cut", dataset=spiral.ref.to_dict(), network=NET.to_dict(),
                              train=TrainSpec(epochs=100).to_dict(), status="interrupted")
    weights = dict(network_for(NET, spiral).state_dict())
    for kind, epoch in saved:
        store.save_checkpoint(run_id, kind, epoch, weights, {"epoch": epoch, "step": epoch * STEPS})
    store.add_metrics(run_id, [(e * STEPS, e, "val_loss", 1.0 / e) for e in range(1, recorded_epoch + 1)])
    store.update_run(run_id, epoch=recorded_epoch, step=recorded_epoch * STEPS)
    return run_id


def torn(store, run_id, kind: str, epoch: int) -> None:
    path = next(c["path"] for c in store.checkpoints(run_id) if (c["kind"], c["epoch"]) == (kind, epoch))
    path.write_bytes(path.read_bytes()[:-40])


def looked(store, run_id):
    """What a look could change: the run's events and checkpoint rows."""
    return store.events(run_id), store.checkpoints(run_id)


@pytest.mark.parametrize("saved, recorded, tear, expected", [
    ([("epoch", 20), ("resume", 37)], 38, None, 37),                    # the rolling checkpoint is newer
    ([("epoch", 20), ("resume", 37), ("resume", 39)], 38, None, 37),    # 39 was saved after the last metrics
    ([("epoch", 20), ("resume", 37)], 38, ("resume", 37), 20),          # 37's file is torn
    ([("epoch", 20), ("epoch", 40)], 40, None, 40),                     # kept epochs only
    ([], 5, None, None),                                                # nothing saved: it starts over
])
def test_resume_epoch_names_the_checkpoint_a_resume_then_continues_from(store, spiral, saved, recorded, tear,
                                                                         expected):
    run_id = interrupted_run(store, spiral, saved, recorded)
    if tear:
        torn(store, run_id, *tear)
    before = looked(store, run_id)
    assert resume_epoch(store, run_id) == expected
    assert looked(store, run_id) == before                              # nothing noted, nothing forgotten
    _, epoch, _ = resume_point(store, run_id, network_for(NET, spiral))
    assert epoch == (expected or 0)
