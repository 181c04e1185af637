"""Copy a workspace's SQLite file into a PostgreSQL database (`python -m core db copy --to postgresql://…`):
every table the file holds — runs, metrics, frames, events, artefacts, and those of the pool, the jobs, the
races, the people and the class hand-out — with its indexes, row for row, in the order the rows were written,
in one transaction. A database that already holds rows of any of those tables is refused (nothing is
merged); the checkpoint files and uploads stay where they are, in the workspace folder."""
from __future__ import annotations

from pathlib import Path

from .db import FILE, DatabaseSettingError, SqliteDatabase, redacted
from .store import StoreError

BATCH = 2000


def _source(home: Path) -> SqliteDatabase:
    if not (home / FILE).is_file():
        raise StoreError(f"there is no {FILE} in {home} to copy; point --home (or GLASSNET_HOME) at the workspace "
                         "folder that holds your runs")
    return SqliteDatabase(home / FILE)


def _target(url: str):
    from .db_postgres import PostgresDatabase
    try:
        return PostgresDatabase(url)
    except DatabaseSettingError as e:
        raise StoreError(str(e)) from None


def _refuse_non_empty(target, tables: list[str], url: str) -> None:
    for name in tables:
        if target.has(name) and target.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone():
            raise StoreError(f"the database {redacted(url)} already holds rows of the table {name}: copy into an "
                             "empty database (e.g. `createdb glassnet_copy`), or drop that one first; nothing "
                             "was copied")


def copy_to_postgres(home: Path | str, url: str) -> dict[str, int]:
    """Copy the workspace `home`'s SQLite tables into the empty PostgreSQL database `url`; rows per table."""
    source = _source(Path(home))
    try:
        found = source.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE "
                               "'sqlite_%' ORDER BY type='index', rowid").fetchall()
        tables = [name for kind, name, _ in found if kind == "table"]
        target = _target(url)
        try:
            _refuse_non_empty(target, tables, url)
            with target.transaction():
                for _, _, sql in found:
                    target.execute(sql)              # spelled for PostgreSQL by the database layer
                return {name: _copy_rows(source, target, name) for name in tables}
        finally:
            target.close()
    finally:
        source.close()


def _copy_rows(source: SqliteDatabase, target, table: str) -> int:
    columns = ", ".join(f'"{c}"' for c in source.columns(table))
    marks = ", ".join("?" * len(source.columns(table)))
    cursor = source.conn.cursor()
    cursor.row_factory = None
    cursor.execute(f'SELECT {columns} FROM "{table}" ORDER BY rowid')
    copied = 0
    while rows := cursor.fetchmany(BATCH):
        target.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', rows)
        copied += len(rows)
    return copied
