"""The run store on PostgreSQL (psycopg 3): one database a workspace, reached by GLASSNET_DATABASE_URL; and
connect(home), which opens the workspace's database of either kind.

The connection is in autocommit, as the SQLite one is; a write transaction that must not interleave with
another (claiming a queued run, checking a person's cap before adding runs, replacing a checkpoint's row)
takes a transaction-level advisory lock, so such writers take turns as SQLite's BEGIN IMMEDIATE makes them;
a transaction that only needs to be whole (a worker's epoch of metrics) does not wait for the others.
Creating tables takes the same lock: two processes creating one table at once would otherwise collide.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from .db import (CONNECT_TIMEOUT_S, FILE, URL_ENV, WRITE_LOCK, Database, DatabaseSettingError, SqliteDatabase,
                 database_url, nan_as_null, redacted, sql_for_postgres)

FIX = (f"start PostgreSQL there or correct {URL_ENV} (postgresql://user:password@host:port/database), or unset "
       "it to keep the runs in the workspace's SQLite file")


class Row(tuple):
    """A row read by index, by column name (row["name"]), and as a dict (dict(row))."""
    __slots__ = ()
    _index: dict = {}

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self):
        return list(self._index)


def _row_class(names: tuple) -> type:
    return _ROW_CLASSES.setdefault(names, type("Row", (Row,), {"__slots__": (), "_index": {n: i for i, n in
                                                                                        enumerate(names)}}))


_ROW_CLASSES: dict = {}


def _rows(cursor):
    names = tuple(c.name for c in cursor.description or ())
    cls = _row_class(names)
    return lambda values: cls(values)


def _check(url: str) -> None:
    if not url.startswith(("postgresql://", "postgres://")):
        raise DatabaseSettingError(f"{URL_ENV}={redacted(url)} is not a PostgreSQL address: write it as "
                                   "postgresql://user:password@host:port/database, or unset it to keep the runs in "
                                   "the workspace's SQLite file")


_VALUES = re.compile(r"^(\s*INSERT\s+INTO\s+.+?\s+VALUES\s*)(\((?:\s*\?\s*,)*\s*\?\s*\))\s*$", re.I | re.S)
ROWS_A_STATEMENT = 1000


def _without_password(text: str, url: str) -> str:
    m = re.search(r"://[^:/@]*:([^@/]+)@", url)
    return text.replace(m.group(1), "***") if m else text


def connect(home: Path | str, url: str | None = None) -> Database:
    """The workspace's database: PostgreSQL when `url` (default GLASSNET_DATABASE_URL) is set, else its file."""
    url = url if url is not None else database_url()
    return PostgresDatabase(url) if url else SqliteDatabase(Path(home) / FILE)


class PostgresDatabase(Database):
    dialect = "postgresql"
    path = None

    def __init__(self, url: str):
        super().__init__()
        _check(url)
        try:
            import psycopg
        except ImportError:
            raise DatabaseSettingError(f"{URL_ENV} names a PostgreSQL database but psycopg is not installed: "
                                       "pip install -r requirements.txt") from None
        self.url = url
        options = {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT_S}
        try:
            self.conn = psycopg.connect(url, autocommit=True, row_factory=_rows, **options)
        except psycopg.Error as e:
            reason = _without_password(" ".join(str(e).split()) or type(e).__name__, url)
            raise DatabaseSettingError(f"cannot use the run store's database {redacted(url)} ({reason}); "
                                       f"{FIX}") from None

    def execute(self, sql: str, params=()):
        if not params:
            return self.conn.execute(sql_for_postgres(sql, False))
        if not isinstance(params, dict):
            params = nan_as_null(params)
        return self.conn.execute(sql_for_postgres(sql), params)

    def executemany(self, sql: str, rows):
        """Many rows: an INSERT … VALUES (…) as one statement of many VALUES (one round trip for an epoch's
        metrics), anything else row by row in a pipeline."""
        rows = [nan_as_null(r) for r in rows]
        cursor = self.conn.cursor()
        values = _VALUES.match(sql)
        if values is None:
            cursor.executemany(sql_for_postgres(sql), rows)
            return cursor
        for at in range(0, len(rows), ROWS_A_STATEMENT):
            chunk = rows[at:at + ROWS_A_STATEMENT]
            cursor.execute(sql_for_postgres(values.group(1) + ", ".join([values.group(2)] * len(chunk))),
                           [v for row in chunk for v in row])
        return cursor

    def tuples(self, sql: str, params=()) -> list[tuple]:
        cursor = self.conn.cursor(row_factory=lambda c: tuple)
        return cursor.execute(sql_for_postgres(sql, bool(params)), params or None).fetchall()

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus
        return self.conn.info.transaction_status != TransactionStatus.IDLE

    @contextmanager
    def transaction(self, exclusive: bool = True):
        """One write transaction, rolled back on an error; an exclusive one waits for the others to end."""
        self.conn.execute("BEGIN")
        try:
            if exclusive:
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            yield self
        except BaseException:
            if not self.conn.closed:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def create(self, statements: str) -> None:
        if self.in_transaction:            # the caller's transaction holds the lock, or is about to fail
            self.script(statements)
            return
        with self.transaction():
            self.script(statements)

    def has(self, name: str) -> bool:
        return self.conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]

    def columns(self, table: str) -> list[str]:
        rows = self.conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name=%s "
                                 "AND table_schema=current_schema() ORDER BY ordinal_position", (table,))
        return [r[0] for r in rows]

    def json_field(self, column: str, key: str) -> str:
        return f"({column}::jsonb ->> '{key}')"

    def close(self) -> None:
        self.conn.close()
