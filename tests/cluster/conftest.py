"""A real two-node Ray cluster for the Ray executor's tests: one per test session, two `ray start` nodes of one
CPU each, token authentication, everything on 127.0.0.1.

`make test` runs the suite as root inside a network namespace that has only `lo` (see the Makefile), so no
Ray traffic leaves loopback; elsewhere the nodes are still told to use 127.0.0.1. Each node is a `ray start
--block` process in a session of its own, and the cluster is ended through those sessions (never `ray stop`,
which ends every Ray process of the machine by name). A cluster that cannot start fails the tests with its log.
"""
from __future__ import annotations

import os
import time

import pytest

from bench.ray_cluster import Cluster, ClusterError


@pytest.fixture(scope="session")
def ray_cluster():
    """Two nodes of one CPU each; this process connected to them as a driver (through the executor's own
    connect, with GLASSNET_RAY_ADDRESS). Yields the Cluster."""
    cluster = Cluster()
    saved = {k: os.environ.get(k) for k in cluster.driver_env()}
    try:
        cluster.start(nodes=2)
        os.environ.update(cluster.driver_env())          # before ray is imported: it reads the token then
        import ray
        from core.runs import ray_backend
        try:
            ray_backend.connect()
        except Exception as e:
            cluster.fail(str(e))
        cluster.wait_nodes(ray, 2)
    except ClusterError as e:
        pytest.fail(str(e), pytrace=False)
    yield cluster
    import ray
    ray.shutdown()
    cluster.stop()
    for k, v in saved.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


@pytest.fixture
def on_ray(ray_cluster, monkeypatch, tmp_path):
    """A fresh workspace whose runs train on the cluster (GLASSNET_EXECUTOR=ray); its actors are ended after."""
    from core.runs import Store, executor
    monkeypatch.setenv("GLASSNET_EXECUTOR", "ray")
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    store = Store(tmp_path)
    yield store
    executor.shutdown(store)
    _wait_actors_gone(store)
    store.close()


def _wait_actors_gone(store) -> None:
    """The next test's actors need the CPUs these hold."""
    import ray
    from core.runs import ray_backend
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not ray_backend.actors(store) and ray.available_resources().get("CPU", 0) >= 2:
            return
        time.sleep(0.1)
