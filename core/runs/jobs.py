"""Analysis jobs through the executor: long explanations done by the workspace's workers, not the server.

The interface is small, beside the runs' (core/runs/executor.py), so another backend can offer the same:
    submit(store, kind, request) -> job id     one insert; a free pool worker takes it in fair-share order
    status(store, job_id) -> Job               the job now (a job whose worker is gone is failed first)
    cancel(store, job_id) -> Job               a waiting job at once; a running one at its next progress step
    result(store, job_id) -> Path              the result file of a done job
and, for the pages: find (a person's newest job asking exactly this), place (its place in line), settle
(what recover() does to jobs).

A person's jobs are private exactly as their runs are: through a person's view of the store (scope.py) a
job of someone else raises NotYours, and a job about a run can only be asked for by whoever may open
the run. A person may have max_active_runs_per_person jobs waiting or running at once, counted apart from
their runs, so a queue of runs never keeps them from an explanation. A job whose worker died (killed, out
of memory) is failed with a message saying so: it is not queued again, since what killed its worker
would likely kill the next one too.
"""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

from .. import limits
from .job_table import JOB, JOB_ENDED, Job, active_of, ensure_jobs, insert, newest, read, result_folder, update_if
from .pool import ensure as ensure_pool, size as pool_size
from .placements import ray_alive, ray_worker_of
from .ray_backend import ensure as ensure_ray, slots as ray_slots
from .processes import WORKER_MODULE, command_line, pid_alive
from .queue import JobError, queue_position
from .registry import current_run, is_pool_process
from .scope import NotYours, owner_of
from .spawning import ROOT, WORKER, backend, worker_env

GONE = ("The worker computing this stopped before it finished (it was ended, or ran out of memory). Try again; "
        "if it happens again, ask for fewer rows or background rows.")
SPAWN_GRACE_S = 30.0


class TooManyJobs(JobError):
    """A person asked for more analysis jobs at once than max_active_runs_per_person allows."""


def _visible(store, job: Job) -> Job:
    person = getattr(store, "person", None)
    if person is not None and not person.sees_all and job.owner != person.id:
        raise NotYours(f"job {job.id} belongs to someone else; you can open only your own")
    return job


def submit(store, kind: str, request: dict, *, start: bool = True) -> str:
    """Queue an analysis job of the store's person; returns its id. A request about a run is refused
    (NotYours) unless the person may open that run."""
    if "run" in request:
        store.get_run(request["run"])
    owner = owner_of(store)
    with store.transaction():
        active = active_of(store, owner)
        if active >= limits.current().max_active_runs_per_person:
            raise TooManyJobs(f"You have {active} explanations waiting or being computed, the most one person may "
                              "have at once: cancel one or wait for one to finish")
        job_id = insert(store, owner, kind, request)
    if start:
        _start(store, job_id)
    return job_id


def _start(store, job_id: str) -> None:
    if backend() == "pool":
        ensure_pool(store)
        return
    if backend() == "ray":
        ensure_ray(store)
        return
    with open(Path(store.home) / "jobs.log", "ab") as log:
        proc = subprocess.Popen([*WORKER, "--job", job_id, "--home", str(Path(store.home).resolve())], cwd=ROOT,
                                env=worker_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    _spawned.append(proc)
    update_if(store, job_id, {"status": "queued", "pid": None}, pid=proc.pid)


_spawned: list[subprocess.Popen] = []


def slots() -> int:
    """How many workers take queued runs and jobs: the pool's K, or the Ray cluster's slots."""
    if backend() == "ray":
        return ray_slots()
    return pool_size()


def status(store, job_id: str) -> Job:
    """The job as it is now, after settling it (failed, if its worker is gone)."""
    job = _visible(store, read(store, job_id))
    return read(store, job_id) if _settle(store, job) else job


def cancel(store, job_id: str) -> Job:
    """Cancel a job: one waiting in line at once (compare-and-set: a worker taking it at that instant sees the
    request instead); a running one is asked, and ends at its next progress step."""
    _visible(store, read(store, job_id))
    _cancel(store, job_id)
    return status(store, job_id)


def _cancel(store, job_id: str) -> None:
    if not update_if(store, job_id, {"status": "queued", "pid": None}, status="cancelled", cancel=1,
                     message="Cancelled.", ended=time.time()):
        update_if(store, job_id, {"status": ("queued", "running")}, cancel=1)


def result(store, job_id: str) -> Path:
    """The result file of a done job (npz or JSON in its owner's space)."""
    job = _visible(store, read(store, job_id))
    if job.status != "done" or not job.result:
        raise JobError(f"job {job_id} is {job.status}; its result exists once it is done")
    return result_folder(store.home, job.owner) / job.result


def find(store, kind: str, request: dict) -> Job | None:
    """The store's person's newest job of this kind asking exactly this (settled), or None."""
    job = newest(store, owner_of(store), kind, request)
    return None if job is None else status(store, job.id)


def place(store, job_id: str) -> int | None:
    """A waiting job's place in line (1 starts next), None when it does not wait for a pool worker."""
    _visible(store, read(store, job_id))
    if backend() == "spawn":
        return None
    found = queue_position(store, JOB + job_id, workers=slots())
    return None if found is None else found[0]


def forget_run(store, run_id: str) -> int:
    """A run is being deleted: its jobs go with it — waiting or running ones cancelled (a running one ends at
    its next progress step and keeps no result), ended ones removed with their result files. How many rows
    were removed."""
    ensure_jobs(store)
    rows = store.db.execute("SELECT id FROM jobs WHERE json_extract(request, '$.run') = ?", (run_id,)).fetchall()
    removed = 0
    for (job_id,) in rows:
        job = read(store, job_id)
        if job.active:                  # whoever asked for it: the run's deletion ends it
            _cancel(store, job_id)
            continue
        if job.result:
            (result_folder(store.home, job.owner) / job.result).unlink(missing_ok=True)
        removed += store.db.execute("DELETE FROM jobs WHERE id=? AND status IN ('done','failed','cancelled')",
                                    (job_id,)).rowcount
    return removed


def settle(store) -> list[str]:
    """Fail the jobs whose worker is gone; returns their ids (recover() calls this)."""
    _spawned[:] = [p for p in _spawned if p.poll() is None]
    ensure_jobs(store)
    rows = store.db.execute("SELECT id FROM jobs WHERE status='running' OR (status='queued' AND pid IS NOT NULL)")
    return [job_id for (job_id,) in rows.fetchall() if _settle(store, read(store, job_id))]


def _settle(store, job: Job) -> bool:
    if job.status in JOB_ENDED or job.pid is None or _alive(store, job):
        return False
    if job.status == "queued" and time.time() - job.updated < SPAWN_GRACE_S and pid_alive(job.pid):
        return False
    return update_if(store, job.id, {"status": job.status, "pid": job.pid}, status="failed", message=GONE,
                     ended=time.time())


def _alive(store, job: Job) -> bool:
    """Whether the job's worker is alive and still at it: a pool worker whose row names the job, or the process
    of its own started for it, or a Ray worker whose row names the job."""
    ray_row = ray_worker_of(store, job.pid, JOB + job.id)
    if ray_row is not None:
        return ray_alive(ray_row)
    if is_pool_process(job.pid, store.home):
        return current_run(store, job.pid) == JOB + job.id
    args = command_line(job.pid) if pid_alive(job.pid) else None
    return bool(args) and WORKER_MODULE in args and job.id in args
