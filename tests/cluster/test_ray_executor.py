"""The executor's Ray way (GLASSNET_EXECUTOR=ray) on a real two-node Ray cluster (tests/cluster/conftest.py):
runs train in Ray actors that take them from the run store's queue, controlled through the store as local
workers are. Every wait polls the store with a deadline."""
from __future__ import annotations

import os
import signal

import pytest

from core.runs import executor
from core.runs.placements import placed, placements
from core.spec import NetworkSpec, TrainSpec

TIMEOUT = 180
NET = NetworkSpec.dense([8], "tanh")
LONG = TrainSpec(epochs=100000, batch_size=8, checkpoint_every=5)


def log_of(store, run_id) -> str:
    path = store.run_dir(run_id) / "worker.log"
    return path.read_text(errors="replace") if path.exists() else ""


def last_epoch(store, run_id) -> int:
    rows = store.metrics(run_id, ["train_loss"])
    return int(rows.epoch.max()) if len(rows) else 0


def start_long(store, spiral, wait_for, name="long", min_epoch=2, **train):
    spec = TrainSpec(**{**LONG.to_dict(), **train})
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=spec, name=name)
    wait_for(lambda: store.get_run(run_id).status == "running" and last_epoch(store, run_id) >= min_epoch,
             TIMEOUT, what=f"run {run_id} to train {min_epoch} epochs on Ray (log: {log_of(store, run_id)[-800:]})")
    return run_id


def test_a_run_trains_to_its_end_in_a_ray_actor_and_names_its_node(on_ray, spiral, ray_cluster):
    import ray
    store = on_ray
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, name="on ray",
                             train=TrainSpec(epochs=15, batch_size=32))
    run = executor.wait(store, run_id, timeout=TIMEOUT)
    assert run.status == "finished", f"{run.status}: {run.error} / {log_of(store, run_id)[-800:]}"
    assert run.epoch == 15 and run.pid is None and "test_accuracy" in run.summary
    kinds = [e["kind"] for e in store.events(run_id)]
    assert kinds[0] == "start" and kinds[-1] == "end"
    where = placed(store, run_id)
    nodes = {n["NodeID"] for n in ray.nodes() if n["Alive"]}
    assert where["executor"] == "ray" and where["node"] in nodes and where["ip"] == "127.0.0.1"
    assert "(ray)" in log_of(store, run_id)
    assert where["pid"] != os.getpid()                      # not trained by this process


def test_pause_step_resume_lr_and_stop_go_through_the_store_to_the_ray_worker(on_ray, spiral, wait_for):
    store = on_ray
    run_id = start_long(store, spiral, wait_for)
    paused = executor.pause(store, run_id, wait=30)
    assert paused.status == "paused"
    step = paused.step
    stepped = executor.step(store, run_id, wait=30)
    assert stepped.status == "paused" and stepped.step == step + 1
    executor.set_lr(store, run_id, 0.002)
    executor.resume(store, run_id, wait=30)
    wait_for(lambda: [e for e in store.events(run_id) if e["kind"] == "lr"], TIMEOUT, what="the new learning rate")
    epoch = last_epoch(store, run_id)
    wait_for(lambda: last_epoch(store, run_id) > epoch + 1, TIMEOUT, what="training to go on after resume")
    assert store.metrics(run_id, ["lr"]).value.iloc[-1] == pytest.approx(0.002)
    kinds = [e["kind"] for e in store.events(run_id)]
    assert {"pause", "step", "resume", "lr"} <= set(kinds)
    executor.stop(store, run_id)
    run = executor.wait(store, run_id, timeout=TIMEOUT)
    assert run.status == "stopped" and run.pid is None and run.epoch < 100000
    assert "stop_forced" not in [e["kind"] for e in store.events(run_id)]      # the worker stopped itself


