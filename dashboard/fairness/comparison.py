"""The mitigations compared: accuracy against a disparity (one point per variant), the numbers side by side,
each group's selection rate variant by variant, and the fitted group thresholds."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import keys
from dashboard.state import choose
from dashboard.text import md_plain as md

from .charts import PLAIN, pareto
from .help import HELP
from .mitigations import Variant

PARETO_X = {"demographic_parity_difference": "DP difference", "equalized_odds_difference": "EO difference"}


def show_comparison(variants: list[Variant]) -> None:
    choose(keys.FAIR_PARETO_X, list(PARETO_X), "demographic_parity_difference")
    x = st.radio("Fairness axis", list(PARETO_X), key=keys.FAIR_PARETO_X, format_func=PARETO_X.get, horizontal=True,
                 help=HELP["pareto_x"])
    points = pd.DataFrame([{"name": v.name, "kind": v.kind, "accuracy": v.accuracy,
                            "demographic_parity_difference": v.demographic_parity_difference,
                            "equalized_odds_difference": v.equalized_odds_difference} for v in variants])
    c1, c2 = st.columns([1, 1])
    c1.plotly_chart(pareto(points, x, PARETO_X[x]), config=PLAIN, key=keys.FAIR_CHART_PARETO)
    summary = points.rename(columns={"name": "variant", "demographic_parity_difference": "DP difference",
                                     "equalized_odds_difference": "EO difference"}).drop(columns=["kind"])
    c2.dataframe(summary, hide_index=True, width="stretch", key=keys.FAIR_VARIANTS,
                 column_config={"variant": st.column_config.TextColumn(width="medium"),
                                "accuracy": st.column_config.NumberColumn(format="percent", width="small"),
                                "DP difference": st.column_config.NumberColumn("DP diff.", format="%.3f",
                                                                               width="small"),
                                "EO difference": st.column_config.NumberColumn("EO diff.", format="%.3f",
                                                                               width="small")})
    st.markdown("**Selection rate per group, variant by variant**")
    rates = pd.DataFrame({v.name: v.selection for v in variants})
    rates.index = [str(i) for i in rates.index]
    st.dataframe(rates.rename_axis("group").reset_index(), hide_index=True, width="stretch",
                 column_config={v.name: st.column_config.NumberColumn(format="percent") for v in variants})
    details = [v for v in variants if v.detail and v.kind == "threshold"]
    if details:
        with st.expander("The fitted group thresholds", icon=":material/rule:"):
            for v in details:
                st.markdown(f"- **{md(v.name)}** — {md(v.detail)}")
            st.caption("fairlearn may mix two thresholds at random for a group to meet the constraint exactly.")
