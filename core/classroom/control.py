"""The teacher's hand on every run of the class at once: pause all, resume all, stop all — each run through
the executor, as the Train page's buttons do, on the teacher's view of the store (so only the class's runs)."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.runs import ACTIVE, JobError, StoreError
from core.runs import executor as jobs

from .access import teacher_view


@dataclass
class Outcome:
    """What a class-wide request did: the runs it acted on, and those it could not (run id → why)."""
    done: list = field(default_factory=list)
    refused: dict = field(default_factory=dict)


def _each(view, wanted, act) -> Outcome:
    teacher_view(view)
    outcome = Outcome()
    for run in view.list_runs():
        if not wanted(run):
            continue
        try:
            act(view, run.id)
            outcome.done.append(run.id)
        except (JobError, StoreError) as e:        # it ended (or was deleted) meanwhile
            outcome.refused[run.id] = str(e)
    return outcome


def pause_all(view) -> Outcome:
    """Ask every run of the class that trains or waits to pause (a waiting one starts paused)."""
    return _each(view, lambda r: r.status in ("running", "queued") and r.control == "run", jobs.pause)


def resume_all(view) -> Outcome:
    """Let every paused run of the class (and every waiting one held to start paused) go on training."""
    return _each(view, lambda r: r.status == "paused" or (r.status == "queued" and r.control in ("pause", "step")),
                 jobs.resume)


def stop_all(view) -> Outcome:
    """Stop every run of the class that trains, waits or is paused; a worker that ignores it is ended after
    the grace period, as for one run."""
    return _each(view, lambda r: r.status in ACTIVE, jobs.stop)


def active_count(view) -> tuple[int, int]:
    """(runs training, waiting or paused; students they belong to) in the class."""
    teacher_view(view)
    active = [r for r in view.list_runs() if r.status in ACTIVE]
    return len(active), len({r.owner for r in active})
