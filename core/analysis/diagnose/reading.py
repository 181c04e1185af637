"""A run's RunLog: read from the store (the command line), or from series already read (the live page)."""
from __future__ import annotations

import numpy as np

from .records import RunLog


def run_log(run, series: dict, events: list, task: str, n_classes: int) -> RunLog:
    """The RunLog of a stored run (core.runs.Run) from its series {name: (epochs, values)} and events."""
    from ...model import concrete_loss
    from ...training.diagnose import chance_loss
    loss = concrete_loss(run.train.get("loss", "auto"), task)
    return RunLog(series=series, events=events, status=run.status, train=dict(run.train),
                  summary=dict(run.summary), message=run.error or "", task=task,
                  chance=chance_loss(task, loss, n_classes))


def stored_series(store, run_id: str) -> dict:
    """{name: (epochs, values)} of the metrics a run logged at its logged epochs (the step losses left out)."""
    rows = store.db.execute("SELECT epoch, name, value FROM metrics WHERE run=? AND name!='loss' "
                            "ORDER BY step, rowid", (run_id,)).fetchall()
    grouped: dict = {}
    for epoch, name, value in rows:
        e, v = grouped.setdefault(name, ([], []))
        e.append(epoch)
        v.append(np.nan if value is None else value)     # SQLite keeps NaN as NULL
    return {name: (np.asarray(e, np.int64), np.asarray(v, np.float64)) for name, (e, v) in grouped.items()}


def stored_log(store, run_id: str, dataset=None) -> RunLog:
    """The RunLog of a stored run; `dataset` (core.data.Dataset) when at hand, else rebuilt from the run's
    reference (for its task and number of classes)."""
    run = store.get_run(run_id)
    if dataset is None:
        from ...data import DatasetRef, load_dataset
        dataset = load_dataset(DatasetRef.from_dict(run.dataset), store.home)
    return run_log(run, stored_series(store, run_id), store.events(run_id), dataset.task,
                   dataset.n_classes if dataset.task == "classification" else 0)
