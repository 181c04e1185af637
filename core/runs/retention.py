"""Which epoch checkpoints a run keeps, so that its folder stays bounded however long it trains.

A run keeps its best weights (kind 'best'), the rolling resume checkpoint (kind 'resume', see cadence.py
and checkpoints.prune_resume_points), and of its epoch checkpoints:

- the newest (the run's last weights, which Evaluate, Explain and the exports read);
- what a resume would fall back to: the newest checkpoint of either kind whose metrics were recorded, the
  one before it, and any newer one still waiting for its epoch's metrics;
- at most `max_epoch_checkpoints` (core/limits.py) spread evenly over the run, for the drift view: the
  epochs are cut into at most that many blocks of `checkpoint_every` × 2^j epochs (j as small as that
  allows) and each block keeps its *oldest* checkpoint. The oldest rather than the newest, so the run's
  first checkpoint — the network early in training, where what it relies on changes most — is never lost,
  and the kept epochs fall on the same grid (k × block + the first) whenever the blocks double.

Pruning removes the artefact rows in one transaction first, then the files: a reader (or a crash) never
finds a listed checkpoint without its file.
"""
from __future__ import annotations

import math

from .. import limits
from .checkpoints import candidates


def spread(epochs: list[int], cap: int, every: int) -> set[int]:
    """The epochs kept of `epochs`: the oldest in each block of every × 2^j epochs, j the smallest that cuts
    1..the newest epoch into at most `cap` blocks."""
    if not epochs:
        return set()
    newest, size = max(epochs), max(1, every)
    while math.ceil(newest / size) > max(1, cap):
        size *= 2
    first: dict[int, int] = {}
    for epoch in sorted(epochs, reverse=True):
        first[(max(epoch, 1) - 1) // size] = epoch
    return set(first.values())


def protected(store, run_id: str) -> set[tuple[str, int]]:
    """(kind, epoch) of the checkpoints a resume may need: any newer than the recorded metrics, the newest
    recorded one and the one before it; and the newest epoch checkpoint."""
    recorded = store.recorded_step(run_id)
    keep, whole = set(), 0
    for c in candidates(store, run_id):              # newest first
        keep.add((c.kind, c.epoch))
        if c.step is None or c.step <= recorded:
            whole += 1
            if whole == 2:
                break
    newest = store.db.execute("SELECT max(epoch) FROM artefacts WHERE run=? AND kind='epoch'", (run_id,)).fetchone()[0]
    if newest is not None:
        keep.add(("epoch", int(newest)))
    return keep


def prune_epoch_points(store, run_id: str, every: int, cap: int | None = None) -> list[int]:
    """Remove the epoch checkpoints the run no longer keeps (see the module's docstring); the epochs removed."""
    cap = limits.current().max_epoch_checkpoints if cap is None else cap
    rows = store.db.execute("SELECT epoch, path FROM artefacts WHERE run=? AND kind='epoch'", (run_id,)).fetchall()
    if len(rows) <= cap:
        return []
    kept = spread([int(e) for e, _ in rows], cap, every) | {e for k, e in protected(store, run_id) if k == "epoch"}
    gone = [(int(e), p) for e, p in rows if int(e) not in kept]
    if not gone:
        return []
    with store.transaction():
        store.db.executemany("DELETE FROM artefacts WHERE run=? AND kind='epoch' AND epoch=?",
                             [(run_id, e) for e, _ in gone])
    folder = store.run_dir(run_id)
    for _, path in gone:
        (folder / path).unlink(missing_ok=True)
    return [e for e, _ in gone]
