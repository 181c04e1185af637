"""The class's runs, each with its student and its settings in a few words, and the results as a table
(one row per run: who, which run, how far, with what settings, to what final metrics) and as CSV."""
from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from core.runs import Run

from .access import member_names, teacher_view

FINAL = ("val_loss", "val_accuracy", "val_r2", "train_loss")
NOBODY = "—"                             # the student of a run nobody owns (made from the command line)


@dataclass(frozen=True)
class ClassRun:
    run: Run
    student: str                         # the display name of who started it


def class_runs(view) -> list[ClassRun]:
    """Every run of the class, newest first, with the name of the student who started it."""
    names = member_names(view)
    return [ClassRun(r, names.get(r.owner, NOBODY)) for r in view.list_runs()]


def layers_text(network: dict) -> str:
    """The hidden layers in a few characters: '16·16' for two dense layers of 16, 'conv8·pool·64', or
    'none' for a linear model."""
    parts = []
    for layer in network.get("layers", []):
        kind = layer.get("type", "dense")
        if kind == "dense":
            parts.append(str(layer.get("units", "?")))
        elif kind == "conv2d":
            parts.append(f"conv{layer.get('channels', '?')}")
        elif kind == "maxpool2d":
            parts.append("pool")
    return "·".join(parts) or "none"


def activation_text(network: dict) -> str:
    """The hidden layers' activations: 'tanh', or 'relu/tanh' when they mix."""
    seen = []
    for layer in network.get("layers", []):
        act = layer.get("activation")
        if layer.get("type", "dense") in ("dense", "conv2d") and act and act not in seen:
            seen.append(act)
    return "/".join(seen) or "—"


def data_text(dataset: dict) -> str:
    return str(dataset.get("name") or dataset.get("kind") or "?")


# What the teacher may colour the class's curves by: label → the value a run has.
SETTINGS = {
    "student": lambda cr: cr.student,
    "optimiser": lambda cr: str(cr.run.train.get("optimizer", "?")),
    "learning rate": lambda cr: f"{float(cr.run.train.get('lr', 0)):g}",
    "hidden layers": lambda cr: layers_text(cr.run.network),
    "activation": lambda cr: activation_text(cr.run.network),
    "batch size": lambda cr: str(cr.run.train.get("batch_size", "?")),
    "data": lambda cr: data_text(cr.run.dataset),
}


def setting_of(class_run: ClassRun, setting: str) -> str:
    """The value of one of SETTINGS for a run, as text."""
    try:
        return SETTINGS[setting](class_run)
    except (TypeError, ValueError):
        return "?"


def settings_row(run: Run) -> dict:
    """A run's settings as the leaderboard and the CSV list them."""
    train = run.train
    return {"data": data_text(run.dataset), "hidden layers": layers_text(run.network),
            "activation": activation_text(run.network), "optimiser": train.get("optimizer"), "lr": train.get("lr"),
            "batch size": train.get("batch_size"), "loss": train.get("loss"), "L2": train.get("l2")}


def final_metrics(view, run_ids: list[str]) -> dict[str, dict]:
    """run id → {metric: its value at the last epoch logged, best_<metric> for the validation scores}."""
    teacher_view(view)
    out: dict[str, dict] = {i: {} for i in run_ids}
    if not run_ids:
        return out
    marks = ",".join("?" * len(run_ids))
    names = ",".join("?" * len(FINAL))
    db = view.store.db
    last = db.execute(f"SELECT m.run, m.name, m.value FROM metrics m WHERE m.run IN ({marks}) AND m.name IN ({names}) "
                      "AND m.step = (SELECT max(step) FROM metrics WHERE run=m.run AND name=m.name)",
                      (*run_ids, *FINAL)).fetchall()
    for run_id, name, value in last:
        out[run_id][name] = value
    best = db.execute(f"SELECT run, name, max(value) FROM metrics WHERE run IN ({marks}) "
                      "AND name IN ('val_accuracy','val_r2') GROUP BY run, name", run_ids).fetchall()
    for run_id, name, value in best:
        out[run_id][f"best_{name}"] = value
    return out


def results_table(view) -> pd.DataFrame:
    """One row per run of the class: student, run, status, epochs done and asked for, its settings and its
    final metrics."""
    runs = class_runs(view)
    finals = final_metrics(view, [cr.run.id for cr in runs])
    rows = []
    for cr in runs:
        run = cr.run
        rows.append({"student": cr.student, "run": run.name, "run id": run.id, "status": run.status,
                     "epochs": run.epoch, "epochs asked": run.train.get("epochs"), **settings_row(run),
                     **{name: finals[run.id].get(name) for name in (*FINAL, "best_val_accuracy", "best_val_r2")}})
    columns = ["student", "run", "run id", "status", "epochs", "epochs asked", "data", "hidden layers", "activation",
               "optimiser", "lr", "batch size", "loss", "L2", *FINAL, "best_val_accuracy", "best_val_r2"]
    return pd.DataFrame(rows, columns=columns)


def _cell(value):
    """A text cell a spreadsheet shows as text: one that starts like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def results_csv(view) -> bytes:
    """results_table as CSV (UTF-8). Names people typed that a spreadsheet would read as a formula are kept
    as text."""
    table = results_table(view)
    for column in ("student", "run", "data"):
        table[column] = table[column].map(_cell)
    buffer = io.StringIO()
    table.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")
