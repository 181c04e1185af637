"""Pause, resume or stop every run of the class at once (Stop asks first), and the class's results as CSV."""
from __future__ import annotations

import time

import streamlit as st

from core.classroom import active_count, pause_all, results_csv, resume_all, stop_all
from core.runs import StoreError
from dashboard import keys

from .flash import flash, show_flash


def _said(outcome, did: str, none: str) -> None:
    n = len(outcome.done)
    text = f"{did} {n} run{'s' if n != 1 else ''}." if n else none
    if outcome.refused:
        text += f" {len(outcome.refused)} had ended meanwhile."
    flash("controls", "success" if n else "info", text)


def _pause(view) -> None:
    _said(pause_all(view), "Paused", "No run is training or waiting: nothing to pause.")


def _resume(view) -> None:
    _said(resume_all(view), "Resumed", "No run is paused.")


def _stop(view) -> None:
    st.session_state.pop(keys.CLASS_ASK_STOP, None)
    _said(stop_all(view), "Stopped", "No run is training, waiting or paused: nothing to stop.")


def class_controls(view) -> None:
    """The three buttons, the confirmation Stop all asks for, and what the last one did."""
    active, students = active_count(view)
    st.caption(f"Now: {active} run{'s' if active != 1 else ''} of {students} student{'s' if students != 1 else ''} "
               "training, waiting or paused. Pause all freezes every run where it is — to explain something "
               "while everyone looks — and Resume all lets them go on.")
    cols = st.columns(3)
    cols[0].button("Pause all", key=keys.CLASS_PAUSE_ALL, on_click=_pause, args=(view,), icon=":material/pause:", width="stretch")
    cols[1].button("Resume all", key=keys.CLASS_RESUME_ALL, on_click=_resume, args=(view,), icon=":material/play_arrow:",
                   width="stretch")
    if cols[2].button("Stop all…", key=keys.CLASS_STOP_ALL, icon=":material/stop:", width="stretch"):
        st.session_state[keys.CLASS_ASK_STOP] = True
    if st.session_state.get(keys.CLASS_ASK_STOP):
        with st.container(border=True):
            st.warning(f"Stop all {active} active runs of the class? Each keeps the weights it has and can be "
                       "resumed from its student's Train page.", icon=":material/warning:")
            yes, no = st.columns(2)
            yes.button("Yes, stop every run", key=keys.CLASS_STOP_YES, on_click=_stop, args=(view,), type="primary",
                       width="stretch")
            no.button("Cancel", key=keys.CLASS_STOP_NO, width="stretch",
                      on_click=lambda: st.session_state.pop(keys.CLASS_ASK_STOP, None))
    show_flash("controls")


DOWNLOAD_EVERY_S = 5.0


def download(view) -> None:
    """The class's results, one row a run, as a CSV file kept up to date every DOWNLOAD_EVERY_S seconds."""
    st.fragment(_download, run_every=DOWNLOAD_EVERY_S)(view)


def _download(view) -> None:
    # The file is made with the page, not when the button is pressed: a file made on a press is held by no
    # page, and the server drops such files once two page updates (anyone's) have finished — in a class
    # of thirty, often before the browser has fetched it. A file a page shows is kept while it shows it.
    try:
        data = results_csv(view)
    except StoreError as e:
        st.warning(f"The class's results cannot be read now ({e}); the button comes back when they can.",
                   icon=":material/warning:")
        return
    st.download_button("Download the class's results (CSV)", data=data, key=keys.CLASS_DOWNLOAD,
                       file_name=f"class-results-{time.strftime('%Y-%m-%d-%H%M')}.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore",
                       help="One row a run: student, run, status, epochs, its settings and its final metrics, "
                            f"as of the last {DOWNLOAD_EVERY_S:g} seconds.")
