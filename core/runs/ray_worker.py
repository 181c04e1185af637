"""A worker of the executor's Ray way, inside a Ray actor: the pool worker's loop on a node of a Ray cluster.

Each actor (core/runs/ray_backend.py makes them, one a slot) imports torch once, then claims the next
queued run or analysis job in fair-share order from the run store (core/runs/queue.py), trains or does it,
and repeats — exactly what a local pool worker does, so the queue, fair share, pause, step, stop and learning
rate changes are the store's as before. An actor without a GPU passes over runs that ask for CUDA.

It notes itself in the store's ray_workers table (core/runs/placements.py) with its node, in the same
transaction as each claim the item it holds, and beats its row every BEAT_S from a thread of its own, so a
run whose worker process was killed, or whose node was lost, is told from a live one and marked interrupted
by recover(): resumable from its last checkpoint. It leaves once idle IDLE_S.
"""
from __future__ import annotations

import os
import threading
import time

from .job_table import JOB

POLL_S = 0.05
IDLE_S = float(os.environ.get("GLASSNET_RAY_IDLE_S", "300") or 300)


def serve(home: str, gpu: bool, actor: str) -> int:
    """The actor's life: warm up, then claim and train until idle IDLE_S or the workspace is gone; returns how
    many runs and jobs it did."""
    import ray

    from .placements import ray_gone, ray_ready
    from .store import Store
    from .worker import warm

    warm()
    store, me = Store(home), os.getpid()
    node, ip = ray.get_runtime_context().get_node_id(), ray.util.get_node_ip_address()
    ray_ready(store, me, node, ip, actor)
    stop = threading.Event()
    beating = threading.Thread(target=_beat, args=(home, me, stop), daemon=True)
    beating.start()
    try:
        return _loop(store, me, gpu, node, ip)
    finally:
        stop.set()
        beating.join(timeout=5)
        try:
            ray_gone(store, me)
            store.close()
        except Exception:
            pass


def _loop(store, me: int, gpu: bool, node: str, ip: str) -> int:
    from .job_worker import do_job
    from .placements import ray_holds, record
    from .pool_worker import train_logged
    from .queue import claim
    from .worker import train_claimed

    def noted(item: str) -> None:                    # inside the claim's transaction
        ray_holds(store, me, item)
        if not item.startswith(JOB):
            record(store, item, "ray", node=node, ip=ip, pid=me)

    done, idle_since = 0, time.monotonic()
    while store.path.exists():
        item = claim(store, me, gpu=gpu, noted=noted)
        if item is None:
            if time.monotonic() - idle_since >= IDLE_S:
                break
            time.sleep(POLL_S)
            continue
        if item.startswith(JOB):
            do_job(store, item[len(JOB):])
        elif not train_logged(store, item, train_claimed, way="ray"):
            break                                   # the workspace cannot take a run's end any more
        ray_holds(store, me, None)
        done += 1
        idle_since = time.monotonic()
    return done


def _beat(home: str, me: int, stop: threading.Event) -> None:
    """Note every BEAT_S that this worker lives (its own connection: the loop's may be inside a transaction)."""
    from .placements import BEAT_S, ray_beat
    from .store import Store
    store = Store(home)
    try:
        while not stop.wait(BEAT_S):
            try:
                ray_beat(store, me)
            except Exception:
                pass                                # a busy store: the next beat comes soon
    finally:
        store.close()
