"""The executor: each run trains in its own worker process (core/runs/worker.py), outside the UI.

The interface is small on purpose — submit; pause, step, resume, stop, set_lr; recover (every run)
or check (one run), wait, delete; a standby worker started in advance — so these local worker
processes can later be swapped for another executor without touching the pages. The run store carries every message:
a page asks for a pause by writing the run's `control` column; the worker reads it ten to
twenty times a second.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from ..spec import NetworkSpec, TrainSpec, check_lr
from .stopping import STOP_GRACE_S, enforce_stop, request_stop, why_gone
from .processes import is_worker, pid_alive  # noqa: F401  (pid_alive: part of the executor's interface)
from .store import ACTIVE, Run, Store

ROOT = Path(__file__).resolve().parents[2]
WORKER = (sys.executable, "-m", "core.runs.worker")   # the worker's command line, before its arguments
RESUMABLE = ("interrupted", "stopped", "failed")
SPAWN_GRACE_S = 30.0     # a queued run whose worker is still being started is not called interrupted before this

_children: dict[str, subprocess.Popen] = {}   # run id → worker started by this process


class JobError(ValueError):
    """A request that does not fit the run's state (e.g. resuming a finished run)."""


_standby: dict[Path, subprocess.Popen] = {}   # workspace → a worker with its imports done, waiting for a run
_use_standby = False


def keep_standby_worker(enabled: bool = True) -> None:
    """Keep one worker per workspace started in advance, so a new run's first step comes without
    waiting ~2–4 s for torch and the data libraries to import (the app turns this on)."""
    global _use_standby
    _use_standby = enabled


def warm_up(store: Store) -> None:
    """Start this workspace's standby worker now, if standby workers are on and none is ready."""
    proc = _standby.get(store.home)
    if _use_standby and (proc is None or proc.poll() is not None):
        _start_standby(store.home)


