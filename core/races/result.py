"""Who won a race, by how much, and how sure that is — from the runs' logged metrics in the store.

A run's score is the lowest validation loss it reached (training loss when the data has no validation
rows), and for classifiers the best validation accuracy as well. A run's noise is how much its validation
loss moves from one logged epoch to the next over its last epochs (the spread of those steps, less any
steady trend); the winner is called a winner only when its lead over the second is larger than twice the
larger of their noises (and at least 1 % of the score), else the sentence says they are within noise. While
runs still train, the sentence says so and speaks of the standing so far.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ..runs.race_table import get_race, race_members
from ..runs.store import ACTIVE
from .grid import label_of
from .wording import verdict

NOISE_TAIL = 10          # the last logged epochs a run's noise is measured over
CURVES = ("train_loss", "val_loss", "val_accuracy", "val_r2")


@dataclass
class RaceEntry:
    """One run of a race as the verdict sees it."""

    run_id: str
    label: str
    value: object
    status: str
    epoch: int
    epochs: int
    best_loss: float | None = None
    best_epoch: int | None = None
    final_loss: float | None = None
    final_train_loss: float | None = None
    best_accuracy: float | None = None
    final_accuracy: float | None = None
    noise: float | None = None
    error: str | None = None


@dataclass
class RaceResult:
    """A race (or a grid) as it stands: each run, the winner (None while nothing is logged or when it is within
    noise), the sentence, and whether every run has ended. `settings` lists what the group varies (one setting
    for a race; a grid's each, its runs' values then being {setting: value})."""

    race_id: str
    name: str
    setting: str
    metric: str
    entries: list[RaceEntry]
    winner: str | None
    within_noise: bool
    ended: bool
    sentence: str
    classifier: bool = False
    settings: list = field(default_factory=list)
    curves: dict = field(default_factory=dict, repr=False)     # run id → DataFrame (epoch and CURVES)

    def to_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("entries", "curves")}
        out["kind"] = self.kind
        out["runs"] = [_clean(asdict(e)) for e in self.entries]
        winner = next((e for e in self.entries if e.run_id == self.winner), None)
        out["winner"] = None if winner is None else {"run_id": winner.run_id, "label": winner.label,
                                                     "value": winner.value}
        return out

    @property
    def kind(self) -> str:
        return "grid" if len(self.settings) > 1 else "race"


def _clean(d: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


def curves_of(store, run_id: str) -> pd.DataFrame:
    """epoch and whichever of CURVES the run logged, one row per logged epoch."""
    df = store.metrics(run_id, list(CURVES))
    if df.empty:
        return pd.DataFrame(columns=["epoch"])
    wide = df.pivot_table(index="epoch", columns="name", values="value", aggfunc="last").reset_index()
    wide.columns.name = None
    return wide


def noise_of(series: pd.Series) -> float | None:
    """How much a curve moves between logged epochs near its end, less its trend: the standard deviation of the
    last NOISE_TAIL steps' changes around their mean, over √2 (the noise of one point). None with < 4 points."""
    tail = series.dropna().to_numpy(dtype=float)[-NOISE_TAIL - 1:]
    tail = tail[np.isfinite(tail)]
    if len(tail) < 4:
        return None
    steps = np.diff(tail)
    return float(np.std(steps - steps.mean()) / math.sqrt(2))


def entry_for(run, label: str, value, curves: pd.DataFrame, metric: str) -> RaceEntry:
    """One run's standing from its curves."""
    e = RaceEntry(run.id, label, value, run.status, run.epoch, int(run.train.get("epochs", 0)), error=run.error)
    if metric in curves and curves[metric].notna().any():
        losses = curves[metric].astype(float)
        finite = losses[np.isfinite(losses)]
        if not finite.empty:
            e.best_loss = float(finite.min())
            e.best_epoch = int(curves.loc[finite.idxmin(), "epoch"])
            e.final_loss = float(losses.iloc[-1])
            e.noise = noise_of(losses)
    if "train_loss" in curves and curves["train_loss"].notna().any():
        e.final_train_loss = float(curves["train_loss"].dropna().iloc[-1])
    if "val_accuracy" in curves and curves["val_accuracy"].notna().any():
        acc = curves["val_accuracy"].dropna().astype(float)
        e.best_accuracy, e.final_accuracy = float(acc.max()), float(acc.iloc[-1])
    return e


def race_result(store, race_id: str) -> RaceResult:
    """The race `race_id` as it stands now, read from the store (StoreError-free: a deleted run drops out)."""
    from ..runs.store import StoreError
    race = get_race(store, race_id)
    if race is None:
        raise StoreError(f"no race {race_id} in {store.home}; list races with `python -m core race --list`")
    keys = race["settings"]
    members = [(store.get_run(run_id), value) for run_id, value in race_members(store, race_id)]
    curves = {run.id: curves_of(store, run.id) for run, _ in members}
    metric = "val_loss" if any("val_loss" in c for c in curves.values()) else "train_loss"
    entries = [entry_for(run, label_of(keys, value), value, curves[run.id], metric) for run, value in members]
    classifier = any(e.best_accuracy is not None for e in entries)
    ended = all(e.status not in ACTIVE for e in entries)
    sentence, winner, within = verdict(entries, metric, classifier, ended)
    return RaceResult(race_id, race["name"], race["setting"], metric, entries, winner, within, ended, sentence,
                      classifier, keys, curves)
