"""The Data page's choices about a table's columns — the same for a fresh upload and an earlier one —
and the dataset they make, or why they cannot make one."""
from __future__ import annotations

import streamlit as st

from core.data import DataError, csv_columns_summary, infer_task
from dashboard import keys
from dashboard.widgets import md

from .help import HELP

TASKS = ["auto", "classification", "regression"]


def csv_controls(frame, digest: str, chosen: dict) -> tuple:
    """(target, task or None for automatic, sensitive columns, dropped columns) of a table, the widgets
    starting from `chosen` (the settings in use or last used)."""
    columns = [str(c) for c in frame.columns]
    target_default = chosen.get("target") if chosen.get("target") in columns else columns[-1]
    target = st.selectbox("Target column (what to predict)", columns, index=columns.index(target_default),
                          key=keys.table_choice("target", digest), help=HELP["target"])
    try:
        guessed = infer_task(frame[target])
    except DataError:
        guessed = "classification"
    task = st.radio("Task", TASKS, index=TASKS.index(chosen.get("task") or "auto"), horizontal=True,
                    key=keys.table_choice("task", digest), help=HELP["task"],
                    format_func=lambda t: f"automatic ({guessed})" if t == "auto" else t)
    others = [c for c in columns if c != target]
    sensitive = st.multiselect("Sensitive columns (for the fairness audit)", others,
                               default=[c for c in chosen.get("sensitive") or [] if c in others],
                               key=keys.table_choice("sensitive", digest, target), help=HELP["sensitive"])
    drop = st.multiselect("Columns to leave out", others,
                          default=[c for c in chosen.get("drop") or [] if c in others],
                          key=keys.table_choice("drop", digest, target), help=HELP["drop"])
    return target, None if task == "auto" else task, sensitive, drop


def load_or_explain(frame, compute) -> dict | None:
    """The new reference from compute() (a Dataset), or None after showing why it cannot be used."""
    try:
        dataset = compute()
    except DataError as e:
        st.error(md(f"{e} The dataset in use has not changed."))
        with st.expander("Columns of your file", expanded=True):
            st.dataframe(csv_columns_summary(frame), hide_index=True, width="stretch")
        return None
    return dataset.ref.to_dict()
