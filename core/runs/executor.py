"""The executor: runs train in worker processes (core/runs/worker.py), outside the UI.

Analysis jobs (long explanations) go through the same workers: submit_job, job_status, cancel_job,
job_result (core/runs/jobs.py).

The interface is small on purpose — submit; pause, step, resume, stop, set_lr; queue_position; recover (every
run) or check (one run), wait, delete; warm_up and shutdown — so another executor can later sit behind it without touching the
pages. The run store carries every message: a page asks for a pause by writing the run's `control`
column; the worker reads it ten to twenty times a second.

Two ways, chosen by GLASSNET_EXECUTOR:
- `pool` (the default): submit() inserts a queued run and makes sure the workspace's pool of at most K
  warm workers is up (core/runs/pool.py); a free worker takes the next run in fair-share order between
  people (core/runs/queue.py). Nothing waits for a process.
- `spawn`: each run gets a worker process of its own, one started in advance taken over when ready
  (core/runs/spawning.py).
- `ray`: actors on a Ray cluster (GLASSNET_RAY_ADDRESS) run the pool worker's loop, one a slot of the
  cluster, so runs take the same queue and fair share and train up to the cluster's capacity
  (core/runs/ray_backend.py, core/runs/ray_worker.py).
"""
from __future__ import annotations

import time

from ..spec import NetworkSpec, TrainSpec, check_lr
from .pool import ensure as ensure_pool, shutdown as shutdown_pool, size as pool_size
from .queue import RESUME_ASKED, check_cap, has_waiting
from .queue import queue_position as place_in_line
from .processes import pid_alive  # noqa: F401  (part of the executor's interface)
from .queue import JobError, TooManyRuns  # noqa: F401  (TooManyRuns: raised by submit and resume)
from .ray_backend import check_device, ensure as ensure_ray, shutdown as shutdown_ray, slots as ray_slots
from .registry import trains
from .spawning import ROOT, WORKER, _children, spawn  # noqa: F401  (ROOT, WORKER, _children: for tests)
from .spawning import backend, close_standby, reap, warm_standby
from .jobs import cancel as cancel_job, result as job_result, settle as settle_jobs, status as job_status
from .jobs import find as find_job, forget_run as forget_jobs_of, place as job_place  # noqa: F401  (for the pages)
from .jobs import submit as submit_job  # noqa: F401  (analysis jobs: the same executor, core/runs/jobs.py)
from .stopping import STOP_GRACE_S, enforce_stop, request_stop, why_gone
from .store import ACTIVE, Run, Store

RESUMABLE = ("interrupted", "stopped", "failed")
SPAWN_GRACE_S = 30.0     # a queued run whose own worker is still being started is not called interrupted before this
CONFIRM_POLL_S = 0.02


_use_standby = False


def keep_standby_worker(enabled: bool = True) -> None:
    """Have a worker ready before the first Start, so a new run's first step comes without waiting ~2–4 s
    for torch and the data libraries to import (the app turns this on): one pool worker more than the
    runs need (up to K), or, with the `spawn` way, a standby worker."""
    global _use_standby
    _use_standby = enabled


def warm_up(store: Store) -> None:
    """Make sure a worker waits ready for this workspace's next run, if keep_standby_worker is on."""
    if not _use_standby:
        return
    if backend() == "spawn":
        warm_standby(store.home)
    elif backend() == "ray":
        ensure_ray(store, spare=1)
    else:
        ensure_pool(store, spare=1)


def shutdown(store: Store) -> None:
    """End this workspace's pool workers (or its Ray actors) and let its standby worker go (tests, benchmarks,
    commands)."""
    if backend() == "ray":
        shutdown_ray(store)
    shutdown_pool(store)
    close_standby(store.home)


def slots() -> int:
    """How many runs train at once: the pool's K, or the Ray cluster's slots."""
    return ray_slots() if backend() == "ray" else pool_size()


