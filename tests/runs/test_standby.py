"""The `spawn` way's standby worker: however many Starts arrive at once (the server's script threads start
runs in parallel), a workspace has at most one standby waiting, and it goes when the workspace is shut down."""
from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import pytest

from core import limits
from core.presets import default_network
from core.runs import Store, executor
from core.spec import TrainSpec
from tests.runs.mounts import pool_pids

SPIRAL = {"kind": "builtin", "name": "spiral", "params": {"n": 120, "noise": 0.2, "seed": 0}}


def _standby_pids(home) -> set[int]:
    found = set()
    for pid in pool_pids(home, pool_only=False):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"--standby" in f.read().split(b"\0"):
                    found.add(pid)
        except OSError:
            pass
    return found


@pytest.fixture
def spawning(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_EXECUTOR", "spawn")
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, max_active_runs_per_person=20))
    executor.keep_standby_worker(True)
    store = Store(tmp_path)
    yield store
    with Store(tmp_path) as s:
        for run in s.list_runs():
            executor.stop(s, run.id)
    executor.shutdown(store)
    executor.keep_standby_worker(False)
    store.close()


def test_starts_at_once_leave_one_standby_worker(spawning, wait_for):
    store = spawning
    executor.warm_up(store)

    def start(i: int) -> str:
        with Store(store.home) as own:             # a script thread has its own connection
            return executor.submit(own, dataset=SPIRAL, network=default_network(),
                                   train=TrainSpec(epochs=2, seed=i))
    with ThreadPoolExecutor(max_workers=8) as pool:
        runs = list(pool.map(start, range(8)))
    for run_id in runs:
        executor.wait(store, run_id, timeout=180)
    # the standbys that took a run exit with it; one is left waiting for the next
    wait_for(lambda: len(_standby_pids(store.home)) <= 1, timeout=60, what="one standby worker at most")
    executor.shutdown(store)
    wait_for(lambda: not _standby_pids(store.home), timeout=30, what="the standby worker to go")
