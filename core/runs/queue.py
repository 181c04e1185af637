"""The queue of runs waiting for a worker, in fair-share order, and a person's place in it.

A run waits as status 'queued' with no pid. Which one a free worker takes next is chosen round robin
between people (runs.owner; runs without an owner are one person), not first come first served: the
person with the fewest runs holding a worker now (training, paused, or handed to a worker and starting),
ties to the person who was last handed a run least recently (never before first), then that person's
oldest queued run. So a person who queued ten runs does not hold the pool for ten runs' time while
another waits for one.

Taking a run is one BEGIN IMMEDIATE transaction: the run's pid becomes the worker's, the worker's row
names the run, and a claim row notes who started when — a run is handed out once.
"""
from __future__ import annotations

import json
import time

from .. import limits
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
            f"for one to finish (whoever runs the server can change the limit with {limits.Limits.env_name(name)})")


def check_cap(store, owner: str | None) -> None:
    """Refuse another active run of `owner` once they have max_active_runs_per_person (call inside the
    transaction that adds the run, so two presses at once cannot both pass)."""
    active = store.db.execute(f"SELECT count(*) FROM runs WHERE owner IS ? AND status IN ({','.join('?' * len(ACTIVE))})",
                              (owner, *ACTIVE)).fetchone()[0]
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
    waiting = [tuple(r) for r in store.db.execute(f"SELECT id, owner FROM runs WHERE {WAITING} ORDER BY created, id")]
    holding = dict(store.db.execute(f"SELECT owner, count(*) FROM runs WHERE {HOLDING} GROUP BY owner").fetchall())
    last = dict(store.db.execute("SELECT owner, max(time) FROM claims GROUP BY owner").fetchall())
    return waiting, holding, last


def queue_order(store) -> list[str]:
    """The queued runs waiting for a worker, in the order the pool will start them."""
    return fair_order(*_state(store))


def has_waiting(store) -> bool:
    return store.db.execute(f"SELECT 1 FROM runs WHERE {WAITING} LIMIT 1").fetchone() is not None


def claim(store, pid: int) -> str | None:
    """Hand the next run in fair-share order to worker `pid`; its id, or None when nothing waits."""
    if not has_waiting(store):                 # the cheap read an idle worker makes a few times a second
        return None
    with store.transaction():
        order = queue_order(store)
        if not order:
            return None
        run_id = order[0]
        now = time.time()
        store.db.execute(f"UPDATE runs SET pid=?, heartbeat=?, updated=? WHERE id=? AND {WAITING}", (pid, now, now, run_id))
        owner = store.db.execute("SELECT owner FROM runs WHERE id=?", (run_id,)).fetchone()[0]
        store.db.execute("INSERT INTO claims (run, owner, worker, time) VALUES (?,?,?,?)", (run_id, owner, pid, now))
        store.db.execute("UPDATE workers SET run=?, heartbeat=? WHERE pid=?", (run_id, now, pid))
    return run_id


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
    order = queue_order(store)
    if run_id not in order:
        return None
    place = order.index(run_id) + 1
    k = workers or limits.current().workers
    rows = store.db.execute(f"SELECT status, epoch, train FROM runs WHERE {HOLDING}").fetchall()
    paused = sum(1 for status, _, _ in rows if status == "paused")
    free = max(0, k - len(rows))
    if place <= free:
        return place, 0.0
    rate, sharing = seconds_per_epoch(store), k - paused
    if rate is None or sharing <= 0:
        return place, None
    left = sum(max(0, int(json.loads(t).get("epochs", 0)) - e) for s, e, t in rows if s != "paused")
    ahead = store.db.execute(f"SELECT train FROM runs WHERE id IN ({','.join('?' * (place - 1))})",
                             order[:place - 1]).fetchall() if place > 1 else []
    left += sum(int(json.loads(t).get("epochs", 0)) for (t,) in ahead)
    return place, left * rate / sharing          # the work ahead of it, spread over the workers
