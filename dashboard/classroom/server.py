"""The server as the teacher sees it, polled: the runs waiting for a worker (who, their place, about how
long), how busy the workers are, the load average and the memory in use."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.classroom import machine, waiting_runs, workers
from core.runs import StoreError
from dashboard.text import md_plain as md
from dashboard.train.charts import format_seconds

POLL_S = 3.0


def _bytes(n: int) -> str:
    return f"{n / 2 ** 30:.1f} GB"


def load_line() -> str:
    """'The machine: load 3.2 on 2 cores (1-minute average; 2.5 over 15 minutes) · memory 7.1 GB of 23.5 GB in
    use.', or that the system does not tell."""
    m = machine()
    parts = []
    if m.load is not None:
        parts.append(f"load {m.load[0]:.1f} on {m.cores} core{'s' if m.cores != 1 else ''} (1-minute average; "
                     f"{m.load[2]:.1f} over 15 minutes)")
    if m.memory_used_fraction is not None:
        parts.append(f"memory {_bytes(m.memory_total - m.memory_available)} of {_bytes(m.memory_total)} in use")
    return ("The machine: " + " · ".join(parts) + ".") if parts else "This system does not tell its load or memory."


def workers_line(w) -> str:
    """'Workers: 2 of 2 busy (2 started) · 3 runs waiting.'"""
    waiting = f"{w.waiting} run{'s' if w.waiting != 1 else ''} waiting for a worker"
    if w.own_each:
        return f"Every run has a worker process of its own · {waiting}."
    return f"Workers: {w.busy} of {w.size} busy ({w.alive} started) · {waiting}."


def wait_words(seconds: float | None) -> str:
    if seconds is None:
        return "not known yet"
    return "starts now" if seconds < 1 else f"about {format_seconds(max(1.0, round(seconds)))}"


def queue_table(waiting) -> pd.DataFrame:
    return pd.DataFrame([{"place": w.place, "student": w.student, "run": w.run, "starts in": wait_words(w.seconds),
                          "paused": "starts paused" if w.paused else ""} for w in waiting],
                        columns=["place", "student", "run", "starts in", "paused"])


def server_view(view) -> None:
    st.fragment(_server, run_every=POLL_S)(view)


def _server(view) -> None:
    try:
        w, waiting = workers(view), waiting_runs(view)
    except StoreError as e:
        st.error(f"The queue cannot be read now: {md(e)}")
        return
    st.markdown(md(workers_line(w)) + "  \n" + md(load_line()))
    if waiting:
        table = queue_table(waiting)
        if not table["paused"].any():
            table = table.drop(columns=["paused"])
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "place": st.column_config.NumberColumn("place", format="%d", width=60,
                                                   help="1 starts next: every student's runs take turns."),
            "run": st.column_config.TextColumn("run", width=200)})
    else:
        st.caption("Nobody waits: every run has a worker.")
