"""A classroom pressing Start at once: the executor's pool against a worker process per run, in the same run.

`python -m bench.executor [--runs 20] [--repeats 2] [--json]`

Each repeat, in turn for `pool` and `spawn` (GLASSNET_EXECUTOR), on a fresh workspace: the app's worker started
in advance and ready, then `runs` small runs submitted back to back (spiral, 16-16 tanh, 60 epochs), then
wait until all have finished, sampling the workspace's worker processes (how many, their memory) every 0.1 s.
Figures, each a ratio spawn / pool taken repeat by repeat (above 1: the pool does better):
  makespan         first submit → last run finished
  last_start       first submit → the last run's first step (its 'start' event)
  worker_memory    the largest sum of the workers' resident memory seen
  submit           the time submit() takes (all of them, summed)
and the pool's own efficiency: the runs' training time alone (each run's own seconds, as measured by a run
training alone on this machine first) over the cores, divided by its makespan (1 = perfect scheduling).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from .spread import spread
from .tree import rss_bytes, workers_of


def _worker_processes(home: Path) -> list[int]:
    """Resident bytes of each live worker process of the workspace."""
    out = []
    for pid in workers_of(home):
        try:
            out.append(rss_bytes(pid))
        except OSError:                 # ended meanwhile
            continue
    return out


class Sampler(threading.Thread):
    def __init__(self, home: Path):
        super().__init__(daemon=True)
        self.home, self.done, self.peak_rss, self.peak_n = home, False, 0, 0

    def run(self):
        while not self.done:
            rss = _worker_processes(self.home)
            self.peak_rss, self.peak_n = max(self.peak_rss, sum(rss)), max(self.peak_n, len(rss))
            time.sleep(0.1)


def one(mode: str, runs: int, epochs: int) -> dict:
    """One burst of `runs` submits in the executor's `mode`; its figures."""
    from core.data import load_builtin
    from core.runs import Store, executor
    from core.spec import NetworkSpec, TrainSpec
    os.environ["GLASSNET_EXECUTOR"] = mode
    executor.keep_standby_worker(True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(tmp)
        try:
            executor.warm_up(store)                      # as the Train page does before anyone presses Start
            time.sleep(8.0)                              # ... long enough before for it to be ready
            sampler = Sampler(store.home)
            sampler.start()
            data, net = load_builtin("spiral").ref.to_dict(), NetworkSpec.dense([16, 16], "tanh")
            t0 = time.perf_counter()
            ids = [executor.submit(store, dataset=data, network=net, train=TrainSpec(epochs=epochs, seed=i),
                                   owner=f"student {i}")                # a class: one run a person
                   for i in range(runs)]
            submitted = time.perf_counter() - t0
            ended = [executor.wait(store, r, timeout=3600) for r in ids]
            makespan = time.perf_counter() - t0
            sampler.done = True
            starts = [min(e["time"] for e in store.events(r) if e["kind"] == "start") for r in ids]
            first = min(run.created for run in ended)
            return {"makespan_s": makespan, "last_start_s": max(starts) - first, "submit_s": submitted,
                    "worker_memory_mb": sampler.peak_rss / 2**20, "workers": sampler.peak_n,
                    "finished": sum(r.status == "finished" for r in ended),
                    "train_seconds": sum(r.summary.get("seconds", 0.0) for r in ended)}
        finally:
            executor.shutdown(store)
            store.close()


def alone(epochs: int) -> float:
    """The seconds one such run trains, alone on the machine (its own clock)."""
    from core.data import load_builtin
    from core.spec import NetworkSpec, TrainSpec
    from core.training import train
    _, result = train(load_builtin("spiral"), NetworkSpec.dense([16, 16], "tanh"), TrainSpec(epochs=epochs))
    return result.seconds


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.executor")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    single = alone(a.epochs)
    rows = {"pool": [], "spawn": []}
    for i in range(a.repeats):
        for mode in (("pool", "spawn") if i % 2 == 0 else ("spawn", "pool")):
            rows[mode].append(one(mode, a.runs, a.epochs))
    cores = os.cpu_count() or 1
    out = {f"{k}_spawn_vs_pool": spread([s[k] / p[k] for s, p in zip(rows["spawn"], rows["pool"])])
           for k in ("makespan_s", "last_start_s", "worker_memory_mb", "submit_s")}
    out["pool_efficiency"] = spread([single * a.runs / cores / p["makespan_s"] for p in rows["pool"]])
    out["spawn_efficiency"] = spread([single * a.runs / cores / s["makespan_s"] for s in rows["spawn"]])
    out["raw"] = {**rows, "one_run_alone_s": single, "cores": cores}
    print(json.dumps(out, indent=None if a.json else 1, default=lambda x: round(x, 3)))
    return out


if __name__ == "__main__":
    main()
