"""The audit of a binary decision across groups: per-group rates with bootstrap intervals, the
disparities between groups, the findings in words and notes on what to read with care.

A multi-class task is audited one class against the rest: the favourable label is the class whose
prediction is the good outcome (a loan approved), everything else is not.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import limits
from core.data import FairnessError, group_order

from .metrics import group_rates, disparities as disparities_of, rates
from .wording import Finding, findings

SMALL_GROUP = 30           # groups with fewer rows are flagged: their rates swing with a few rows
GROUP_METRICS = ("count", "base_rate", "selection_rate", "accuracy", "tpr", "fpr", "fnr", "precision", "mean_proba")
INTERVALS = ("selection_rate", "accuracy", "tpr", "fpr")


@dataclass
class Audit:
    grouping: str
    favourable: str
    threshold: float | dict
    groups: pd.DataFrame                  # one row per group: GROUP_METRICS + *_lo/*_hi intervals + small
    disparities: dict[str, float]
    overall: dict[str, float]
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        """The findings in plain words."""
        return [f.sentence for f in self.findings]

    def summary(self) -> dict:
        """The CLI's JSON object."""
        groups = {}
        for name, row in self.groups.iterrows():
            groups[str(name)] = {k: (int(row[k]) if k == "count" else _num(row[k]))
                                 for k in ("count", "selection_rate", "tpr", "fpr", "accuracy", "base_rate",
                                           "precision", "fnr", "mean_proba")}
        out = {"sensitive": self.grouping, "favourable": self.favourable,
               "threshold": self.threshold if isinstance(self.threshold, float) else dict(self.threshold),
               "groups": groups, "overall": {k: _num(v) for k, v in self.overall.items()}}
        out.update({k: _num(v) for k, v in self.disparities.items()})
        out["sentences"] = list(self.sentences)
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def _num(v) -> float | None:
    v = float(v)
    return None if math.isnan(v) else v


def decisions(proba: np.ndarray, groups: np.ndarray, threshold: float | dict) -> np.ndarray:
    """1 where the probability of the favourable label reaches the threshold (one number, or {group: number})."""
    if isinstance(threshold, dict):
        t = np.asarray([float(threshold.get(g, 0.5)) for g in groups])
    else:
        t = float(threshold)
    return (np.asarray(proba, float) >= t).astype(int)


def _bootstrap(y: np.ndarray, pred: np.ndarray, groups: np.ndarray, names, n_boot: int, seed: int) -> dict:
    """95 % percentile intervals of selection rate, accuracy, TPR and FPR per group: rows resampled
    within each group, each resample's rates from its confusion counts (a resample without the rows a
    rate needs leaves it out)."""
    rng = np.random.default_rng(seed)
    out = {}
    for g in names:
        idx = np.flatnonzero(groups == g)
        take = idx[rng.integers(0, len(idx), size=(n_boot, len(idx)))]
        yt, yp = y[take], pred[take]
        counts = [((yt == f) & (yp == p)).sum(1) for f, p in ((1, 1), (0, 1), (1, 0), (0, 0))]
        stats = rates(*counts)
        out[g] = {k: np.nanpercentile(stats[k], [2.5, 97.5]) if np.isfinite(stats[k]).any() else (np.nan, np.nan)
                  for k in INTERVALS}
    return out


def _group_table(y, p, pred, g, grouping: str) -> pd.DataFrame:
    """GROUP_METRICS per group, in reading order."""
    names, by_group = group_rates(y, pred, g)
    table = pd.DataFrame(by_group, index=pd.Index(names, name=grouping))
    table["mean_proba"] = pd.Series(p).groupby(g).mean().reindex(names).to_numpy()
    table = table.loc[group_order(table.index), list(GROUP_METRICS)]
    table["count"] = table["count"].astype(int)
    return table


def _with_intervals(table: pd.DataFrame, boot: dict) -> pd.DataFrame:
    names = list(table.index)
    for k in INTERVALS:
        table[f"{k}_lo"] = [boot[n][k][0] if boot else np.nan for n in names]
        table[f"{k}_hi"] = [boot[n][k][1] if boot else np.nan for n in names]
    table["small"] = table["count"] < SMALL_GROUP
    return table


def _small_groups_note(table: pd.DataFrame) -> list[str]:
    small = [n for n in table.index if table.loc[n, "small"]]
    if not small:
        return []
    return [f"Small group{'s' if len(small) > 1 else ''} ({', '.join(map(repr, small))}: fewer than "
            f"{SMALL_GROUP} rows): their rates can swing by many points with a few rows; read the intervals."]


def audit(y_true, proba, groups, *, threshold: float | dict = 0.5, favourable: str = "1",
          grouping: str = "group", n_boot: int = 200, seed: int = 0, predictions=None, notes=()) -> Audit:
    """Per-group metrics and disparities of a binary decision.

    y_true: 1 where the true label is the favourable one; proba: the model's probability of it;
    groups: each row's group; threshold: one number or {group: number}. `predictions` overrides
    the thresholding (e.g. a randomized ThresholdOptimizer's decisions)."""
    y = np.asarray(y_true).astype(int)
    p = np.asarray(proba, float)
    g = np.asarray(groups).astype(str)
    if not (len(y) == len(p) == len(g)):
        raise FairnessError("Labels, probabilities and groups must have one entry per row.")
    pred = decisions(p, g, threshold) if predictions is None else np.asarray(predictions).astype(int)
    table = _group_table(y, p, pred, g, grouping)
    if n_boot > limits.current().max_bootstrap:
        raise FairnessError(limits.exceeded("max_bootstrap", f"Asked for {n_boot:,} bootstrap resamples",
                                            "use fewer resamples: 200 give intervals close enough"))
    boot = _bootstrap(y, pred, g, list(table.index), n_boot, seed) if n_boot else {}
    table = _with_intervals(table, boot)
    gaps = disparities_of({k: table[k].to_numpy(float) for k in ("selection_rate", "tpr", "fpr", "precision")})
    _, everyone = group_rates(y, pred, np.zeros(len(y), int))
    overall = {k: float(everyone[k][0]) for k in INTERVALS}
    return Audit(grouping, favourable, threshold if isinstance(threshold, dict) else float(threshold), table,
                 gaps, overall, findings(table, gaps, favourable), list(notes) + _small_groups_note(table))
