"""Resuming a run from its newest whole checkpoint, and how much work resumes redid.

A resume continues from the newest checkpoint whose file is whole and whose step the run's metrics have
reached, forgets the metrics, frames and checkpoints that came after it, and notes in its event how many
epochs (and recorded steps) will be trained again: `epochs_redone`, which `python -m core train/resume/runs
--json` report.
"""
from __future__ import annotations

import json

from .checkpoints import forget_after, load_newest, newest_whole
from .thinning import cut_at

RESUMED = "resume_from_checkpoint"


def resume_epoch(store, run_id: str) -> int | None:
    """The epoch a resume of the run would continue from now — that of the checkpoint resume_point would
    load — or None when it has none and would start over. Only reads: nothing is noted or forgotten."""
    found = newest_whole(store, run_id, max_step=store.recorded_step(run_id))
    return None if found is None else int(found[0].get("epoch", 0))


def resume_point(store, run_id: str, net) -> tuple[dict | None, int, int]:
    """Load the run's newest usable checkpoint into `net` and forget what came after it; returns the
    checkpoint's tensors (for the optimiser), its epoch and its step — (None, 0, 0) when there is none,
    and the run starts over."""
    from ..model import model_state
    before = store.get_run(run_id)
    found = load_newest(store, run_id, max_step=store.recorded_step(run_id), by="resume")
    tensors, epoch, step, detail = None, 0, 0, {"kind": None}
    if found is not None:
        tensors, meta, ckpt = found
        net.load_state_dict(model_state(tensors))
        epoch, step, detail = int(meta.get("epoch", 0)), int(meta.get("step", 0)), {"kind": ckpt.kind}
    with store.transaction():
        cut_at(store.db, run_id, step, epoch)           # a merged loss row reaching past the checkpoint
        store.truncate_rows_after(run_id, step)
        forget_after(store, run_id, step)
        store.add_event(run_id, step, epoch, RESUMED,
                        {"epoch": epoch, **detail, "from_epoch": before.epoch,
                         "epochs_redone": max(0, before.epoch - epoch), "steps_redone": max(0, before.step - step)})
    return tensors, epoch, step


def epochs_redone(store, run_id: str) -> int:
    """Epochs a run trained twice because its worker was killed (or stopped) and resumed, over all its resumes."""
    rows = store.db.execute("SELECT detail FROM events WHERE run=? AND kind=?", (run_id, RESUMED)).fetchall()
    return sum(int(json.loads(d or "{}").get("epochs_redone", 0)) for (d,) in rows)


def epochs_redone_by_run(store) -> dict[str, int]:
    """epochs_redone of every run in the workspace that was resumed, in one read."""
    out: dict[str, int] = {}
    for run_id, detail in store.db.execute("SELECT run, detail FROM events WHERE kind=?", (RESUMED,)):
        out[run_id] = out.get(run_id, 0) + int(json.loads(detail or "{}").get("epochs_redone", 0))
    return out
