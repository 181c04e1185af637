"""Column typing: what a column holds (numbers, text, labels) and whether it can be a feature.

Numbers and text are read leniently (true/false as 1/0, numbers written as text, blank cells as
gaps); a cell that cannot be read as its column's kind is a DataError naming the column.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from .. import limits
from .errors import DataError, quote


TRUE_FALSE = {"true": 1.0, "false": 0.0}


def is_numeric(s: pd.Series) -> bool:
    """Numbers or true/false: the column is used as it is, not one-hot encoded."""
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def numeric_values(s: pd.Series, name: Any) -> np.ndarray:
    """float64 values with NaN for missing; DataError when a cell is not a number."""
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.where(np.isfinite(values), values, np.nan)
    obj = s.astype(object).where(s.notna(), None)
    obj = obj.map(lambda v: TRUE_FALSE.get(v.strip().lower(), v) if isinstance(v, str) else v)
    obj = obj.map(lambda v: float(v) if isinstance(v, (bool, np.bool_)) else v)
    obj = obj.map(lambda v: None if isinstance(v, str) and not v.strip() else v)
    values = pd.to_numeric(obj, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isnan(values) & obj.notna().to_numpy()
    if bad.any():
        example = obj[bad].iloc[0]
        raise DataError(
            f"Column {quote(name)} should hold numbers but contains {str(example)!r}; fix or remove that value.",
            column=name,
        )
    return np.where(np.isfinite(values), values, np.nan)


def number_label(x: float) -> str:
    """A number as a label or category: whole numbers without a trailing '.0'."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x)


def text_values(s: pd.Series) -> np.ndarray:
    """Object array of stripped strings, None for missing; numbers written without a trailing '.0'."""
    if pd.api.types.is_bool_dtype(s):
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.array([None if math.isnan(v) else ("True" if v else "False") for v in values], dtype=object)
    if pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.array([None if math.isnan(v) else number_label(v) for v in values], dtype=object)
    if pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s):
        t = s.str.strip()
        t = t.where(t != "", None)
        return t.to_numpy(dtype=object, na_value=None)

    def cell(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, (float, int, np.floating, np.integer)) and not isinstance(v, (bool, np.bool_)):
            return number_label(v)
        text = str(v).strip()
        return text or None

    return np.array([cell(v) for v in s.to_numpy(dtype=object)], dtype=object)


def labels_and_names(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Label strings per row and the sorted unique names (numeric labels sorted by value)."""
    if is_numeric(s) and not pd.api.types.is_bool_dtype(s):
        values = s.to_numpy(dtype=np.float64)
        uniq = np.unique(values)
        names = [number_label(u) for u in uniq]
        labels = np.asarray(names, dtype=object)[np.searchsorted(uniq, values)]
        return labels, names
    labels = text_values(s)
    return labels, sorted(set(labels.tolist()))


def infer_task(series: pd.Series) -> str:
    """"classification" for text, booleans or whole numbers with at most 20 distinct values, else "regression".

    A float column without any missing value counts as float-looking (its text had decimals,
    otherwise it would have been read as whole numbers) and gives "regression".
    """
    s = series if isinstance(series, pd.Series) else pd.Series(series)
    present = s.dropna()
    if present.empty:
        raise DataError("Cannot tell the task of a column with no values; choose a column that holds the labels.")
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        return "classification"
    if pd.api.types.is_float_dtype(s) and not s.isna().any():
        return "regression"
    values = present.to_numpy(dtype=np.float64)
    if np.all(np.isfinite(values)) and np.all(values == np.round(values)) and len(np.unique(values)) <= 20:
        return "classification"
    return "regression"


_ID_NAMES = re.compile(r"^(id|idx|index|row|row_?id|row_?num(ber)?|key|uuid|guid|record_?id)$|(^|[_\s])id$", re.I)


def _id_like(s: pd.Series, name: Any) -> bool:
    """A different value in every row: text, or whole numbers counting up or under an ID-like name."""
    n = len(s)
    if n < 2 or s.isna().any() or s.nunique() != n:
        return False
    if is_numeric(s):
        values = s.to_numpy(dtype=np.float64)
        if not np.all(values == np.round(values)):
            return False
        return bool(values.max() - values.min() == n - 1) or bool(_ID_NAMES.search(str(name)))
    return True


def _column_digest(s: pd.Series) -> str:
    hashed = pd.util.hash_pandas_object(s, index=False).to_numpy()
    return hashlib.sha1(hashed.tobytes() + str(s.dtype).encode()).hexdigest()


def column_flags(frame: pd.DataFrame, columns: list[str], compare_to: list[str] = ()) -> dict[str, tuple[str, str]]:
    """Columns that cannot be useful features: name -> (short flag, reason clause)."""
    flags: dict[str, tuple[str, str]] = {}
    seen: dict[str, str] = {}
    for other in compare_to:
        seen.setdefault(_column_digest(frame[other]), other)
    cap = limits.current().max_categories
    for c in columns:
        s = frame[c]
        n_distinct = s.nunique(dropna=True)
        if n_distinct == 0:
            flags[c] = ("empty", f"{quote(c)} is empty")
            continue
        if n_distinct == 1:
            flags[c] = ("constant", f"{quote(c)} has the same value in every row")
            continue
        digest = _column_digest(s)
        if digest in seen and s.equals(frame[seen[digest]]):
            flags[c] = (f"duplicate of {quote(seen[digest])}", f"{quote(c)} is identical to {quote(seen[digest])}")
            continue
        seen.setdefault(digest, c)
        if _id_like(s, c):
            flags[c] = ("id-like", f"{quote(c)} looks like a row ID, with a different value in every row")
            continue
        if not is_numeric(s) and n_distinct > cap:
            flags[c] = (
                "too many categories",
                f"{quote(c)} has {n_distinct} different text values, more than the {cap} that can be one-hot encoded",
            )
    return flags


def csv_columns_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per column for a preview: name, kind, dtype, missing and distinct counts, warning flags."""
    columns = list(frame.columns)
    flags = column_flags(frame, columns)
    cap = limits.current().max_categories
    rows = []
    for c in columns:
        s = frame[c]
        distinct = int(s.nunique(dropna=True))
        if is_numeric(s):
            kind = "numeric"
        elif distinct <= cap:
            kind = "categorical"
        else:
            kind = "text"
        rows.append(
            {
                "name": str(c),
                "kind": kind,
                "dtype": str(s.dtype),
                "missing": int(s.isna().sum()),
                "distinct": distinct,
                "flags": flags[c][0] if c in flags else "",
            }
        )
    return pd.DataFrame(rows, columns=["name", "kind", "dtype", "missing", "distinct", "flags"])

