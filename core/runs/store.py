"""The run store: one database (a SQLite file in WAL mode, or PostgreSQL: core/runs/db.py) plus checkpoint
files under a workspace folder.

It is the single source of truth and the message bus between the training worker
and the pages: the worker writes metrics, frames (decision-boundary grids, weight
histograms) and checkpoints; the pages read them; control requests (pause, stop,
a new learning rate) travel the other way through the runs row.

Layout of a workspace (GLASSNET_HOME):
    glassnet.db                 runs, metrics, frames, events, artefacts (unless GLASSNET_DATABASE_URL names
                                a PostgreSQL database that holds them; then the folder is shared by every node)
    runs/<run id>/              checkpoints (*.safetensors), worker.log
    datasets/<sha256>.csv       uploaded CSV files, by content hash
"""
from __future__ import annotations

import json
import os
import re
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .db import DatabaseSettingError
from .db_postgres import connect
from .schema import SCHEMA

ACTIVE = ("queued", "running", "paused")
__all__ = ["ACTIVE", "SCHEMA", "DatabaseUnavailable", "Run", "Store", "StoreError", "new_run_id", "check_run_id", "default_home"]
CHECKPOINT_KINDS = ("epoch", "best", "resume")   # weights kept every few epochs and at the end; the best
                                                 # validation epoch's; the newest logged epoch's, to resume from
_RUN_ID = re.compile(r"^[0-9a-f]{24}$")



class StoreError(LookupError):
    """A run that does not exist, or a workspace that cannot be used."""


class DatabaseUnavailable(StoreError):
    """GLASSNET_DATABASE_URL is malformed or names a database that cannot be reached: says which (without its
    password) and how to fix it."""


def default_home() -> Path:
    """GLASSNET_HOME, else the per-user data folder (XDG on Linux, Application Support on macOS)."""
    env = os.environ.get("GLASSNET_HOME")
    if env:
        return Path(env).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Glassnet"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "Glassnet"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "glassnet"


def new_run_id() -> str:
    """96 random bits as hex: unguessable, and safe as a folder name."""
    return secrets.token_hex(12)


def check_run_id(run_id: str) -> str:
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise StoreError(f"{run_id!r} is not a run id (24 hex characters); list runs with `python -m core runs`")
    return run_id


@dataclass
class Run:
    id: str
    name: str
    status: str                             # queued running paused | finished stopped diverged failed interrupted
    created: float
    updated: float
    dataset: dict
    network: dict
    train: dict
    device: str | None
    summary: dict
    error: str | None
    pid: int | None
    heartbeat: float | None
    epoch: int
    step: int
    control: str
    lr_request: float | None
    owner: str | None = None
    parent: str | None = None               # the run this one was started from as a variant

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def _row_to_run(row) -> Run:
    d = dict(row)
    for key in ("dataset", "network", "train", "summary"):
        d[key] = json.loads(d[key]) if d[key] else {}
    return Run(**d)


