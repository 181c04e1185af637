"""An uploaded table made ready for an uploaded ONNX model: its columns by name when the model takes one
input per column, else a matrix of numbers; the target's classes; the target to offer first. The Explain
page and the workers that explain an uploaded model as a job (core/analysis/jobs.py) use the same."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .onnx_feed import column_inputs, session_of, table_codes


class ByoError(ValueError):
    """An uploaded table that cannot feed an uploaded model; the message says why and what to do."""


def byo_table(frame: pd.DataFrame, target: str | None) -> tuple[np.ndarray, list[str], list[str] | None]:
    """(inputs [n, p] float32, input column names, class names or None) of an uploaded table.

    Every column but the target is a model input and must hold numbers only."""
    features = [c for c in frame.columns if c != target]
    if not features:
        raise ByoError("The table has no columns besides the target; the model needs at least one input column.")
    numeric = pd.api.types.is_numeric_dtype
    text = [c for c in features if not (numeric(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))]
    if text:
        names = ", ".join(f"'{c}'" for c in text[:8]) + (f" and {len(text) - 8} more" if len(text) > 8 else "")
        raise ByoError(f"The model's inputs must be numbers, but {names} hold{'s' if len(text) == 1 else ''} text. "
                       "Encode them as numbers exactly as the model was trained on them (for example one 0/1 "
                       "column per category), or pick that column as the target.")
    X = frame[features].astype(float).to_numpy()
    holes = [c for c, bad in zip(features, np.isnan(X).any(0)) if bad]
    if holes:
        names = ", ".join(f"'{c}'" for c in holes[:8]) + (f" and {len(holes) - 8} more" if len(holes) > 8 else "")
        raise ByoError(f"{names} ha{'s' if len(holes) == 1 else 've'} empty cells; fill them (as the model's "
                       "training did) or remove those rows, then upload the table again.")
    return X.astype(np.float32), [str(c) for c in features], byo_classes(frame, target)


def byo_classes(frame: pd.DataFrame, target: str | None) -> list[str] | None:
    """The target's classes in sorted order (as scikit-learn orders them), or None."""
    if target is None:
        return None
    y = frame[target].dropna()
    if not 1 < y.nunique() <= 50:
        return None
    numeric = pd.api.types.is_numeric_dtype(y)
    uniq = sorted(y.unique(), key=float if numeric else str)
    return [f"{float(v):g}" if numeric else str(v) for v in uniq]


def byo_default_target(model_bytes: bytes, columns: list[str]) -> str:
    """The target to offer first: the one a Glassnet export names, else the last column the model does not
    take by name (a model with one input matrix takes none by name), else '(none)'."""
    session = session_of(model_bytes)
    try:
        stored = json.loads(session.get_modelmeta().custom_metadata_map.get("glassnet.target") or "null")
    except ValueError:
        stored = None
    taken = [i.name for i in column_inputs(session, columns) or []]
    free = [c for c in columns if c not in taken]
    if len(columns) < 2 or not free:
        return "(none)"
    return stored if stored in free else free[-1]


def byo_inputs(model_bytes: bytes, frame: pd.DataFrame, target: str | None):
    """(codes or inputs, input names, classes, feed, columns left out) of a table for an uploaded model: its
    original columns by name when the model takes one input per column, else byo_table's matrix (feed None)."""
    columns = [str(c) for c in frame.columns if c != target]
    inputs = column_inputs(session_of(model_bytes), columns)
    if inputs is None:
        return (*byo_table(frame, target), None, [])
    X, feed = table_codes(frame, inputs)
    names = [i.name for i in inputs]
    classes = byo_classes(frame, target) if target not in names else None     # an input is not what it predicts
    return X, names, classes, feed, [c for c in columns if c not in names]