def _spawn(store: Store, run_id: str, resume: bool = False) -> int:
    """Start a worker of its own for the run (the `spawn` way); returns its pid."""
    return spawn(store, run_id, resume, standby=_use_standby)


def _start(store: Store, run_id: str, resume: bool) -> None:
    if backend() == "spawn":
        _spawn(store, run_id, resume)
    elif backend() == "ray":
        ensure_ray(store, spare=1 if _use_standby else 0)
    else:
        ensure_pool(store, spare=1 if _use_standby else 0)


def submit(store: Store, *, dataset: dict, network: NetworkSpec, train: TrainSpec, name: str | None = None,
           owner: str | None = None, parent: str | None = None, start: bool = True) -> str:
    """Queue a run and see that a worker will take it; returns the run id. Specs are validated first, and
    the person's active runs counted (TooManyRuns past max_active_runs_per_person). `parent`: the run this
    one is a variant of. start=False only queues it (the command line then trains it in its own process)."""
    network.validate()
    train.validate()
    if backend() == "ray":
        check_device(train.to_dict())
    with store.transaction():
        check_cap(store, owner)
        run_id = store.create_run(name=name or f"{train.optimizer} lr={train.lr:g}", dataset=dataset,
                                  network=network.to_dict(), train=train.to_dict(), status="queued", owner=owner,
                                  parent=parent)
    if start:
        _start(store, run_id, resume=False)
    return run_id


def submit_race(store: Store, *, dataset: dict, runs: list[tuple[str, NetworkSpec, TrainSpec]], race_name: str,
                setting: str, values: list, owner: str | None = None, start: bool = True) -> tuple[str, list[str]]:
    """Queue several runs as one request, a race (core/races): `runs` are (name, network, train) of each, all on
    `dataset`, each trying one of `values` of `setting`. Returns (race id, run ids). The person's active runs are
    counted once for the whole race, and the race counts as one of their max_active_runs_per_person from then
    on, so a race of five starts where the cap is three; the runs and the race are written in one transaction."""
    for _, network, train in runs:
        network.validate()
        train.validate()
    from .race_table import ensure_race_tables, record_race
    ensure_race_tables(store)
    with store.transaction():
        check_cap(store, owner)
        run_ids = [store.create_run(name=name, dataset=dataset, network=network.to_dict(), train=train.to_dict(),
                                    status="queued", owner=owner) for name, network, train in runs]
        race_id = record_race(store, name=race_name, owner=owner, setting=setting, values=values, run_ids=run_ids)
    if start:
        for run_id in run_ids[:1] if backend() != "spawn" else run_ids:   # the pool grows with the queue by itself
            _start(store, run_id, resume=False)
    return race_id, run_ids


def queue_position(store: Store, run_id: str) -> tuple[int, float | None] | None:
    """(place in line, about how many seconds until it starts) of a run waiting for a pool worker, or None
    when it does not wait (see core/runs/queue.py)."""
    if backend() == "spawn":
        return None
    return place_in_line(store, run_id, workers=slots())


def recover(store: Store) -> list[str]:
    """Mark runs whose worker is gone as 'interrupted' (or 'failed', with the reason its log gives), and end
    the workers of runs asked to stop STOP_GRACE_S ago that have not; top the pool up while runs wait. A run
    whose worker is alive is left alone however old its heartbeat (a long step, a busy machine); a run whose
    pid now belongs to another program is not, nor one whose pool worker trains another run now; a run
    waiting in the queue is. Call on start-up and whenever status matters; returns the ids it changed."""
    reap()
    changed = [run.id for run in store.list_runs() if _settle(store, run)]
    changed += settle_jobs(store)
    if backend() == "pool" and has_waiting(store):
        ensure_pool(store)
    elif backend() == "ray" and has_waiting(store):
        ensure_ray(store)
    return changed


