"""A run's rows kept within bounds however long it trains, while its charts still span the whole run.

Three kinds of rows grow with a run: every step's loss, every logged epoch's metrics, and the frames
(decision-boundary grids, weight histograms). Each is kept at full resolution up to its limit
(core/limits.py: max_loss_points, max_epoch_points, max_frames). Past it, the run is cut into blocks of S
steps (or epochs) — S a power of two, the smallest that leaves at most half the limit's blocks between the
first step and the newest — and every complete block is reduced to one row at its end; the rows after the
last complete block stay as they are, so the newest part of a run is always at full resolution. As the
run goes on, S doubles, so the kept rows stay evenly spread from the start of the run to now and their
count stays between a quarter of the limit and the limit.

Step losses are *merged*: a block's row is the mean of the losses of every step it covers, placed at its
last step. A mean keeps what the chart is read for — the level of the loss over any stretch of the run is
exactly what training saw, a spike is averaged in rather than kept or dropped by chance, and a period in
the losses (an epoch's batches in a fixed order) cannot alias into a false trend as keeping every other
row can. Its cost: the thinned part of the curve is less noisy than the newest part. Which steps a row
covers needs no extra column: every step records a loss, so a row covers the steps after the row before
it, and means of means weighted by those spans stay exact however often a stretch is merged again.

Epoch metrics and frames are *kept, not merged*: a block keeps its newest logged epoch (all of that
epoch's metrics together) or its newest frame of a kind. A mean of two validation scores was never
measured; a kept epoch's numbers belong together; and the newest always stays.

The worker thins inside the transaction that writes the rows (RunThinning), so a reader never sees a run
half thinned; the Train page's live feed thins its own arrays with the same functions. A resume from a
checkpoint inside a merged block moves that block's row to the checkpoint's step (cut_at) before the rows
after it are forgotten, so the steps before the checkpoint stay covered.
"""
from __future__ import annotations

import numpy as np

from .. import limits


def stride(last: int, cap: int) -> int:
    """The block size S: the smallest power of two from 2 up that cuts 1..`last` into at most cap // 2 blocks."""
    room, size = max(1, cap // 2), 2
    while -(-last // size) > room:
        size *= 2
    return size


def groups(positions: np.ndarray, cap: int) -> np.ndarray | None:
    """For ascending positions (steps or epochs, from 1) past `cap`: a label per position, equal labels in a
    row being one block to reduce to one row; None when the positions are within the cap."""
    n = len(positions)
    if n <= cap:
        return None
    last = int(positions[-1])
    size = stride(last, cap)
    block = (np.asarray(positions, np.int64) - 1) // size
    tail = (block + 1) * size > last                    # the block still filling: each row its own
    labels = np.where(tail, -1 - np.arange(n), block)
    if len(np.unique(labels)) > cap:                   # a tiny cap on a long run: the tail becomes one block too
        labels[tail] = -1
    return labels


def _starts(labels: np.ndarray) -> np.ndarray:
    """Index of the first row of each run of equal labels."""
    return np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])


def block_ends(positions: np.ndarray, cap: int) -> np.ndarray | None:
    """Indices of the rows kept when positions past `cap` are thinned (each block's last); None within it."""
    labels = groups(positions, cap)
    if labels is None:
        return None
    return np.r_[_starts(labels)[1:], len(labels)] - 1


def merge_means(steps: np.ndarray, values: np.ndarray, cap: int, before: int = 0):
    """Step losses past `cap` merged: (steps, means, ends, starts) — the kept rows' steps and losses, and which
    rows each block runs from (starts) and to (ends, the row kept); None within the cap. A row covers the
    steps after the row before it (the first row: those after `before`)."""
    steps = np.asarray(steps, np.int64)
    labels = groups(steps, cap)
    if labels is None:
        return None
    values = np.asarray(values, np.float64)
    weights = np.diff(np.r_[before, steps]).astype(np.float64)
    starts = _starts(labels)
    ends = np.r_[starts[1:], len(steps)] - 1
    with np.errstate(invalid="ignore"):              # a NaN loss (a diverged step) keeps its block NaN
        means = np.add.reduceat(values * weights, starts) / np.add.reduceat(weights, starts)
    return steps[ends], means, ends, starts


def loss_row_before(store, run_id: str, step: int) -> int:
    """The step of a run's last loss row before `step` (0 when none): the row at `step` covers the steps after it."""
    return _step_before(store.db, run_id, step)


def _step_before(db, run_id: str, step: int) -> int:
    row = db.execute("SELECT max(step) FROM metrics WHERE run=? AND name='loss' AND step<?", (run_id, step)).fetchone()
    return int(row[0] or 0)


def cut_at(db, run_id: str, step: int, epoch: int) -> None:
    """Before a resume forgets the rows after `step`: a merged loss row that also covers steps up to `step` is
    moved to `step` (its mean standing for those), so that every step before the cut stays covered once.
    Inside the caller's transaction."""
    row = db.execute("SELECT rowid, step FROM metrics WHERE run=? AND name='loss' AND step>? ORDER BY step LIMIT 1",
                     (run_id, step)).fetchone()
    if row is not None and _step_before(db, run_id, row[1]) < step:
        db.execute("UPDATE metrics SET step=?, epoch=? WHERE rowid=?", (step, epoch, row[0]))


