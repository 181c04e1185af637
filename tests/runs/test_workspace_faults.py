"""A workspace that cannot be written — the disk full, the folder read-only or deleted — on real file systems
(a tmpfs mounted for the test): the worker's own error handler does not crash; the run ends failed with the
reason, or, when even that cannot be written, the worker's log says so and recover() marks it failed later."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from core.runs import Store, executor
from core.spec import NetworkSpec, TrainSpec
from core.runs.spawning import worker_env
from tests.runs.mounts import fill, remount, tmpfs

TIMEOUT = 120
NET = NetworkSpec.dense([16, 16], "tanh")
NOT_RECORDED = 3        # core.runs.worker.NOT_RECORDED: the worker could not write the run's end to the store
LONG = TrainSpec(epochs=100000, batch_size=8)


@pytest.fixture(autouse=True)
def own_workers(monkeypatch):
    """These are about a worker's own handling of a broken workspace, seen in its exit code: each run gets a
    worker process of its own (the `spawn` way; test_pool.py has the pool's)."""
    monkeypatch.setenv("GLASSNET_EXECUTOR", "spawn")


@pytest.fixture
def disk(tmp_path):
    with tmpfs(tmp_path / "ws", "24m") as home:
        yield home


def start(store, spiral, wait_for) -> tuple[str, object]:
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=LONG, name="faults")
    wait_for(lambda: store.get_run(run_id).epoch >= 2, TIMEOUT, what="the run to train")
    return run_id, executor._children[run_id]


def ended(proc) -> int:
    return proc.wait(timeout=TIMEOUT)


def test_a_full_disk_ends_the_run_failed_with_the_reason(disk, spiral, wait_for):
    with Store(disk) as store:
        run_id, proc = start(store, spiral, wait_for)
        filler = fill(disk)
        code = ended(proc)
        filler.unlink()
        executor.recover(store)
        run = store.get_run(run_id)
    assert run.status == "failed" and "no space left on the device" in run.error, (run.status, run.error)
    assert code in (1, NOT_RECORDED), code
    assert "free some space" in run.error


@pytest.fixture
def split_disk(tmp_path):
    """The database on one small tmpfs, the runs' folders (checkpoints, worker logs) on another: when the first
    fills up the worker can still write its log, but not its run's row."""
    with tmpfs(tmp_path / "ws", "24m") as home:
        with tmpfs(home / "runs", "64m"):
            yield home


def test_a_worker_that_cannot_write_its_run_says_so_and_recover_marks_it_failed(split_disk, spiral, wait_for):
    home = split_disk
    with Store(home) as store:
        run_id, proc = start(store, spiral, wait_for)
        filler = fill(home)
        code = ended(proc)
        assert store.get_run(run_id).status == "running"             # the row could not be written
        log = (store.run_dir(run_id) / "worker.log").read_text()
        assert code == NOT_RECORDED, log[-2000:]
        assert "could not record the run's end: no space left on the device" in log
        filler.unlink()
        assert executor.recover(store) == [run_id]
        run = store.get_run(run_id)
    assert run.status == "failed" and run.error.startswith("the training worker could not record its end: no space")


def test_a_deleted_workspace_ends_the_worker_without_a_crash(tmp_path, spiral, wait_for):
    home = tmp_path / "gone"
    with Store(home) as store:
        run_id, proc = start(store, spiral, wait_for)
        shutil.rmtree(home)
        assert ended(proc) == NOT_RECORDED          # it noticed, and did not train on into a deleted database
    assert not home.exists()                        # nor made the folder again


def test_a_worker_on_a_read_only_workspace_exits_saying_why(disk, spiral):
    with Store(disk) as store:
        run_id = store.create_run(name="ro", dataset=spiral.ref.to_dict(), network=NET.to_dict(), train=LONG.to_dict())
    remount(disk, "ro")
    try:
        proc = subprocess.run([*executor.WORKER, run_id, "--home", str(disk)], cwd=executor.ROOT, capture_output=True,
                              text=True, timeout=TIMEOUT, env=worker_env())
    finally:
        remount(disk, "rw")
    assert proc.returncode == NOT_RECORDED, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert f"the workspace {disk} is read-only" in proc.stderr