def check(store: Store, run_id: str) -> Run:
    """One run as it is now, after what recover() would do to it: ended (and stopped) if it was asked to stop
    STOP_GRACE_S ago and has not, marked interrupted or failed if its worker is gone. For a page that polls
    one run, so a worker that ignores a Stop is ended without another click."""
    reap()
    run = store.get_run(run_id)
    return store.get_run(run_id) if _settle(store, run) else run


def _settle(store: Store, run: Run) -> bool:
    """Enforce an overdue stop of an active run, or mark it ended when its worker is gone; True if it changed."""
    if run.status not in ACTIVE:
        return False
    if enforce_stop(store, run):
        return True
    return not trains(store, run.pid, run.id) and not _waiting(run) and _mark_gone(store, run)


def _waiting(run: Run) -> bool:
    """A queued run no worker has taken yet (the pool's queue), or, the `spawn` way, one whose worker is being
    started, for a little while (the process may not show its command line yet)."""
    if run.status != "queued":
        return False
    if run.pid is None and backend() != "spawn":
        return True
    return time.time() - run.updated < SPAWN_GRACE_S and (run.pid is None or pid_alive(run.pid))


def _mark_gone(store: Store, run: Run) -> bool:
    status, error = why_gone(store, run.id)
    # only if nobody changed the run meanwhile (its worker finished it, or a resume started a new one)
    return store.update_run_if(run.id, {"status": run.status, "pid": run.pid}, status=status, pid=None, error=error)


def _confirmed(store: Store, run_id: str, done, wait: float) -> Run:
    """The run once `done(run)` holds — the worker took the request up — or as it is after `wait` seconds.

    A paused or training worker reads its requests every 0.05–0.1 s, so a page that waits up to a
    second after a click draws the run in its new state in the same redraw, instead of a poll or two
    later; with wait=0 (the default) nothing waits."""
    deadline = time.monotonic() + wait
    while True:
        run = store.get_run(run_id)
        if done(run) or time.monotonic() >= deadline:
            return run
        time.sleep(CONFIRM_POLL_S)


def _in_line(run: Run) -> bool:
    return run.status == "queued" and run.pid is None


def pause(store: Store, run_id: str, wait: float = 0.0) -> Run:
    """Hold a run where it is (a run waiting in line starts paused); returns the run (paused, if its worker
    confirmed within `wait` seconds)."""
    run = store.get_run(run_id)
    if run.status not in ("running", "queued", "paused"):
        raise JobError(f"run {run.name!r} is {run.status}; only a running run can be paused")
    store.update_run(run_id, control="pause")
    return _confirmed(store, run_id, lambda r: r.status != "running", wait)


def step(store: Store, run_id: str, wait: float = 0.0) -> Run:
    """Train exactly one more minibatch of a paused run; returns the run (one step on, if its worker
    confirmed within `wait` seconds)."""
    run = store.get_run(run_id)
    if run.status != "paused":
        raise JobError(f"run {run.name!r} is {run.status}; pause it first, then step")
    store.update_run(run_id, control="step")
    return _confirmed(store, run_id, lambda r: r.step != run.step or r.status != "paused", wait)


def stop(store: Store, run_id: str, wait: float = 0.0) -> Run:
    """End a run; returns it (stopped, if its worker confirmed within `wait` seconds). A run waiting in line
    is stopped at once (compare-and-set: a worker taking it at that instant gets the request instead). A
    worker that has not stopped STOP_GRACE_S after the first request is ended (by this call when it waits
    that long, else by the next stop() or recover()) and the run marked stopped."""
    run = store.get_run(run_id)
    if _in_line(run):
        if store.update_run_if(run_id, {"status": "queued", "pid": None}, status="stopped", control="stop"):
            return store.get_run(run_id)
        run = store.get_run(run_id)             # a worker took it meanwhile
    if run.status in ACTIVE and trains(store, run.pid, run_id):
        request_stop(store, run_id)
        run = _confirmed(store, run_id, lambda r: r.status not in ACTIVE, wait)
        if run.status in ACTIVE:
            enforce_stop(store, run)         # acts once the grace has passed
        return store.get_run(run_id)
    if run.status in ACTIVE or run.status == "interrupted":      # no worker: nothing to ask, the row says it
        store.update_run_if(run_id, {"status": (*ACTIVE, "interrupted"), "pid": run.pid}, status="stopped",
                            control="stop", pid=None)
    return store.get_run(run_id)