def _worker_env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            # one compute thread per worker: with several runs sharing the cores, torch's OpenMP
            # threads otherwise spin-wait on each other and training slows down many times over
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _start_standby(home: Path) -> None:
    with open(home / "standby.log", "ab") as log:
        _standby[home] = subprocess.Popen(
            [*WORKER, "--standby", "--home", str(home)], cwd=ROOT, env=_worker_env(),
            stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _take_standby(home: Path, run_id: str, resume: bool) -> subprocess.Popen | None:
    proc = _standby.pop(home, None)
    if proc is None or proc.poll() is not None:
        return None
    try:
        proc.stdin.write(f"{run_id}{' --resume' if resume else ''}\n".encode())
        proc.stdin.close()
    except OSError:
        return None
    return proc


def _spawn(store: Store, run_id: str, resume: bool = False) -> int:
    proc = _take_standby(store.home, run_id, resume) if _use_standby else None
    if proc is None:
        cmd = [*WORKER, run_id, "--home", str(store.home)] + (["--resume"] if resume else [])
        with open(store.run_dir(run_id) / "worker.log", "ab") as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=_worker_env(), stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
    _children[run_id] = proc
    store.update_run(run_id, pid=proc.pid, heartbeat=time.time())
    if _use_standby:
        _start_standby(store.home)
    return proc.pid


def submit(store: Store, *, dataset: dict, network: NetworkSpec, train: TrainSpec,
           name: str | None = None, owner: str | None = None, parent: str | None = None) -> str:
    """Create a run and start its worker; returns the run id. Specs are validated first. `parent`:
    the run this one is a variant of (e.g. the same network retrained with a fairness mitigation)."""
    network.validate()
    train.validate()
    run_id = store.create_run(name=name or f"{train.optimizer} lr={train.lr:g}", dataset=dataset,
                              network=network.to_dict(), train=train.to_dict(), status="queued", owner=owner,
                              parent=parent)
    _spawn(store, run_id)
    return run_id


def _reap() -> None:
    for run_id, proc in list(_children.items()):
        if proc.poll() is not None:
            del _children[run_id]


def recover(store: Store) -> list[str]:
    """Mark runs whose worker is gone as 'interrupted' (or 'failed', with the reason its log gives), and end
    the workers of runs asked to stop STOP_GRACE_S ago that have not. A run whose worker is alive is left
    alone however old its heartbeat (a long step, a busy machine); a run whose pid now belongs to another
    program is not. Call on start-up and whenever status matters; returns the ids it changed."""
    _reap()
    return [run.id for run in store.list_runs() if _settle(store, run)]


def check(store: Store, run_id: str) -> Run:
    """One run as it is now, after what recover() would do to it: ended (and stopped) if it was asked to stop
    STOP_GRACE_S ago and has not, marked interrupted or failed if its worker is gone. For a page that polls
    one run, so a worker that ignores a Stop is ended without another click."""
    _reap()
    run = store.get_run(run_id)
    return store.get_run(run_id) if _settle(store, run) else run


def _settle(store: Store, run: Run) -> bool:
    """Enforce an overdue stop of an active run, or mark it ended when its worker is gone; True if it changed."""
    if run.status not in ACTIVE:
        return False
    if enforce_stop(store, run):
        return True
    return not is_worker(run.pid, run.id) and not _starting(run) and _mark_gone(store, run)


def _starting(run: Run) -> bool:
    """A queued run whose worker is being started, for a little while: no pid yet, or a process that may not
    show its command line yet (it is read while the process execs)."""
    return run.status == "queued" and time.time() - run.updated < SPAWN_GRACE_S and \
        (run.pid is None or pid_alive(run.pid))


def _mark_gone(store: Store, run: Run) -> bool:
    status, error = why_gone(store, run.id)
    # only if nobody changed the run meanwhile (its worker finished it, or a resume started a new one)
    return store.update_run_if(run.id, {"status": run.status, "pid": run.pid}, status=status, pid=None, error=error)


def _request(store: Store, run_id: str, control: str) -> None:
    store.update_run(run_id, control=control)


CONFIRM_POLL_S = 0.02


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


def pause(store: Store, run_id: str, wait: float = 0.0) -> Run:
    """Hold a run where it is; returns the run (paused, if its worker confirmed within `wait` seconds)."""
    run = store.get_run(run_id)
    if run.status not in ("running", "queued", "paused"):
        raise JobError(f"run {run.name!r} is {run.status}; only a running run can be paused")
    _request(store, run_id, "pause")
    return _confirmed(store, run_id, lambda r: r.status != "running", wait)


def step(store: Store, run_id: str, wait: float = 0.0) -> Run:
    """Train exactly one more minibatch of a paused run; returns the run (one step on, if its worker
    confirmed within `wait` seconds)."""
    run = store.get_run(run_id)
    if run.status != "paused":
        raise JobError(f"run {run.name!r} is {run.status}; pause it first, then step")
    _request(store, run_id, "step")
    return _confirmed(store, run_id, lambda r: r.step != run.step or r.status != "paused", wait)


def stop(store: Store, run_id: str, wait: float = 0.0) -> Run:
    """End a run; returns it (stopped, if its worker confirmed within `wait` seconds). A worker that has not
    stopped STOP_GRACE_S after the first request is ended (by this call when it waits that long, else by
    the next stop() or recover()) and the run marked stopped."""
    run = store.get_run(run_id)
    if run.status in ACTIVE and is_worker(run.pid, run_id):
        request_stop(store, run_id)
        run = _confirmed(store, run_id, lambda r: r.status not in ACTIVE, wait)
        if run.status in ACTIVE:
            enforce_stop(store, run)         # acts once the grace has passed
        return store.get_run(run_id)
    if run.status in ACTIVE or run.status == "interrupted":      # no worker: nothing to ask, the row says it
        store.update_run_if(run_id, {"status": (*ACTIVE, "interrupted")}, status="stopped", control="stop", pid=None)
    return store.get_run(run_id)


def set_lr(store: Store, run_id: str, lr: float) -> None:
    """Change the learning rate of a run while it trains (applied within a fraction of a second)."""
    check_lr(lr)
    store.update_run(run_id, lr_request=float(lr))


def resume(store: Store, run_id: str, wait: float = 0.0) -> Run:
    """Continue a paused run, or restart an interrupted/stopped/failed one from its last checkpoint.
    Returns the run (training again, if its worker confirmed within `wait` seconds).

    Restarting is a compare-and-set on the run's row: of two Resume clicks at once (two tabs, two
    processes) one starts the worker; the other gets the run as it now is, starting."""
    run = store.get_run(run_id)
    if run.status in ACTIVE and is_worker(run.pid, run_id):
        store.update_run_if(run_id, {"status": ACTIVE, "control": ("pause", "step")}, control="run")
        return _confirmed(store, run_id, lambda r: r.status != "paused", wait)
    if run.status in ACTIVE:          # its worker is gone, or is being started by another resume
        recover(store)
        run = store.get_run(run_id)
        if run.status in ACTIVE:
            return _confirmed(store, run_id, lambda r: r.status != "queued", wait)
    if run.status not in RESUMABLE:
        raise JobError(f"run {run.name!r} is {run.status}; only a paused, interrupted, stopped or failed run can be "
                       "resumed")
    if run.epoch >= int(run.train.get("epochs", 0)) and run.status == "stopped":
        raise JobError(f"run {run.name!r} already trained all its epochs")
    if not store.update_run_if(run_id, {"status": run.status}, status="queued", control="run", error=None, pid=None):
        now = store.get_run(run_id)   # another click won the race
        if now.status in ACTIVE:
            return _confirmed(store, run_id, lambda r: r.status != "queued", wait)
        raise JobError(f"run {now.name!r} changed while resuming it (it is {now.status} now); try again")
    try:
        _spawn(store, run_id, resume=True)
    except BaseException:
        store.update_run_if(run_id, {"status": "queued", "pid": None}, status=run.status, error=run.error)
        raise
    return _confirmed(store, run_id, lambda r: r.status != "queued", wait)


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
    if run.status in ACTIVE and is_worker(run.pid, run_id):
        stop(store, run_id, wait=STOP_GRACE_S + 1)
    store.delete_run(run_id)
