"""`python -m core db copy --to postgresql://… [--home DIR]`: copy a workspace's runs from its SQLite file into
an empty PostgreSQL database, which GLASSNET_DATABASE_URL then names (the checkpoints and uploads stay in the
workspace folder, which every machine that trains or serves must see)."""
from __future__ import annotations

from .common import UsageError, add_home


def register(sub) -> None:
    s = sub.add_parser("db", help="the run store's database: copy a workspace into PostgreSQL")
    s.add_argument("action", choices=["copy"], help="copy: the workspace's SQLite file into PostgreSQL")
    s.add_argument("--to", required=True, metavar="URL",
                   help="the PostgreSQL database to fill, postgresql://user:password@host:port/database (empty)")
    add_home(s)
    s.set_defaults(func=run)


def run(a) -> int:
    from ..runs.copying import copy_to_postgres
    from ..runs.db import redacted
    from ..runs.store import default_home
    from pathlib import Path
    if not a.to.startswith(("postgresql://", "postgres://")):
        raise UsageError(f"--to {redacted(a.to)} is not a PostgreSQL address: write it as "
                         "postgresql://user:password@host:port/database")
    home = Path(a.home).expanduser() if a.home else default_home()
    counts = copy_to_postgres(home, a.to)
    rows = ", ".join(f"{n:,} {table}" for table, n in counts.items())
    print(f"copied {home / 'glassnet.db'} into {redacted(a.to)}: {rows}")
    print(f"use it with GLASSNET_DATABASE_URL={redacted(a.to)} (GLASSNET_HOME={home} keeps the checkpoints and uploads)")
    return 0
