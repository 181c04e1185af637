"""What an analysis job computes, by kind — done in a worker process (core/runs/job_worker.py), never in
the server. Each returns the name of its result file, written into `folder` (the owner's space).

  shap   {run, checkpoint, method, split, rows, background}   SHAP values of a run's rows     → <id>.npz
  drift  {run, checkpoint, rows, background}                  importance at every checkpoint → <id>.json
  onnx   {model, table, target, rows, background, method}     SHAP values of an uploaded ONNX model on the
         first rows of an uploaded table (both kept in the owner's space by their SHA-256)   → <id>.npz
         The model is run as the page runs it (onnx_process: size checked first, one thread, a time limit).

A worker serves everyone, so it uses the store unscoped: whether the person may ask about the run was
checked when the job was submitted (core/runs/jobs.py).
"""
from __future__ import annotations

from pathlib import Path

KINDS = ("shap", "drift", "onnx")


def perform(store, job, progress, folder: Path) -> str:
    """Compute `job` (a core.runs.job_table.Job), reporting to `progress`; returns its result file's name."""
    if job.kind not in KINDS:
        raise ValueError(f"unknown kind of job {job.kind!r}")
    return {"shap": _shap, "drift": _drift, "onnx": _onnx}[job.kind](store, job, progress, folder)


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


def _onnx(store, job, progress, folder: Path) -> str:
    import numpy as np

    from ..data import read_csv_bytes
    from ..runs.job_table import input_path
    from .explain import onnx_model, shap_values
    from .explain.byo_table import byo_inputs
    from .explain.onnx_process import check_size
    from .explain.stored import save_npz
    r = job.request
    model_bytes = input_path(store.home, job.owner, r["model"]).read_bytes()
    check_size(model_bytes)
    frame, _ = read_csv_bytes(input_path(store.home, job.owner, r["table"]).read_bytes(), filename="rows.csv")
    X, features, classes, feed, _ = byo_inputs(model_bytes, frame, r.get("target"))
    model = onnx_model(model_bytes, len(features), classes, feed)
    bg = X[np.sort(np.random.default_rng(0).choice(len(X), r["background"], replace=False))]
    att = shap_values(model, X[:r["rows"]], bg, features, [[j] for j in range(len(features))], r["method"],
                      progress=progress)
    att.settings.update(split="uploaded")
    name = f"{job.id}.npz"
    save_npz(att, folder / name)
    return name


def problem_message(error: Exception) -> str:
    """A failed job's reason in words: an explanation's own problem as it says it, anything else named."""
    from .explain import ExplainError
    from ..runs.store import StoreError
    from .explain.byo_table import ByoError
    if isinstance(error, (ExplainError, StoreError, ByoError)):
        return str(error)
    return f"The explanation could not be computed ({type(error).__name__}: {error})."
