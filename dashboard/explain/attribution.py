"""The SHAP values of a request: from this session, from the run's cache, or computed now with a progress
bar (after asking, when slow); and the words that say how they were made."""
from __future__ import annotations

import streamlit as st

from core.analysis import explain as xp
from dashboard import keys
from dashboard.text import md_plain as md

from .request import SPLITS, Request
from .session import cached, peek
from .slow import ask_before_slow, progress_bar


def attribution(ex, req: Request):
    """The SHAP values of the request: from this session, from the run's cache, or computed now with a
    progress bar (after asking, when slow). None when waiting for the user or after an error shown."""
    key = req.key(ex)
    att = peek("shap", key)
    if att is None:
        kwargs = dict(method=req.method, split=req.split, limit=req.rows, background=req.background)
        bar = None
        try:
            att = ex.shap(**kwargs, cached_only=True)
            if att is None:
                ids, X = ex.rows(req.split, req.rows)
                seconds = cached("estimate", key, lambda: xp.probe_seconds(
                    lambda k: ex.shap_rows(X[:k], req.method, background=req.background),
                    req.rows))
                if not ask_before_slow(seconds, "This explanation", keys.EXPLAIN_COMPUTE):
                    return None
                bar, update = progress_bar(f"Computing SHAP values of {req.rows:,} rows "
                                           f"({xp.METHODS[req.method].label})… click anything else to cancel.")
                att = ex.shap(**kwargs, progress=update)
                bar.empty()
        except Exception as e:            # shap's explainers raise many types; never show a traceback
            if bar is not None:
                bar.empty()
            st.error(f"{xp.METHODS[req.method].label} could not explain this network: {md(e)}")
            st.caption("Try Shapley sampling or the automatic method: they work for every network.")
            return None
        cached("shap", key, lambda: att)
    return att


def attribution_caption(att) -> str:
    """How the values were made: method, background, rows, time, and their error or additivity."""
    s = att.settings
    parts = [f"Method: **{xp.METHODS[att.method].label}** ({att.algorithm})",
             f"background: {s.get('background')} training rows",
             f"{len(att.rows):,} {SPLITS.get(s.get('split', 'test'), 'test')} rows explained",
             f"computed in {att.seconds:.2f} s"]
    err = att.estimated_error()
    if err is not None:
        parts.append(f"estimated error ≈ {err:.1%}")
    if xp.METHODS[att.method].additive:
        parts.append(f"base + sum matches the output to {att.additivity_max_error:.1e}")
    return " · ".join(parts) + (". Results are kept: coming back to them is instant. Long computations show a "
                                "progress bar; clicking anything else cancels them.")


def grouped_message(att) -> str | None:
    """Which text columns were one-hot encoded into several model inputs and explained as one."""
    if not att.grouped:
        return None
    parts = [f"**{md(c)}** ({len(inputs)} inputs)" for c, inputs in att.grouped.items()]
    return ("Text columns reach the network as one 0/1 input per category (one-hot). Each is explained as "
            "**one column** here — its value is the effect of all its inputs together: " + ", ".join(parts) + ".")
