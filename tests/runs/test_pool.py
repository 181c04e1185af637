"""The pool of warm workers (core/runs/pool.py, pool_worker.py, registry.py) with real worker processes and a
real SQLite run store: never more than K processes, runs handed out fair between people, a killed worker's
run left resumable while the queue goes on, requests to runs that wait in line, the per-person cap."""
from __future__ import annotations

import dataclasses
import os
import signal
import time

import pytest

from core import limits
from core.runs import executor, queue, registry
from core.spec import NetworkSpec, TrainSpec
from tests.runs.mounts import pool_pids

TIMEOUT = 180
NET = NetworkSpec.dense([8], "tanh")
SHORT = TrainSpec(epochs=15)
LONG = TrainSpec(epochs=100000, batch_size=8, checkpoint_every=5)


@pytest.fixture
def pool_of(monkeypatch):
    """Set K (the pool's size) and the per-person cap for the test."""
    def make(workers: int, cap: int = 100):
        monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, workers=workers,
                                                                  max_active_runs_per_person=cap))
        return workers
    return make


def submit(store, data, train=SHORT, owner=None, name="run"):
    return executor.submit(store, dataset=data.ref.to_dict(), network=NET, train=train, owner=owner, name=name)


def starts(store, run_ids) -> list[str]:
    """The runs in the order their training started (their first 'start' event)."""
    first = {}
    for r in run_ids:
        times = [e["time"] for e in store.events(r) if e["kind"] == "start"]
        if times:
            first[r] = min(times)
    return sorted(first, key=first.get)


def kinds(store, run_id) -> list[str]:
    return [e["kind"] for e in store.events(run_id)]


def training(store, run_id, min_epoch=1):
    run = store.get_run(run_id)
    return run.status == "running" and run.epoch >= min_epoch


# ------------------------------------------------------------------ at most K processes
def test_the_pool_never_runs_more_than_k_workers_for_3k_runs(store, spiral, pool_of, wait_for):
    k = pool_of(2)
    runs = [submit(store, spiral, name=f"r{i}") for i in range(3 * k)]
    seen, deadline = [], time.monotonic() + TIMEOUT
    while any(store.get_run(r).status in ("queued", "running", "paused") for r in runs):
        assert time.monotonic() < deadline, "the runs did not finish"
        seen.append(len(pool_pids(store.home, pool_only=False)))      # every worker process of the workspace
        executor.recover(store)
        time.sleep(0.02)
    assert all(store.get_run(r).status == "finished" for r in runs), [store.get_run(r).error for r in runs]
    assert max(seen) == k, f"at most {max(seen)} workers at once (samples {len(seen)})"
    # at most K processes trained all the runs, run after run (on a busy machine the first worker ready may
    # take every short run before the second has imported torch)
    workers = {w for (w,) in store.db.execute("SELECT worker FROM claims")}
    assert 1 <= len(workers) <= k and len(store.db.execute("SELECT run FROM claims").fetchall()) == 3 * k


# ------------------------------------------------------------------ fair share
@pytest.mark.usefixtures("backend")
def test_a_person_with_one_run_is_not_kept_waiting_behind_anothers_ten(store, spiral, pool_of):
    k = pool_of(2)
    a = [submit(store, spiral, owner="ann", name=f"ann {i}") for i in range(10)]
    b = submit(store, spiral, owner="bob", name="bob")
    for r in [*a, b]:
        assert executor.wait(store, r, timeout=TIMEOUT).status == "finished"
    order = starts(store, [*a, b])
    assert len(order) == 11
    ahead_of_bob = order.index(b)
    # first come first served would start all ten of Ann's first; fair share starts Bob's with the first K
    assert ahead_of_bob <= k, f"{ahead_of_bob} of Ann's runs started before Bob's"
    handed = [r for (r,) in store.db.execute("SELECT run FROM claims ORDER BY rowid")]
    assert handed.index(b) <= 1 and [r for r in handed if r != b] == a     # each person's runs in their order


