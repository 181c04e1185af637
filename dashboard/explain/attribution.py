"""The SHAP values of a request: from this session, from the run's cache, computed now with a progress bar
when quick, or (after asking, when slow) as a job of the server's workers; and the words that say how they
were made."""
from __future__ import annotations

import streamlit as st

from core.analysis import explain as xp
from core.analysis.explain.stored import load_npz
from dashboard import keys
from dashboard.text import md_plain as md

from .request import SPLITS, Request
from .jobs import as_job, pending
from .session import cached, peek
from .slow import ask_before_slow, is_slow, progress_bar


def attribution(ex, req: Request):
    """The SHAP values of the request: from this session, from a job done for it, from the run's cache, or
    computed: in the page with a progress bar when quick, else (after asking) as a job of the server's workers.
    None when waiting for the user or the job, or after an error shown."""
    key = req.key(ex)
    att = peek("shap", key)
    if att is None:
        try:
            att = _found_or_computed(ex, req, key)
        except Exception as e:            # shap's explainers raise many types; never show a traceback
            st.error(f"{xp.METHODS[req.method].label} could not explain this network: {md(e)}")
            st.caption("Try Shapley sampling or the automatic method: they work for every network.")
            return None
        if att is None:
            return None
        cached("shap", key, lambda: att)
    return att


def job_request(ex, req: Request) -> dict:
    """What a SHAP job of this request asks (JSON)."""
    return {"run": ex.run_id, "checkpoint": ex.checkpoint, "epoch": int(ex.loaded.epoch), "method": req.method,
            "split": req.split, "rows": req.rows, "background": req.background}


def _found_or_computed(ex, req: Request, key):
    request = job_request(ex, req)
    what = f"SHAP values of {req.rows:,} rows ({xp.METHODS[req.method].label})"

    def as_a_job(ask=lambda: True):
        return as_job("shap", request, what, keys.EXPLAIN_COMPUTE, load_npz, ask)
    if pending("shap", request) is not None:
        return as_a_job()
    att = ex.shap(method=req.method, split=req.split, limit=req.rows, background=req.background, cached_only=True)
    if att is not None:
        return att
    _, X = ex.rows(req.split, req.rows)
    seconds = cached("estimate", key, lambda: xp.probe_seconds(
        lambda k: ex.shap_rows(X[:k], req.method, background=req.background), req.rows))
    if is_slow(seconds):
        return as_a_job(lambda: ask_before_slow(seconds, "This explanation", keys.EXPLAIN_COMPUTE))
    bar, update = progress_bar(f"Computing SHAP values of {req.rows:,} rows ({xp.METHODS[req.method].label})…")
    try:
        return ex.shap(method=req.method, split=req.split, limit=req.rows, background=req.background,
                       progress=update)
    finally:
        bar.empty()


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
    return " · ".join(parts) + (". Results are kept: coming back to them is instant. Long computations are done "
                                "by a worker of the server, with a progress bar and a Cancel button.")


def grouped_message(att) -> str | None:
    """Which text columns were one-hot encoded into several model inputs and explained as one."""
    if not att.grouped:
        return None
    parts = [f"**{md(c)}** ({len(inputs)} inputs)" for c, inputs in att.grouped.items()]
    return ("Text columns reach the network as one 0/1 input per category (one-hot). Each is explained as "
            "**one column** here — its value is the effect of all its inputs together: " + ", ".join(parts) + ".")
