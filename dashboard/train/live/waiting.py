"""A run waiting in line for a worker: its place and about how long until it starts, redrawn at every poll.

Runs start in turn between people (core/runs/queue.py): the place and the wait come from the executor's
queue_position, the wait from how fast recent runs trained.
"""
from __future__ import annotations

import streamlit as st

from core.runs import Run, Store
from core.runs import executor as jobs
from dashboard import keys

from ..charts import format_seconds


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def waiting_text(place: int, seconds: float | None, paused: bool = False) -> str:
    """'**3rd in line**, about 40 s' — or that it starts now, or the place alone before any run was timed."""
    if place == 1 and seconds is not None and seconds < 1:
        text = "**Next in line**: a worker is free, it starts in a moment"
    else:
        text = f"**{'Next' if place == 1 else ordinal(place)} in line**"
        if seconds is not None:
            text += f", about {format_seconds(max(1.0, round(seconds)))}"
        text += " — every person's runs take turns on the server's workers"
    return text + (". It will start paused." if paused else ".")


def show_waiting(store: Store, run: Run) -> None:
    """The run's place in line, when it waits for a worker (in a container of its own: st-key-train-waiting)."""
    if run.status != "queued" or run.pid is not None:
        return
    place = jobs.queue_position(store, run.id)
    if place is None:
        return
    with st.container(key=keys.TRAIN_WAITING_BOX):
        st.markdown(waiting_text(place[0], place[1], paused=run.control in ("pause", "step")))
