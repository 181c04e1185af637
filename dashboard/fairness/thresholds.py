"""Thresholds: the global decision threshold or one per group, and how accuracy and the gaps move as the
global threshold sweeps from 0.05 to 0.95."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import keys
from dashboard.text import md_plain as md

from .charts import PLAIN, threshold_sweep
from .help import HELP

SWEEP = np.round(np.arange(0.05, 0.951, 0.05), 2)


def threshold_settings(names: list[str]) -> float | dict:
    """The global threshold slider and, in an expander, one slider per group; returns what applies."""
    st.session_state.setdefault(keys.FAIR_THRESHOLD, 0.5)
    st.session_state[keys.FAIR_THRESHOLD] = st.session_state[keys.FAIR_THRESHOLD]
    t = st.slider("Decision threshold", 0.0, 1.0, key=keys.FAIR_THRESHOLD, step=0.01, help=HELP["threshold"])
    st.session_state.setdefault(keys.FAIR_PER_GROUP, False)
    with st.expander("Per-group thresholds", icon=":material/tune:",
                     expanded=bool(st.session_state[keys.FAIR_PER_GROUP])):
        on = st.toggle("Use a threshold per group", key=keys.FAIR_PER_GROUP, help=HELP["per_group"])
        out = {}
        cols = st.columns(min(3, max(1, len(names))))
        for i, g in enumerate(names):
            key = keys.group_threshold(g)
            if key not in st.session_state or not on:
                st.session_state[key] = float(t)
            st.session_state[key] = st.session_state[key]
            out[g] = cols[i % len(cols)].slider(f"Threshold for {md(g)}", 0.0, 1.0, key=key, step=0.01, disabled=not on,
                                                help=HELP["group_threshold"])
    return {g: float(v) for g, v in out.items()} if on else float(t)


def rates_at(y: np.ndarray, pred: np.ndarray, groups: np.ndarray) -> dict:
    """Accuracy and the demographic parity / equalized odds / equal opportunity differences (largest gap
    between groups, as fairlearn defines them) of 0/1 decisions."""
    y, pred, groups = np.asarray(y).astype(int), np.asarray(pred).astype(int), np.asarray(groups).astype(str)
    sel, tpr, fpr = [], [], []
    for g in pd.unique(groups):
        m = groups == g
        yg, pg = y[m], pred[m]
        sel.append(pg.mean())
        tpr.append(pg[yg == 1].mean() if (yg == 1).any() else np.nan)
        fpr.append(pg[yg == 0].mean() if (yg == 0).any() else np.nan)

    def gap(v):
        v = np.asarray(v, float)
        v = v[np.isfinite(v)]
        return float(v.max() - v.min()) if len(v) else float("nan")
    tpr_gap, fpr_gap = gap(tpr), gap(fpr)
    return {"accuracy": float((y == pred).mean()), "demographic_parity_difference": gap(sel),
            "equalized_odds_difference": float(np.nanmax([tpr_gap, fpr_gap])) if np.isfinite([tpr_gap, fpr_gap]).any()
            else float("nan"), "equal_opportunity_difference": tpr_gap}


def sweep(y, proba, groups, thresholds=SWEEP) -> pd.DataFrame:
    """Accuracy and disparities at each global threshold."""
    p = np.asarray(proba, float)
    rows = [{"threshold": float(t), **rates_at(y, (p >= t).astype(int), groups)} for t in thresholds]
    return pd.DataFrame(rows)


def show_sweep(y, proba, labels, threshold) -> None:
    frame = sweep(y, proba, labels)
    current = threshold if isinstance(threshold, float) else None
    st.plotly_chart(threshold_sweep(frame, current), config=PLAIN, key=keys.FAIR_CHART_SWEEP)
    st.caption("Each point audits the same rows at one threshold for every group. Moving the threshold trades "
               "accuracy against the gaps; the group thresholds below (mitigations) move each group separately.")
