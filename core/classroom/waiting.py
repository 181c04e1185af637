"""The queue and the workers as the teacher sees them: who waits for a worker, in which place and for about
how long (the executor's queue_position), and how many of the pool's workers are busy."""
from __future__ import annotations

from dataclasses import dataclass

from core.runs import executor as jobs
from core.runs import StoreError, pool, queue, registry
from core.runs.job_table import JOB, read as read_job
from core.runs.placements import live_ray_workers

from .access import member_names, teacher_view
from .results import NOBODY


@dataclass(frozen=True)
class Waiting:
    place: int                           # 1 starts next
    student: str
    run: str                             # the run's name
    run_id: str
    seconds: float | None                # about how long until it starts (None before any run was timed)
    paused: bool                         # it will start paused (Pause all, or its student's Pause)


@dataclass(frozen=True)
class Workers:
    own_each: bool                       # every run has a worker process of its own (GLASSNET_EXECUTOR=spawn)
    busy: int                            # pool workers training (or holding a paused) run
    alive: int                           # pool workers alive
    size: int                            # K: the most the pool may have
    waiting: int                         # runs and analysis jobs waiting for a worker


JOB_NAMES = {"shap": "explanation", "drift": "drift over checkpoints", "onnx": "explanation of an uploaded model"}


def waiting_runs(view) -> list[Waiting]:
    """The class's runs — and analysis jobs, which wait in the same line — waiting for a worker, in the
    order they will start."""
    teacher_view(view)
    store = view.store
    names = member_names(view)
    out = []
    for item in queue.line(store):
        place = jobs.queue_position(store, item)
        if place is None:
            continue
        if item.startswith(JOB):
            job = read_job(store, item[len(JOB):])
            out.append(Waiting(place[0], names.get(job.owner, NOBODY), _job_name(store, job), item, place[1], False))
            continue
        run = store.get_run(item)
        out.append(Waiting(place[0], names.get(run.owner, NOBODY), run.name, item, place[1],
                           run.control in ("pause", "step")))
    return sorted(out, key=lambda w: w.place)


def _job_name(store, job) -> str:
    """'explanation of <run name>' (or of an uploaded model)."""
    what = JOB_NAMES.get(job.kind, job.kind)
    run_id = job.request.get("run")
    if not run_id:
        return what
    try:
        return f"{what} of {store.get_run(run_id).name}"
    except StoreError:                    # the run was deleted meanwhile
        return what


def workers(view) -> Workers:
    """How busy the workers are now."""
    teacher_view(view)
    store = view.store
    waiting = queue.waiting_count(store)
    if jobs.backend() == "spawn":
        return Workers(True, 0, 0, 0, waiting)
    if jobs.backend() == "ray":                  # the cluster's workers of this workspace, of its slots
        live = live_ray_workers(store)
        return Workers(False, sum(1 for w in live if w["run"] is not None), len(live), jobs.slots(), waiting)
    live = registry.live_workers(store)
    return Workers(False, sum(1 for w in live if w["run"] is not None), len(live), pool.size(), waiting)