def set_lr(store: Store, run_id: str, lr: float) -> None:
    """Change the learning rate of a run while it trains (applied within a fraction of a second; a run
    waiting in line starts with it)."""
    check_lr(lr)
    store.update_run(run_id, lr_request=float(lr))


def resume(store: Store, run_id: str, wait: float = 0.0) -> Run:
    """Continue a paused run, or queue an interrupted/stopped/failed one again to continue from its last
    checkpoint. Returns the run (training again, if a worker confirmed within `wait` seconds).

    Queueing again is a compare-and-set on the run's row: of two Resume clicks at once (two tabs, two
    processes) one queues it; the other gets the run as it now is."""
    run = store.get_run(run_id)
    if run.status in ACTIVE and (trains(store, run.pid, run_id) or _in_line(run)):
        store.update_run_if(run_id, {"status": ACTIVE, "control": ("pause", "step")}, control="run")
        return _confirmed(store, run_id, lambda r: r.status != "paused", wait)
    if run.status in ACTIVE:          # its worker is gone, or is being started by another resume
        recover(store)
        run = store.get_run(run_id)
        if run.status in ACTIVE:
            return _confirmed(store, run_id, lambda r: r.status != "queued", wait)
    _check_resumable(run)
    with store.transaction():
        if store.get_run(run_id).status == run.status:      # else another click queued it: nothing is added
            check_cap(store, run.owner)
        queued = store.update_run_if(run_id, {"status": run.status}, status="queued", control="run", error=None,
                                     pid=None)
        if queued:       # the worker that takes it continues from its checkpoint (see pool_worker)
            store.add_event(run_id, run.step, run.epoch, RESUME_ASKED, {"status": run.status})
    if not queued:
        now = store.get_run(run_id)   # another click won the race
        if now.status in ACTIVE:
            return _confirmed(store, run_id, lambda r: r.status != "queued", wait)
        raise JobError(f"run {now.name!r} changed while resuming it (it is {now.status} now); try again")
    try:
        _start(store, run_id, resume=True)
    except BaseException:
        store.update_run_if(run_id, {"status": "queued", "pid": None}, status=run.status, error=run.error)
        raise
    return _confirmed(store, run_id, lambda r: r.status != "queued", wait)


def _check_resumable(run: Run) -> None:
    if run.status not in RESUMABLE:
        raise JobError(f"run {run.name!r} is {run.status}; only a paused, interrupted, stopped or failed run can be "
                       "resumed")
    if run.epoch >= int(run.train.get("epochs", 0)) and run.status == "stopped":
        raise JobError(f"run {run.name!r} already trained all its epochs")


def wait(store: Store, run_id: str, timeout: float = 60.0, statuses=None) -> Run:
    """Block until the run leaves the active states (or reaches one of `statuses`); for the CLI and tests."""
    deadline = time.monotonic() + timeout
    while True:
        run = store.get_run(run_id)
        if (statuses and run.status in statuses) or (not statuses and run.status not in ACTIVE):
            return run
        if time.monotonic() > deadline:
            raise TimeoutError(f"run {run_id} still {run.status} after {timeout:g} s")
        recover(store)
        time.sleep(0.05)


def delete(store: Store, run_id: str) -> None:
    """Delete a run and its files; stops its worker first."""
    run = store.get_run(run_id)
    if _in_line(run):
        stop(store, run_id)
    run = store.get_run(run_id)
    if run.status in ACTIVE and trains(store, run.pid, run_id):
        stop(store, run_id, wait=STOP_GRACE_S + 1)
    forget_jobs_of(store, run_id)
    store.delete_run(run_id)
