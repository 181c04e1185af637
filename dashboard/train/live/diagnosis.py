"""The Diagnosis panel: what the run shown logged says about how it is going — each failure recognised
(core.analysis.diagnose) with its cause, its fix and its evidence, or one line saying none was found.
Read from the live feed, so it costs no read of its own; polled at the slow cadence while the run trains."""
from __future__ import annotations

import streamlit as st

from core.analysis.diagnose import diagnose, run_log
from dashboard import keys
from dashboard.text import md_plain as md

from .kept import feed_for

ICONS = {"error": ":material/error:", "warning": ":material/warning:"}
MIN_EPOCHS = 2          # logged epochs before the panel judges a run (one point says nothing of a trend)


def findings(feed, dataset) -> list:
    """The diagnoses of the feed's run from what the feed holds; empty before its first logged epochs."""
    if feed.run is None or len(feed.epoch_series("train_loss")[0]) < MIN_EPOCHS:
        return []
    n_classes = dataset.n_classes if dataset.task == "classification" else 0
    return diagnose(run_log(feed.run, feed.series, feed.events, dataset.task, n_classes))


def chart_marks(feed, dataset) -> list[dict]:
    """[{epoch, text}] of the findings the loss chart shows, to mark there."""
    return [{"epoch": d.epochs[0], "text": d.title.split(":")[0]} for d in findings(feed, dataset)
            if d.chart == "loss" and d.epochs]


def diagnosis_view(run_id: str, dataset) -> None:
    """The panel: each finding in a box of its own, or one line for a run with nothing wrong."""
    feed = feed_for(run_id)
    with st.container(border=True, key=keys.TRAIN_DIAGNOSIS_BOX):
        st.markdown("**Diagnosis** — what the logged numbers say about this run")
        if feed.run is None or len(feed.epoch_series("train_loss")[0]) < MIN_EPOCHS:
            st.caption("The diagnosis appears after the first few logged epochs.")
            return
        found = findings(feed, dataset)
        if not found:
            active = feed.run.status in ("queued", "running", "paused")
            st.success(("Nothing wrong so far" if active else "Healthy") + ": no sign of a common training "
                       "failure in the losses, gradients or units.", icon=":material/check_circle:")
            return
        for d in found:
            show_finding(d)


def show_finding(d) -> None:
    """One finding: its title, why, the fix, what shows it."""
    say = st.error if d.severity == "error" else st.warning
    say(f"**{md(d.title)}** ({d.code}) — {md(d.cause)}\n\n**Fix:** {md(d.fix)}\n\n**Seen:** {md(d.evidence)}",
        icon=ICONS.get(d.severity))