class RunThinning:
    """Keeps one run's rows within the limits as its worker writes them. `added` is called inside the
    transaction that wrote them, so a reader sees the run either before or after, never half thinned."""

    def __init__(self, db, run_id: str):
        self.db, self.run_id = db, run_id
        self.counts: dict | None = None

    def _count(self) -> dict:
        one = lambda q, *a: self.db.execute(q, (self.run_id, *a)).fetchone()[0]   # noqa: E731
        counts = {"loss": one("SELECT count(*) FROM metrics WHERE run=? AND name='loss'"),
                  "epochs": one("SELECT count(DISTINCT step) FROM metrics WHERE run=? AND name!='loss'")}
        for kind, n in self.db.execute("SELECT kind, count(*) FROM frames WHERE run=? GROUP BY kind", (self.run_id,)):
            counts[f"frame:{kind}"] = n
        return counts

    def added(self, losses: int, logged: bool, kinds=()) -> None:
        """`losses` step losses, a logged epoch's metrics (`logged`) and a frame of each of `kinds` were just
        written: thin what passed its limit."""
        if self.counts is None:
            self.counts = self._count()           # the rows just written included
        else:
            self.counts["loss"] += losses
            self.counts["epochs"] += bool(logged)
            for kind in kinds:
                self.counts[f"frame:{kind}"] = self.counts.get(f"frame:{kind}", 0) + 1
        caps = limits.current()
        if self.counts["loss"] > caps.max_loss_points:
            self.counts["loss"] = thin_losses(self.db, self.run_id, caps.max_loss_points)
        if self.counts["epochs"] > caps.max_epoch_points:
            self.counts["epochs"] = thin_epochs(self.db, self.run_id, caps.max_epoch_points)
        for key in [k for k in self.counts if k.startswith("frame:")]:
            if self.counts[key] > caps.max_frames:
                self.counts[key] = thin_frames(self.db, self.run_id, key.split(":", 1)[1], caps.max_frames)


def thin_losses(db, run_id: str, cap: int) -> int:
    """Merge a run's step losses past `cap` (see the module's docstring); the number of loss rows left. Each
    block's last row takes the block's mean and keeps its id, so the rows stay in the order they were logged."""
    rows = db.execute("SELECT rowid, step, value FROM metrics WHERE run=? AND name='loss' ORDER BY step",
                      (run_id,)).fetchall()
    if not rows:
        return 0
    rowids, steps, values = (np.asarray(c) for c in zip(*rows))
    merged = merge_means(steps, np.asarray(values, np.float64), cap)
    if merged is None:
        return len(rows)
    _, means, ends, starts = merged
    span = np.diff(np.r_[starts, len(rows)])
    gone = np.ones(len(rows), bool)
    gone[ends] = False
    db.executemany("DELETE FROM metrics WHERE rowid=?", [(int(r),) for r in rowids[gone]])
    db.executemany("UPDATE metrics SET value=? WHERE rowid=?",
                   [(None if np.isnan(m) else float(m), int(rowids[e])) for m, e, n in zip(means, ends, span) if n > 1])
    return len(ends)


def thin_epochs(db, run_id: str, cap: int) -> int:
    """Keep a run's logged epochs within `cap`: each complete block of epochs keeps its newest logged epoch, with
    all of that epoch's metrics; the number of logged epochs left."""
    logged = db.execute("SELECT step, max(epoch) FROM metrics WHERE run=? AND name!='loss' GROUP BY step "
                        "ORDER BY step", (run_id,)).fetchall()
    if not logged:
        return 0
    steps, epochs = (np.asarray(c, np.int64) for c in zip(*logged))
    ends = block_ends(np.maximum.accumulate(np.maximum(epochs, 1)), cap)
    if ends is None:
        return len(logged)
    gone = np.ones(len(steps), bool)
    gone[ends] = False
    db.executemany("DELETE FROM metrics WHERE run=? AND step=? AND name!='loss'",
                   [(run_id, int(s)) for s in steps[gone]])
    return len(ends)


def thin_frames(db, run_id: str, kind: str, cap: int) -> int:
    """Keep a run's frames of one kind within `cap`: each complete block of steps keeps its newest frame;
    the number of frames of that kind left."""
    rows = db.execute("SELECT rowid, step FROM frames WHERE run=? AND kind=? ORDER BY step, rowid",
                      (run_id, kind)).fetchall()
    if not rows:
        return 0
    rowids, steps = (np.asarray(c, np.int64) for c in zip(*rows))
    ends = block_ends(np.maximum(steps, 1), cap)
    if ends is None:
        return len(rows)
    gone = np.ones(len(rows), bool)
    gone[ends] = False
    db.executemany("DELETE FROM frames WHERE rowid=?", [(int(r),) for r in rowids[gone]])
    return len(ends)
