"""What an analysis job computes, by kind — done in a worker process (core/runs/job_worker.py), never in
the server. Each returns the name of its result file, written into `folder` (the owner's space).

  shap   {run, checkpoint, method, split, rows, background}   SHAP values of a run's rows     → <id>.npz
  drift  {run, checkpoint, rows, background}                  importance at every checkpoint → <id>.json

A worker serves everyone, so it uses the store unscoped: whether the person may ask about the run was
checked when the job was submitted (core/runs/jobs.py).
"""
from __future__ import annotations

from pathlib import Path

KINDS = ("shap", "drift")


def perform(store, job, progress, folder: Path) -> str:
    """Compute `job` (a core.runs.job_table.Job), reporting to `progress`; returns its result file's name."""
    if job.kind not in KINDS:
        raise ValueError(f"unknown kind of job {job.kind!r}")
    return {"shap": _shap, "drift": _drift}[job.kind](store, job, progress, folder)


def _explainer(store, request: dict):
    from .explain import RunExplainer
    ex = RunExplainer.open(store, request["run"], request.get("checkpoint", "last"))
    ex.threads = 1                    # one core a worker, as a training run has
    return ex


def _shap(store, job, progress, folder: Path) -> str:
    from .explain.stored import save_npz
    r = job.request
    att = _explainer(store, r).shap(r["method"], split=r["split"], limit=r["rows"], background=r["background"],
                                    progress=progress)
    name = f"{job.id}.npz"
    save_npz(att, folder / name)
    return name


def _drift(store, job, progress, folder: Path) -> str:
    from .explain.stored import save_json
    r = job.request
    drift = _explainer(store, r).drift(rows=r["rows"], background=r["background"], progress=progress)
    name = f"{job.id}.json"
    save_json(drift, folder / name)
    return name


def problem_message(error: Exception) -> str:
    """A failed job's reason in words: an explanation's own problem as it says it, anything else named."""
    from .explain import ExplainError
    from ..runs.store import StoreError
    if isinstance(error, (ExplainError, StoreError)):
        return str(error)
    return f"The explanation could not be computed ({type(error).__name__}: {error})."
