"""The worker processes as the operating system sees them: alive or not, a Glassnet worker or some
other program that happens to have the pid now, and ending one that does not stop when asked."""
from __future__ import annotations

import os
import signal
import time

WORKER_MODULE = "core.runs.worker"
POLL_S = 0.02


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:   # a zombie (exited, not yet reaped) is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def command_line(pid: int) -> list[str] | None:
    """The process's arguments, or None when they cannot be read (gone, or no /proc here)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def is_worker(pid: int | None, run_id: str) -> bool:
    """Whether `pid` is alive and trains `run_id`: a worker process (`python -m core.runs.worker` for this run,
    or a standby worker that was handed it), the command line's in-process `train`, or this very process."""
    if not pid_alive(pid):
        return False
    if pid == os.getpid():
        return True
    args = command_line(pid)
    if args is None:                       # no /proc (not Linux): alive is all that can be known
        return not os.path.isdir("/proc/self")
    if WORKER_MODULE in args:
        return run_id in args or "--standby" in args
    return _module_command(args) == ("core", "train")


def _module_command(args: list[str]) -> tuple[str, str] | None:
    """('core', 'train') for `python -m core train ...`."""
    for i, arg in enumerate(args[:-2]):
        if arg == "-m":
            return args[i + 1], args[i + 2]
    return None


def end_process(pid: int, term_wait: float = 2.0, kill_wait: float = 5.0) -> bool:
    """SIGTERM, then SIGKILL if it is still there after `term_wait` seconds; True once it is gone.

    A worker leads its own process group (it is started in a session of its own), and the whole group
    is signalled; any other process alone, so a terminal's job is never hit."""
    for sig, patience in ((signal.SIGTERM, term_wait), (signal.SIGKILL, kill_wait)):
        if not pid_alive(pid):
            return True
        _signal(pid, sig)
        deadline = time.monotonic() + patience
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(POLL_S)
    return not pid_alive(pid)


def _signal(pid: int, sig: int) -> None:
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