def test_a_killed_ray_worker_leaves_the_run_interrupted_and_it_resumes_from_its_checkpoint(on_ray, spiral, wait_for):
    from core.runs.checkpoints import candidates
    store = on_ray
    run_id = start_long(store, spiral, wait_for, min_epoch=1)
    wait_for(lambda: len(store.epoch_checkpoints(run_id)) >= 2, TIMEOUT, what="two checkpoints")
    pid = store.get_run(run_id).pid
    os.kill(pid, signal.SIGKILL)                             # the Ray worker process of the actor
    wait_for(lambda: not executor.pid_alive(pid), TIMEOUT, what="the killed Ray worker to be gone")
    wait_for(lambda: executor.check(store, run_id).status == "interrupted", TIMEOUT, what="the run interrupted")
    run = store.get_run(run_id)
    assert run.pid is None and "resume" in run.error
    killed_at = last_epoch(store, run_id)
    ckpt = max(c.epoch for c in candidates(store, run_id) if c.step <= store.recorded_step(run_id))

    executor.resume(store, run_id)
    # recover() (which the pages and `resume --wait` call as they poll) makes the lost slot again
    wait_for(lambda: not executor.recover(store) and store.get_run(run_id).status == "running"
             and last_epoch(store, run_id) > killed_at + 2,
             TIMEOUT, what=f"the resumed run to pass epoch {killed_at} (log: {log_of(store, run_id)[-800:]})")
    resumed = [e["detail"] for e in store.events(run_id) if e["kind"] == "resume_from_checkpoint"]
    assert len(resumed) == 1 and resumed[0]["epoch"] == ckpt
    assert resumed[0]["epochs_redone"] == killed_at - ckpt   # nothing trained again past the checkpoint
    attempts = placements(store, run_id)
    assert [p["executor"] for p in attempts] == ["ray", "ray"] and attempts[1]["pid"] != pid
    executor.stop(store, run_id)
    assert executor.wait(store, run_id, timeout=TIMEOUT).status == "stopped"


def test_two_runs_train_at_once_on_the_two_nodes(on_ray, spiral, iris):
    store = on_ray
    a = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, name="a",
                        train=TrainSpec(epochs=150, batch_size=8))
    b = executor.submit(store, dataset=iris.ref.to_dict(), network=NET, name="b",
                        train=TrainSpec(epochs=400, batch_size=8))
    ra, rb = executor.wait(store, a, timeout=TIMEOUT), executor.wait(store, b, timeout=TIMEOUT)
    assert (ra.status, rb.status) == ("finished", "finished"), (ra.error, rb.error)
    span = {}
    for r in (a, b):
        times = {e["kind"]: e["time"] for e in store.events(r)}
        span[r] = times["start"], times["end"]
    overlap = min(span[a][1], span[b][1]) - max(span[a][0], span[b][0])
    assert overlap > 0, f"training intervals {span} do not overlap"
    assert placed(store, a)["node"] != placed(store, b)["node"]


def test_a_cuda_run_is_refused_on_a_cluster_without_gpu_and_never_taken_by_a_cpu_worker(on_ray, spiral, wait_for):
    from core.runs import JobError
    from core.runs.queue import claim
    store = on_ray
    with pytest.raises(JobError, match="no GPU.*set the device to auto or cpu"):
        executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=TrainSpec(epochs=2, device="cuda"))
    assert store.list_runs() == []                           # refused before it was recorded
    # a cuda run already queued (e.g. by a server with another cluster) waits: a CPU worker passes over it
    cuda = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=TrainSpec(epochs=2), start=False)
    store.update_run(cuda, train={**store.get_run(cuda).train, "device": "cuda"})
    cpu = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=TrainSpec(epochs=2), start=False)
    assert claim(store, 999999, gpu=False) == cpu
    assert claim(store, 999998, gpu=False) is None
    assert claim(store, 999997, gpu=True) == cuda


# ------------------------------------------------------------------ the command line
def cli_train(home, env: dict) -> dict:
    import json
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "core", "train", "--dataset", "spiral", "--hidden", "8",
                           "--epochs", "5", "--json", "--home", str(home)], cwd=root, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_cli_train_goes_through_ray_and_names_the_executor_and_node(ray_cluster, tmp_path):
    import ray
    from core.runs import Store, ray_backend
    env = {**os.environ, "GLASSNET_EXECUTOR": "ray", "GLASSNET_RAY_ADDRESS": ray_cluster.address}
    out = cli_train(tmp_path, env)
    assert out["status"] == "finished" and out["epochs"] == 5
    assert out["executor"] == "ray" and out["node_ip"] == "127.0.0.1"
    assert out["node"] in {n["NodeID"] for n in ray.nodes() if n["Alive"]}
    with Store(tmp_path) as store:
        assert placed(store, out["run_id"])["pid"] != os.getpid()
        ray_backend.shutdown(store)          # the command's actors outlive it (detached): end them here


def test_cli_train_without_ray_trains_in_its_own_process_and_says_so(tmp_path):
    import socket
    env = {k: v for k, v in os.environ.items() if k != "GLASSNET_EXECUTOR"}
    out = cli_train(tmp_path, env)
    assert out["status"] == "finished" and out["executor"] == "local" and out["node"] == socket.gethostname()


def test_the_start_benchmark_measures_ray_against_the_pool_on_the_cluster(ray_cluster):
    from bench.ray_start import measure
    result = measure(repeats=1)
    ratio, times = result["ray_vs_pool_first_metric"], result["first_metric_s"]
    assert ratio["repeats"] == 1 and ratio["median"] > 0
    assert ratio["median"] == pytest.approx(times["ray"]["median"] / times["pool"]["median"], rel=1e-2)
