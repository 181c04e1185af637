"""Start → first metric on a Ray cluster against the local pool: `python -m bench.ray_start [--json] [--quick]`.

A run is submitted to a warm worker — a pool worker of this machine (GLASSNET_EXECUTOR=pool), or a Ray
actor of a two-node cluster started for the measurement on this machine (GLASSNET_EXECUTOR=ray) — and timed
from submit() to its first step loss in the run store; then it is stopped and the next repeat begins, the
two ways interleaved. `ray_vs_pool_first_metric` is Ray's time over the pool's, repeat by repeat (above 1:
the pool starts runs sooner). Both ways claim from the same queue at the same poll rate, so the ratio says
what choosing Ray costs a run's start. `worker_memory_mb` is the resident memory of the worker that trained
the run (a pool worker process; a Ray actor's worker process), read from /proc.

As root the cluster and this measurement run inside a network namespace with only `lo` (figures() re-runs
this module there), so no Ray traffic leaves loopback.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .spread import ratios, spread

TIMEOUT_S = 300.0
POLL_S = 0.005


def _rss_mb(pid: int | None) -> float | None:
    """A process's resident memory in MB (its workers all run on this machine here), or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration, ValueError):
        return None


def _first_metric_s(store, ref: dict, memory: list) -> float:
    """Seconds from submit() to the run's first recorded step loss; the run is stopped after (the resident
    memory of the worker that trained it is appended to `memory`)."""
    from core.runs import executor
    from core.spec import NetworkSpec, TrainSpec
    t0 = time.perf_counter()
    run_id = executor.submit(store, dataset=ref, network=NetworkSpec.dense([16, 16], "tanh"),
                             train=TrainSpec(epochs=100000, batch_size=8), name="bench start")
    deadline = time.monotonic() + TIMEOUT_S
    while store.db.execute("SELECT 1 FROM metrics WHERE run=? LIMIT 1", (run_id,)).fetchone() is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no metric within {TIMEOUT_S:g} s: {store.get_run(run_id).status}")
        time.sleep(POLL_S)
    seconds = time.perf_counter() - t0
    memory.append(_rss_mb(store.get_run(run_id).pid))
    executor.stop(store, run_id)
    executor.wait(store, run_id, timeout=TIMEOUT_S)
    return seconds


def _warm(store, ref: dict) -> None:
    """One run to its end, so the way's worker exists and has imported everything."""
    from core.runs import executor
    from core.spec import NetworkSpec, TrainSpec
    run_id = executor.submit(store, dataset=ref, network=NetworkSpec.dense([4]), train=TrainSpec(epochs=1))
    run = executor.wait(store, run_id, timeout=TIMEOUT_S)
    if run.status != "finished":
        raise RuntimeError(f"warm-up run {run.status}: {run.error}")


def measure(repeats: int) -> dict:
    """Runs in a process that can reach a cluster (GLASSNET_RAY_ADDRESS and the token in its environment)."""
    from core.data import load_builtin
    from core.runs import Store, executor
    ref = load_builtin("spiral").ref.to_dict()
    times: dict[str, list[float]] = {"pool": [], "ray": []}
    memory: dict[str, list] = {"pool": [], "ray": []}
    saved = os.environ.get("GLASSNET_EXECUTOR")
    with tempfile.TemporaryDirectory() as tmp:
        stores = {way: Store(Path(tmp) / way) for way in times}
        try:
            for way, store in stores.items():
                os.environ["GLASSNET_EXECUTOR"] = way
                _warm(store, ref)
            for _ in range(repeats):
                for way, store in stores.items():
                    os.environ["GLASSNET_EXECUTOR"] = way
                    times[way].append(_first_metric_s(store, ref, memory[way]))
        finally:
            for way, store in stores.items():
                os.environ["GLASSNET_EXECUTOR"] = way
                executor.shutdown(store)
                store.close()
            os.environ.pop("GLASSNET_EXECUTOR") if saved is None else os.environ.update(GLASSNET_EXECUTOR=saved)
    return {"ray_vs_pool_first_metric": spread(ratios(times["ray"], times["pool"])),
            "first_metric_s": {way: spread(t) for way, t in times.items()},
            "worker_memory_mb": {way: spread([m for m in ms if m], 0) for way, ms in memory.items() if any(ms)}}


def _in_cluster(repeats: int) -> dict:
    """Start a two-node cluster, measure, end it."""
    from .ray_cluster import Cluster
    cluster = Cluster()
    try:
        cluster.start(nodes=2)
        os.environ.update(cluster.driver_env())
        import ray
        from core.runs import ray_backend
        ray_backend.connect()
        cluster.wait_nodes(ray, 2)
        result = measure(repeats)
        ray.shutdown()
    finally:
        cluster.stop()
    return {**result, "nodes": 2, "loopback_namespace": _loopback_only()}


def _loopback_only() -> bool:
    from .ray_cluster import loopback_only
    return loopback_only()


def figures(quick: bool = False) -> dict:
    """The figures, measured in a loopback-only network namespace when this process may make one (root)."""
    repeats = 2 if quick else 5
    ip = shutil.which("ip") or "/usr/sbin/ip"
    if os.geteuid() != 0 or not shutil.which("unshare") or not os.path.exists(ip):
        return _in_cluster(repeats)
    script = f"{ip} link set lo up && exec {sys.executable} -m bench.ray_start --json --repeats {repeats}"
    done = subprocess.run(["unshare", "-n", "sh", "-c", script], cwd=Path(__file__).resolve().parents[1],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"the Ray benchmark failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="python -m bench.ray_start")
    p.add_argument("--json", action="store_true")
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args(argv)
    result = _in_cluster(a.repeats) if _loopback_only() or os.geteuid() != 0 else figures(a.repeats <= 2)
    print(json.dumps(result) if a.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
