"""The whole model: which columns matter (mean |SHAP| bars), every row and column (a beeswarm), and how
one column's effect depends on its value (a dependence plot). Digits get pixel maps instead."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import keys
from dashboard.state import choose
from dashboard.text import md_plain as md

from .charts import PLAIN, beeswarm, dependence, importance_bars
from .digits import show_global_pixels
from .help import HELP
from .rows import Rows, image_of
from .view import View, view_values


def normalised(codes: np.ndarray, kinds: list) -> np.ndarray:
    """Each column's values scaled to 0 (low) … 1 (high) for colouring: numbers between their 5th
    and 95th percentile, text columns by category index. NaN where a column has one value only."""
    codes = np.asarray(codes, float)
    out = np.full(codes.shape, np.nan)
    for j, cats in enumerate(kinds):
        v = codes[:, j]
        if cats is not None:
            if len(cats) > 1:
                out[:, j] = v / (len(cats) - 1)
            continue
        lo, hi = np.nanpercentile(v, 5), np.nanpercentile(v, 95)
        if hi <= lo:
            lo, hi = np.nanmin(v), np.nanmax(v)
        if hi > lo:
            out[:, j] = np.clip((v - lo) / (hi - lo), 0, 1)
    return out


def show_global(ex, att, view: View, rows: Rows) -> None:
    """The whole-model view of the explained rows."""
    ds = ex.dataset
    values, _, _ = view_values(att, view)
    importance = dict(zip(att.features, np.abs(values).mean(0)))
    if (image := image_of(ds, list(importance.values()))) is not None:
        show_global_pixels(ds, image, values, view, rows)
        return
    _importance(importance, view)
    kinds = ds.column_kinds()
    _beeswarm(att, values, view, rows, [kinds[c] for c in att.features])
    _dependence(att, values, view, rows, importance, kinds)


def _importance(importance: dict, view: View) -> None:
    st.subheader("Which columns matter")
    many = len(importance) > 30
    st.plotly_chart(importance_bars(importance, f"mean |SHAP value| · {view.label}"), width="stretch",
                    config=PLAIN, key=keys.EXPLAIN_GLOBAL_BARS)
    st.caption("How much each column moves the network's output on average, in either direction (the mean of "
               "the absolute SHAP values over the explained rows)."
               + (" Only the 30 most important columns are drawn." if many else ""))


def _beeswarm(att, values, view: View, rows: Rows, kind_list: list) -> None:
    st.subheader("Every row, every column")
    st.plotly_chart(beeswarm(values, att.features, normalised(rows.codes, kind_list), rows.texts,
                             xlabel=f"SHAP value · {view.label}"),
                    width="stretch", config=PLAIN, key=keys.EXPLAIN_GLOBAL_SWARM)
    st.caption("Each dot is one row. Right of the line, the column pushed this row's output up; left, down. "
               "The colour is the column's value in that row: red high, blue low (text columns: by category, "
               "in alphabetical order). Red dots on the right mean 'the higher this column, the higher the output'.")


def _dependence(att, values, view: View, rows: Rows, importance: dict, kinds: dict) -> None:
    st.subheader("How one column's effect depends on its value")
    order = list(importance)                      # columns in the original order
    ranked = sorted(order, key=lambda c: -importance[c])
    choose(keys.EXPLAIN_FEATURE, order, ranked[0])
    colour_options = ["(none)"] + order
    choose(keys.EXPLAIN_COLOUR, colour_options, ranked[1] if len(ranked) > 1 else "(none)")
    a, b = st.columns(2)
    feature = a.selectbox("Column", order, key=keys.EXPLAIN_FEATURE, help=HELP["feature"])
    colour = b.selectbox("Colour by", colour_options, key=keys.EXPLAIN_COLOUR, help=HELP["colour"])
    j = att.features.index(feature)
    cj = att.features.index(colour) if colour != "(none)" else None
    st.plotly_chart(dependence(rows.codes[:, j], values[:, j], feature, categories=kinds[feature],
                               colour=rows.codes[:, cj] if cj is not None else None,
                               colour_name=colour if cj is not None else None,
                               colour_categories=kinds[colour] if cj is not None else None,
                               ylabel=f"SHAP value of {feature} · {view.label}"),
                    width="stretch", config=PLAIN, key=keys.EXPLAIN_GLOBAL_DEPENDENCE)
    st.caption(f"Each dot is one row: how far **{md(feature)}** moved the output (up or down) against its value. "
               "A rising cloud means the network learned 'more is higher'; a spread at one value means the effect "
               "depends on other columns — colour by one of them to see which.")
