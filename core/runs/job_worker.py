"""An analysis job done by a worker process: a pool worker that claimed it (core/runs/queue.py), or, the
`spawn` way, a process of its own (`python -m core.runs.worker --job JOB_ID --home DIR`).

What a kind of job computes is core.analysis's (core/analysis/jobs.py: perform(store, job, progress,
folder) → the result file's name). Here: the progress callback, which notes the share done in the job's
row and ends the job when a Cancel was asked (read at most every CHECK_S, so a running job stops within
about a second of the click, at its next progress step); the job's end (done, failed with a message, or
cancelled); and the result file kept in the owner's space.
"""
from __future__ import annotations

import os
import sys
import time

from .job_table import read, result_folder, update_if

CHECK_S = 0.2


class Cancelled(Exception):
    """The job's owner pressed Cancel."""


def say(text: str) -> None:
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def progress_of(store, job_id: str):
    """The callback a computation reports its share done to (0..1); raises Cancelled once a Cancel was asked."""
    last = [0.0]

    def progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] < CHECK_S and fraction < 1.0:
            return
        last[0] = now
        store.db.execute("UPDATE jobs SET progress=?, updated=? WHERE id=? AND status='running'",
                         (float(min(1.0, max(0.0, fraction))), time.time(), job_id))
        if store.db.execute("SELECT cancel FROM jobs WHERE id=?", (job_id,)).fetchone()[0]:
            raise Cancelled()
    return progress


def do_job(store, job_id: str) -> str:
    """Do a job this process has claimed (status running, pid this process), to its end; returns its status."""
    from ..analysis.jobs import perform, problem_message
    job = read(store, job_id)
    say(f"job {job_id} ({job.kind}) started, pid {os.getpid()}")
    running = {"status": "running", "pid": os.getpid()}
    try:
        folder = result_folder(store.home, job.owner)
        folder.mkdir(parents=True, exist_ok=True)
        name = perform(store, job, progress_of(store, job_id), folder)
        update_if(store, job_id, running, status="done", progress=1.0, result=name, ended=time.time())
    except Cancelled:
        update_if(store, job_id, running, status="cancelled", message="Cancelled.", ended=time.time())
    except Exception as e:             # the reason in the job's row, in words; the log keeps the type
        say(f"job {job_id} failed: {type(e).__name__}: {e}")
        update_if(store, job_id, running, status="failed", message=problem_message(e), ended=time.time())
    finally:
        _done_in_registry(store)
    return read(store, job_id).status


def _done_in_registry(store) -> None:
    from .registry import finished_one
    try:
        finished_one(store, os.getpid())
    except Exception:
        pass


def run_job(job_id: str, home: str) -> int:
    """The `spawn` way: take the job (compare-and-set on its row: it was started for this process) and do it."""
    from .store import Store
    store = Store(home)
    try:
        if not update_if(store, job_id, {"status": "queued"}, status="running", pid=os.getpid(), started=time.time()):
            say(f"job {job_id} is not waiting any more; nothing to do")
            return 0
        return 0 if do_job(store, job_id) != "failed" else 1
    finally:
        store.close()
