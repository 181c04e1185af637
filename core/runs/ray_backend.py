"""The executor's Ray way (GLASSNET_EXECUTOR=ray): runs and analysis jobs train on a Ray cluster.

GLASSNET_RAY_ADDRESS says where the cluster is: `auto` (the default: the cluster this machine belongs to,
started with `ray start`), `host:port` of its head, or `ray://host:port` (Ray Client). Every process that
talks to it needs the cluster's token (RAY_AUTH_MODE=token, and the token in ~/.ray/auth_token or
RAY_AUTH_TOKEN).

The cluster runs actors, one a slot, each declaring one CPU (or one CPU and one GPU), named after the
workspace and the slot and detached (they outlive the process that made them, so the server, the command
line and a second server share them, and a run trains on when its submitter ends). Each runs the pool
worker's claim loop (core/runs/ray_worker.py), so the queue and its fair share are the store's as with local
workers; the cluster takes as many runs at once as it has slots instead of K. ensure() makes the actors the
queue needs, up to the cluster's CPUs; an actor whose process dies is made again by the next ensure().
GPU actors are made only for runs that ask for CUDA, and only on a cluster with GPUs; such a run is refused
at submit on a cluster without one.
"""
from __future__ import annotations

import hashlib
import json
import os
import time

from .queue import HOLDING, JobError, WAITING, waiting_count, wants_gpu
from .spawning import ROOT

NAMESPACE = "glassnet"
WORKER_LOOP = "core.runs.ray_worker"          # the actors' loop, imported in their own processes
THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class RayUnavailable(JobError):
    """GLASSNET_EXECUTOR=ray but no Ray cluster answers (or it cannot take the run)."""


def address() -> str:
    return os.environ.get("GLASSNET_RAY_ADDRESS", "auto").strip() or "auto"


def connect():
    """The ray module, connected to the cluster (once per process)."""
    import ray
    if ray.is_initialized():
        return ray
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), **THREADS}
    try:
        ray.init(address=address(), namespace=NAMESPACE, runtime_env={"env_vars": env}, log_to_driver=False,
                 logging_level="WARNING")
    except Exception as e:                               # ConnectionError, auth errors, timeouts …
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
        raise RayUnavailable(
            f"GLASSNET_EXECUTOR is ray, but no Ray cluster answered at GLASSNET_RAY_ADDRESS={address()} ({first}). "
            "Start one with `ray start --head` (with RAY_AUTH_MODE=token and the cluster's token in every process), "
            "set GLASSNET_RAY_ADDRESS to its head's host:port, or unset GLASSNET_EXECUTOR to train on this "
            "machine") from None
    return ray


def resources() -> tuple[int, int]:
    """(CPUs, GPUs) of the cluster."""
    res = connect().cluster_resources()
    return int(res.get("CPU", 0)), int(res.get("GPU", 0))


def slots() -> int:
    """How many runs the cluster trains at once: one a CPU."""
    return max(1, resources()[0])


def check_device(train: dict) -> None:
    """Refuse a run that asks for CUDA when the cluster has no GPU (it would wait for ever); a cluster that does
    not answer is named here too, before the run is recorded."""
    connect()
    if train.get("device") != "cuda":
        return
    if resources()[1] == 0:
        raise RayUnavailable(f"the run asks for a CUDA GPU (device cuda), but the Ray cluster at {address()} has "
                             "no GPU: set the device to auto or cpu, or add a node with a GPU to the cluster "
                             "(`ray start --address=HEAD:PORT --num-gpus=1`)")


def workspace_key(home) -> str:
    return hashlib.sha1(os.path.realpath(str(home)).encode()).hexdigest()[:12]


def _demand(store, spare: int, alive: list[dict]) -> tuple[int, int]:
    """(CPU slots, GPU slots) the workspace needs now: what its runs and jobs hold or wait for, plus `spare`."""
    busy = sum(1 for w in alive if w["run"] is not None)
    waiting = [r[0] for r in store.db.execute(f"SELECT id FROM runs WHERE {WAITING}").fetchall()]
    cuda = sum(1 for run_id in waiting if wants_gpu(store, run_id))
    held = store.db.execute(f"SELECT train FROM runs WHERE {HOLDING}").fetchall()
    held_cuda = sum(1 for (t,) in held if json.loads(t or "{}").get("device") == "cuda")
    return busy - held_cuda + waiting_count(store) - cuda + spare, cuda + held_cuda


