"""The pool (the executor's default way): at most K worker processes a workspace, each started once with
torch imported and training queued run after run (core/runs/pool_worker.py), so memory stays about K
times one worker however many people press Start, and no run waits for an import.

K is the limit `workers` (GLASSNET_WORKERS, by default the machine's cores). The pool grows with demand —
one worker for each run training or waiting, plus one spare when the app asks for a worker in advance —
up to K, and is topped up on the next submit, resume or recover() when a worker dies. Starting a worker
never waits for it: the page that submits a run returns at once. Workers are counted from the run
store's registry (core/runs/registry.py), in one transaction with starting them, so two servers (or
two sessions of one) topping up at once do not start more than K.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from .. import limits
from .registry import POOL_FLAG, ensure_tables, is_pool_process, live_workers, register
from .queue import HOLDING, has_waiting, waiting_count
from .spawning import ROOT, WORKER, worker_env

_procs: list[subprocess.Popen] = []      # pool workers this process started (polled, so none stays a zombie)


def size() -> int:
    """K: how many pool workers a workspace may have."""
    return max(1, int(limits.current().workers))


def demand(store, spare: int = 0) -> int:
    """How many workers the workspace needs now: one for each run or analysis job a pool worker holds or that
    waits, plus `spare`, at most K."""
    busy = store.db.execute("SELECT count(*) FROM workers WHERE run IS NOT NULL").fetchone()[0]
    return min(size(), busy + waiting_count(store) + spare)


def ensure(store, spare: int = 0) -> int:
    """Start the workers the workspace lacks (see demand); returns how many were started. Never waits
    for a worker to be ready."""
    _reap()
    ensure_tables(store)
    if len(live_workers(store)) >= demand(store, spare):
        return 0
    started = 0
    with store.transaction():
        missing = demand(store, spare) - len(live_workers(store))
        for _ in range(max(0, missing)):
            proc = _start(store.home)
            register(store, proc.pid, parent=os.getpid())
            started += 1
    return started


def _start(home: Path) -> subprocess.Popen:
    with open(home / "pool.log", "ab") as log:
        proc = subprocess.Popen([*WORKER, POOL_FLAG, "--home", str(Path(home).resolve())], cwd=ROOT,
                                env=worker_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    _procs.append(proc)
    return proc


def _reap() -> None:
    _procs[:] = [p for p in _procs if p.poll() is None]


def holding(store) -> int:
    """Runs that hold a worker now (training, paused, or handed over and starting)."""
    return store.db.execute(f"SELECT count(*) FROM runs WHERE {HOLDING}").fetchone()[0]


def shutdown(store, timeout: float = 10.0) -> list[int]:
    """End every worker of the workspace's pool (SIGTERM, then SIGKILL after `timeout`); returns their pids.
    A run one was training is left for recover() to call interrupted. For tests, benchmarks and commands
    that started a pool of their own."""
    pids = [w["pid"] for w in live_workers(store)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.killpg(pid, sig) if os.getpgid(pid) == pid else os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(is_pool_process(p, store.home) for p in pids):
            _reap()
            time.sleep(0.02)
    _reap()
    live_workers(store)                  # prunes their rows
    return pids


def release_own(store) -> list[int]:
    """End the idle pool workers this process started, when no run waits (a command that started a pool for
    its own run, done with it). Done holding the store's write lock, which a claim needs, so a worker cannot
    take a run between the check and its end."""
    mine = []
    with store.transaction():
        if has_waiting(store):
            return []
        for w in live_workers(store, prune=False):
            if w["parent"] == os.getpid() and w["run"] is None:
                os.kill(w["pid"], signal.SIGTERM)
                mine.append(w["pid"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(is_pool_process(p, store.home) for p in mine):
        _reap()
        time.sleep(0.02)
    return mine
