"""Long explanations as jobs of the workspace's workers (core.runs.executor's submit_job): Compute queues
one; the page shows its place in line or its progress (a polling fragment) and a Cancel button, and, once it
is done, its result read from the job's file. A page left and opened again finds its job; a failed one says
why and offers to try again."""
from __future__ import annotations

import streamlit as st

from core.runs import executor
from core.runs.job_table import keep_input
from core.runs.queue import JobError
from core.runs.scope import owner_of
from dashboard.state import store
from dashboard.text import md_plain as md

POLL_S = 0.5


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st…"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def pending(kind: str, request: dict):
    """This person's newest job asking exactly `request`, unless there is none or it was cancelled."""
    job = executor.find_job(store(), kind, request)
    return None if job is None or job.status == "cancelled" else job


def keep_uploads(files: tuple) -> None:
    """Keep an uploaded model and table (bytes) in the person's space, where a job reads them."""
    home, owner = store().home, owner_of(store())
    for data, suffix in zip(files, ("onnx", "csv")):
        keep_input(home, owner, data, suffix)


def as_job(kind: str, request: dict, what: str, key: str, load, ask):
    """The result of the job asking `request` (read by `load(path)`), or None while there is none yet: then
    the question `ask()` draws (True once Compute is pressed: the job is queued), the job's place in line or
    progress, or its failure and a way to try again."""
    job = executor.find_job(store(), kind, request)
    if job is not None and job.status == "done":
        try:
            return load(executor.job_result(store(), job.id))
        except Exception as e:            # a result file gone or unreadable: say so and offer to compute again
            st.warning(f"The result of the last computation could not be read ({md(e)}); compute it again.")
            job = None
    if job is not None and job.active:
        _watch(job.id, what, key)
        return None
    if job is not None and job.status == "failed":
        st.error(f"{what} could not be computed: {md(job.message or 'no reason was given')}")
        if not st.button("Try again", key=f"{key}_again", icon=":material/refresh:"):
            return None
    elif not ask():
        return None
    try:
        job_id = executor.submit_job(store(), kind, request)
    except JobError as e:
        st.warning(md(e), icon=":material/hourglass:")
        return None
    _watch(job_id, what, key)
    return None


@st.fragment(run_every=POLL_S)
def _watch(job_id: str, what: str, key: str) -> None:
    """The job's place in line or progress, polled; the whole page is drawn again when it ends."""
    job = executor.job_status(store(), job_id)
    if not job.active:
        st.rerun()
    if job.status == "queued":
        place = executor.job_place(store(), job_id)
        where = f"**{ordinal(place)} in line**" if place else "starting"
        st.info(f"{what} waits for a worker of the server: {where}. You may leave this page: it is computed "
                "meanwhile, and shown when you come back.", icon=":material/hourglass_top:")
    else:
        text = "Cancelling…" if job.cancel else f"{what}: {job.progress:.0%} done by a worker of the server"
        st.progress(float(job.progress), text=text)
    if st.button("Cancel", key=f"{key}_cancel", icon=":material/close:", disabled=bool(job.cancel)):
        executor.cancel_job(store(), job_id)
        st.rerun()
