"""LIME around one row: a straight line fitted to the network's answers near it, its weights as bars, its
local fit, and on request its stability over several random seeds."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.analysis import explain as xp
from dashboard import keys
from dashboard.text import md_plain as md

from .charts import PLAIN, lime_bars
from .help import HELP
from .session import cached, peek
from .view import View

LIME_SEEDS = 5


def lime_of(ex, codes: np.ndarray, class_index: int | None):
    """LIME's explanation of a row (one number per original column), once per session."""
    return cached("lime", (ex.run_id, str(ex.checkpoint), ex.loaded.epoch, class_index, tuple(codes)),
                  lambda: ex.lime(codes, class_index or 0))


def show_lime(ex, codes: np.ndarray, view: View):
    """The LIME panel of a row; returns LIME's explanation, or None after showing why there is none."""
    try:
        lime = lime_of(ex, codes, view.class_index)
    except Exception as e:
        st.error(f"LIME could not explain this row: {md(e)}")
        return None
    key = (ex.run_id, str(ex.checkpoint), view.class_index, tuple(codes))
    stab = peek("stability", key)
    labels = [lime.rules.get(c, c) for c in lime.features]
    what = view.label                        # the same unit as SHAP's
    if stab is not None:
        mean, std, _ = stab
        st.plotly_chart(lime_bars(labels, mean, std, xlabel=f"LIME weight · {what}"), width="stretch",
                        config=PLAIN, key=keys.EXPLAIN_ROW_LIME)
    else:
        st.plotly_chart(lime_bars(labels, lime.weights, xlabel=f"LIME weight · {what}"), width="stretch",
                        config=PLAIN, key=keys.EXPLAIN_ROW_LIME)
    st.caption(f"LIME changes this row at random {lime.samples:,} times, asks the network, and fits a straight "
               f"line to the answers near the row. Each bar is one rule's weight on the {md(what)}. The line "
               f"explains **R² = {lime.score:.2f}** of the network's answers there (its local fidelity: 1 is a "
               "perfect fit, near 0 means the weights say little).")
    if stab is None:
        _stability_button(ex, codes, view, key)
    else:
        _stability_caption(stab)
    return lime


def _stability_button(ex, codes: np.ndarray, view: View, key: tuple) -> None:
    if st.button(f"Check LIME's stability ({LIME_SEEDS} seeds)", key=keys.EXPLAIN_STABILITY,
                 icon=":material/science:", help=HELP["stability"]):
        try:
            with st.spinner(f"Running LIME {LIME_SEEDS} times…"):
                cached("stability", key, lambda: xp.lime_stability(ex.model, ex.dataset, codes,
                                                                   view.class_index or 0, seeds=LIME_SEEDS))
        except Exception as e:
            st.error(f"LIME's stability check failed: {md(e)}")
        else:
            st.rerun()


def _stability_caption(stab) -> None:
    _, _, runs = stab
    tops = {tuple(sorted(np.argsort(-np.abs(r.weights))[:3])) for r in runs}
    st.caption(f"Bars: the mean over {LIME_SEEDS} random seeds; whiskers: ± one standard deviation. "
               + ("The top 3 columns are the same for every seed: LIME is stable here."
                  if len(tops) == 1 else
                  f"The top 3 columns change between seeds ({len(tops)} different sets): read LIME's "
                  "ranking here with care.")
               + " A whisker that crosses zero means even the direction is uncertain.")
