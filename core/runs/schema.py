"""The run store's tables in SQL, as SQLite spells them (core/runs/db.py spells them for PostgreSQL: REAL as
double precision, BLOB as bytea). The parts that keep tables of their own (the pool's, the jobs', the races',
the people's) create them through Store.ensure_tables."""
from __future__ import annotations

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
