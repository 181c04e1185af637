"""Where each run trained: one row a time a worker took it up — which executor, which machine or Ray node.

    placements (run, time, executor, node, ip, host, pid)

A pool worker or the command line notes the machine's host name as the node; a Ray worker notes the id and
address of its Ray node. The command line reports the newest row of a run (`train --json`: "executor", "node").
Also the Ray workers' own rows, so a run held by a worker on another machine can be told alive from gone:

    ray_workers (pid, host, node, ip, actor, started, heartbeat, run)

A Ray worker beats its row every BEAT_S while it lives, training or not. A worker on this machine is alive
while its process is; one on another machine while its heartbeat is younger than LOST_S.
"""
from __future__ import annotations

import os
import socket
import sqlite3
import time

from .processes import pid_alive

BEAT_S = 2.0
LOST_S = 20.0
TABLES = """
CREATE TABLE IF NOT EXISTS placements (
    run TEXT NOT NULL, time REAL NOT NULL, executor TEXT NOT NULL, node TEXT, ip TEXT, host TEXT, pid INTEGER
);
CREATE INDEX IF NOT EXISTS placements_by_run ON placements (run, time);
CREATE TABLE IF NOT EXISTS ray_workers (
    pid INTEGER NOT NULL, host TEXT NOT NULL, node TEXT, ip TEXT, actor TEXT, started REAL NOT NULL, heartbeat REAL NOT NULL,
    run TEXT, PRIMARY KEY (host, pid)
);
CREATE INDEX IF NOT EXISTS ray_workers_by_pid ON ray_workers (pid, run);
"""


def ensure_tables(store) -> None:
    store.ensure_tables(TABLES, "ray_workers_by_pid")


def host() -> str:
    return socket.gethostname()


def record(store, run_id: str, executor: str, node: str | None = None, ip: str | None = None,
           pid: int | None = None) -> None:
    """Note that `executor` ("pool", "local" or "ray") took the run up, on `node` (this machine's host name
    unless given)."""
    ensure_tables(store)
    store.db.execute("INSERT INTO placements (run, time, executor, node, ip, host, pid) VALUES (?,?,?,?,?,?,?)",
                     (run_id, time.time(), executor, node or host(), ip, host(), pid or os.getpid()))


def placed(store, run_id: str) -> dict | None:
    """The newest placement of a run ({executor, node, ip, host, pid, time}), or None if none was noted."""
    try:
        row = store.db.execute("SELECT executor, node, ip, host, pid, time FROM placements WHERE run=? "
                               "ORDER BY time DESC LIMIT 1", (run_id,)).fetchone()
    except sqlite3.OperationalError:                 # no such table: nothing was noted in this workspace
        return None
    return dict(row) if row else None


def described(placement: dict | None) -> dict:
    """What the command line says of where a run trained: `executor` (local, pool or ray) and `node` (the Ray
    node's id, or the machine's host name), with `node_ip` for a Ray node."""
    if placement is None:
        return {"executor": None, "node": None}
    out = {"executor": placement["executor"], "node": placement["node"]}
    if placement.get("ip"):
        out["node_ip"] = placement["ip"]
    return out


def placements(store, run_id: str) -> list[dict]:
    """Every placement of a run, oldest first (a resumed run has one an attempt)."""
    ensure_tables(store)
    rows = store.db.execute("SELECT executor, node, ip, host, pid, time FROM placements WHERE run=? ORDER BY time",
                            (run_id,)).fetchall()
    return [dict(r) for r in rows]


# ------------------------------------------------------------------ Ray workers
def try_record(store, run_id: str, executor: str) -> None:
    """record(), unless the workspace cannot take it now (full or read-only: the run then says why itself)."""
    try:
        record(store, run_id, executor)
    except (sqlite3.Error, OSError):
        pass


def ray_ready(store, pid: int, node: str, ip: str, actor: str) -> None:
    """A Ray worker (the actor named `actor`) is up and waits for work."""
    ensure_tables(store)
    now = time.time()
    store.db.execute("INSERT OR REPLACE INTO ray_workers (pid, host, node, ip, actor, started, heartbeat, run) "
                     "VALUES (?,?,?,?,?,?,?,NULL)", (pid, host(), node, ip, actor, now, now))


def ray_beat(store, pid: int) -> None:
    store.db.execute("UPDATE ray_workers SET heartbeat=? WHERE pid=? AND host=?", (time.time(), pid, host()))


def ray_holds(store, pid: int, item: str) -> None:
    """The Ray worker `pid` took `item` (a run id or "job:<id>"), or is done with it (None)."""
    store.db.execute("UPDATE ray_workers SET run=?, heartbeat=? WHERE pid=? AND host=?",
                     (item, time.time(), pid, host()))


def ray_gone(store, pid: int) -> None:
    ensure_tables(store)
    store.db.execute("DELETE FROM ray_workers WHERE pid=? AND host=?", (pid, host()))


def ray_worker_of(store, pid: int | None, item: str) -> dict | None:
    """The row of the Ray worker `pid` that holds `item`, or None when no Ray worker with that pid does. Only
    reads (a workspace that never had a Ray worker has no table, and may be read-only)."""
    if not pid:
        return None
    try:
        row = store.db.execute("SELECT * FROM ray_workers WHERE pid=? AND run=? ORDER BY heartbeat DESC LIMIT 1",
                               (pid, item)).fetchone()
    except sqlite3.OperationalError:                 # no such table: no Ray worker ever ran here
        return None
    return dict(row) if row else None


def ray_alive(row: dict) -> bool:
    """Whether the Ray worker of this row lives: by its process on this machine, by its heartbeat elsewhere."""
    if row["host"] == host():
        return pid_alive(row["pid"])
    return time.time() - row["heartbeat"] < LOST_S


def ray_workers(store) -> tuple[list[dict], list[dict]]:
    """(alive, gone): the rows of the workspace's Ray workers that live now, and of those that died."""
    ensure_tables(store)
    rows = [dict(r) for r in store.db.execute("SELECT * FROM ray_workers ORDER BY started")]
    gone = [r for r in rows if not ray_alive(r)]
    return [r for r in rows if r not in gone], gone


def forget_ray_workers(store, rows: list[dict]) -> None:
    for r in rows:
        store.db.execute("DELETE FROM ray_workers WHERE pid=? AND host=? AND heartbeat=?",
                         (r["pid"], r["host"], r["heartbeat"]))


def live_ray_workers(store) -> list[dict]:
    """The Ray workers of the workspace that are alive now (rows of dead ones are deleted on the way)."""
    alive, gone = ray_workers(store)
    forget_ray_workers(store, gone)
    return alive
