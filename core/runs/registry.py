"""The pool's workers as the run store knows them: one row a live worker process of the workspace.

A pool worker (`python -m core.runs.worker --pool --home DIR`) trains run after run, so its command line
names no run. What it trains now is in its row here (`run`), set in the same transaction that claims the
run (core/runs/queue.py), so a restarted server, recover() and stop() can tell a live worker training a
run from a dead one, and count the pool to top it up.

    workers (pid, started, heartbeat, run, runs_done, parent)
    claims  (run, owner, worker, time)       one row a run handed to a worker: who started when (fair share)
and an index of the runs by status, so an idle worker's look for a queued run stays one small read however
many runs the workspace keeps.
"""
from __future__ import annotations

import os
import time

from .placements import ray_alive, ray_worker_of
from .processes import WORKER_MODULE, command_line, is_worker, pid_alive

POOL_FLAG = "--pool"
RENEW_S = 60.0
TABLES = """
CREATE TABLE IF NOT EXISTS workers (
    pid INTEGER PRIMARY KEY, started REAL NOT NULL, heartbeat REAL NOT NULL, run TEXT,
    runs_done INTEGER NOT NULL DEFAULT 0, parent INTEGER
);
CREATE TABLE IF NOT EXISTS claims (run TEXT NOT NULL, owner TEXT, worker INTEGER, time REAL NOT NULL);
CREATE INDEX IF NOT EXISTS claims_by_owner ON claims (owner, time);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, pid);
"""


def ensure_tables(store) -> None:
    """Create the pool's tables in a workspace that has none yet (once per connection)."""
    store.ensure_tables(TABLES, "runs_by_status")


def is_pool_process(pid: int | None, home) -> bool:
    """Whether `pid` is alive and is a pool worker of the workspace `home` (read from its command line)."""
    if not pid_alive(pid):
        return False
    args = command_line(pid)
    if args is None:
        return False
    return WORKER_MODULE in args and POOL_FLAG in args and _home_of(args) == os.path.realpath(home)


def _home_of(args: list[str]) -> str | None:
    i = args.index("--home") if "--home" in args else -1
    return os.path.realpath(args[i + 1]) if 0 <= i < len(args) - 1 else None


def register(store, pid: int, parent: int | None = None) -> None:
    """Note a worker of the pool (by whoever started it, before it has imported anything)."""
    ensure_tables(store)
    now = time.time()
    store.db.execute("INSERT OR REPLACE INTO workers (pid, started, heartbeat, run, runs_done, parent) "
                     "VALUES (?,?,?,NULL,0,?)", (pid, now, now, parent))


def started_again(store, pid: int) -> int:
    """A worker is ready (after its imports, or renewed): its count of runs starts afresh. Returns the pid of
    the process that started it, as that process noted it (a worker asking its parent after its imports may
    ask too late: its starter may have ended meanwhile)."""
    ensure_tables(store)
    now = time.time()
    row = store.db.execute("SELECT parent FROM workers WHERE pid=?", (pid,)).fetchone()
    if row is None or row[0] is None:
        register(store, pid, parent=os.getppid())
        return os.getppid()
    store.db.execute("UPDATE workers SET started=?, heartbeat=?, run=NULL, runs_done=0 WHERE pid=?", (now, now, pid))
    return int(row[0])


def beat(store, pid: int, run_id: str | None = None) -> None:
    """The worker is alive and trains `run_id` (None: it waits for a run); re-registers a row that was pruned."""
    ensure_tables(store)
    now = time.time()
    cur = store.db.execute("UPDATE workers SET heartbeat=?, run=? WHERE pid=?", (now, run_id, pid))
    if cur.rowcount == 0:
        store.db.execute("INSERT OR REPLACE INTO workers (pid, started, heartbeat, run, runs_done, parent) "
                         "VALUES (?,?,?,?,0,NULL)", (pid, now, now, run_id))


def finished_one(store, pid: int) -> int:
    """The worker ended a run: it waits again; returns how many runs it has trained."""
    store.db.execute("UPDATE workers SET run=NULL, runs_done=runs_done+1, heartbeat=? WHERE pid=?", (time.time(), pid))
    row = store.db.execute("SELECT runs_done FROM workers WHERE pid=?", (pid,)).fetchone()
    return int(row[0]) if row else 0


def unregister(store, pid: int) -> None:
    ensure_tables(store)
    store.db.execute("DELETE FROM workers WHERE pid=?", (pid,))


def current_run(store, pid: int) -> str | None:
    ensure_tables(store)
    row = store.db.execute("SELECT run FROM workers WHERE pid=?", (pid,)).fetchone()
    return row[0] if row else None


def live_workers(store, prune: bool = True) -> list[dict]:
    """The pool's workers that are alive (pid, started, heartbeat, run, runs_done, parent); the rows of
    workers that are gone (or whose pid another program has now) are deleted on the way."""
    ensure_tables(store)
    rows = [dict(r) for r in store.db.execute("SELECT * FROM workers ORDER BY started")]
    alive = [r for r in rows if is_pool_process(r["pid"], store.home) or _renewing(r)]
    gone = [r["pid"] for r in rows if r not in alive]
    if prune and gone:
        store.db.execute(f"DELETE FROM workers WHERE pid IN ({','.join('?' * len(gone))})", gone)
    return alive


def _renewing(row: dict) -> bool:
    """A worker in the middle of renewing itself: alive, its command line unreadable while it re-executes,
    and heard from moments ago (it renews right after noting the run it finished)."""
    return pid_alive(row["pid"]) and not command_line(row["pid"]) and time.time() - row["heartbeat"] < RENEW_S


def trains(store, pid: int | None, run_id: str) -> bool:
    """Whether `pid` is a live process training `run_id`: a pool worker whose row names the run, or a worker
    of its own (its command line names the run), a Ray worker holding it (core/runs/placements.py), the command
    line's in-process `train`, or this process."""
    ray_row = ray_worker_of(store, pid, run_id)
    if ray_row is not None:
        return ray_alive(ray_row)
    if not pid_alive(pid):
        return False
    args = command_line(pid)
    if args is not None and WORKER_MODULE in args and POOL_FLAG in args:
        return current_run(store, pid) == run_id
    return is_worker(pid, run_id)
