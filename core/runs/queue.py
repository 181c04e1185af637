"""The queue of runs waiting for a worker, in fair-share order, and a person's place in it.

A run waits as status 'queued' with no pid. Which one a free worker takes next is chosen round robin
between people (runs.owner; runs without an owner are one person), not first come first served: the
person with the fewest runs holding a worker now (training, paused, or handed to a worker and starting),
ties to the person who was last handed a run least recently (never before first), then that person's
oldest queued run. So a person who queued ten runs does not hold the pool for ten runs' time while
another waits for one.

Analysis jobs (core/runs/job_table.py) wait in the same line, named "job:<id>": a job and a run count
alike for their owner, so a person with a long queue of runs does not starve another's explanation, nor
the other way round.

Taking a run is one BEGIN IMMEDIATE transaction: the run's pid becomes the worker's, the worker's row
names the run, and a claim row notes who started when — a run is handed out once.
"""
from __future__ import annotations

import json
import time

from .. import limits
from .job_table import JOB, JOB_HOLDING, JOB_WAITING, ensure_jobs
from .race_table import active_requests
from .registry import ensure_tables
from .store import ACTIVE

WAITING = "status='queued' AND pid IS NULL"
HOLDING = "status IN ('running','paused') OR (status='queued' AND pid IS NOT NULL)"
RECENT_RUNS = 20          # finished runs whose speed the wait is estimated from
RESUME_ASKED = "resume_asked"   # the event of a run queued again to continue: its worker resumes it


class JobError(ValueError):
    """A request that does not fit the run's state (e.g. resuming a finished run)."""


class TooManyRuns(JobError):
    """A person asked for more runs at once than max_active_runs_per_person allows."""


def cap_message(active: int) -> str:
    name = "max_active_runs_per_person"
    return (f"You have {active} runs waiting or training, the most one person may have at once: stop one or wait "
            f"for one to finish (a race counts as one; whoever runs the server can change the limit with "
            f"{limits.Limits.env_name(name)})")


def check_cap(store, owner: str | None) -> None:
    """Refuse another active run of `owner` once they have max_active_runs_per_person (call inside the
    transaction that adds the run, so two presses at once cannot both pass). A race — several runs started
    together by one click, core/runs/race_table.py — counts as one."""
    active = active_requests(store, owner, ACTIVE)
    if active >= limits.current().max_active_runs_per_person:
        raise TooManyRuns(cap_message(active))


# ------------------------------------------------------------------ the order
def fair_order(waiting: list[tuple[str, str | None]], holding: dict, last_start: dict) -> list[str]:
    """The order in which the `waiting` runs — (run id, owner), oldest first — would be handed out, given
    how many runs each person holds now and when each was last handed one. Pure: no store."""
    queues: dict = {}
    for run_id, owner in waiting:
        queues.setdefault(owner, []).append(run_id)
    holding, last_start = dict(holding), dict(last_start)
    order, tick = [], time.time()
    while queues:
        person = min(queues, key=lambda p: (holding.get(p, 0), last_start.get(p, float("-inf"))))
        order.append(queues[person].pop(0))
        if not queues[person]:
            del queues[person]
        tick += 1.0                                   # handed out after everyone's last start
        holding[person], last_start[person] = holding.get(person, 0) + 1, tick
    return order


def _state(store) -> tuple[list, dict, dict]:
    ensure_tables(store)
    ensure_jobs(store)
    runs = store.db.execute(f"SELECT created, id, owner FROM runs WHERE {WAITING}").fetchall()
    jobs = store.db.execute(f"SELECT created, '{JOB}' || id, owner FROM jobs WHERE {JOB_WAITING}").fetchall()
    waiting = [(i, o) for _, i, o in sorted(map(tuple, [*runs, *jobs]), key=lambda r: (r[0], r[1]))]
    holding = dict(store.db.execute(f"SELECT owner, count(*) FROM runs WHERE {HOLDING} GROUP BY owner").fetchall())
    for owner, n in store.db.execute(f"SELECT owner, count(*) FROM jobs WHERE {JOB_HOLDING} GROUP BY owner"):
        holding[owner] = holding.get(owner, 0) + n
    last = dict(store.db.execute("SELECT owner, max(time) FROM claims GROUP BY owner").fetchall())
    return waiting, holding, last


def line(store) -> list[str]:
    """Every run (its id) and job ("job:<id>") waiting for a worker, in the order the pool will start them."""
    return fair_order(*_state(store))


def queue_order(store) -> list[str]:
    """The queued runs waiting for a worker, in the order the pool will start them."""
    return [i for i in line(store) if not i.startswith(JOB)]


def has_waiting(store) -> bool:
    ensure_jobs(store)
    return (store.db.execute(f"SELECT 1 FROM runs WHERE {WAITING} LIMIT 1").fetchone() is not None
            or store.db.execute(f"SELECT 1 FROM jobs WHERE {JOB_WAITING} LIMIT 1").fetchone() is not None)


