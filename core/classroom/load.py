"""The server's load as the teacher sees it: load average and memory, read from /proc (Linux); None for
what the system does not tell."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Machine:
    cores: int
    load: tuple[float, float, float] | None      # runnable processes over 1, 5 and 15 minutes
    memory_total: int | None                     # bytes
    memory_available: int | None                 # bytes a new process could take without swapping

    @property
    def memory_used_fraction(self) -> float | None:
        if not self.memory_total or self.memory_available is None:
            return None
        return 1.0 - self.memory_available / self.memory_total


def load_average(proc: Path = PROC) -> tuple[float, float, float] | None:
    try:
        first = (proc / "loadavg").read_text().split()[:3]
        return float(first[0]), float(first[1]), float(first[2])
    except (OSError, ValueError, IndexError):
        return None


def memory(proc: Path = PROC) -> tuple[int | None, int | None]:
    """(total, available) bytes from meminfo; (None, None) when it cannot be read."""
    values = {}
    try:
        for line in (proc / "meminfo").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("MemTotal", "MemAvailable"):
                values[name] = int(rest.split()[0]) * 1024          # meminfo counts kB
    except (OSError, ValueError, IndexError):
        return None, None
    return values.get("MemTotal"), values.get("MemAvailable")


def machine(proc: Path = PROC) -> Machine:
    total, available = memory(proc)
    return Machine(os.cpu_count() or 1, load_average(proc), total, available)