def ensure(store, spare: int = 0) -> int:
    """Make the actors the workspace's queue needs, up to the cluster's slots; returns how many were made.
    Never waits for one to be ready."""
    from .placements import forget_ray_workers, ray_workers
    ray = connect()
    cpus, gpus = resources()
    alive, gone = ray_workers(store)
    dead = {r["actor"] for r in gone} - {r["actor"] for r in alive}
    need_cpu, need_gpu = _demand(store, spare, alive)
    gpu_slots = min(gpus, need_gpu)
    made = sum(_slot(ray, store, i, True, dead) for i in range(gpu_slots))
    made += sum(_slot(ray, store, i, False, dead) for i in range(min(max(0, cpus - gpu_slots), need_cpu)))
    forget_ray_workers(store, gone)
    return made


_seen: dict[str, float] = {}        # actor name → when this process last saw it (asked again after SEEN_S)
SEEN_S = 1.0
DEAD_NAME_S = 10.0


def _named(ray, name: str, dead: bool):
    """The actor of this name, or None. One whose worker died (`dead`: its row says so) keeps its name for a
    moment in Ray's books: wait for the name to come free, so that the slot is made again now."""
    deadline = time.monotonic() + (DEAD_NAME_S if dead else 0)
    while True:
        try:
            handle = ray.get_actor(name, namespace=NAMESPACE)
        except ValueError:
            return None
        if time.monotonic() >= deadline:
            return handle
        time.sleep(0.05)


def _slot(ray, store, index: int, gpu: bool, dead: set) -> bool:
    """Make the actor of this slot unless it exists; True if made."""
    name = f"{workspace_key(store.home)}-{'gpu' if gpu else 'cpu'}-{index}"
    if name not in dead and time.monotonic() - _seen.get(name, float("-inf")) < SEEN_S:
        return False
    if _named(ray, name, name in dead) is not None:
        _seen[name] = time.monotonic()
        return False
    env = {k: v for k, v in os.environ.items() if k.startswith("GLASSNET_")}
    actor = ray.remote(Slot).options(
        name=name, namespace=NAMESPACE, lifetime="detached", get_if_exists=True, num_cpus=1,
        num_gpus=1 if gpu else 0, max_concurrency=2, scheduling_strategy="SPREAD", max_restarts=0,
    ).remote(str(os.path.realpath(store.home)), env, gpu, name)
    actor.serve.remote()                      # a second serve() of an actor made meanwhile returns at once
    _seen[name] = time.monotonic()
    return True


class Slot:
    """The Ray actor: one slot of the cluster. Its loop is core/runs/ray_worker.py, imported by name in the
    actor's own process (as the pool starts core.runs.worker by name), so only that process loads torch."""

    def __init__(self, home: str, env: dict, gpu: bool, actor: str):
        import threading
        os.environ.update(env)
        self.home, self.gpu, self.actor = home, gpu, actor
        self._serving = threading.Lock()

    def serve(self) -> int:
        """Claim and train until idle; then the actor ends. A second call while it serves returns at once."""
        import importlib
        if not self._serving.acquire(blocking=False):
            return -1
        try:
            done = importlib.import_module(WORKER_LOOP).serve(self.home, self.gpu, self.actor)
        finally:
            self._serving.release()
        import ray
        ray.actor.exit_actor()
        return done


def actors(store) -> list[str]:
    """The names of this workspace's actors on the cluster now."""
    ray = connect()
    key = workspace_key(store.home)
    return sorted(n for n in ray.util.list_named_actors() if n.startswith(key))


def shutdown(store) -> list[str]:
    """End this workspace's actors (a run one trains is left for recover() to call interrupted)."""
    import ray as ray_module
    if not ray_module.is_initialized():
        return []
    ray = connect()
    ended = actors(store)
    _seen.clear()
    for name in ended:
        try:
            ray.kill(ray.get_actor(name, namespace=NAMESPACE), no_restart=True)
        except ValueError:
            pass
    return ended


def end_actor(name: str) -> bool:
    """End one actor by its name (a worker on another machine that does not stop); True if it was there."""
    ray = connect()
    try:
        ray.kill(ray.get_actor(name, namespace=NAMESPACE), no_restart=True)
        return True
    except ValueError:
        return False
