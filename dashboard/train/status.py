"""The run's status badge: what it is doing, or the request on its way to its worker."""
from __future__ import annotations

import streamlit as st

from core.runs import ACTIVE, Run
from dashboard import keys

STATUS_BADGE = {"queued": ("starting", "gray", ":material/hourglass_top:"),
                "running": ("training", "blue", ":material/play_arrow:"),
                "paused": ("paused", "orange", ":material/pause:"),
                "finished": ("finished", "green", ":material/check_circle:"),
                "stopped": ("stopped", "gray", ":material/stop:"),
                "diverged": ("diverged", "red", ":material/warning:"),
                "failed": ("failed", "red", ":material/error:"),
                "interrupted": ("interrupted", "orange", ":material/report:")}

WAITING_BADGE = ("waiting", "gray", ":material/schedule:")     # queued, no worker has taken it yet

# a request the worker has not taken up yet: what the badge says meanwhile
PENDING_BADGE = {"pause": ("pausing…", "orange", ":material/hourglass_top:"),
                 "stop": ("stopping…", "gray", ":material/hourglass_top:"),
                 "run": ("resuming…", "blue", ":material/hourglass_top:")}


def badge_for(run: Run) -> tuple[str, str, str | None]:
    """(label, colour, icon) of a run's status badge: its status, or the request on its way to the worker."""
    pending = {("running", "pause"): "pause", ("queued", "pause"): "pause", ("paused", "run"): "run"}.get(
        (run.status, run.control))
    if run.control == "stop" and run.status in ACTIVE:
        pending = "stop"
    elif run.status == "queued" and run.pid is None:
        return WAITING_BADGE
    if pending:
        return PENDING_BADGE[pending]
    return STATUS_BADGE.get(run.status, (run.status, "gray", None))


def status_badge(run: Run) -> None:
    """The run's status as a badge, in a container of its own (class st-key-train-status) whose text
    changes the moment a Pause, Resume or Stop takes effect."""
    label, color, icon = badge_for(run)
    with st.container(key=keys.TRAIN_STATUS_BOX):
        st.badge(label, color=color, icon=icon)
