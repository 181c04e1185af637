"""Where the gap comes from: proxies (columns that carry the group) and the SHAP gap (columns that push the
groups differently)."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.analysis import fairness as F
from dashboard import keys
from dashboard.text import md_plain as md

from .charts import PLAIN, proxies, shap_gaps
from .groups import Groups
from .help import HELP
from .run import Scored
from .session import cached
from .setup import Setup

SHAP_ROWS = 200                 # the same request as the report's, so either one fills the other's cache


def show_sources(store, run, sc: Scored, g: Groups, setup: Setup) -> None:
    """Proxies beside the SHAP gap."""
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Proxies:** columns that carry the group")
        show_proxies(run, sc, g)
    with c2:
        st.markdown("**SHAP gap:** which columns push the groups differently")
        show_shap_gap(store, run, sc, g, setup)


def show_proxies(run, sc: Scored, g: Groups) -> None:
    """Mutual information of each column with the group, on the training rows."""
    train = g.labels.get("train")
    if train is None:
        st.info("The training rows could not be grouped, so proxies cannot be measured.")
        return
    key = (run.id, run.updated, repr(g.grouping))
    try:
        table = cached("proxies", key, lambda: F.proxies(sc.dataset, train, exclude=g.grouping.columns))
    except (ValueError, F.FairnessError) as e:
        st.error(f"Proxies could not be measured: {md(e)}")
        return
    if table is not None and len(table):
        st.plotly_chart(proxies(table), config=PLAIN, key=keys.FAIR_CHART_PROXIES)
        st.caption("Mutual information with the group on the training rows (0 = tells nothing about it). "
                   "A model can learn the group from such columns even without the sensitive column itself.")


def show_shap_gap(store, run, sc: Scored, g: Groups, setup: Setup) -> None:
    """Mean SHAP value per group and column on the favourable class's log-odds (computed on request)."""
    att = _attribution(store, run)
    if att is None:
        return
    ds = sc.dataset
    try:
        groups, _ = F.group_labels(ds.raw.iloc[np.asarray(att.rows)], g.grouping)
    except F.FairnessError as e:
        st.info(f"The explained rows cannot be compared by group: {md(e)}")
        return
    values, unit = att.of(setup.favourable), att.unit(setup.favourable)   # log-odds of the favourable class
    gaps = F.attribution_gaps(values, att.features, groups)
    st.plotly_chart(shap_gaps(gaps, unit=unit), config=PLAIN, key=keys.FAIR_CHART_SHAP_GAP)
    fav = ds.class_names[setup.favourable]
    top = gaps.index[0]
    st.caption(f"Mean SHAP value per group over {len(att.rows)} test rows, on the {md(unit)} (positive pushes "
               f"towards '{md(fav)}'). "
               f"'{md(top)}' pushes the groups most differently (gap {gaps['gap'].iloc[0]:.3f}).")


def _attribution(store, run):
    """The SHAP values of the run's first test rows: cached in the run's folder, or computed when the button
    is pressed; None until then or after a message."""
    from dashboard.explain import open_explainer
    ex = open_explainer(store, run, "last")
    if ex is None:
        return None
    att = ex.shap(limit=SHAP_ROWS, cached_only=True)
    if att is not None:
        return att
    box = st.empty()
    with box.container():
        st.caption(f"SHAP values of {SHAP_ROWS} test rows are not computed yet for this run (they take a few "
                   "seconds; the Explain page and the report use the same ones).")
        go = st.button("Compute the SHAP gap", key=keys.FAIR_SHAP, icon=":material/calculate:", help=HELP["shap"])
    if not go:
        return None
    box.empty()
    with st.spinner("Computing SHAP values…"):
        try:
            return ex.shap(limit=SHAP_ROWS)
        except (ValueError, RuntimeError, MemoryError) as e:
            st.error(f"SHAP values could not be computed: {md(e)}")
            return None
