"""Fairness over training, for a run on data with groups: the gaps between the groups per epoch, one
number per group per epoch, and the path between accuracy and the demographic parity gap."""
from __future__ import annotations

import streamlit as st

from dashboard import keys
from dashboard.text import md_plain as md

from ..charts import fairness_gaps_figure, fairness_tradeoff_figure, group_metric_figure
from ..wording import HELP
from .feed import LiveFeed
from .kept import show

FAIR_METRIC_LABELS = {"accuracy": "accuracy", "selection_rate": "predicted favourable", "loss": "loss"}
PENALTY_NAMES = {"demographic_parity": "a demographic-parity penalty", "equalized_odds": "an equalized-odds penalty"}


def fairness_view(feed: LiveFeed, dataset) -> None:
    """Fairness over training: the gaps between groups per epoch, one number per group per epoch, and the
    path between accuracy and the demographic parity gap."""
    run = feed.run
    train = run.train if run is not None else {}
    column = train.get("sensitive") or (dataset.sensitive[0] if getattr(dataset, "sensitive", None) else "")
    st.markdown("##### Fairness over training")
    st.caption(f"Measured on the validation rows after each evaluated epoch, across the groups of "
               f"**{md(column) if column else 'the sensitive column'}**. 0 = every group treated alike. "
               + mitigation_text(train))
    cols = st.columns(3)
    with cols[0]:
        st.markdown("**Gap between groups**", help=HELP["fair_gaps"])
        gaps = feed.fairness_gaps()
        show(feed, "fair_gaps", lambda: fairness_gaps_figure(gaps, height=280),
             tuple(len(e) for e, _ in gaps.values()))
    with cols[1]:
        if st.session_state.get(keys.TRAIN_FAIR_METRIC) not in FAIR_METRIC_LABELS:
            st.session_state[keys.TRAIN_FAIR_METRIC] = "accuracy"
        metric = st.selectbox("Per group", list(FAIR_METRIC_LABELS), format_func=FAIR_METRIC_LABELS.get,
                              key=keys.TRAIN_FAIR_METRIC, help=HELP["fair_metric"])
        groups = feed.fairness_by_group(metric)
        show(feed, "fair_groups", lambda: group_metric_figure(groups, metric=metric, height=240),
             (metric, *(len(e) for e, _ in groups.values())))
    with cols[2]:
        st.markdown("**Accuracy against fairness**", help=HELP["fair_tradeoff"])
        acc = feed.epoch_series("val_accuracy")
        dpd = feed.fairness_gaps().get("demographic_parity_difference", (acc[0][:0], acc[1][:0]))
        show(feed, "fair_tradeoff", lambda: fairness_tradeoff_figure(*acc, *dpd, height=280),
             (len(acc[0]), len(dpd[0])))


def mitigation_text(train: dict) -> str:
    """'Mitigation: reweighing and a demographic-parity penalty (λ = 1).' or that there was none."""
    parts = []
    if train.get("reweigh"):
        parts.append("reweighing")
    penalty = PENALTY_NAMES.get(train.get("fairness_penalty", "none"))
    if penalty:
        parts.append(f"{penalty} (λ = {float(train.get('fairness_lambda', 1)):g})")
    return ("Mitigation: " + " and ".join(parts) + ".") if parts else "No mitigation while training."