class Store:
    """A connection to one workspace. Cheap to open; one per process or thread."""

    def __init__(self, home: Path | str | None = None):
        self.home = Path(home) if home is not None else default_home()
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            (self.home / "runs").mkdir(exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot use {self.home} as the Glassnet workspace ({e.strerror}); set GLASSNET_HOME to a writable folder") from None
        try:
            self.db = connect(self.home)
        except DatabaseSettingError as e:
            raise DatabaseUnavailable(str(e)) from None
        self.path = self.db.path                   # the SQLite file; None on PostgreSQL
        self.db.ensure(SCHEMA, "metrics_by_step")  # a new workspace, or one from before the newest index
        self.db.add_column("runs", "parent TEXT")        # a workspace from before runs knew their parent
        self.db.add_column("artefacts", "step INTEGER")  # ... or checkpoints their step

    def present(self) -> bool:
        """Whether the workspace is still there (not deleted or unmounted while in use)."""
        return self.path.exists() if self.path is not None else (self.home / "runs").is_dir()

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ----------------------------------------------------------- runs
    def run_dir(self, run_id: str) -> Path:
        return self.home / "runs" / check_run_id(run_id)

    def create_run(self, *, name: str, dataset: dict, network: dict, train: dict,
                   status: str = "queued", owner: str | None = None, parent: str | None = None) -> str:
        run_id = new_run_id()
        now = time.time()
        self.db.execute(
            "INSERT INTO runs (id, name, status, created, updated, dataset, network, train, lr_request, owner, parent)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, name[:200] or run_id[:8], status, now, now, json.dumps(dataset), json.dumps(network),
             json.dumps(train), None, owner, None if parent is None else check_run_id(parent)))
        self.run_dir(run_id).mkdir(parents=True, exist_ok=True)
        return run_id

    def get_run(self, run_id: str) -> Run:
        row = self.db.execute("SELECT * FROM runs WHERE id=?", (check_run_id(run_id),)).fetchone()
        if row is None:
            raise StoreError(f"no run {run_id} in {self.home}; list runs with `python -m core runs`")
        return _row_to_run(row)

    def list_runs(self, owner: str | None = None) -> list[Run]:
        if owner is None:
            rows = self.db.execute("SELECT * FROM runs ORDER BY created DESC").fetchall()
        else:
            rows = self.db.execute("SELECT * FROM runs WHERE owner=? ORDER BY created DESC", (owner,)).fetchall()
        return [_row_to_run(r) for r in rows]

    def update_run(self, run_id: str, **values) -> None:
        """Set columns of a run; dict values are stored as JSON."""
        if not values:
            return
        values["updated"] = time.time()
        cols, args = [], []
        for k, v in values.items():
            if k not in Run.__dataclass_fields__:
                raise KeyError(k)
            cols.append(f"{k}=?")
            args.append(json.dumps(v) if isinstance(v, dict) else v)
        self.db.execute(f"UPDATE runs SET {', '.join(cols)} WHERE id=?", (*args, check_run_id(run_id)))

    def update_run_if(self, run_id: str, where: dict, **values) -> bool:
        """Set columns of a run only while it is as `where` says (column → value, or a tuple of values it may
        have): a compare-and-set whose winner, among processes racing for the same run, is the one that gets True."""
        values["updated"] = time.time()
        for k in (*values, *where):
            if k not in Run.__dataclass_fields__:
                raise KeyError(k)
        sets = ", ".join(f"{k}=?" for k in values)
        conds, args = [], [json.dumps(v) if isinstance(v, dict) else v for v in values.values()]
        for k, v in where.items():
            if isinstance(v, tuple):
                conds.append(f"{k} IN ({','.join('?' * len(v))})")
                args += list(v)
            else:
                conds.append(f"{k} IS ?")
                args.append(v)
        cursor = self.db.execute(f"UPDATE runs SET {sets} WHERE id=? AND {' AND '.join(conds)}",
                                 (*args[:len(values)], check_run_id(run_id), *args[len(values):]))
        return cursor.rowcount == 1

    def rename_run(self, run_id: str, name: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("a run name cannot be empty")
        self.update_run(run_id, name=name[:200])

    def delete_run(self, run_id: str) -> None:
        import shutil
        check_run_id(run_id)
        with self.transaction():
            self.db.execute("DELETE FROM runs WHERE id=?", (run_id,))   # first: it waits for a worker's epoch
            for table in ("metrics", "frames", "events", "artefacts"):
                self.db.execute(f"DELETE FROM {table} WHERE run=?", (run_id,))
        shutil.rmtree(self.run_dir(run_id), ignore_errors=True)

    def transaction(self, exclusive: bool = True):
        """`with store.transaction():` one write transaction, rolled back on an error. An exclusive one (the
        default) never interleaves with another; exclusive=False only makes it whole (core/runs/db.py)."""
        return self.db.transaction(exclusive)

    def ensure_tables(self, statements: str, last: str) -> None:
        """Create the tables of a part that keeps its own (the pool's, the jobs'), once per connection."""
        self.db.ensure(statements, last)

    # ----------------------------------------------------------- metrics
    def add_metrics(self, run_id: str, rows: list[tuple[int, int, str, float]]) -> None:
        """rows: (step, epoch, name, value)."""
        self.db.executemany("INSERT INTO metrics (run, step, epoch, name, value) VALUES (?,?,?,?,?)",
                            [(run_id, s, e, n, v) for s, e, n, v in rows])

    def metric_rows(self, run_id: str, since_step: int = -1,
                    limit: int | None = None) -> list[tuple[int, int, str, float]]:
        """(step, epoch, name, value) of the metrics logged after `since_step`, in the order logged, as plain
        tuples: the cheap read for a reader that polls. With `limit`, only the first steps' rows, about
        `limit` of them: whole steps, so that a step's rows never straddle two reads (read on from the last
        step returned)."""
        upto = ""
        if limit is not None:
            row = self.db.execute("SELECT step FROM metrics WHERE run=? AND step>? ORDER BY step LIMIT 1 OFFSET ?",
                                  (run_id, since_step, max(0, limit - 1))).fetchone()
            upto = "" if row is None else f" AND step<={int(row[0])}"
        return self.db.tuples(f"SELECT step, epoch, name, value FROM metrics WHERE run=? AND step>?{upto} "
                              "ORDER BY step, rowid", (run_id, since_step))

    def metrics(self, run_id: str, names: list[str] | None = None, since_step: int = -1):
        """A DataFrame (step, epoch, name, value) of a run's metrics, optionally only some names / newer steps."""
        import pandas as pd
        q = "SELECT step, epoch, name, value FROM metrics WHERE run=? AND step>?"
        args: list = [run_id, since_step]
        if names:
            q += f" AND name IN ({','.join('?' * len(names))})"
            args += list(names)
        q += " ORDER BY step, rowid"
        return pd.DataFrame(self.db.execute(q, args).fetchall(), columns=["step", "epoch", "name", "value"])

    def recorded_step(self, run_id: str) -> int:
        """The last step whose metrics the run recorded (0 before any)."""
        row = self.db.execute("SELECT max(step) FROM metrics WHERE run=?", (run_id,)).fetchone()
        return int(row[0] or 0)

    def metric_names(self, run_id: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT name FROM metrics WHERE run=?", (run_id,))]

    def add_frame(self, run_id: str, step: int, epoch: int, kind: str, data: bytes) -> None:
        self.db.execute("INSERT INTO frames (run, step, epoch, kind, data) VALUES (?,?,?,?,?)",
                        (run_id, step, epoch, kind, data))

    def frames(self, run_id: str, kind: str, last: bool = False, since_step: int = -1) -> list[tuple[int, int, bytes]]:
        """(step, epoch, data) of a run's frames of one kind, in step order; only the latest with
        `last`, only those after `since_step` otherwise (for readers that poll)."""
        q = "SELECT step, epoch, data FROM frames WHERE run=? AND kind=? AND step>? ORDER BY step"
        if last:
            q += " DESC LIMIT 1"
        return [tuple(r) for r in self.db.execute(q, (run_id, kind, since_step))]

    def last_frame_step(self, run_id: str, kind: str) -> int | None:
        """The step of a run's latest frame of one kind (None before the first), without reading it."""
        row = self.db.execute("SELECT step FROM frames WHERE run=? AND kind=? ORDER BY step DESC LIMIT 1",
                              (run_id, kind)).fetchone()
        return None if row is None else int(row[0])

    def add_event(self, run_id: str, step: int, epoch: int, kind: str, detail: dict | None = None) -> None:
        self.db.execute("INSERT INTO events (run, step, epoch, time, kind, detail) VALUES (?,?,?,?,?,?)",
                        (run_id, step, epoch, time.time(), kind, json.dumps(detail or {})))

    def events(self, run_id: str) -> list[dict]:
        rows = self.db.execute("SELECT step, epoch, time, kind, detail FROM events WHERE run=? ORDER BY rowid", (run_id,))
        return [{"step": s, "epoch": e, "time": t, "kind": k, "detail": json.loads(d or "{}")} for s, e, t, k, d in rows]

    def truncate_after(self, run_id: str, step: int) -> None:
        """Forget metrics and frames after `step` (before resuming from a checkpoint taken at that step)."""
        with self.transaction():
            self.truncate_rows_after(run_id, step)

    def truncate_rows_after(self, run_id: str, step: int) -> None:
        """truncate_after, inside a transaction the caller holds."""
        self.db.execute("DELETE FROM metrics WHERE run=? AND step>?", (run_id, step))
        self.db.execute("DELETE FROM frames WHERE run=? AND step>?", (run_id, step))

    # ----------------------------------------------------------- artefacts
    def save_checkpoint(self, run_id: str, kind: str, epoch: int, tensors: dict, metadata: dict | None = None) -> Path:
        """Write tensors as safetensors, durably (see checkpoints.write_file: a reader or a crash never sees
        half a file). kind: 'epoch' (one file per epoch kept), 'best' (one file, replaced) or 'resume' (the
        newest logged epoch's, kept only until a newer one is recorded)."""
        from .checkpoints import write_file
        _check_kind(kind)
        self.get_run(run_id)                 # StoreError for a run deleted meanwhile: its folder is not made again
        folder = self.run_dir(run_id)
        folder.mkdir(exist_ok=True)          # not parents: a workspace deleted meanwhile is not made again
        name = f"{kind}-{epoch:06d}.safetensors" if kind != "best" else f"{kind}.safetensors"
        metadata = metadata or {}
        final = write_file(folder, name, tensors, metadata)
        step = int(metadata["step"]) if "step" in metadata else None
        with self.transaction():
            if kind == "best":
                self.db.execute("DELETE FROM artefacts WHERE run=? AND kind=?", (run_id, kind))
            self.db.execute("INSERT INTO artefacts (run, kind, epoch, path, created, step) VALUES (?,?,?,?,?,?) "
                            "ON CONFLICT (run, kind, epoch) DO UPDATE SET path=excluded.path, "
                            "created=excluded.created, step=excluded.step", (run_id, kind, epoch, name, time.time(), step))
        return final

    def checkpoints(self, run_id: str) -> list[dict]:
        """Every checkpoint file of a run, of both kinds: kind, epoch, path, created; by epoch."""
        rows = self.db.execute("SELECT kind, epoch, path, created FROM artefacts WHERE run=? ORDER BY epoch, kind", (run_id,))
        return [{"kind": k, "epoch": e, "path": self.run_dir(run_id) / p, "created": c} for k, e, p, c in rows]

    def epoch_checkpoints(self, run_id: str) -> list[int]:
        """The epochs whose weights a run kept (every `checkpoint_every` epochs and its last), ascending."""
        rows = self.db.execute("SELECT epoch FROM artefacts WHERE run=? AND kind='epoch' ORDER BY epoch", (run_id,))
        return [int(r[0]) for r in rows]

    def latest_checkpoint(self, run_id: str) -> int | None:
        """The epoch of a run's newest epoch or resume checkpoint, or None before the first. (A resume continues
        from the newest whole one its metrics reached: resumes.resume_epoch.)"""
        row = self.db.execute("SELECT max(epoch) FROM artefacts WHERE run=? AND kind IN ('epoch','resume')",
                              (run_id,)).fetchone()
        return None if row[0] is None else int(row[0])

    def checkpoint_path(self, run_id: str, kind: str, epoch: int | None = None) -> Path:
        """The file of one checkpoint. kind 'epoch': the one kept at `epoch`, or the newest without it;
        kind 'best': the weights of the epoch with the best validation score. StoreError when there is none."""
        _check_kind(kind)
        if epoch is None:
            row = self.db.execute("SELECT path FROM artefacts WHERE run=? AND kind=? ORDER BY epoch DESC LIMIT 1",
                                  (run_id, kind)).fetchone()
        else:
            row = self.db.execute("SELECT path FROM artefacts WHERE run=? AND kind=? AND epoch=?",
                                  (run_id, kind, epoch)).fetchone()
        if row is None:
            raise StoreError(f"run {run_id} has no {kind} checkpoint" + (f" at epoch {epoch}" if epoch is not None else "")
                             + "; it may not have trained long enough to save one")
        return self.run_dir(run_id) / row[0]


def _check_kind(kind: str) -> None:
    if kind not in CHECKPOINT_KINDS:
        raise ValueError(f"a checkpoint's kind is 'epoch', 'best' or 'resume', not {kind!r} (the newest epoch "
                         "checkpoint is kind 'epoch' without an epoch)")
