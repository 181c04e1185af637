"""Analysis jobs (core/runs/jobs.py) with real pool worker processes and a real SQLite run store: a job is done
by a worker, not the caller, and gives what the caller would have computed; it waits in the same fair-share
line as runs; it is private to its person; a Cancel stops it; a killed worker leaves it failed, and the
other jobs go on."""
from __future__ import annotations

import dataclasses
import os
import shutil
import signal

import numpy as np
import pytest

from core import limits
from core.runs import Store, executor, queue, registry
from core.runs.job_table import insert, read
from core.runs.people import Person
from core.runs.scope import NotYours, ScopedStore
from tests.helpers_runs import train_run

TIMEOUT = 120
SLOW = {"checkpoint": "last", "method": "sampling", "split": "test", "rows": 300, "background": 100}   # ~45 s


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    home = tmp_path_factory.mktemp("jobs-runs")
    return home, {"iris": train_run(home, "iris", epochs=5),
                  "digits": train_run(home, "digits", epochs=1, hidden=(16,), activation="relu")}


@pytest.fixture
def store(trained, tmp_path):
    """A workspace of its own holding the trained runs; its pool is ended at teardown."""
    home = tmp_path / "ws"
    shutil.copytree(trained[0], home)
    s = Store(home)
    yield s
    executor.shutdown(s)
    s.close()


@pytest.fixture
def pool_of(monkeypatch):
    def make(workers: int):
        monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, workers=workers))
        return workers
    return make


