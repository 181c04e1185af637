"""The executor's `spawn` way (GLASSNET_EXECUTOR=spawn): a worker process of its own for every run,
`python -m core.runs.worker RUN_ID --home DIR`, with one standby worker started in advance (torch
imported) that the next run takes over. Kept beside the pool (core/runs/pool.py) so the two can be
compared on the same machine.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKER = (sys.executable, "-m", "core.runs.worker")   # the worker's command line, before its arguments

_children: dict[str, subprocess.Popen] = {}   # run id → worker started by this process
_standby: dict[Path, subprocess.Popen] = {}   # workspace → a worker with its imports done, waiting for a run
_standby_lock = threading.Lock()              # the server's script threads start runs at the same time


def backend() -> str:
    """'pool', 'spawn' or 'ray' (GLASSNET_EXECUTOR; anything else is the pool)."""
    way = os.environ.get("GLASSNET_EXECUTOR", "pool").strip().lower()
    return way if way in ("spawn", "ray") else "pool"


def worker_env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            # one compute thread per worker: with several runs sharing the cores, torch's OpenMP
            # threads otherwise spin-wait on each other and training slows down many times over
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def warm_standby(home: Path) -> None:
    """Start this workspace's standby worker now, unless one is ready. One at most: a standby replaced by
    another would wait for a run on its open pipe for ever."""
    with _standby_lock:
        proc = _standby.get(home)
        if proc is not None and proc.poll() is None:
            return
        with open(home / "standby.log", "ab") as log:
            _standby[home] = subprocess.Popen(
                [*WORKER, "--standby", "--home", str(home)], cwd=ROOT, env=worker_env(),
                stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _take_standby(home: Path, run_id: str, resume: bool) -> subprocess.Popen | None:
    with _standby_lock:
        proc = _standby.pop(home, None)
    if proc is None or proc.poll() is not None:
        return None
    try:
        proc.stdin.write(f"{run_id}{' --resume' if resume else ''}\n".encode())
        proc.stdin.close()
    except OSError:
        return None
    return proc


def spawn(store, run_id: str, resume: bool = False, standby: bool = False) -> int:
    """Start a worker for the run (the standby one when `standby` and one is ready); returns its pid."""
    proc = _take_standby(store.home, run_id, resume) if standby else None
    if proc is None:
        cmd = [*WORKER, run_id, "--home", str(store.home)] + (["--resume"] if resume else [])
        with open(store.run_dir(run_id) / "worker.log", "ab") as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=worker_env(), stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
    _children[run_id] = proc
    store.update_run(run_id, pid=proc.pid, heartbeat=time.time())
    if standby:
        warm_standby(store.home)
    return proc.pid


def reap() -> None:
    for run_id, proc in list(_children.items()):
        if proc.poll() is not None:
            del _children[run_id]


def close_standby(home: Path) -> None:
    """Let this workspace's standby worker go (it exits without training anything)."""
    with _standby_lock:
        proc = _standby.pop(home, None)
    if proc is not None and proc.poll() is None:
        try:
            proc.stdin.close()
            proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
