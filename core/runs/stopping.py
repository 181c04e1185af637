"""What recover() and stop() need to know about a run whose worker is gone or will not stop.

A stop is a request the worker takes up within a fraction of a second. Its time is noted (a
'stop_requested' event); a worker that has not stopped STOP_GRACE_S later is ended (SIGTERM, then
SIGKILL, to its process group) and the run marked stopped — by stop() itself when it waits that long,
else by the next recover() or stop(). A worker that died instead leaves its reason in its log, read here.
"""
from __future__ import annotations

import time

from .placements import host, ray_worker_of
from .processes import end_process
from .registry import trains
from .store import ACTIVE, Run, Store

STOP_GRACE_S = 10.0
STARTED = "glassnet worker started:"                       # the worker's log lines that recover() reads
UNRECORDED = "glassnet worker could not record the run's end:"
STOP_REQUESTED = "stop_requested"
FORCED = ("stopped: its worker did not stop within {grace:g} s of the request, so it was ended "
          "(the weights of its last checkpoint are kept)")


def request_stop(store: Store, run_id: str) -> bool:
    """Ask an active run to stop (compare-and-set on its row); the first request notes its time. True
    when this call made the request."""
    with store.transaction():
        made = store.update_run_if(run_id, {"status": ACTIVE, "control": ("run", "pause", "step")}, control="stop")
        if made:
            run = store.get_run(run_id)
            store.add_event(run_id, run.step, run.epoch, STOP_REQUESTED, {"time": time.time()})
    return made


def stop_requested_at(store: Store, run_id: str) -> float | None:
    row = store.db.execute("SELECT max(time) FROM events WHERE run=? AND kind=?", (run_id, STOP_REQUESTED)).fetchone()
    return None if row[0] is None else float(row[0])


def enforce_stop(store: Store, run: Run, grace: float | None = None) -> bool:
    """End the worker of a run asked to stop more than `grace` seconds ago and mark the run stopped; True
    when the run was changed here."""
    grace = STOP_GRACE_S if grace is None else grace
    if run.status not in ACTIVE or run.control != "stop":
        return False
    asked = stop_requested_at(store, run.id)
    if asked is None or time.time() - asked < grace:
        return False
    if trains(store, run.pid, run.id) and not _end_worker(store, run):
        return False                         # unkillable for now (e.g. another user's); try again later
    with store.transaction():
        changed = store.update_run_if(run.id, {"status": ACTIVE}, status="stopped", pid=None,
                                      error=FORCED.format(grace=grace))
        if changed:
            store.add_event(run.id, run.step, run.epoch, "stop_forced", {"grace_s": grace, "pid": run.pid})
    return changed


def _end_worker(store: Store, run: Run) -> bool:
    """End the worker training `run`: its process on this machine, or its Ray actor on another."""
    row = ray_worker_of(store, run.pid, run.id)
    if row is not None and row["host"] != host():
        from .ray_backend import end_actor
        return end_actor(row["actor"])
    return end_process(run.pid)


def log_since_start(store: Store, run_id: str) -> list[str]:
    """The worker log's lines since its last worker started (a resumed run's log holds every attempt)."""
    try:
        text = (store.run_dir(run_id) / "worker.log").read_text(errors="replace").splitlines()
    except OSError:
        return []
    starts = [i for i, line in enumerate(text) if STARTED in line]
    return text[starts[-1] + 1:] if starts else text


def why_gone(store: Store, run_id: str) -> tuple[str, str]:
    """(status, error) of a run whose worker is gone without recording its end: 'failed' with the reason
    its log gives, or 'interrupted' when it was killed without a word."""
    lines = [line.strip() for line in log_since_start(store, run_id) if line.strip()]
    unrecorded = [line for line in lines if UNRECORDED in line]
    if unrecorded:
        reason = unrecorded[-1].split(UNRECORDED, 1)[1].strip()
        return "failed", f"the training worker could not record its end: {reason}"
    tail = " | ".join(lines[-5:])
    if "Traceback" in tail or "Error" in tail:
        return "failed", f"the training worker crashed: {tail[-500:]}"
    return "interrupted", ("the training worker stopped unexpectedly (server restart or killed); "
                           "resume it from its last checkpoint")
