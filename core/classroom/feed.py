"""Every run of the class as curves against the epoch, read from the store incrementally for a live chart.

A ClassFeed remembers, for each run, the last step it has read, and asks the store only for the epoch
metrics (validation loss, accuracy, R²) logged after it — and only of runs that changed since the last
read (a run that ended is read once more, then never again). A read takes at most READ_ROWS rows a run
(the rest come at the next update), and a curve keeps at most about MAX_POINTS points: past that it keeps
every second one, and always its newest, so the chart of a class stays the same size however long runs
train. A run resumed from a checkpoint (which forgets what came after it) is read again from its start.
Only the teacher's view may update one (access.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.runs import ACTIVE

from .access import teacher_view
from .results import ClassRun, class_runs

CURVES = ("val_loss", "val_accuracy", "val_r2")
MAX_POINTS = 300                 # points a curve keeps (about: between MAX_POINTS and twice that)
READ_ROWS = 20_000               # rows read of one run in one update


@dataclass
class Curve:
    """One metric of one run: (epoch, value) points, thinned to a stride as it grows, and its best value."""
    higher_is_better: bool
    epochs: list = field(default_factory=list)
    values: list = field(default_factory=list)
    stride: int = 1
    seen: int = 0                        # points offered so far
    newest: tuple | None = None          # the newest (epoch, value), kept whatever the stride
    best: float | None = None

    def add(self, epoch: int, value) -> None:
        if value is None or value != value:          # NaN is kept as NULL by SQLite
            return
        value = float(value)
        self.newest = (int(epoch), value)
        if self.best is None or (value > self.best if self.higher_is_better else value < self.best):
            self.best = value
        if self.seen % self.stride == 0:
            self.epochs.append(int(epoch))
            self.values.append(value)
        self.seen += 1
        if len(self.epochs) >= 2 * MAX_POINTS:
            self.epochs, self.values, self.stride = self.epochs[::2], self.values[::2], self.stride * 2

    def points(self) -> tuple[list, list]:
        """(epochs, values) to draw: the kept points and the newest one."""
        if self.newest is None or (self.epochs and self.epochs[-1] == self.newest[0]):
            return list(self.epochs), list(self.values)
        return [*self.epochs, self.newest[0]], [*self.values, self.newest[1]]


@dataclass
class ClassFeed:
    """The class's runs (newest first) and their curves, grown by `update`."""
    runs: list = field(default_factory=list)                 # [ClassRun]
    curves: dict = field(default_factory=dict)               # (run id, metric) → Curve
    last_step: dict = field(default_factory=dict)            # run id → last step read
    seen: dict = field(default_factory=dict)                 # run id → (status, epoch, step) when last read
    restarts: dict = field(default_factory=dict)             # run id → resumes from a checkpoint seen

    def update(self, view) -> bool:
        """Read what changed since the last update; True when anything did (a run came, went or logged)."""
        teacher_view(view)
        runs = class_runs(view)
        changed = [cr.run.id for cr in runs] != [cr.run.id for cr in self.runs]
        self._forget_gone({cr.run.id for cr in runs})
        stale = [cr for cr in runs if cr.run.status in ACTIVE or self.seen.get(cr.run.id) != _mark(cr)]
        self._rewind_resumed(view, [cr.run.id for cr in stale])
        for cr in stale:
            changed |= self._read(view, cr)
        changed |= any(self._status_changed(cr) for cr in stale)
        self.runs = runs
        return changed

    def _status_changed(self, cr: ClassRun) -> bool:
        old = next((o for o in self.runs if o.run.id == cr.run.id), None)
        return old is None or old.run.status != cr.run.status

    def _forget_gone(self, ids: set) -> None:
        for key in [k for k in self.curves if k[0] not in ids]:
            del self.curves[key]
        for table in (self.last_step, self.seen, self.restarts):
            for run_id in [r for r in table if r not in ids]:
                del table[run_id]

    def _rewind_resumed(self, view, run_ids: list[str]) -> None:
        """Start again the runs resumed from a checkpoint since they were read (their later epochs are gone)."""
        if not run_ids:
            return
        marks = ",".join("?" * len(run_ids))
        counts = dict(view.store.db.execute(
            f"SELECT run, count(*) FROM events WHERE kind='resume_from_checkpoint' AND run IN ({marks}) GROUP BY run",
            run_ids).fetchall())
        for run_id in run_ids:
            if counts.get(run_id, 0) != self.restarts.get(run_id, 0) and run_id in self.last_step:
                self.last_step.pop(run_id)
                for key in [k for k in self.curves if k[0] == run_id]:
                    del self.curves[key]
            self.restarts[run_id] = counts.get(run_id, 0)

    def _read(self, view, cr: ClassRun) -> bool:
        run_id = cr.run.id
        since = self.last_step.get(run_id, -1)
        rows = view.store.db.execute(
            f"SELECT step, epoch, name, value FROM metrics WHERE run=? AND name IN ({','.join('?' * len(CURVES))}) "
            "AND step>? ORDER BY step, rowid LIMIT ?", (run_id, *CURVES, since, READ_ROWS)).fetchall()
        for step, epoch, name, value in rows:
            curve = self.curves.get((run_id, name))
            if curve is None:
                curve = self.curves[(run_id, name)] = Curve(higher_is_better=name != "val_loss")
            curve.add(epoch, value)
        if rows:
            self.last_step[run_id] = int(rows[-1][0])
        if len(rows) < READ_ROWS:                 # read to the end: not again until the run changes
            self.seen[run_id] = _mark(cr)
        return bool(rows)

    # ------------------------------------------------------------- views
    def curve(self, run_id: str, metric: str) -> Curve | None:
        return self.curves.get((run_id, metric))

    def score(self, run_id: str) -> tuple[str | None, Curve | None]:
        """('val_accuracy' or 'val_r2', its curve) of a run: its validation score, whichever it logs."""
        for name in ("val_accuracy", "val_r2"):
            if (run_id, name) in self.curves:
                return name, self.curves[(run_id, name)]
        return None, None

    def active(self) -> list[ClassRun]:
        return [cr for cr in self.runs if cr.run.status in ACTIVE]


def _mark(cr: ClassRun) -> tuple:
    """What tells that a run that does not train changed since it was read: its status, epoch and step (an
    active run is read at every update)."""
    return cr.run.status, cr.run.epoch, cr.run.step