# ------------------------------------------------------------------ a worker killed mid-run
@pytest.mark.usefixtures("backend")
def test_a_killed_pool_worker_leaves_its_run_resumable_and_the_queue_goes_on(store, spiral, pool_of, wait_for):
    pool_of(2)
    doomed = submit(store, spiral, train=LONG, name="doomed")
    other = submit(store, spiral, train=LONG, name="other")
    wait_for(lambda: training(store, doomed) and training(store, other), TIMEOUT, what="both long runs to train")
    queued = [submit(store, spiral, name=f"short {i}") for i in range(3)]   # both workers are busy: they wait
    wait_for(lambda: len(store.epoch_checkpoints(doomed)) >= 1, TIMEOUT, what="a checkpoint")
    pid, other_pid = store.get_run(doomed).pid, store.get_run(other).pid
    assert registry.current_run(store, pid) == doomed and pid in pool_pids(store.home)
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not executor.pid_alive(pid), TIMEOUT, what="the killed worker to be gone")

    assert doomed in executor.recover(store)
    run = store.get_run(doomed)
    assert run.status == "interrupted" and run.pid is None and "resume" in run.error
    assert store.get_run(other).status == "running"      # a live pool worker's run is not called interrupted
    # the pool was topped up: the queued runs finish while the other long run still holds its worker
    assert all(executor.wait(store, r, timeout=TIMEOUT).status == "finished" for r in queued)
    assert store.get_run(other).pid == other_pid and store.get_run(other).status == "running"
    assert len(pool_pids(store.home)) <= 2

    killed_at = store.get_run(doomed).epoch
    executor.resume(store, doomed)
    wait_for(lambda: training(store, doomed, killed_at + 1), TIMEOUT, what="the resumed run to train on")
    resumed = [e["detail"] for e in store.events(doomed) if e["kind"] == "resume_from_checkpoint"]
    assert len(resumed) == 1 and 1 <= resumed[0]["epoch"] <= killed_at
    for r in (doomed, other):
        assert executor.stop(store, r, wait=30).status == "stopped"


def test_recover_calls_a_run_interrupted_when_its_pool_worker_trains_another_now(store, spiral, pool_of, wait_for):
    pool_of(1)
    current = submit(store, spiral, train=LONG, name="current")
    wait_for(lambda: training(store, current), TIMEOUT, what="the run to train")
    pid = store.get_run(current).pid
    stale = store.create_run(name="stale", dataset=spiral.ref.to_dict(), network=NET.to_dict(),
                             train=SHORT.to_dict(), status="running")
    store.update_run(stale, pid=pid)                     # its row names a live pool worker that trains `current`
    assert executor.recover(store) == [stale]
    assert store.get_run(stale).status == "interrupted" and store.get_run(current).status == "running"
    executor.stop(store, current, wait=30)


# ------------------------------------------------------------------ requests to a run waiting in line
def test_stop_pause_and_learning_rate_of_runs_waiting_in_line(store, spiral, pool_of, wait_for):
    pool_of(1)
    blocker = submit(store, spiral, train=LONG, name="blocker")
    wait_for(lambda: training(store, blocker), TIMEOUT, what="the first run to hold the only worker")
    # the paused run trains long: a short one could finish between two looks at it once resumed
    stopped, paused = submit(store, spiral, name="stopped in line"), submit(store, spiral, LONG, name="paused in line")
    assert executor.queue_position(store, stopped)[0] == 1
    assert executor.queue_position(store, paused)[0] == 2

    assert executor.stop(store, stopped).status == "stopped"         # at once: no worker to ask
    executor.pause(store, paused)
    executor.set_lr(store, paused, 0.002)
    assert store.get_run(paused).status == "queued" and executor.queue_position(store, paused)[0] == 1
    executor.stop(store, blocker, wait=30)

    # the row says 'paused' a moment before the events that go with it (the learning rate, the pause) are written
    wait_for(lambda: store.get_run(paused).status == "paused" and "pause" in kinds(store, paused), TIMEOUT,
             what="the paused run to get the worker")
    run = store.get_run(paused)
    assert run.step == 0                                 # it started paused: not one step was taken
    lr = [e for e in store.events(paused) if e["kind"] == "lr"]
    assert len(lr) == 1 and lr[0]["detail"] == {"from": 0.01, "to": 0.002} and lr[0]["step"] == 0
    executor.resume(store, paused)
    wait_for(lambda: training(store, paused, 2), TIMEOUT, what="the resumed run to train")
    assert store.metrics(paused, ["lr"]).value.iloc[-1] == pytest.approx(0.002)
    executor.stop(store, paused, wait=30)

    never = store.get_run(stopped)
    assert never.status == "stopped" and never.step == 0 and store.events(stopped) == []   # it never trained
    assert stopped not in {r for (r,) in store.db.execute("SELECT run FROM claims")}


