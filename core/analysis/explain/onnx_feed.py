"""Feeding an uploaded ONNX model that takes one input per column, by name (Glassnet's exports, skl2onnx
pipelines): each input [N, 1], float or double for numbers, string for text.

What is explained is a matrix of codes, one column per model input: a number as it is (NaN for a gap),
a text value as its index among the column's distinct values in the table (NaN for a gap, fed as an empty
string). A background row swapped in for a column brings its code, so the model always sees real values.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ExplainError

_NUMBER_TYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64}


@dataclass(frozen=True)
class ColumnInput:
    name: str
    dtype: object           # np.float32 or np.float64 for numbers, object for text

    @property
    def text(self) -> bool:
        return self.dtype is object


def session_of(data: bytes):
    """An onnxruntime session of the model's bytes (ONNX is a protobuf graph: nothing is unpickled), loaded and
    run in its own process within the size and time limits (onnx_process.py)."""
    from .onnx_process import bounded_session
    return bounded_session(data)


def column_inputs(session, columns: list[str]) -> list[ColumnInput] | None:
    """The model's inputs when it takes one [N, 1] input per column, else None (one matrix, fed by position).
    A single float input counts as a column only when the table has a column of its name."""
    inputs = session.get_inputs()
    if not all(len(i.shape) == 2 and i.shape[1] == 1 for i in inputs):
        return None
    if len(inputs) == 1 and inputs[0].type != "tensor(string)" and inputs[0].name not in columns:
        return None
    out = []
    for i in inputs:
        if i.type != "tensor(string)" and i.type not in _NUMBER_TYPES:
            raise ExplainError(f"The model's input {i.name!r} takes {i.type}; Glassnet feeds a column as float, double "
                               "or string. Export the model with those input types and try again.")
        out.append(ColumnInput(i.name, object if i.type == "tensor(string)" else _NUMBER_TYPES[i.type]))
    return out


@dataclass
class ColumnFeed:
    """Codes [n, p] → the model's inputs by name."""
    inputs: list[ColumnInput]
    values: dict[str, list[str]]        # a text column's distinct values; a code indexes them

    def __call__(self, x: np.ndarray) -> dict[str, np.ndarray]:
        feeds = {}
        for j, i in enumerate(self.inputs):
            col = np.asarray(x[:, j], np.float64)
            if i.text:
                words = np.asarray(self.values[i.name] + [""], dtype=object)       # code NaN → "" (a gap)
                index = np.where(np.isnan(col), -1, np.rint(np.nan_to_num(col, nan=-1.0))).astype(np.int64)
                feeds[i.name] = words[index].reshape(-1, 1)
            else:
                feeds[i.name] = col.astype(i.dtype).reshape(-1, 1)
        return feeds

    def shown(self, j: int, code: float) -> str:
        """A code as the table showed it: the number, the text, or '(missing)'."""
        if np.isnan(code):
            return "(missing)"
        i = self.inputs[j]
        return self.values[i.name][int(round(code))] if i.text else f"{code:.4g}"


def table_codes(frame: pd.DataFrame, inputs: list[ColumnInput]) -> tuple[np.ndarray, ColumnFeed]:
    """The codes of a table's rows for a model that takes `inputs`, and the feed that decodes them."""
    from core.data import DataError
    from core.data.columns import numeric_values, text_values
    lacking = [i.name for i in inputs if i.name not in frame.columns]
    if lacking:
        names = ", ".join(repr(n) for n in lacking[:8]) + (f" and {len(lacking) - 8} more" if len(lacking) > 8 else "")
        raise ExplainError(f"The model takes the column{'s' if len(lacking) > 1 else ''} {names}, which the table "
                           "lacks; upload rows with every column the model was trained on.")
    codes = np.zeros((len(frame), len(inputs)), np.float64)
    values: dict[str, list[str]] = {}
    for j, i in enumerate(inputs):
        if i.text:
            texts = text_values(frame[i.name])
            present = pd.notna(texts)
            values[i.name] = sorted({str(t) for t in texts[present]})
            index = pd.Index(values[i.name]).get_indexer(np.where(present, texts, ""))
            codes[:, j] = np.where(present, index, np.nan)
        else:
            try:
                codes[:, j] = numeric_values(frame[i.name], i.name)
            except DataError as exc:
                raise ExplainError(str(exc)) from None
    return codes, ColumnFeed(list(inputs), values)
