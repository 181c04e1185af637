"""Bands of a numeric sensitive column: edges typed as text and back, and the ones the audit starts from.
No streamlit here."""
from __future__ import annotations

import math

import pandas as pd

from core.analysis import fairness as F
from core.data.groups import check_edges


def parse_edges(text: str, column: str) -> tuple[float, ...] | None:
    """Band edges from 'a, b, c' (None when empty: every value its own group, or automatic bands)."""
    parts = [p.strip() for p in str(text or "").replace(";", ",").split(",") if p.strip()]
    if not parts:
        return None
    out = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            raise F.FairnessError(f"The band edges of '{column}' must be numbers separated by commas (e.g. 25, 35, 50); "
                                  f"{p!r} is not a number.") from None
        if not math.isfinite(v):
            raise F.FairnessError(f"The band edges of '{column}' must be ordinary numbers; {p!r} is not.")
        out.append(v)
    edges = tuple(sorted(set(out)))
    check_edges(column, edges)
    return edges


def format_edges(edges) -> str:
    return ", ".join(f"{float(e):g}" for e in (edges or ()))


def is_numeric(dataset, column: str) -> bool:
    s = dataset.raw[column]
    values = pd.to_numeric(s.dropna(), errors="coerce")
    return bool(len(values)) and bool(values.notna().all()) and not pd.api.types.is_bool_dtype(s)


def default_edges(dataset, column: str) -> tuple[float, ...]:
    """The bands the training-time audit uses: cut at the training rows' quantiles when the column has
    many values, else none (each value its own group)."""
    try:
        return F.training_grouping(dataset, [column]).edges(column) or ()
    except F.FairnessError:
        return ()
