"""Thresholds: the global decision threshold or one per group, and how accuracy and the gaps move as the
global threshold sweeps from 0.05 to 0.95."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.analysis.fairness.metrics import disparities, group_rates
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
    """Accuracy and the demographic parity / equalized odds / equal opportunity differences of 0/1
    decisions: the audit's own functions, so each point of the sweep is the audit at that threshold."""
    _, by_group = group_rates(y, pred, groups)
    gaps = disparities(by_group)
    return {"accuracy": float((np.asarray(y).astype(int) == np.asarray(pred).astype(int)).mean()),
            **{k: gaps[k] for k in ("demographic_parity_difference", "equalized_odds_difference",
                                    "equal_opportunity_difference")}}


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
