"""A server and its workers seen from /proc while a class trains: the process tree's resident memory (its
peak), each process's CPU time, and the machine's available memory (a measurement that would exhaust it is
ended early rather than take the machine down)."""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields from the 3rd (state) on (the command name may hold spaces)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + sys) the process has used so far."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def available_bytes() -> int:
    """MemAvailable from /proc/meminfo."""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def workers_of(home: Path) -> list[int]:
    """The live worker processes (`python -m core.runs.worker … --home <home>`) of a workspace."""
    want = os.path.realpath(home).encode()
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            if b"core.runs.worker" in args and b"--home" in args and \
                    os.path.realpath(args[args.index(b"--home") + 1]) == want:
                out.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return out


def browser_processes(root: int | None = None) -> list[int]:
    """The Chromium processes descended from `root` (this process by default): the students' browsers."""
    parents, names = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[int(entry.name)] = int(_stat(int(entry.name))[1])
            names[int(entry.name)] = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
    root = os.getpid() if root is None else root

    def descends(pid: int) -> bool:
        for _ in range(64):
            if pid == root:
                return True
            pid = parents.get(pid, 0)
            if pid <= 1:
                return False
        return False
    return [pid for pid, cmd in names.items() if b"chromium" in cmd and descends(pid)]


class TreeSampler(threading.Thread):
    """Every `interval` s: the server's and its workers' resident memory (the peak of their sum is kept) and
    CPU time (the last value seen of each worker, so a worker that ends keeps what it used up to the sample
    before; at most `interval` s of its CPU goes uncounted). `low_memory` is set when the machine's available
    memory falls under `floor` bytes, and the workspace's workers are then ended at once (SIGKILL), before the
machine runs out."""

    def __init__(self, server_pid: int, home: Path, interval: float = 0.2, floor: int = 1_500_000_000):
        super().__init__(daemon=True)
        self.server_pid, self.home, self.interval, self.floor = server_pid, Path(home), interval, floor
        self.stop_event, self.low_memory = threading.Event(), threading.Event()
        self.peak_rss, self.peak_workers, self.worker_cpu = 0, 0, {}
        self.worker_cpu0 = self._cpu(workers_of(self.home))   # what those alive at the start had used before
        self.browser_cpu0 = self._cpu(browser_processes())
        self.browser_cpu = dict(self.browser_cpu0)
        self.server_cpu0 = cpu_seconds(server_pid)
        self.server_cpu = self.server_cpu0

    @staticmethod
    def _cpu(pids) -> dict:
        out = {}
        for pid in pids:
            try:
                out[pid] = cpu_seconds(pid)
            except (OSError, ValueError):
                continue
        return out

    def sample(self) -> None:
        self.browser_cpu.update(self._cpu(browser_processes()))
        workers = workers_of(self.home)
        total = 0
        for pid in [self.server_pid, *workers]:
            try:
                total += rss_bytes(pid)
                if pid != self.server_pid:
                    self.worker_cpu[pid] = cpu_seconds(pid)
            except (OSError, ValueError):
                continue
        try:
            self.server_cpu = cpu_seconds(self.server_pid)
        except OSError:
            pass
        self.peak_rss, self.peak_workers = max(self.peak_rss, total), max(self.peak_workers, len(workers))
        if available_bytes() < self.floor:
            self.low_memory.set()
            for pid in workers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def run(self) -> None:
        while not self.stop_event.wait(self.interval):
            self.sample()

    def finish(self) -> dict:
        """Stop sampling; {"peak_rss_mb", "peak_workers", "server_cpu_s", "worker_cpu_s", "browser_cpu_s"} since the start."""
        self.stop_event.set()
        self.join()
        self.sample()
        return {"peak_rss_mb": self.peak_rss / 2**20, "peak_workers": self.peak_workers,
                "server_cpu_s": self.server_cpu - self.server_cpu0, "worker_cpu_s": sum(c - self.worker_cpu0.get(pid, 0.0) for pid, c in self.worker_cpu.items()),
                "browser_cpu_s": sum(c - self.browser_cpu0.get(pid, 0.0) for pid, c in self.browser_cpu.items())}


def lower_priority(pids: list[int], nice: int) -> int:
    """Give these processes the scheduling priority `nice` (0 leaves them as they are); how many changed.
    Chromium's renderers are started by its zygote, so renicing it covers the pages opened later too."""
    changed = 0
    for pid in pids if nice else []:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
            changed += 1
        except OSError:
            continue
    return changed
