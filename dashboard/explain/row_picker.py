"""Finding a row to explain: all rows, the most confident mistakes, the least confident, or the largest
errors (regression)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import keys
from dashboard.state import choose

from .help import HELP
from .rows import Rows

ROW_LISTS = {
    "all": "All rows, in table order",
    "mistakes": "Most confident mistakes",
    "unsure": "Least confident",
    "errors": "Largest errors",
}


def row_lists(task: str) -> list[str]:
    return ["all", "mistakes", "unsure"] if task == "classification" else ["all", "errors"]


def row_order(kind: str, y_true, proba=None, predicted=None) -> np.ndarray:
    """Positions of the explained rows in a list's order (mistakes: wrong rows only)."""
    y = np.asarray(y_true)
    if kind == "mistakes":
        p = np.asarray(proba)
        wrong = np.nonzero(p.argmax(1) != y)[0]
        return wrong[np.argsort(-p[wrong].max(1), kind="stable")]
    if kind == "unsure":
        return np.argsort(np.asarray(proba).max(1), kind="stable")
    if kind == "errors":
        return np.argsort(-np.abs(y.astype(float) - np.asarray(predicted, float)), kind="stable")
    return np.arange(len(y))


def _row_label(ds, rows: Rows, i: int) -> str:
    if ds.task == "classification":
        names = ds.class_names
        p = rows.proba[i]
        return (f"row {rows.ids[i]} · true '{names[rows.y[i]]}' → predicted '{names[rows.predicted[i]]}' "
                f"({p.max():.0%})")
    return f"row {rows.ids[i]} · true {rows.y[i]:.4g}, predicted {rows.predicted[i]:.4g}"


def pick_row(ds, rows: Rows) -> int:
    """The list and row widgets; returns the position of the chosen row among the explained rows."""
    lists = row_lists(ds.task)
    choose(keys.EXPLAIN_ROW_LIST, lists, "all")
    a, b = st.columns([1, 2])

    def reset_row():
        st.session_state.pop(keys.EXPLAIN_ROW, None)
    kind = a.radio("Find a row", lists, key=keys.EXPLAIN_ROW_LIST, format_func=ROW_LISTS.get, on_change=reset_row,
                   help=HELP["row_list"])
    order = row_order(kind, rows.y, rows.proba, rows.predicted)
    if len(order) == 0:
        a.caption("No mistakes among these rows — showing all rows.")
        order = np.arange(len(rows.ids))
    options = [int(i) for i in order]
    choose(keys.EXPLAIN_ROW, options, options[0])
    return b.selectbox("Row", options, key=keys.EXPLAIN_ROW, format_func=lambda i: _row_label(ds, rows, i),
                       help=HELP["row"])
