"""Races as the run store keeps them: a race is a group of runs that differ in one setting, a grid a group of runs
that differ in several (every combination of their values).

    races     (id, name, owner, setting, "values" JSON, created,   one row a race or grid; `setting` the settings
               settings JSON)                                      joined by commas ("optimizer,lr"), `settings`
                                                                   the same as a list
    race_runs (run, race, position, value JSON)                    one row a run of a race: which race, its
                                                                   place in the race and the value it tries (a
                                                                   grid's: {setting: value} of its combination)

A workspace whose races table predates grids gets the `settings` column on first use; its races (NULL there)
read as races of their one setting.

A run belongs to at most one race. The tables live in the workspace's database beside the runs, so a race
is found again from any process (the app, the command line) and listed; a run deleted later simply drops
out of its race. core/runs/queue.py counts a race as one request of its owner against
max_active_runs_per_person (see `active_requests`).
"""
from __future__ import annotations

import json
import secrets
import sqlite3
import time

TABLES = """
CREATE TABLE IF NOT EXISTS races (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT, setting TEXT NOT NULL, "values" TEXT NOT NULL,
    created REAL NOT NULL, settings TEXT
);
CREATE TABLE IF NOT EXISTS race_runs (
    run TEXT PRIMARY KEY, race TEXT NOT NULL, position INTEGER NOT NULL, value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS race_runs_by_race ON race_runs (race, position);
"""

COLUMNS = 'id, name, owner, setting, "values", created, settings'


def ensure_race_tables(store) -> None:
    """Create the race tables in a workspace that has none yet (once per connection; safe in a transaction)."""
    if getattr(store, "_race_tables", False):
        return
    if not store.db.execute("SELECT 1 FROM sqlite_master WHERE name='race_runs_by_race'").fetchone():
        for statement in filter(str.strip, TABLES.split(";")):   # not executescript: it would end a transaction
            store.db.execute(statement)
    columns = {row[1] for row in store.db.execute("PRAGMA table_info(races)").fetchall()}
    if "settings" not in columns:     # a workspace from before grids: its races keep their one setting
        try:
            store.db.execute("ALTER TABLE races ADD COLUMN settings TEXT")
        except sqlite3.OperationalError as e:     # another process added it a moment ago
            if "duplicate column" not in str(e):
                raise
    try:
        store._race_tables = True
    except AttributeError:          # a read-only view of the store: it checks again next time
        pass


def record_race(store, *, name: str, owner: str | None, setting: str, values: list, run_ids: list[str]) -> str:
    """Write a race and its runs (call inside the transaction that created the runs); returns the race id. A grid's
    `setting` names its settings joined by commas, and each of its `values` is {setting: value}."""
    ensure_race_tables(store)
    race_id = secrets.token_hex(8)
    store.db.execute('INSERT INTO races (id, name, owner, setting, "values", created, settings) VALUES (?,?,?,?,?,?,?)',
                     (race_id, name[:200], owner, setting, json.dumps(values), time.time(),
                      json.dumps(setting.split(","))))
    store.db.executemany("INSERT INTO race_runs (run, race, position, value) VALUES (?,?,?,?)",
                         [(run, race_id, i, json.dumps(v)) for i, (run, v) in enumerate(zip(run_ids, values))])
    return race_id


def list_races(store, owner: str | None = None, everyone: bool = True, kind: str | None = None) -> list[dict]:
    """The races with a run left in the workspace, newest first: {id, name, owner, setting, settings, kind, values,
    created}; only `owner`'s unless `everyone`; only races ("race") or grids ("grid") when `kind` says so."""
    ensure_race_tables(store)
    query = (f"SELECT {COLUMNS} FROM races WHERE EXISTS (SELECT 1 FROM race_runs rr "
             "JOIN runs r ON r.id = rr.run WHERE rr.race = races.id)")
    rows = (store.db.execute(query + " ORDER BY created DESC").fetchall() if everyone else
            store.db.execute(query + " AND owner IS ? ORDER BY created DESC", (owner,)).fetchall())
    return [race for race in map(_race, rows) if kind is None or race["kind"] == kind]


def get_race(store, race_id: str) -> dict | None:
    """One race as list_races gives it, or None when there is no such race."""
    ensure_race_tables(store)
    row = store.db.execute(f"SELECT {COLUMNS} FROM races WHERE id=?", (str(race_id),)).fetchone()
    return None if row is None else _race(row)


def race_members(store, race_id: str) -> list[tuple[str, object]]:
    """(run id, value) of the race's runs still in the workspace, in the race's order."""
    ensure_race_tables(store)
    rows = store.db.execute("SELECT rr.run, rr.value FROM race_runs rr JOIN runs r ON r.id = rr.run "
                            "WHERE rr.race=? ORDER BY rr.position", (str(race_id),)).fetchall()
    return [(run, json.loads(value)) for run, value in rows]


def race_of(store, run_id: str) -> str | None:
    """The race a run belongs to, or None."""
    ensure_race_tables(store)
    row = store.db.execute("SELECT race FROM race_runs WHERE run=?", (run_id,)).fetchone()
    return None if row is None else row[0]


def active_requests(store, owner: str | None, statuses: tuple[str, ...]) -> int:
    """How many requests `owner` has with a run in `statuses`: a run on its own counts one, a race one however
    many of its runs are active."""
    ensure_race_tables(store)
    marks = ",".join("?" * len(statuses))
    return store.db.execute(
        "SELECT count(DISTINCT coalesce('race:' || rr.race, r.id)) FROM runs r LEFT JOIN race_runs rr ON rr.run = r.id "
        f"WHERE r.owner IS ? AND r.status IN ({marks})", (owner, *statuses)).fetchone()[0]


def _race(row) -> dict:
    settings = json.loads(row[6]) if row[6] else [row[3]]
    return {"id": row[0], "name": row[1], "owner": row[2], "setting": row[3], "settings": settings,
            "kind": "grid" if len(settings) > 1 else "race", "values": json.loads(row[4]), "created": row[5]}