def test_a_job_is_done_by_a_pool_worker_and_equals_the_computation_in_process(store, trained, pool_of, wait_for):
    from core.analysis.explain import RunExplainer, background_rows, column_groups, shap_values
    from core.analysis.explain.stored import load_npz
    pool_of(1)
    run_id = trained[1]["iris"]
    request = {"run": run_id, "checkpoint": "last", "method": "exact", "split": "test", "rows": 20, "background": 30}
    job_id = executor.submit_job(store, "shap", request)
    job = wait_for(lambda: (j := executor.job_status(store, job_id)).status in ("done", "failed") and j,
                   timeout=TIMEOUT, what="the job to end")
    assert job.status == "done", job.message
    worker = store.db.execute("SELECT worker FROM claims WHERE run=?", (f"job:{job_id}",)).fetchone()[0]
    assert worker != os.getpid() and job.pid == worker and registry.is_pool_process(worker, store.home)
    path = executor.job_result(store, job_id)
    assert path.suffix == ".npz" and path.parent == store.home / "jobs"
    att = load_npz(path)
    ex = RunExplainer.open(store, run_id)
    features, groups, grouped = column_groups(ex.dataset)
    ids, X = ex.rows("test", 20)
    mine = shap_values(ex.model, X, background_rows(ex.dataset, 30, 0), features, groups, "exact", rows=ids,
                       grouped=grouped)
    assert att.values.shape == mine.values.shape == (20, 4, 3)
    np.testing.assert_allclose(att.values, mine.values, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(att.rows, mine.rows)


@pytest.mark.usefixtures("backend")
def test_runs_and_jobs_wait_in_one_fair_share_line(store):
    def run(owner):
        return store.create_run(name="r", dataset={"kind": "builtin", "name": "spiral"}, network={"layers": []},
                                train={"epochs": 5}, status="queued", owner=owner)
    ann = [run("ann") for _ in range(3)]
    bob = "job:" + insert(store, "bob", "shap", {"run": ann[0]})
    # Ann queued three runs first; Bob's job comes second, not fourth
    assert queue.line(store) == [ann[0], bob, ann[1], ann[2]]
    assert queue.claim(store, 4242) == ann[0]
    assert queue.claim(store, 4243) == bob
    assert read(store, bob[4:]).status == "running" and read(store, bob[4:]).pid == 4243
    # and the other way round: Carl's many jobs do not hold back Dan's one run
    carl = ["job:" + insert(store, "carl", "drift", {"i": i}) for i in range(3)]
    dan = run("dan")
    assert queue.line(store).index(dan) < queue.line(store).index(carl[1])
    assert executor.queue_position(store, dan)[0] == queue.line(store).index(dan) + 1


def test_a_person_cannot_read_or_cancel_another_persons_job(store, trained):
    ann, bob = Person("a" * 24, "Ann", "student"), Person("b" * 24, "Bob", "student")
    run_id = trained[1]["iris"]
    store.update_run(run_id, owner=ann.id)
    as_ann, as_bob = ScopedStore(store, ann), ScopedStore(store, bob)
    job_id = executor.submit_job(as_ann, "shap", {"run": run_id, **SLOW}, start=False)
    assert executor.job_status(as_ann, job_id).owner == ann.id
    for action in (executor.job_status, executor.cancel_job, executor.job_result):
        with pytest.raises(NotYours):
            action(as_bob, job_id)
    with pytest.raises(NotYours):                          # nor ask about her run
        executor.submit_job(as_bob, "shap", {"run": run_id, **SLOW}, start=False)
    assert executor.job_status(as_ann, job_id).status == "queued"
    assert executor.cancel_job(as_ann, job_id).status == "cancelled"     # a waiting job: at once
    assert executor.job_status(store, job_id).status == "cancelled"      # the teacher's view: every job


def _running(store, job_id, wait_for):
    return wait_for(lambda: (j := executor.job_status(store, job_id)).status == "running" and j.progress > 0 and j,
                    timeout=TIMEOUT, what="the job to run")


def test_cancel_stops_a_running_job_and_its_worker_takes_the_next(store, trained, pool_of, wait_for):
    pool_of(1)
    slow = executor.submit_job(store, "shap", {"run": trained[1]["digits"], **SLOW})
    worker = _running(store, slow, wait_for).pid
    executor.cancel_job(store, slow)
    job = wait_for(lambda: (j := executor.job_status(store, slow)).status != "running" and j, timeout=10,
                   what="the running job to stop")
    assert job.status == "cancelled" and job.result is None
    quick = executor.submit_job(store, "shap", {"run": trained[1]["iris"], "checkpoint": "last", "method": "exact",
                                                "split": "test", "rows": 5, "background": 10})
    done = wait_for(lambda: (j := executor.job_status(store, quick)).status in ("done", "failed") and j,
                    timeout=TIMEOUT, what="the next job")
    assert done.status == "done" and done.pid == worker        # the same worker, still alive


def test_a_killed_workers_job_is_failed_with_a_message_and_the_others_still_run(store, trained, pool_of, wait_for):
    pool_of(1)
    slow = executor.submit_job(store, "shap", {"run": trained[1]["digits"], **SLOW})
    worker = _running(store, slow, wait_for).pid
    quick = executor.submit_job(store, "shap", {"run": trained[1]["iris"], "checkpoint": "last", "method": "exact",
                                                "split": "test", "rows": 5, "background": 10})
    os.kill(worker, signal.SIGKILL)
    job = wait_for(lambda: (executor.recover(store), executor.job_status(store, slow))[1].status == "failed" and
                   executor.job_status(store, slow), timeout=30, what="the job to be failed")
    assert "stopped before it finished" in job.message and "Try again" in job.message
    done = wait_for(lambda: (executor.recover(store), executor.job_status(store, quick))[1].status
                    in ("done", "failed") and executor.job_status(store, quick), timeout=TIMEOUT, what="the next job")
    assert done.status == "done" and done.pid != worker


def test_with_the_spawn_way_a_job_runs_in_a_process_of_its_own(store, trained, monkeypatch, wait_for):
    monkeypatch.setenv("GLASSNET_EXECUTOR", "spawn")
    request = {"run": trained[1]["iris"], "checkpoint": "last", "method": "exact", "split": "test", "rows": 5,
               "background": 10}
    job_id = executor.submit_job(store, "drift", {**request, "rows": 20, "background": 10})
    spawned = executor.job_status(store, job_id).pid
    assert spawned and spawned != os.getpid()
    job = wait_for(lambda: (j := executor.job_status(store, job_id)).status in ("done", "failed") and j,
                   timeout=TIMEOUT, what="the spawned job")
    assert job.status == "done", job.message
    assert job.pid == spawned and not registry.live_workers(store)          # no pool worker did it
    assert executor.job_result(store, job_id).suffix == ".json"


def test_deleting_a_run_removes_its_ended_jobs_and_their_files_and_cancels_a_waiting_one(store, trained, pool_of,
                                                                                       wait_for):
    pool_of(1)
    run_id, other = trained[1]["iris"], trained[1]["digits"]
    quick = {"run": run_id, "checkpoint": "last", "method": "exact", "split": "test", "rows": 5, "background": 10}
    done = executor.submit_job(store, "shap", quick)
    wait_for(lambda: executor.job_status(store, done).status == "done", timeout=TIMEOUT, what="the job to end")
    path = executor.job_result(store, done)
    kept = insert(store, None, "shap", {**quick, "run": other})      # another run's job, waiting, untouched
    waiting = insert(store, None, "shap", {**quick, "rows": 6})
    executor.delete(store, run_id)
    assert not path.exists()
    assert store.db.execute("SELECT count(*) FROM jobs WHERE id=?", (done,)).fetchone()[0] == 0
    assert read(store, waiting).status == "cancelled"
    assert read(store, kept).status != "cancelled"               # a worker may have taken it meanwhile
