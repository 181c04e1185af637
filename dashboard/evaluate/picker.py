"""The Evaluate page's choices: which run, which of its saved weights, and which rows to judge it on."""
from __future__ import annotations

import streamlit as st

from core.analysis import SPLIT_LABELS
from dashboard import keys
from dashboard.state import choose_run, set_current_run

CHECKPOINTS = {"last": "Last epoch", "best": "Best epoch (lowest validation loss)"}


def run_picker(runs) -> tuple:
    """(run, checkpoint, split) chosen; the run shown is the URL's, else the one chosen before, else the
    newest finished one — and it becomes the URL's run."""
    by_id = choose_run(keys.EVAL_RUN, runs)
    st.session_state.setdefault(keys.EVAL_CHECKPOINT, "last")
    st.session_state.setdefault(keys.EVAL_SPLIT, "test")
    st.session_state.setdefault(keys.EVAL_THRESHOLD, 0.5)
    st.session_state.setdefault(keys.EVAL_WORST_N, 12)

    c1, c2, c3 = st.columns([3, 2, 2])
    run_id = c1.selectbox(
        "Run", list(by_id), key=keys.EVAL_RUN,
        format_func=lambda i: f"{by_id[i].name} · {by_id[i].dataset.get('name', '')} · {by_id[i].status}",
        help="A trained run to judge. Runs that are still training appear once they finish or are stopped.")
    set_current_run(run_id)
    checkpoint = c2.radio(
        "Weights", list(CHECKPOINTS), key=keys.EVAL_CHECKPOINT, format_func=CHECKPOINTS.get, horizontal=False,
        help="Which saved weights to judge: those after the last epoch, or those of the epoch where the "
             "validation loss was lowest (before the network began to overfit, if it did).")
    split = c3.radio(
        "Data to judge on", list(SPLIT_LABELS), key=keys.EVAL_SPLIT, format_func=lambda s: f"{SPLIT_LABELS[s]} rows",
        help="Test rows were never used in training or for choosing the best epoch: the fairest judge. "
             "Training rows show how well the network fits what it learned from — compare the two to spot "
             "overfitting.")
    return by_id[run_id], checkpoint, split
