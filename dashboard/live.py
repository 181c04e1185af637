"""A run's metrics and frames, read from the store incrementally for live charts.

A LiveFeed remembers the last step it has seen and asks the store only for what came
after it, so a poll costs little even when the run has logged a hundred thousand steps.
No streamlit here: the page keeps one feed per run in its session.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
from core.store import Run, Store

_NO_EPOCHS = np.zeros(0, np.int64)
_NO_VALUES = np.zeros(0)


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
        new = store.metrics(self.run_id, since_step=self.last_step)
        changed = len(new) > 0
        if changed:
            self.last_step = int(new["step"].max())
            losses = new[new["name"] == "loss"]
            if len(losses):
                self.loss_step = np.concatenate([self.loss_step, losses["step"].to_numpy(np.int64)])
                self.loss = np.concatenate([self.loss, losses["value"].to_numpy(np.float64)])
            rest = new[new["name"] != "loss"]
            for name, rows in rest.groupby("name", sort=False):
                e, v = self.series.get(name, (_NO_EPOCHS, _NO_VALUES))
                self.series[name] = (np.concatenate([e, rows["epoch"].to_numpy(np.int64)]),
                                     np.concatenate([v, rows["value"].to_numpy(np.float64)]))
        if changed or self.boundary is None:
            last = store.frames(self.run_id, "boundary", last=True)
            if last and (self.boundary is None or last[0][0] != self.boundary[0]):
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

    def lr_changes(self) -> list[dict]:
        """[{step, from, to}] of the learning-rate changes made while the run trained."""
        return [{"step": e["step"], "from": e["detail"].get("from"), "to": e["detail"].get("to")}
                for e in self.events if e["kind"] == "lr" and "to" in e["detail"]]
