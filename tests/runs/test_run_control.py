"""Resume and Stop as compare-and-set on the run's row, and recover() telling a live worker from a dead one:
two Resume clicks start one worker; a worker alive with an old heartbeat is left alone, a pid that now belongs
to another program is not; a worker that does not stop when asked is ended after the grace period."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from core.runs import Store, executor
from core.spec import NetworkSpec, TrainSpec
from tests.runs.mounts import kill_workers, worker_pids

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 120
NET = NetworkSpec.dense([16, 16], "tanh")
LONG = TrainSpec(epochs=100000, batch_size=8)


def interrupted_run(store, spiral) -> str:
    """A run as a killed worker leaves it: interrupted, nothing running."""
    run_id = store.create_run(name="twice", dataset=spiral.ref.to_dict(), network=NET.to_dict(), train=LONG.to_dict(),
                              status="interrupted")
    return run_id


def running_run(store, spiral, wait_for) -> str:
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=LONG, name="control")
    wait_for(lambda: store.get_run(run_id).status == "running" and store.get_run(run_id).epoch >= 1, TIMEOUT,
             what="the run to train")
    return run_id


# ------------------------------------------------------------------ two resumes at once
def started(store, run_id, wait_for) -> tuple[int, int]:
    """Once the run trains: how many worker processes it has, and how many resumed it."""
    wait_for(lambda: store.get_run(run_id).status == "running" and store.get_run(run_id).epoch >= 1, TIMEOUT,
             what="the resumed run to train")
    return len(worker_pids(run_id)), len([e for e in store.events(run_id) if e["kind"] == "resume_from_checkpoint"])


def test_two_resume_clicks_at_once_from_two_connections_start_one_worker(store, home, spiral, wait_for):
    rounds = []
    for _ in range(3):
        run_id = interrupted_run(store, spiral)
        stores = [Store(home), Store(home)]
        barrier, results = threading.Barrier(2), [None, None]

        def click(i):
            barrier.wait()
            try:
                results[i] = executor.resume(stores[i], run_id).status
            except executor.JobError as e:
                results[i] = f"refused: {e}"

        threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(TIMEOUT)
        rounds.append((started(store, run_id, wait_for), results))
        kill_workers(run_id)
        for s in stores:
            s.close()
    assert all(workers == (1, 1) for workers, _ in rounds), rounds
    assert all(all(r in ("queued", "running") for r in results) for _, results in rounds), rounds


CLICK = """
import json, os, sys
from core.runs import Store, executor
store = Store(sys.argv[1])
print("ready", flush=True)
for i, run_id in enumerate(sys.argv[3:]):
    go = f"{sys.argv[2]}.{i}"
    while not os.path.exists(go):      # spin, so both processes leave at the same moment
        pass
    try:
        print(json.dumps(executor.resume(store, run_id).status), flush=True)
    except executor.JobError as e:
        print(json.dumps("refused: " + str(e)), flush=True)
"""


def test_two_resume_clicks_at_once_from_two_processes_start_one_worker(store, home, spiral, tmp_path, wait_for):
    run_ids = [interrupted_run(store, spiral) for _ in range(3)]
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": ROOT}
    clicks = [subprocess.Popen([sys.executable, "-c", CLICK, str(home), str(go), *run_ids], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    rounds = []
    try:
        assert all(c.stdout.readline().strip() == "ready" for c in clicks), [c.stderr.read()[-500:] for c in clicks]
        for i, run_id in enumerate(run_ids):
            (tmp_path / f"go.{i}").write_text("go")
            statuses = [json.loads(c.stdout.readline() or '"no answer"') for c in clicks]
            rounds.append((started(store, run_id, wait_for), statuses))
            kill_workers(run_id)
        assert all(workers == (1, 1) for workers, _ in rounds), rounds
        assert all(s in ("queued", "running") for _, statuses in rounds for s in statuses), rounds
    finally:
        for c in clicks:
            c.kill()
            c.communicate()
        for run_id in run_ids:
            kill_workers(run_id)


# ------------------------------------------------------------------ recover: alive and a worker
def test_a_live_worker_with_a_stale_heartbeat_is_not_called_interrupted(store, spiral, wait_for):
    run_id = running_run(store, spiral, wait_for)
    pid = store.get_run(run_id).pid
    os.kill(pid, signal.SIGSTOP)                 # a worker stuck in one long step: alive, silent
    try:
        store.update_run(run_id, heartbeat=time.time() - 3600)
        assert run_id not in executor.recover(store)
        assert store.get_run(run_id).status == "running"
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for(lambda: time.time() - store.get_run(run_id).heartbeat < 30, TIMEOUT, what="its heartbeat again")
    executor.stop(store, run_id, wait=30)


def test_a_run_whose_pid_is_now_another_program_is_interrupted(store, spiral):
    run_id = interrupted_run(store, spiral)
    other = subprocess.Popen(["sleep", "600"])
    try:
        store.update_run(run_id, status="running", pid=other.pid, heartbeat=time.time())
        assert executor.pid_alive(other.pid)
        assert executor.recover(store) == [run_id]
        run = store.get_run(run_id)
        assert run.status == "interrupted" and run.pid is None
    finally:
        other.kill()
        other.wait()


# ------------------------------------------------------------------ stop: asked, then ended
@pytest.fixture
def short_grace(monkeypatch):
    """A stop's grace period of 1 s instead of 10."""
    try:
        from core.runs import stopping
    except ImportError:        # an executor without a grace period: the tests then show it never ends a worker
        return 1.0
    monkeypatch.setattr(stopping, "STOP_GRACE_S", 1.0)
    return 1.0


def stop_events(store, run_id):
    return [e for e in store.events(run_id) if e["kind"] in ("stop_requested", "stop_forced")]


def test_stop_ends_a_worker_that_has_not_stopped_within_the_grace_period(store, spiral, wait_for, short_grace):
    run_id = running_run(store, spiral, wait_for)
    pid = store.get_run(run_id).pid
    os.kill(pid, signal.SIGSTOP)                 # it cannot take the request up
    run = executor.stop(store, run_id, wait=short_grace + 2)
    assert run.status == "stopped" and run.pid is None and "did not stop within" in run.error
    assert not executor.pid_alive(pid) and worker_pids(run_id) == []
    events = stop_events(store, run_id)
    assert [e["kind"] for e in events] == ["stop_requested", "stop_forced"]
    assert events[1]["time"] - events[0]["time"] >= short_grace


def test_recover_ends_a_worker_asked_to_stop_earlier(store, spiral, wait_for, short_grace):
    run_id = running_run(store, spiral, wait_for)
    pid = store.get_run(run_id).pid
    os.kill(pid, signal.SIGSTOP)
    assert executor.stop(store, run_id).status == "running"         # asked; nothing waits
    assert executor.stop(store, run_id).status == "running"         # asked again: the first request's time counts
    assert [e["kind"] for e in stop_events(store, run_id)] == ["stop_requested"]
    wait_for(lambda: run_id in executor.recover(store), TIMEOUT, what="recover() to end the worker")
    assert store.get_run(run_id).status == "stopped" and not executor.pid_alive(pid)


def test_a_worker_that_takes_the_request_up_stops_by_itself(store, spiral, wait_for, short_grace):
    run_id = running_run(store, spiral, wait_for)
    run = executor.stop(store, run_id, wait=30)
    assert run.status == "stopped" and "did not stop" not in (run.error or "")
    assert [e["kind"] for e in stop_events(store, run_id)] == ["stop_requested"]
