"""Analysis jobs in the run store: long explanations (SHAP of many rows, the drift over checkpoints, an
uploaded ONNX model's SHAP values) done by the same workers as training runs, one row a job.

    jobs (id, owner, kind, request, status, progress, message, created, updated, started, ended, pid,
          result, cancel)

status: queued (pid NULL: waiting for a pool worker; pid set: handed to a worker, or a process of its own
being started) → running → done | failed | cancelled. `request` is JSON (what to compute); `result` the
name of the result file in the owner's space (npz read with allow_pickle=False, or JSON; never pickle);
`cancel` is set by a Cancel on a running job, which its worker reads through its progress callback.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from .store import StoreError, new_run_id

_INPUT = re.compile(r"^[0-9a-f]{64}\.(onnx|csv)$")
_OWNER = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
JOB = "job:"                       # how a job is named in the line and in a worker's row (beside run ids)
JOB_WAITING = "status='queued' AND pid IS NULL"
JOB_HOLDING = "status='running' OR (status='queued' AND pid IS NOT NULL)"
JOB_ACTIVE = ("queued", "running")
JOB_ENDED = ("done", "failed", "cancelled")
TABLE = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, owner TEXT, kind TEXT NOT NULL, request TEXT NOT NULL, status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0, message TEXT, created REAL NOT NULL, updated REAL NOT NULL,
    started REAL, ended REAL, pid INTEGER, result TEXT, cancel INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, pid)
"""


@dataclass
class Job:
    id: str
    owner: str | None
    kind: str
    request: dict
    status: str
    progress: float
    message: str | None
    created: float
    updated: float
    started: float | None
    ended: float | None
    pid: int | None
    result: str | None
    cancel: int

    @property
    def active(self) -> bool:
        return self.status in JOB_ACTIVE


def ensure_jobs(store) -> None:
    """Create the jobs table in a workspace that has none yet (once per connection)."""
    store.ensure_tables(TABLE, "jobs_by_status")


def request_text(request: dict) -> str:
    """A request as stored: JSON with sorted keys, so two equal requests are one text."""
    return json.dumps(request, sort_keys=True)


def insert(store, owner: str | None, kind: str, request: dict) -> str:
    ensure_jobs(store)
    job_id, now = new_run_id(), time.time()
    store.db.execute("INSERT INTO jobs (id, owner, kind, request, status, created, updated) VALUES (?,?,?,?,?,?,?)",
                     (job_id, owner, kind, request_text(request), "queued", now, now))
    return job_id


def read(store, job_id: str) -> Job:
    ensure_jobs(store)
    row = store.db.execute("SELECT * FROM jobs WHERE id=?", (str(job_id),)).fetchone()
    if row is None:
        raise StoreError(f"no job {job_id} in {store.home}")
    d = dict(row)
    d["request"] = json.loads(d["request"])
    return Job(**d)


def newest(store, owner: str | None, kind: str, request: dict) -> Job | None:
    """The owner's newest job of this kind asking exactly this."""
    ensure_jobs(store)
    row = store.db.execute("SELECT id FROM jobs WHERE owner IS ? AND kind=? AND request=? ORDER BY created DESC "
                           "LIMIT 1", (owner, kind, request_text(request))).fetchone()
    return None if row is None else read(store, row[0])


def update_if(store, job_id: str, where: dict, **values) -> bool:
    """Set `values` on the job if its columns still hold `where` (a value, or a tuple of allowed values)."""
    ensure_jobs(store)
    values["updated"] = time.time()
    conds, args = ["id=?"], [job_id]
    for column, want in where.items():
        if isinstance(want, tuple):
            conds.append(f"{column} IN ({','.join('?' * len(want))})")
            args.extend(want)
        else:
            conds.append(f"{column} IS ?")
            args.append(want)
    sets = ", ".join(f"{k}=?" for k in values)
    cur = store.db.execute(f"UPDATE jobs SET {sets} WHERE {' AND '.join(conds)}", [*values.values(), *args])
    return cur.rowcount > 0


def active_of(store, owner: str | None) -> int:
    ensure_jobs(store)
    return store.db.execute("SELECT count(*) FROM jobs WHERE owner IS ? AND status IN ('queued','running')",
                            (owner,)).fetchone()[0]


def result_folder(home: Path | str, owner: str | None) -> Path:
    """Where a person's job results are kept: their own space (home/people/<id>/jobs), or home/jobs."""
    if owner is None:
        return Path(home) / "jobs"
    if not _OWNER.match(str(owner)):
        raise StoreError(f"{owner!r} is not a person id")
    return Path(home) / "people" / owner / "jobs"       # the person's space, as core/data/spaces.py names it


def input_path(home: Path | str, owner: str | None, name: str) -> Path:
    """Where a file a job reads (an uploaded model or table, named by its SHA-256) is kept in its owner's space."""
    if not _INPUT.match(str(name)):
        raise StoreError(f"{name!r} is not the name of a kept upload (its SHA-256 and .onnx or .csv)")
    return result_folder(home, owner) / "inputs" / name


def keep_input(home: Path | str, owner: str | None, data: bytes, suffix: str) -> str:
    """Keep an upload a job will read in the owner's space (once, whole); returns its name."""
    import hashlib
    import os
    name = f"{hashlib.sha256(data).hexdigest()}.{suffix}"
    path = input_path(home, owner, name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return name
