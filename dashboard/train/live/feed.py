"""A run's metrics and frames, read from the store incrementally for live charts.

A LiveFeed remembers the last step it has seen and asks the store only for what came
after it, so a poll costs little even when the run has logged a hundred thousand steps.
No streamlit here: the page keeps one feed per run in its session.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
from core.runs import Run, Store

_NO_EPOCHS = np.zeros(0, np.int64)
_NO_VALUES = np.zeros(0)
# the gaps between groups the trainer logs as fair/<name> on each evaluated epoch (core.training.LiveFairness)
FAIR_GAPS = ("demographic_parity_difference", "equalized_odds_difference", "equal_opportunity_difference")


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
        rows = store.metric_rows(self.run_id, self.last_step)
        changed = len(rows) > 0
        if changed:
            self.last_step = int(rows[-1][0])
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
                self.loss_step = np.concatenate([self.loss_step, np.asarray(loss_steps, np.int64)])
                self.loss = np.concatenate([self.loss, np.asarray(losses, np.float64)])
            for name, (epochs, values) in grouped.items():
                e, v = self.series.get(name, (_NO_EPOCHS, _NO_VALUES))
                self.series[name] = (np.concatenate([e, np.asarray(epochs, np.int64)]),
                                     np.concatenate([v, np.asarray(values, np.float64)]))
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
        return changed

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
