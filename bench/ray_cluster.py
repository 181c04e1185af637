"""A local Ray cluster of real nodes for the tests and the benchmark: each node a `ray start --block` process in
a session of its own, ended through those sessions (never `ray stop`, which ends every Ray process of the
machine by name). Run it inside a network namespace that has only `lo` (as root: `unshare -n`, then
`ip link set lo up`) to keep all its traffic on loopback; loopback_only() tells whether this process is in one.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAY = str(Path(sys.executable).with_name("ray"))
START_S = 180.0


def loopback_only() -> bool:
    """Whether this process's network namespace has no interface but lo."""
    return [name for _, name in socket.if_nameindex()] == ["lo"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sessions_alive(sids: set[int]) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) in sids and fields[0] != "Z":
                pids.append(int(entry))
    return pids


class ClusterError(RuntimeError):
    """The cluster did not come up; the message carries its nodes' output."""


class Cluster:
    """`nodes` nodes of one CPU each on this machine, token authentication, on 127.0.0.1; start(), then a
    driver may connect with GLASSNET_RAY_ADDRESS=address and the environment of env_for_driver(); stop()."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="gr", dir="/tmp"))      # short: Ray's socket paths live under it
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32),
                    "HOME": str(self.dir / "home"), "RAY_USAGE_STATS_ENABLED": "0"}
        self.procs: list[subprocess.Popen] = []

    def start_node(self, *args: str) -> None:
        log = open(self.dir / f"node{len(self.procs)}.log", "wb")
        self.procs.append(subprocess.Popen(
            [RAY, "start", "--block", "--num-cpus=1", f"--temp-dir={self.dir / 't'}", "--node-ip-address=127.0.0.1",
             "--disable-usage-stats", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True))

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.dir.glob("*.log")))

    def fail(self, what: str) -> None:
        self.stop()
        raise ClusterError(f"the local Ray cluster could not start ({what}); its nodes' output:\n{self.logs()}")

    def wait_nodes(self, ray, count: int) -> None:
        deadline = time.monotonic() + START_S
        while len([n for n in ray.nodes() if n["Alive"]]) < count:
            if time.monotonic() > deadline:
                self.fail(f"{count} nodes did not join within {START_S:g} s")
            if any(p.poll() is not None for p in self.procs):
                self.fail("a `ray start` ended")
            time.sleep(0.2)

    def wait_port(self) -> None:
        deadline = time.monotonic() + START_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.procs[0].poll() is not None or time.monotonic() > deadline:
                    self.fail("the head node did not listen")
                time.sleep(0.2)

    def start(self, nodes: int = 2) -> None:
        self.start_node("--head", f"--port={self.port}", "--include-dashboard=false")
        self.wait_port()
        for _ in range(nodes - 1):
            self.start_node(f"--address={self.address}")

    def driver_env(self) -> dict:
        """What a process that talks to the cluster needs in its environment."""
        return {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": self.env["RAY_AUTH_TOKEN"],
                "GLASSNET_RAY_ADDRESS": self.address}

    def stop(self) -> None:
        sids = {p.pid for p in self.procs}
        for p in self.procs[::-1]:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        while _sessions_alive(sids) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in _sessions_alive(sids):            # what the nodes left: only their own sessions' processes
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
