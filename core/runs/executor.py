"""The executor: each run trains in its own worker process (core/runs/worker.py), outside the UI.

The interface is small on purpose — submit; pause, step, resume, stop, set_lr; recover, wait,
delete; a standby worker started in advance — so these local worker processes can later be
swapped for another executor without touching the pages. The run store carries every message:
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
from .store import ACTIVE, Run, Store, StoreError

ROOT = Path(__file__).resolve().parents[2]
WORKER = (sys.executable, "-m", "core.runs.worker")   # the worker's command line, before its arguments
STALE_HEARTBEAT_S = 60.0
RESUMABLE = ("interrupted", "stopped", "failed")

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


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:   # a zombie (exited, not yet reaped) is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _reap() -> None:
    for run_id, proc in list(_children.items()):
        if proc.poll() is not None:
            del _children[run_id]


def _log_tail(store: Store, run_id: str, lines: int = 5) -> str:
    try:
        text = (store.run_dir(run_id) / "worker.log").read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def recover(store: Store) -> list[str]:
    """Mark runs whose worker is gone as 'interrupted' (or 'failed' when it exited with an error).

    Call on start-up and whenever status matters; returns the ids it changed.
    """
    _reap()
    changed = []
    now = time.time()
    for run in store.list_runs():
        if run.status not in ACTIVE:
            continue
        alive = pid_alive(run.pid)
        stale = run.heartbeat is not None and now - run.heartbeat > STALE_HEARTBEAT_S
        if alive and not stale:
            continue
        fresh = store.get_run(run.id)          # the worker may have finished meanwhile
        if fresh.status not in ACTIVE:
            continue
        tail = _log_tail(store, run.id)
        if "Traceback" in tail or "Error" in tail:
            store.update_run(run.id, status="failed", pid=None, error=f"the training worker crashed: {tail[-500:]}")
        else:
            store.update_run(run.id, status="interrupted", pid=None,
                             error="the training worker stopped unexpectedly (server restart or killed); resume it from its last checkpoint")
        changed.append(run.id)
    return changed


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
    """End a run; returns it (stopped, if its worker confirmed within `wait` seconds)."""
    run = store.get_run(run_id)
    if run.status in ACTIVE and pid_alive(run.pid):
        _request(store, run_id, "stop")
    elif run.status in ACTIVE or run.status == "interrupted":
        store.update_run(run_id, status="stopped", control="stop", pid=None)
    return _confirmed(store, run_id, lambda r: r.status not in ACTIVE, wait)


def set_lr(store: Store, run_id: str, lr: float) -> None:
    """Change the learning rate of a run while it trains (applied within a fraction of a second)."""
    check_lr(lr)
    store.update_run(run_id, lr_request=float(lr))


def resume(store: Store, run_id: str, wait: float = 0.0) -> Run:
    """Continue a paused run, or restart an interrupted/stopped/failed one from its last checkpoint.
    Returns the run (training again, if its worker confirmed within `wait` seconds)."""
    run = store.get_run(run_id)
    if run.status in ("paused", "running", "queued") and pid_alive(run.pid):
        _request(store, run_id, "run")
        return _confirmed(store, run_id, lambda r: r.status != "paused", wait)
    if run.status in ACTIVE:          # its worker is gone
        recover(store)
        run = store.get_run(run_id)
    if run.status not in RESUMABLE:
        raise JobError(f"run {run.name!r} is {run.status}; only a paused, interrupted, stopped or failed run can be resumed")
    if run.epoch >= int(run.train.get("epochs", 0)) and run.status == "stopped":
        raise JobError(f"run {run.name!r} already trained all its epochs")
    store.update_run(run_id, status="queued", control="run", error=None)
    _spawn(store, run_id, resume=True)
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
    if run.status in ACTIVE and pid_alive(run.pid):
        _request(store, run_id, "stop")
        try:
            wait(store, run_id, timeout=10)
        except (TimeoutError, StoreError):
            pass
    store.delete_run(run_id)
