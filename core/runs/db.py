"""The run store's database: one SQLite file in the workspace (the default), or a PostgreSQL database named
by GLASSNET_DATABASE_URL=postgresql://… — behind one small surface, so the store and its parts write one SQL.

    db = connect(home)                 SqliteDatabase, or PostgresDatabase (db_postgres.py); autocommit
                                       outside transactions
    db.execute(sql, params)            a cursor: fetchone/fetchall/iteration, rows read by index and by name
    db.executemany(sql, rows)          db.tuples(sql, params): plain tuples, the cheap read for pollers
    with db.transaction():             one write transaction; `exclusive` ones take turns (BEGIN IMMEDIATE on
                                       SQLite; a transaction-level advisory lock on PostgreSQL)
    db.ensure(ddl, last)               create a part's tables unless `last` exists (once per connection)
    db.has(name), db.columns(table)    whether a table or index exists; a table's column names

SQL is written once, with `?` placeholders and portable idioms (ON CONFLICT … DO UPDATE/NOTHING). The few
SQLite spellings that remain are turned into PostgreSQL's here (sql_for_postgres): `?` and `IS ?`, and in
table definitions REAL, INTEGER and BLOB; the tables read in insertion order (by SQLite's implicit rowid)
get an explicit `rowid` identity column. SQLite keeps NaN as NULL; so does the PostgreSQL side.
"""
from __future__ import annotations

import functools
import math
import os
import re
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

URL_ENV = "GLASSNET_DATABASE_URL"
FILE = "glassnet.db"
WRITE_LOCK = 0x676C6173          # the advisory lock key exclusive transactions take ("glas")
ROWID_TABLES = ("metrics", "frames", "events", "people", "claims")    # read in the order their rows were written
CONNECT_TIMEOUT_S = 10


class DatabaseSettingError(LookupError):
    """GLASSNET_DATABASE_URL names no database that can be used: one sentence naming it and the fix."""


def database_url() -> str | None:
    """GLASSNET_DATABASE_URL, or None for the workspace's SQLite file."""
    return os.environ.get(URL_ENV, "").strip() or None


def redacted(url: str) -> str:
    """A database URL as it may be shown: its password replaced by ***."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def database_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a database of either kind raises (PostgreSQL's only once its driver was loaded)."""
    pg = sys.modules.get("psycopg")
    return (sqlite3.Error,) + ((pg.Error,) if pg else ())


def integrity_errors() -> tuple[type[BaseException], ...]:
    """The exceptions of a broken UNIQUE or PRIMARY KEY constraint."""
    pg = sys.modules.get("psycopg")
    return (sqlite3.IntegrityError,) + ((pg.IntegrityError,) if pg else ())


def describe(home: Path | str, url: str | None = None) -> str:
    """The run store's database as a person may be told of it: the SQLite file, or the URL sans password."""
    url = url if url is not None else database_url()
    return redacted(url) if url else str(Path(home) / FILE)


class Database:
    """What both kinds share: the tables a connection made sure of, and creating them."""
    dialect = ""

    def __init__(self):
        self.ensured: set[str] = set()

    def script(self, statements: str) -> None:
        """Run ';'-separated statements one by one (inside a transaction, if one is open)."""
        for statement in filter(str.strip, statements.split(";")):
            self.execute(statement)

    def ensure(self, statements: str, last: str) -> None:
        """Run `statements` (CREATE … IF NOT EXISTS) unless `last`, the object the last one creates, exists
        already or this connection made sure of it before."""
        if last in self.ensured:
            return
        if not self.has(last):
            self.create(statements)
        self.ensured.add(last)

    def create(self, statements: str) -> None:
        self.script(statements)

    def add_column(self, table: str, column: str) -> None:
        """Add `column` ("name TYPE") to `table` unless it has it (a workspace made before the column)."""
        if column.split()[0] not in self.columns(table):
            try:
                self.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
            except database_errors():   # another process added it first
                pass


class SqliteDatabase(Database):
    """The workspace's SQLite file in WAL mode; writers take turns through BEGIN IMMEDIATE."""
    dialect = "sqlite"

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=30000")

    def execute(self, sql: str, params=()):
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows):
        return self.conn.executemany(sql, rows)

    def tuples(self, sql: str, params=()) -> list[tuple]:
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params).fetchall()

    @contextmanager
    def transaction(self, exclusive: bool = True):
        """One write transaction, taken at once (BEGIN IMMEDIATE: SQLite has one writer at a time, so every
        transaction is exclusive), rolled back on an error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def has(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE name=?", (name,)).fetchone() is not None

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")]

    def json_field(self, column: str, key: str) -> str:
        """An SQL expression: the text of `key` in the JSON object stored in `column`."""
        return f"json_extract({column}, '$.{key}')"

    def close(self) -> None:
        self.conn.close()


# ------------------------------------------------------------------ SQLite's spelling, PostgreSQL's
_LITERAL = re.compile(r"('(?:[^']|'')*'|\"[^\"]*\")")
_TYPES = ((re.compile(r"\bREAL\b", re.I), "DOUBLE PRECISION"), (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
          (re.compile(r"\bBLOB\b", re.I), "BYTEA"))
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?\"?(\w+)\"?\s*\(", re.I)
_ADD_COLUMN = re.compile(r"\bADD\s+COLUMN\s+(?!IF\b)", re.I)
_CREATE_INDEX = re.compile(r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?!IF\b)", re.I)


@functools.lru_cache(maxsize=1024)
def sql_for_postgres(sql: str, with_params: bool = True) -> str:
    """`sql` as PostgreSQL (through psycopg) takes it: `?` → %s, `x IS ?` → `x IS NOT DISTINCT FROM %s`, a
    literal % doubled; in table definitions SQLite's types as PostgreSQL's, IF NOT EXISTS made explicit, and
    an explicit rowid for the tables read in insertion order."""
    if re.match(r"\s*(CREATE|ALTER)\b", sql, re.I):
        sql = _definition(sql)
    if not with_params:
        return sql
    parts = _LITERAL.split(sql)
    for i, part in enumerate(parts):
        part = part.replace("%", "%%")
        if i % 2 == 0:                          # outside quotes
            part = re.sub(r"\bIS\s+\?", "IS NOT DISTINCT FROM %s", part, flags=re.I).replace("?", "%s")
        parts[i] = part
    return "".join(parts)


def _definition(sql: str) -> str:
    for pattern, name in _TYPES:
        sql = pattern.sub(name, sql)
    sql = _ADD_COLUMN.sub("ADD COLUMN IF NOT EXISTS ", sql)
    sql = _CREATE_INDEX.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX IF NOT EXISTS ", sql)
    m = _CREATE_TABLE.match(sql)
    if m:
        rowid = "rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE, " if m.group(2) in ROWID_TABLES else ""
        sql = f"CREATE TABLE IF NOT EXISTS {m.group(2)} ({rowid}" + sql[m.end():]
    return sql


def nan_as_null(row):
    """SQLite keeps a NaN as NULL; PostgreSQL would keep it: the parameters as SQLite would store them."""
    if any(isinstance(v, float) and math.isnan(v) for v in row):
        return tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row)
    return row
