"""The Runs page's tables, laid out to show every column at once in the page's width (the main
area is ~940 px wide in a 1400 px window): the runs overview and the settings side by side."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.runs import overview
from dashboard.people import owner_names
from dashboard.state import dataset_for, store

NAME_PX = 200                    # the run's name: longer names end in '…' (the pickers below show them whole)
SETTING_PX = 150                 # the settings table's first column, e.g. 'train.weight_decay'
TABLE_PX = 900                   # what the columns may take together, a little under the main area's width
RUN_PX_MIN = 95                  # a run's column in the settings table: at least this wide
MAX_COMPARED = 8                 # runs compared at once: eight lines are about as many as a chart can tell apart
METRIC_SHORT = {"accuracy": "acc.", "R²": "R²"}


def label(run) -> str:
    """How the pickers and the settings table name a run: its name and the start of its id."""
    return f"{run.name} ({run.id[:6]})"


def _dataset_of(run):
    try:
        return dataset_for(run.dataset)
    except Exception:   # a CSV that is no longer in the workspace, an old reference: the row shows '?'
        return None


def runs_overview(runs) -> None:
    """Every run of the workspace in one table, newest first."""
    table = overview(store(), runs, _dataset_of)
    shown, columns = runs_table(table)
    names = owner_names(store())
    if names is not None:                        # the teacher's table: whose run each one is
        owners = {r.id: r.owner for r in runs}
        shown.insert(1, "by", [names.get(owners.get(i), "—") for i in table["id"]])
        columns["by"] = st.column_config.TextColumn("by", help="Who in the class started the run.")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=columns)
    st.caption("Newest first.")


def runs_table(overview: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """(the overview as the Runs page shows it, its column_config). A column that says the same for every
    run (the device, on a machine with one) is left out; when each run was created is left to the order
    (newest first)."""
    table = overview.drop(columns=["id", "created"])
    if table["device"].replace("", None).nunique() <= 1:        # runs not started yet have none
        table = table.drop(columns=["device"])
    table["best_val_metric"] = table["best_val_metric"].map(lambda m: METRIC_SHORT.get(m, m))
    config = {
        "name": st.column_config.TextColumn("name", width=NAME_PX, help="The run's name; rename it below."),
        "status": st.column_config.TextColumn("status"),
        "architecture": st.column_config.TextColumn(
            "network", help="Units per layer, from the inputs to the outputs."),
        "dataset": st.column_config.TextColumn("data"),
        "parameters": st.column_config.NumberColumn("params", format="%d",
                                                    help="How many weights and biases the network learns."),
        "optimizer": st.column_config.TextColumn("optimiser"),
        "lr": st.column_config.NumberColumn("lr", format="%g", help="The learning rate."),
        "best_val": st.column_config.NumberColumn(
            "best val.", format="%.3f",
            help="The best validation accuracy (classification) or R² (regression) over the epochs."),
        "best_val_metric": st.column_config.TextColumn("of", help="acc. = accuracy, R² = coefficient of "
                                                                 "determination (1 is perfect for both)."),
        "duration_s": st.column_config.NumberColumn("time (s)", format="%.1f", help="Training time in seconds."),
    }
    return table, config


def settings_config(labels: list[str]) -> dict:
    """column_config of the settings table (settings as rows, one column per run headed by its label):
    the runs share the width, so the table never runs off the page for up to eight runs."""
    each = max(RUN_PX_MIN, (TABLE_PX - SETTING_PX) // max(1, len(labels)))
    config = {label: st.column_config.TextColumn(label, width=each) for label in labels}
    config["_index"] = st.column_config.TextColumn("setting", width=SETTING_PX)
    return config
