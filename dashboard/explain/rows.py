"""The explained rows as the views need them: model inputs, truth, predictions, one number per original
column (LIME's form) and the original values as text; a row as an image, for digits."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .request import Request
from .session import cached


@dataclass
class Rows:
    ids: np.ndarray             # row numbers in dataset.raw
    X: np.ndarray               # model inputs
    y: np.ndarray               # true class ids / values
    proba: np.ndarray | None    # [n, classes]
    predicted: np.ndarray       # class ids / values
    codes: np.ndarray           # one number per original column (LIME's form)
    texts: np.ndarray           # [n, p] original values as text


def rows_of(ex, req: Request) -> Rows:
    """The request's rows, computed once per session."""
    def compute():
        ds = ex.dataset
        ids, X = ex.rows(req.split, req.rows)
        y = ds.split(req.split)[1][:req.rows]
        out = np.asarray(ex.model.proba(X))
        frame = ds.raw.iloc[ids][list(ds.original_columns)]
        codes = ds.codes(frame)
        if ds.task == "classification":
            return Rows(ids, X, y, out, out.argmax(1), codes, value_texts(frame))
        return Rows(ids, X, y, None, out.reshape(-1), codes, value_texts(frame))
    return cached("rows", req.key(ex), compute)


def value_texts(frame: pd.DataFrame) -> np.ndarray:
    """The cells of original rows as short texts (numbers to 4 significant digits), [n, p]."""
    out = np.empty(frame.shape, dtype=object)
    for j, col in enumerate(frame.columns):
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out[:, j] = ["missing" if pd.isna(v) else f"{float(v):.4g}" for v in s]
        else:
            out[:, j] = ["missing" if pd.isna(v) else str(v) for v in s]
    return out


def image_of(dataset, values) -> np.ndarray | None:
    """A row's pixels (or a per-pixel map) as an image [h, w], for image datasets."""
    shape = dataset.image_shape
    if shape is None or np.size(values) != shape[1] * shape[2]:
        return None
    return np.asarray(values, float).reshape(shape[1], shape[2])
