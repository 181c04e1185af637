"""The Runs page's comparison: the chosen runs' validation curves overlaid and their settings side by side."""
from __future__ import annotations

import streamlit as st

from core.runs import spec_table, validation_curves
from dashboard import keys
from dashboard.state import store

from .charts import overlay
from .tables import MAX_COMPARED, label, settings_config


def compared_runs(runs, chosen) -> list[str]:
    """The runs to compare: those chosen that still exist; at first, up to three on the newest run's data."""
    if chosen is None:
        latest = runs[0].dataset.get("name")
        return [r.id for r in runs if r.dataset.get("name") == latest][:3]
    ids = {r.id for r in runs}
    return [i for i in chosen if i in ids][:MAX_COMPARED]


def compare(runs) -> None:
    """Pick runs; their curves and settings."""
    by_id = {r.id: r for r in runs}
    # The picker gets its value handed back on every run: the browser shows a picked run by the label it
    # was sent, so a run renamed since (here, in another tab or from the command line) would keep its old name.
    st.session_state[keys.RUNS_COMPARE] = compared_runs(runs, st.session_state.get(keys.RUNS_COMPARE))
    chosen = st.multiselect(
        "Runs to compare", list(by_id), key=keys.RUNS_COMPARE, format_func=lambda i: label(by_id[i]),
        max_selections=MAX_COMPARED,
        help=f"Pick up to {MAX_COMPARED} runs to overlay their validation curves and list their settings side by "
             "side. Runs on the same data compare best.")
    if not chosen:
        st.caption("Pick one or more runs above to see their curves and settings.")
        return
    picked = [by_id[i] for i in chosen]
    curves(picked)
    settings(picked)


def curves(picked) -> None:
    """Validation loss, and validation accuracy or R² when the runs have them, one line per run."""
    by_run = {label(r): validation_curves(store(), r.id) for r in picked}
    score = [m for m in ("val_accuracy", "val_r2") if any(m in df for df in by_run.values())]
    cols = st.columns(1 + len(score))
    for col, metric in zip(cols, ["val_loss"] + score):
        col.plotly_chart(overlay(by_run, metric), width="stretch", config={"displayModeBar": False})
    if all(df.empty for df in by_run.values()):
        st.caption("These runs have no logged epochs yet.")
    st.caption("Lower validation loss is better. It is measured on rows the network does not train on, so a "
               "curve that turns upward means the network has started to overfit.")


def settings(picked) -> None:
    """The runs' settings side by side, those that differ highlighted (or alone, when asked)."""
    labels = [label(r) for r in picked]
    specs = spec_table(picked, labels)
    only_diff = st.toggle("Only the settings that differ", value=True, key=keys.RUNS_ONLY_DIFF,
                          help="Hide the settings that all chosen runs share.") if len(picked) > 1 else False
    shown = specs[specs["differs"]] if only_diff else specs
    if shown.empty:
        st.caption("These runs share every setting.")
        return
    styled = shown.drop(columns=["differs"]).style.apply(
        lambda row: ["background-color: #fff3cd" if shown.loc[row.name, "differs"] else ""] * len(row), axis=1)
    st.dataframe(styled, width="stretch", column_config=settings_config(labels))
    if len(picked) > 1:
        st.caption("Highlighted: settings that differ between the chosen runs.")
