"""The controls of a run that trains: Pause, Resume, Step, Stop and the live learning rate.

Each button sends a request through the run store (core.runs.executor) and waits a moment for the worker to
take it up, so the page redraws the run in its new state. A refusal is kept to show on the next run
(notices), like the toast a change of learning rate or a repeated Start leaves.
"""
from __future__ import annotations

import streamlit as st

from core.runs import executor as jobs
from core.spec import SpecError
from core.runs import Run, Store, StoreError
from dashboard import keys

from .number_boxes import LIVE_LR, box_problem
from .resync import resync
from .wording import HELP

CONFIRM_WAIT_S = 1.0     # how long a control's click waits for the worker to confirm before the page redraws


def act(action, store: Store, run_id: str, *args) -> None:
    """A control button's callback: send the request and wait a moment for the worker to take it up, so
    the page redraws the run in its new state; keep any refusal to show it on the page."""
    try:
        action(store, run_id, *args, wait=CONFIRM_WAIT_S)
    except (jobs.JobError, SpecError, StoreError) as e:
        st.session_state[keys.TRAIN_MESSAGE] = str(e)


def notices() -> None:
    """What the last control or Start press said, once: a toast, or a warning for a refused request."""
    if toast := st.session_state.pop(keys.TRAIN_TOAST, None):
        st.toast(toast)
    if message := st.session_state.pop(keys.TRAIN_MESSAGE, None):
        st.warning(message)


def controls(store: Store, run: Run) -> None:
    """Pause / Resume / Step / Stop and the live learning-rate box for an active run."""
    pausing = run.control in ("pause", "step")
    stopping = run.control == "stop"
    n = 3 if pausing else 2
    cols = st.columns([1.1] * n + [1.4, 1.6], vertical_alignment="bottom")
    if pausing:
        cols[0].button("Resume", icon=":material/play_arrow:", type="primary", key=keys.TRAIN_RESUME,
                       on_click=act, args=(jobs.resume, store, run.id), disabled=stopping,
                       help="Carry on training from where it paused.", width="stretch")
        cols[1].button("Step", icon=":material/skip_next:", key=keys.TRAIN_STEP, on_click=act,
                       args=(jobs.step, store, run.id), disabled=stopping or run.status != "paused",
                       help="Train on one more batch, then pause again: watch a single update.", width="stretch")
    else:
        cols[0].button("Pause", icon=":material/pause:", key=keys.TRAIN_PAUSE, on_click=act,
                       args=(jobs.pause, store, run.id), disabled=stopping,
                       help="Hold training where it is; then step one batch at a time or resume.", width="stretch")
    cols[n - 1].button("Stopping…" if stopping else "Stop", icon=":material/stop:", key=keys.TRAIN_STOP,
                       on_click=act, args=(jobs.stop, store, run.id), disabled=stopping,
                       help="End this run now; its last checkpoint is kept.", width="stretch")
    box = keys.live_lr(run.id)
    if box not in st.session_state or resync("controls"):
        st.session_state[box] = float(st.session_state.get(box) or run.lr_request or run.train.get("lr", 0.01))
    cols[n].number_input("Learning rate (live)", step=0.001, format="%.4g", key=box, help=HELP["live_lr"])
    cols[n + 1].button("Change learning rate", key=keys.TRAIN_SET_LR, on_click=_set_lr, args=(store, run.id, box),
                       disabled=stopping, width="stretch")


def _set_lr(store: Store, run_id: str, box: str) -> None:
    """The live learning-rate box's button: a value outside what the box takes is refused with words."""
    value = st.session_state[box]
    problem = box_problem(LIVE_LR, value)
    if problem:
        st.session_state[keys.TRAIN_MESSAGE] = problem
        return
    try:
        jobs.set_lr(store, run_id, float(value))
    except (SpecError, StoreError) as e:
        st.session_state[keys.TRAIN_MESSAGE] = str(e)
    else:
        st.session_state[keys.TRAIN_TOAST] = f"Learning rate set to {value:g}"
