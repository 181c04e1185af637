"""Rebalancing a classifier's training rows by resampling them, the other way (besides class weights) to
keep a network from ignoring a rare class.

'over' repeats rows of every rarer class, drawn with replacement, until each class has as many rows as the
commonest; 'under' draws, without replacement, as many rows of every class as the rarest has. Only the
training rows change: validation and test rows stay as they are, so the scores still describe data as it
comes. The draws follow the run's seed, so the same seed trains on the same rows (a resumed run too).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..spec import SpecError, TrainSpec


def check_resample(spec: TrainSpec, task: str) -> None:
    """Resampling balances classes: a SpecError for a regression target."""
    if spec.resample != "none" and task != "classification":
        raise SpecError.about("resample", f": {spec.resample}-sampling balances the classes of a classification "
                                          "target; this data's target is a number (regression): set it to none")


def resampled_rows(y: np.ndarray, n_classes: int, how: str, seed: int) -> np.ndarray:
    """Positions into the training rows (`y`: their class ids) after resampling `how` ('none', 'over',
    'under'), in ascending order; a repeated row appears more than once."""
    y = np.asarray(y, dtype=np.int64)
    if how == "none" or len(y) == 0:
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    by_class = [np.flatnonzero(y == k) for k in range(n_classes)]
    present = [rows for rows in by_class if len(rows)]
    if how == "over":
        goal = max(len(rows) for rows in present)
        picked = [np.concatenate([rows, rng.choice(rows, goal - len(rows), replace=True)]) for rows in present]
    else:
        goal = min(len(rows) for rows in present)
        picked = [rng.choice(rows, goal, replace=False) for rows in present]
    return np.sort(np.concatenate(picked))


def resampled_size(y: np.ndarray, n_classes: int, how: str) -> int:
    """How many training rows resampling `how` leaves (every class present brought to one count)."""
    if how not in ("over", "under") or len(y) == 0:
        return len(y)
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=n_classes)
    present = counts[counts > 0]
    return int(len(present) * (present.max() if how == "over" else present.min()))


def class_counts(y: np.ndarray, class_names) -> dict[str, int]:
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=len(class_names))
    return {str(n): int(c) for n, c in zip(class_names, counts)}


def resample_dataset(dataset, spec: TrainSpec):
    """(the dataset with its training rows resampled as `spec.resample` says, the training rows per class
    before and after as {"how", "before", "after"}); (dataset, None) when it says none."""
    check_resample(spec, dataset.task)
    if spec.resample == "none":
        return dataset, None
    pos = resampled_rows(dataset.y_train, dataset.n_classes, spec.resample, spec.seed)
    out = dataclasses.replace(dataset, X_train=dataset.X_train[pos], y_train=dataset.y_train[pos],
                              idx_train=np.asarray(dataset.idx_train)[pos])
    counts = {"how": spec.resample, "before": class_counts(dataset.y_train, dataset.class_names),
              "after": class_counts(out.y_train, dataset.class_names)}
    return out, counts
