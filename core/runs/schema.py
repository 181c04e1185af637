"""The run store's tables in SQL, and the means to create and write them: one transaction, and tables that a
part of the store keeps for itself (the pool's, the jobs') created once per connection."""
from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    dataset TEXT NOT NULL,
    network TEXT NOT NULL,
    train TEXT NOT NULL,
    device TEXT,
    summary TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    pid INTEGER,
    heartbeat REAL,
    epoch INTEGER NOT NULL DEFAULT 0,
    step INTEGER NOT NULL DEFAULT 0,
    control TEXT NOT NULL DEFAULT 'run',
    lr_request REAL,
    owner TEXT,
    parent TEXT
);
CREATE TABLE IF NOT EXISTS metrics (
    run TEXT NOT NULL, step INTEGER NOT NULL, epoch INTEGER NOT NULL, name TEXT NOT NULL, value REAL
);
CREATE INDEX IF NOT EXISTS metrics_by_name ON metrics (run, name, step);
CREATE INDEX IF NOT EXISTS metrics_by_step ON metrics (run, step);
CREATE TABLE IF NOT EXISTS frames (
    run TEXT NOT NULL, step INTEGER NOT NULL, epoch INTEGER NOT NULL, kind TEXT NOT NULL, data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS frames_by_kind ON frames (run, kind, step);
CREATE TABLE IF NOT EXISTS events (
    run TEXT NOT NULL, step INTEGER NOT NULL, epoch INTEGER NOT NULL, time REAL NOT NULL, kind TEXT NOT NULL, detail TEXT
);
CREATE TABLE IF NOT EXISTS artefacts (
    run TEXT NOT NULL, kind TEXT NOT NULL, epoch INTEGER NOT NULL, path TEXT NOT NULL, created REAL NOT NULL,
    step INTEGER,
    PRIMARY KEY (run, kind, epoch)
);
"""


def ensure_tables(db: sqlite3.Connection, done: set, statements: str, last: str) -> None:
    """Run `statements` (';'-separated CREATE … IF NOT EXISTS) unless `last`, the object the last one creates,
    exists already or is in `done` (what this connection made sure of)."""
    if last in done:
        return
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name=?", (last,)).fetchone():
        for statement in filter(str.strip, statements.split(";")):
            db.execute(statement)         # one by one: executescript would end a transaction
    done.add(last)


class Transaction:
    """`with Transaction(db):` one write transaction, taken at once (BEGIN IMMEDIATE), rolled back on an error."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
