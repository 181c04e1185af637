"""Sensitive groups: which group each row of a table belongs to, for a fairness audit.

A Grouping names one sensitive column, or two for their intersection ("sex × age band"). A text
column gives one group per value; a numeric column with many values is cut into bands ("< 27",
"27–33", "≥ 42") at edges given, or at the training rows' quantiles so every split — and the live
audit while a run trains — uses the same bands. A row without a value joins the group "(missing)".
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import limits

MAX_GROUPS = 12            # more groups than this are refused (text) or cut into bands (numbers)
MISSING = "(missing)"


class FairnessError(ValueError):
    """Rows that cannot be put into groups, or an audit that cannot be made as asked; the message names
    the problem and the fix."""


def check_edges(column: str, edges) -> None:
    """A FairnessError when `column` is to be cut at more edges than max_band_edges."""
    if edges is not None and len(edges) > limits.current().max_band_edges:
        raise FairnessError(limits.exceeded(
            "max_band_edges", f"The band edges of '{column}' are {len(edges):,} numbers",
            "use fewer edges: a few bands keep each group large enough to compare"))


@dataclass(frozen=True)
class Grouping:
    """How rows are put into groups: one or two columns; numeric columns cut at `bins` edges."""

    columns: tuple[str, ...]
    bins: tuple[tuple[str, tuple[float, ...]], ...] = ()

    @classmethod
    def of(cls, columns, bins: dict | None = None) -> "Grouping":
        cols = (columns,) if isinstance(columns, str) else tuple(columns)
        if not 1 <= len(cols) <= 2:
            raise FairnessError("Choose one sensitive column, or two for their intersection (e.g. sex × age band).")
        for column, edges in (bins or {}).items():
            check_edges(column, edges)
        return cls(cols, tuple(sorted((k, tuple(float(e) for e in v)) for k, v in (bins or {}).items())))

    @property
    def name(self) -> str:
        return " × ".join(self.columns)

    def edges(self, column: str) -> tuple[float, ...] | None:
        return dict(self.bins).get(column)


# ---------------------------------------------------------------------------------- bands


def _nice(x: float) -> float:
    if x == 0 or not math.isfinite(x):
        return 0.0
    digits = 2 - int(math.floor(math.log10(abs(x))))
    return round(x, max(digits, 0)) if digits > 0 else float(round(x, digits))


def suggest_bins(values, bands: int = 4) -> tuple[float, ...]:
    """Inner cut points at the quantiles, rounded to readable numbers (e.g. age 27, 33, 42)."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(float)
    if v.size == 0:
        return ()
    qs = np.quantile(v, np.linspace(0, 1, bands + 1)[1:-1])
    if np.allclose(v, np.round(v)):
        qs = np.round(qs)
    edges = sorted({_nice(float(q)) for q in qs})
    return tuple(e for e in edges if v.min() < e <= v.max())


def band_labels(edges: tuple[float, ...]) -> list[str]:
    """The bands' names for inner cut points: '< a', 'a–b', …, '≥ z'."""
    def fmt(x):
        return f"{x:g}"
    labels = [f"< {fmt(edges[0])}"]
    labels += [f"{fmt(a)}–{fmt(b)}" for a, b in zip(edges[:-1], edges[1:])]
    labels.append(f"≥ {fmt(edges[-1])}")
    return labels


def _band_key(part: str):
    for prefix, rank in (("< ", 0), ("≥ ", 2)):
        if part.startswith(prefix):
            try:
                return (rank, float(part[len(prefix):]), "")
            except ValueError:
                break
    if "–" in part:
        try:
            return (1, float(part.split("–")[0]), "")
        except ValueError:
            pass
    return (3, 0.0, part)


def group_order(names) -> list[str]:
    """Groups in reading order: bands by their numbers, other values alphabetically, per column."""
    return sorted(names, key=lambda n: tuple(_band_key(p) for p in str(n).split(" × ")))


# ---------------------------------------------------------------------------------- rows → groups


