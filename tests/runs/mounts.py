"""Real file systems for the workspace-fault tests: a small tmpfs mounted for the test (then a full disk is a
real full disk, a read-only remount a real read-only workspace), and the worker processes found in /proc."""
from __future__ import annotations

import os
import signal
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=60)


@contextmanager
def tmpfs(path: Path, size: str = "16m"):
    """A tmpfs of `size` mounted at `path` for the block; skipped (with the reason) where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    done = _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here ({done.stderr.strip() or done.returncode}); "
                    "the full-disk and read-only workspace tests need root or CAP_SYS_ADMIN")
    try:
        yield path
    finally:
        _run("umount", "-l", str(path))


def remount(path: Path, mode: str) -> None:
    """Remount a tmpfs from tmpfs(): mode 'ro' or 'rw'."""
    done = _run("mount", "-o", f"remount,{mode}", str(path))
    assert done.returncode == 0, f"remount {mode} of {path}: {done.stderr}"


def fill(folder: Path) -> Path:
    """Write a file in `folder` until its device has no space left; returns the file (delete it to free the space)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):   # big pieces, then the last few bytes
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def _live_workers():
    """(pid, command-line arguments) of every live Glassnet worker process, as /proc shows them."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"core.runs.worker" in args and state != "Z":
            yield int(entry.name), args


def worker_pids(run_id: str) -> list[int]:
    """The live worker processes of a run: a worker of its own names the run on its command line; a pool
    worker (`--pool --home DIR`) names it in its workspace's registry of workers."""
    return [pid for pid, args in _live_workers()
            if run_id.encode() in args or (b"--pool" in args and _pool_run(args, pid) == run_id)]


def _pool_run(args: list[bytes], pid: int) -> str | None:
    """The run a pool worker trains now, read from its workspace's registry."""
    import sqlite3
    home = args[args.index(b"--home") + 1].decode()
    try:
        with sqlite3.connect(Path(home) / "glassnet.db", timeout=30) as db:
            row = db.execute("SELECT run FROM workers WHERE pid=?", (pid,)).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def kill_workers(run_id: str) -> None:
    for pid in worker_pids(run_id):
        try:
            os.kill(pid, signal.SIGCONT)
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def pool_pids(home, pool_only: bool = True) -> list[int]:
    """The live pool workers of the workspace `home` (`core.runs.worker --pool --home HOME`), as /proc shows
    them; with pool_only=False every worker process of the workspace (a run's own worker, a standby one)."""
    want = os.path.realpath(home).encode()
    return [pid for pid, args in _live_workers()
            if (b"--pool" in args or not pool_only) and b"--home" in args
            and os.path.realpath(args[args.index(b"--home") + 1]) == want]
