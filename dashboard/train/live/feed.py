"""A run's metrics and frames, read from the store incrementally for live charts.

A LiveFeed remembers the last step it has seen and asks the store only for what came
after it, at most about ROWS_PER_READ rows a read, so a poll costs little even when the run
has logged a hundred thousand steps: a page opened on a long run catches up over a few polls
(`behind` says it has not yet). What it holds stays bounded like the run itself: past the
limits in force it thins its own arrays as the store thins the run (core.runs.thinning) —
step losses merged into means, logged epochs and histograms spread evenly, the newest kept.
No streamlit here: the page keeps one feed per run in its session.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
from core import limits
from core.runs import Run, Store
from core.runs.thinning import block_ends, loss_row_before, merge_means

_NO_EPOCHS = np.zeros(0, np.int64)
_NO_VALUES = np.zeros(0)
# the gaps between groups the trainer logs as fair/<name> on each evaluated epoch (core.training.LiveFairness)
FAIR_GAPS = ("demographic_parity_difference", "equalized_odds_difference", "equal_opportunity_difference")
ROWS_PER_READ = 10_000                  # metric rows one poll reads at most (whole steps: a few more)


@dataclass
class LiveFeed:
    """Everything the Train page draws for one run, grown by `update`."""

    run_id: str
    last_step: int = -1
    last_hist_step: int = -1
    restarts: int = -1                      # 'resume_from_checkpoint' events seen; a change means rewind
    loss_step: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    series: dict = field(default_factory=dict)                    # metric name → (epochs, values) as logged
    hist: dict = field(default_factory=dict)                      # layer label → [(epoch, {min, max, counts})]
    boundary: tuple | None = None                                 # (step, epoch, bytes) of the latest grid
    events: list = field(default_factory=list)
    run: Run | None = None                                        # the run as the last update saw it
    behind: bool = False                                          # the last read stopped at ROWS_PER_READ

    def _reset(self) -> None:
        fresh = LiveFeed(self.run_id)
        self.__dict__.update(fresh.__dict__)

    def update(self, store: Store, run: Run) -> bool:
        """Read what the run logged since the last call; True when anything new arrived."""
        self.events = store.events(self.run_id)
        restarts = sum(e["kind"] == "resume_from_checkpoint" for e in self.events)
        if restarts != self.restarts:       # resumed from a checkpoint: later steps were forgotten
            events = self.events
            self._reset()
            self.events, self.restarts = events, restarts
        self.run = run
        # the rows as SQLite returns them: a DataFrame (Store.metrics) grouped by name cost ~3 ms a poll
        # when a fast run logs hundreds of rows between polls; plain lists cost a third of that
        rows = store.metric_rows(self.run_id, self.last_step, limit=ROWS_PER_READ)
        self.behind = len(rows) >= ROWS_PER_READ
        changed = len(rows) > 0
        if changed:
            self.last_step = int(rows[-1][0])
            self._add_rows(store, rows)
        if changed or self.boundary is None:
            # the latest grid's step first: the grid itself (tens of kB) only when it is a new one
            latest = store.last_frame_step(self.run_id, "boundary")
            if latest is not None and (self.boundary is None or latest != self.boundary[0]):
                last = store.frames(self.run_id, "boundary", last=True)
                if last:
                    self.boundary = last[0]
                    changed = True
        for step, epoch, data in store.frames(self.run_id, "hist", since_step=self.last_hist_step):
            self.last_hist_step = step
            for label, h in json.loads(data).items():
                self.hist.setdefault(label, []).append((epoch, h))
            changed = True
        self._thin_hist()
        return changed

    # ------------------------------------------------------------- growing, within bounds
    def _add_rows(self, store: Store, rows: list) -> None:
        """Append one read's rows: step losses to the loss arrays, the rest to their series by name."""
        loss_steps, losses, grouped = [], [], {}
        for step, epoch, name, value in rows:
            if name == "loss":
                loss_steps.append(step)
                losses.append(value)
            else:
                group = grouped.get(name)
                if group is None:
                    group = grouped[name] = ([], [])
                group[0].append(epoch)
                group[1].append(value)
        if losses:            # SQLite keeps NaN as NULL: None → nan
            self._add_losses(store, np.asarray(loss_steps, np.int64), np.asarray(losses, np.float64))
        cap = limits.current().max_epoch_points
        for name, (epochs, values) in grouped.items():
            e, v = self.series.get(name, (_NO_EPOCHS, _NO_VALUES))
            e = np.concatenate([e, np.asarray(epochs, np.int64)])
            v = np.concatenate([v, np.asarray(values, np.float64)])
            keep = block_ends(np.maximum.accumulate(np.maximum(e, 1)), cap)
            self.series[name] = (e, v) if keep is None else (e[keep], v[keep])

    def _add_losses(self, store: Store, steps: np.ndarray, values: np.ndarray) -> None:
        """Append step losses. When the store has merged steps this feed holds into the first new row (it
        thinned the run between two reads), those steps are dropped here for that row, which covers them."""
        if len(self.loss_step) and steps[0] > self.loss_step[-1] + 1:
            start = loss_row_before(store, self.run_id, int(steps[0]))
            if start < self.loss_step[-1]:
                keep = self.loss_step <= start
                self.loss_step, self.loss = self.loss_step[keep], self.loss[keep]
        self.loss_step = np.concatenate([self.loss_step, steps])
        self.loss = np.concatenate([self.loss, values])
        merged = merge_means(self.loss_step, self.loss, limits.current().max_loss_points)
        if merged is not None:
            self.loss_step, self.loss = merged[0], merged[1]

    def _thin_hist(self) -> None:
        """Keep at most max_frames histograms of each layer, spread over the run, the newest among them."""
        cap = limits.current().max_frames
        for label, frames in self.hist.items():
            if len(frames) > cap:
                epochs = np.maximum.accumulate(np.maximum([e for e, _ in frames], 1))
                self.hist[label] = [frames[i] for i in block_ends(epochs, cap)]

    # ------------------------------------------------------------- views
    def epoch_series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of an epoch-level metric, where it was logged."""
        return self.series.get(name, (_NO_EPOCHS, _NO_VALUES))

    def grad_norms(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """{layer label: (epochs, gradient norms)} for the layers that report one."""
        return {name.split("/", 1)[1]: ev for name, ev in self.series.items() if name.startswith("grad_norm/")}

    def latest(self, name: str) -> float | None:
        _, values = self.epoch_series(name)
        return float(values[-1]) if len(values) else None

    def has_fairness(self) -> bool:
        """Whether the run audits fairness (it logged fair/... metrics)."""
        return any(name.startswith("fair/") for name in self.series)

    def fairness_gaps(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """{gap name (e.g. 'demographic_parity_difference'): (epochs, values)} of the gaps logged."""
        return {g: self.series[f"fair/{g}"] for g in FAIR_GAPS if f"fair/{g}" in self.series}

    def fairness_by_group(self, metric: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """{group: (epochs, values)} of a per-group metric: 'accuracy', 'loss', 'selection_rate', 'tpr', 'fpr'."""
        prefix = f"fair/{metric}/"
        return {name[len(prefix):]: ev for name, ev in self.series.items() if name.startswith(prefix)}

    def stepped(self) -> dict | None:
        """The latest single step taken while paused: {step, epoch, time, kind, detail: {loss, update,
        weights, relative}}, or None."""
        return next((e for e in reversed(self.events) if e["kind"] == "step"), None)

    def lr_changes(self) -> list[dict]:
        """[{step, from, to}] of the learning-rate changes made while the run trained."""
        return [{"step": e["step"], "from": e["detail"].get("from"), "to": e["detail"].get("to")}
                for e in self.events if e["kind"] == "lr" and "to" in e["detail"]]
