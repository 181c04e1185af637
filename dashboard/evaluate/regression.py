"""The Evaluate page's view of a regressor: R², MAE and RMSE, predicted against actual, and the residuals."""
from __future__ import annotations

import streamlit as st

from core.analysis import regression_report

from .charts import predicted_vs_actual, residuals

PLAIN_CHART = {"displayModeBar": False}


def show_regression(preds, dataset) -> None:
    report = regression_report(preds.y_true, preds.y_pred)
    m = st.columns(4)
    m[0].metric("R²", f"{report.r2:.3f}",
                help="The share of the target's variation the network explains: 1 is perfect, 0 is no better "
                     "than always guessing the average, below 0 is worse than that.")
    m[1].metric("MAE", f"{report.mae:.4g}", help="Mean absolute error: how far off a prediction is on average, "
                                                 "in the target's own units.")
    m[2].metric("RMSE", f"{report.rmse:.4g}", help="Root mean squared error: like MAE, but large misses count more.")
    m[3].metric("Rows", report.n)
    a, b = st.columns(2)
    with a:
        st.subheader("Predicted vs actual")
        st.plotly_chart(predicted_vs_actual(report.y_true, report.y_pred, dataset.target), width="stretch",
                        config=PLAIN_CHART)
        st.caption("Dots on the dashed line are exact predictions; the further off the line, the bigger the miss.")
    with b:
        st.subheader("Residuals")
        st.plotly_chart(residuals(report.y_true, report.y_pred, dataset.target), width="stretch",
                        config=PLAIN_CHART)
        st.caption("Actual minus predicted. A good model scatters evenly around 0; a curve or a funnel shape "
                   "means it misses systematically.")