def _banded(numeric: pd.Series, column: str, edges, distinct: int, notes: list[str]) -> np.ndarray:
    """The band of each number (NaN where missing) at `edges`, or at its quantiles with a note when None."""
    if edges is None:
        edges = suggest_bins(numeric.dropna())
        notes.append(f"'{column}' has {distinct} different values, so it was cut into bands at "
                     f"{', '.join(f'{e:g}' for e in edges)}; change the edges to compare other bands.")
    edges = tuple(sorted(edges))
    if not edges:
        raise FairnessError(f"'{column}' takes a single value, so there are no groups to compare; "
                            "choose another sensitive column.")
    labels = np.asarray(band_labels(edges), dtype=object)
    index = np.searchsorted(np.asarray(edges), numeric.to_numpy(float), side="right")
    return labels[np.clip(index, 0, len(labels) - 1)]


def _column_groups(series: pd.Series, column: str, edges: tuple[float, ...] | None, notes: list[str]) -> np.ndarray:
    missing = series.isna() | series.astype(str).str.strip().isin(["", "nan", "NaN", "None"])
    numeric = pd.to_numeric(series.where(~missing), errors="coerce")
    is_numeric = bool(numeric[~missing].notna().all()) and (~missing).any()
    distinct = series[~missing].astype(str).nunique()
    if is_numeric and (edges is not None or distinct > MAX_GROUPS):
        out = _banded(numeric, column, edges, distinct, notes)
    elif distinct > MAX_GROUPS:
        raise FairnessError(
            f"'{column}' has {distinct} different values; a fairness audit compares a few groups (at most "
            f"{MAX_GROUPS}). Choose a column with fewer values, or a numeric column that can be cut into bands.")
    else:
        out = series.astype(str).str.strip().to_numpy(object)
    if missing.any():
        out = np.where(missing.to_numpy(), MISSING, out)
        k = int(missing.sum())
        notes.append(f"{k} row{'s have' if k > 1 else ' has'} no '{column}'; they form their own group {MISSING!r}.")
    return out


def group_labels(frame: pd.DataFrame, grouping: Grouping) -> tuple[np.ndarray, list[str]]:
    """(group name of every row, notes on what was done) for the rows of `frame`."""
    notes: list[str] = []
    absent = [c for c in grouping.columns if c not in frame.columns]
    if absent:
        raise FairnessError(f"The data has no column {absent[0]!r}; choose one of {', '.join(map(str, frame.columns))}.")
    parts = [_column_groups(frame[c], c, grouping.edges(c), notes) for c in grouping.columns]
    labels = parts[0] if len(parts) == 1 else np.asarray([f"{a} × {b}" for a, b in zip(*parts)], dtype=object)
    labels = labels.astype(str)
    present = pd.unique(labels)
    if len(present) < 2:
        raise FairnessError(f"Every row has the same {grouping.name} ({str(present[0])!r}), so there is nothing to "
                            "compare; choose another sensitive column or a larger split.")
    return labels, notes


# ---------------------------------------------------------------------------------- a dataset's groups


def training_bins(dataset, columns, bins: dict | None = None) -> tuple[dict, list[str]]:
    """`bins` completed with edges for each numeric column with many values, cut at the training rows'
    quantiles, and a note for each column so cut."""
    bins, notes = dict(bins or {}), []
    train = dataset.raw.iloc[dataset.indices("train")]
    for c in Grouping.of(columns).columns:
        if c in bins or c not in train.columns:
            continue
        values = pd.to_numeric(train[c], errors="coerce")
        if values.notna().all() and values.nunique() > MAX_GROUPS:
            edges = suggest_bins(values)
            if edges:
                bins[c] = edges
                notes.append(f"'{c}' has {values.nunique()} different values, so it was cut into bands at "
                             f"{', '.join(f'{e:g}' for e in edges)} (quantiles of the training rows).")
    return bins, notes


def training_grouping(dataset, columns, bins: dict | None = None) -> Grouping:
    """A Grouping whose bands (for numeric columns with many values) are cut at the training rows'
    quantiles, so every split — and the live audit during training — uses the same groups."""
    return Grouping.of(columns, training_bins(dataset, columns, bins)[0])


def row_groups(dataset, column: str) -> tuple[np.ndarray, list[str]]:
    """(the group of every row of dataset.raw, the groups in display order) for one column; numbers
    with many values are banded at the training rows' quantiles. Raises FairnessError when the column
    cannot form groups (one value, or too many texts)."""
    labels, _ = group_labels(dataset.raw, training_grouping(dataset, [column]))
    return labels, group_order(set(labels))
