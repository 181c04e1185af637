"""Column typing for the preview: the task a target suggests, and the columns summary with its flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.data import DataError, csv_columns_summary, infer_task, read_csv_bytes


@pytest.mark.parametrize(
    "values, task",
    [
        (pd.Series([0, 1, 1, 0]), "classification"),
        (pd.Series(["cat", "dog"]), "classification"),
        (pd.Series([True, False]), "classification"),
        (pd.Series([1.0, np.nan, 2.0, 3.0]), "classification"),  # whole numbers read as float because of a gap
        (pd.Series([1.0, 2.0, 3.0]), "regression"),  # written as decimals
        (pd.Series([0.5, 1.25, 3.0]), "regression"),
        (pd.Series(range(50)), "regression"),
        (pd.Series(list(range(20)) * 2), "classification"),
    ],
)
def test_infer_task(values, task):
    assert infer_task(values) == task


def test_infer_task_of_empty_column_is_an_error():
    with pytest.raises(DataError):
        infer_task(pd.Series([np.nan, np.nan]))


def test_columns_summary_flags_problem_columns():
    lines = ["id,const,x,x2,word,city,label"]
    for i in range(60):
        x = "" if i % 6 == 0 else str(i % 9)
        lines.append(f"{i + 1},1,{x},{x},w{i % 45},{'ab'[i % 2]},{i % 2}")
    frame, _ = read_csv_bytes("\n".join(lines).encode())
    summary = csv_columns_summary(frame).set_index("name")
    assert list(summary.columns) == ["kind", "dtype", "missing", "distinct", "flags"]
    assert summary.loc["id", "flags"] == "id-like"
    assert summary.loc["const", "flags"] == "constant"
    assert summary.loc["x2", "flags"] == "duplicate of 'x'"
    assert summary.loc["x", "flags"] == "" and summary.loc["x", "missing"] == 10
    assert summary.loc["word", "kind"] == "text" and summary.loc["word", "flags"] == "too many categories"
    assert summary.loc["city", "kind"] == "categorical" and summary.loc["city", "distinct"] == 2
    assert summary.loc["label", "kind"] == "numeric"