def waiting_count(store) -> int:
    """Runs and jobs waiting for a pool worker."""
    ensure_jobs(store)
    return (store.db.execute(f"SELECT count(*) FROM runs WHERE {WAITING}").fetchone()[0]
            + store.db.execute(f"SELECT count(*) FROM jobs WHERE {JOB_WAITING}").fetchone()[0])


def wants_gpu(store, item: str) -> bool:
    """Whether a waiting run asks for a CUDA device (its training setting `device`); jobs never do."""
    if item.startswith(JOB):
        return False
    row = store.db.execute("SELECT train FROM runs WHERE id=?", (item,)).fetchone()
    return row is not None and json.loads(row[0] or "{}").get("device") == "cuda"


def claim(store, pid: int, gpu: bool | None = None, noted=None) -> str | None:
    """Hand the next run or job in fair-share order to worker `pid`: the run's id or "job:<job id>", or None
    when nothing waits. A job handed out is running from then on. gpu=False: a worker without a GPU, which
    passes over runs that ask for CUDA (they wait for one with a GPU); None or True: it takes any. `noted(item)`
    is called inside the claim's transaction (a Ray worker notes there what it holds, so nobody sees the run
    taken by a worker that does not name it)."""
    if not has_waiting(store):                 # the cheap read an idle worker makes a few times a second
        return None
    with store.transaction():
        order = line(store)
        if gpu is False:
            order = [item for item in order if not wants_gpu(store, item)]
        if not order:
            return None
        item, now = order[0], time.time()
        if item.startswith(JOB):
            store.db.execute(f"UPDATE jobs SET pid=?, status='running', started=?, updated=? WHERE id=? AND "
                             f"{JOB_WAITING}", (pid, now, now, item[len(JOB):]))
            owner = store.db.execute("SELECT owner FROM jobs WHERE id=?", (item[len(JOB):],)).fetchone()[0]
        else:
            store.db.execute(f"UPDATE runs SET pid=?, heartbeat=?, updated=? WHERE id=? AND {WAITING}",
                             (pid, now, now, item))
            owner = store.db.execute("SELECT owner FROM runs WHERE id=?", (item,)).fetchone()[0]
        store.db.execute("INSERT INTO claims (run, owner, worker, time) VALUES (?,?,?,?)", (item, owner, pid, now))
        store.db.execute("UPDATE workers SET run=?, heartbeat=? WHERE pid=?", (item, now, pid))
        if noted is not None:
            noted(item)
    return item


def to_resume(store, run_id: str) -> bool:
    """Whether a claimed run continues from its checkpoint (it was queued again by a resume, or has trained
    before) rather than starting afresh."""
    return store.db.execute("SELECT 1 FROM events WHERE run=? AND kind IN (?, 'start') LIMIT 1",
                            (run_id, RESUME_ASKED)).fetchone() is not None


# ------------------------------------------------------------------ a run's place in line
def seconds_per_epoch(store) -> float | None:
    """The median seconds an epoch took over the last RECENT_RUNS finished runs (None before the first)."""
    rates = []
    for (summary,) in store.db.execute("SELECT summary FROM runs WHERE status='finished' ORDER BY updated DESC "
                                       "LIMIT ?", (RECENT_RUNS,)):
        s = json.loads(summary or "{}")
        if s.get("epochs") and s.get("seconds"):
            rates.append(float(s["seconds"]) / float(s["epochs"]))
    if not rates:
        return None
    rates.sort()
    return rates[len(rates) // 2]


def queue_position(store, run_id: str, workers: int | None = None) -> tuple[int, float | None] | None:
    """(place in line, about how many seconds until it starts) of a run waiting for a worker — place 1 is
    next — or None when the run does not wait. The wait is measured throughput: the epochs the running
    runs have left and the epochs of the runs ahead of it, at the recent runs' seconds per epoch, shared by
    the workers not held by a paused run. None for the seconds when nothing has been measured yet, or every
    worker is held by a paused run."""
    order = line(store)
    if run_id not in order:
        return None
    place = order.index(run_id) + 1
    k = workers or limits.current().workers
    rows = store.db.execute(f"SELECT status, epoch, train FROM runs WHERE {HOLDING}").fetchall()
    rows += [("job", 0, "{}")] * store.db.execute(f"SELECT count(*) FROM jobs WHERE {JOB_HOLDING}").fetchone()[0]
    paused = sum(1 for status, _, _ in rows if status == "paused")
    free = max(0, k - len(rows))
    if place <= free:
        return place, 0.0
    rate, sharing = seconds_per_epoch(store), k - paused
    if rate is None or sharing <= 0:
        return place, None
    left = sum(max(0, int(json.loads(t).get("epochs", 0)) - e) for s, e, t in rows if s != "paused")
    runs_ahead = [i for i in order[:place - 1] if not i.startswith(JOB)]
    ahead = store.db.execute(f"SELECT train FROM runs WHERE id IN ({','.join('?' * len(runs_ahead))})",
                             runs_ahead).fetchall() if runs_ahead else []
    left += sum(int(json.loads(t).get("epochs", 0)) for (t,) in ahead)
    return place, left * rate / sharing          # the work ahead of it, spread over the workers
