"""The train/validation/test split: which rows of a table go where, and the names of the splits.

The split is drawn once when a Dataset is assembled (stratified by class when every class has rows
enough, else at random, from the preprocessing's split seed); afterwards ``Dataset.indices(name)``
answers which raw rows a split holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DataError
from .ref import Preprocess

SPLITS = ("train", "val", "test")


def split_name(name: Any) -> str:
    """"train", "val" or "test" for a split's name ("validation" is "val"); DataError for anything else."""
    if name == "validation":
        name = "val"
    if name not in SPLITS:
        raise DataError(f"Unknown split {name!r}; use 'train', 'val' or 'test'.")
    return name


def _can_stratify(labels: np.ndarray, n_out: int) -> bool:
    """Every class has two rows or more, and both sides of the cut have room for every class."""
    counts = np.bincount(labels)
    counts = counts[counts > 0]
    k = len(counts)
    return counts.min() >= 2 and n_out >= k and len(labels) - n_out >= k


def split_indices(n: int, y: np.ndarray | None, pp: Preprocess, notes: list[str]) -> tuple[np.ndarray, ...]:
    """Row numbers (int64) of the training, validation and test rows of an `n`-row table; `y` holds
    class ids to stratify by (None for regression). A note says how the rows were split."""
    from sklearn.model_selection import train_test_split

    n_test = max(1, int(round(n * pp.test_fraction)))
    n_val = max(1, int(round(n * pp.val_fraction)))
    everything = np.arange(n, dtype=np.int64)

    stratified = y is not None
    strat = y if (y is not None and _can_stratify(y, n_test)) else None
    stratified &= strat is not None
    rest, test = train_test_split(everything, test_size=n_test, random_state=pp.split_seed, stratify=strat)
    strat = y[rest] if (y is not None and _can_stratify(y[rest], n_val)) else None
    stratified &= strat is not None
    train, val = train_test_split(rest, test_size=n_val, random_state=pp.split_seed, stratify=strat)
    how = "stratified by class" if stratified else "at random"
    notes.append(
        f"Split {n:,} rows into {len(train):,} training, {len(val):,} validation and {len(test):,} test rows "
        f"({how}, seed {pp.split_seed})."
    )
    if y is not None and not stratified:
        notes.append("Some class has too few rows to keep class shares equal across the splits, so the split is random.")
    return np.asarray(train, np.int64), np.asarray(val, np.int64), np.asarray(test, np.int64)