def test_stop_does_not_end_a_run_a_worker_has_taken_but_asks_its_worker(store, spiral, pool_of):
    """Stopping a run in line is a compare-and-set on 'queued, no worker': once a worker has taken it (here this
    process, as the command line takes its own run), the stop is a request to that worker instead."""
    pool_of(1)
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=SHORT, start=False)
    assert queue.claim(store, os.getpid()) == run_id
    run = executor.stop(store, run_id)
    assert (run.status, run.control, run.pid) == ("queued", "stop", os.getpid())
    assert kinds(store, run_id) == ["stop_requested"]


# ------------------------------------------------------------------ the per-person cap
def test_a_person_may_have_three_runs_active_and_is_told_how_to_start_a_fourth(store, spiral, pool_of):
    pool_of(1, cap=3)
    ann = [executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=SHORT, owner="ann", start=False)
           for _ in range(3)]
    with pytest.raises(executor.TooManyRuns) as refused:
        executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=SHORT, owner="ann", start=False)
    assert str(refused.value).startswith("You have 3 runs waiting or training")
    assert "stop one or wait for one to finish" in str(refused.value)
    assert "GLASSNET_MAX_ACTIVE_RUNS_PER_PERSON" in str(refused.value)
    assert isinstance(refused.value, executor.JobError)
    assert len(store.list_runs(owner="ann")) == 3                    # nothing was added
    executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=SHORT, owner="bob", start=False)
    executor.stop(store, ann[0])
    executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=SHORT, owner="ann", start=False)
    with pytest.raises(executor.TooManyRuns):                        # a resume adds an active run too
        executor.resume(store, ann[0])


# ------------------------------------------------------------------ a worker's life
def test_a_worker_renews_itself_after_its_runs_in_the_same_process(store, spiral, pool_of, monkeypatch, wait_for):
    pool_of(1)
    monkeypatch.setenv("GLASSNET_WORKER_RUNS", "2")          # renewed after every two runs
    runs = [submit(store, spiral, name=f"r{i}") for i in range(5)]
    assert all(executor.wait(store, r, timeout=TIMEOUT).status == "finished" for r in runs)
    workers = {w for (w,) in store.db.execute("SELECT worker FROM claims")}
    assert len(workers) == 1                                  # one process (one pid) trained all five
    log = (store.home / "pool.log").read_text()
    assert log.count("renews itself after 2 runs") == 2 and log.count("ready") == 3, log[-2000:]
    wait_for(lambda: [w["runs_done"] for w in registry.live_workers(store)] == [1], TIMEOUT,
             what="the worker's count of runs to start afresh")


def test_a_pool_started_by_a_process_that_ended_leaves_once_idle(store, tmp_path, wait_for):
    """No server: the command that started the pool is gone, and its idle workers leave on their own."""
    import subprocess
    import sys
    starter = subprocess.run([sys.executable, "-c", "import sys; from core.runs import Store, pool; "
                              "print(pool.ensure(Store(sys.argv[1]), spare=1))", str(store.home)],
                             cwd=executor.ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    assert starter.stdout.strip() == "1", starter.stderr[-2000:]
    pid = wait_for(lambda: pool_pids(store.home), TIMEOUT, what="the worker")[0]
    wait_for(lambda: "ready" in (store.home / "pool.log").read_text(), TIMEOUT, what="the worker to be ready")
    wait_for(lambda: not executor.pid_alive(pid), TIMEOUT, what="the orphaned idle worker to leave")


def test_a_pool_worker_leaves_when_its_workspace_is_deleted(tmp_path, wait_for):
    import shutil

    from core.runs import Store, pool
    home = tmp_path / "doomed"
    store = Store(home)
    try:
        assert pool.ensure(store, spare=1) == 1
        pid = wait_for(lambda: pool_pids(home), TIMEOUT, what="the worker")[0]
        wait_for(lambda: "ready" in (home / "pool.log").read_text(), TIMEOUT, what="the worker to be ready")
        shutil.rmtree(home)
        wait_for(lambda: not executor.pid_alive(pid), TIMEOUT, what="the worker to leave")
        assert not home.exists()                               # nor did it make the folder again
    finally:
        store.close()
        for p in pool_pids(home):
            os.kill(p, signal.SIGKILL)
