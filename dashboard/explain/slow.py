"""Long computations: asked for first when the estimate is long (then done as a job of the server's workers:
jobs.py); quick ones shown with a progress bar while the page computes them."""
from __future__ import annotations

import time

import streamlit as st

from core import limits

from .help import HELP


def is_slow(seconds: float) -> bool:
    """Whether a request estimated at `seconds` is asked for first and done by a worker of the server."""
    return seconds > limits.current().max_inline_explain_seconds


def progress_bar(text: str):
    """A progress bar and a callback feeding it (at most ~10 updates a second)."""
    bar = st.progress(0.0, text=text)
    last = [0.0]

    def update(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] > 0.1 or fraction >= 1.0:
            last[0] = now
            bar.progress(float(min(1.0, max(0.0, fraction))), text=text)
    return bar, update


def ask_before_slow(seconds: float, what: str, key: str) -> bool:
    """True when the work may start: it is quick, or the user pressed the button under the estimate."""
    if not is_slow(seconds):
        return True
    box = st.empty()
    with box.container():
        st.warning(f"{what} will take about **{seconds:,.0f} s** on this machine. Lower **Rows to explain** or "
                   "**Background rows** above, or pick a faster method — or start it now.", icon=":material/timer:")
        go = st.button(f"Compute (about {seconds:,.0f} s)", key=key, type="primary", icon=":material/play_arrow:",
                       help=HELP["compute"])
    if go:
        box.empty()
    return go
