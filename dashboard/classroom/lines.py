"""What the Class page draws from the class's feed: the chart's lines and the leaderboard. No streamlit."""
from __future__ import annotations

import pandas as pd

from core.classroom import ClassFeed, setting_of, settings_row
from dashboard.charts.class_runs import ClassLine

MAX_LINES = 60                   # the newest runs drawn: more lines than this cannot be told apart
METRICS = {"loss": "Validation loss", "score": "Validation accuracy (R² for regression)"}


def class_lines(feed: ClassFeed, metric: str, colour_by: str) -> tuple[list[ClassLine], int]:
    """(the lines of the newest MAX_LINES runs that logged `metric` — 'loss' or 'score' — newest first; how
    many runs with a curve were left out)."""
    lines = []
    for cr in feed.runs:
        curve = feed.curve(cr.run.id, "val_loss") if metric == "loss" else feed.score(cr.run.id)[1]
        if curve is None:
            continue
        epochs, values = curve.points()
        if epochs:
            lines.append(ClassLine(cr.student, cr.run.name, cr.run.status, setting_of(cr, colour_by), epochs, values))
    return lines[:MAX_LINES], max(0, len(lines) - MAX_LINES)


def metric_title(feed: ClassFeed, metric: str) -> str:
    """The chart's y-axis title: the validation loss, or the score the runs drawn have."""
    if metric == "loss":
        return "validation loss"
    kinds = {feed.score(cr.run.id)[0] for cr in feed.runs} - {None}
    if kinds == {"val_r2"}:
        return "validation R²"
    return "validation accuracy" if kinds != {"val_accuracy", "val_r2"} else "validation accuracy or R²"


SETTING_COLUMNS = ("data", "hidden layers", "activation", "optimiser", "lr", "batch size")


def shared_settings(board: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """(the board without the settings every run shares, {setting: the value they share}) — for two runs or
    more; the leaderboard then fits the page's width and says once what is the same for everyone."""
    if len(board) < 2:
        return board, {}
    same = {c: board[c].iloc[0] for c in SETTING_COLUMNS if c in board and board[c].astype(str).nunique() == 1}
    return board.drop(columns=list(same)), same


def leaderboard(feed: ClassFeed) -> pd.DataFrame:
    """Every run of the class ranked by its best validation accuracy (regressions by R², after them), with
    its student, status, epochs and settings; runs without a score yet come last."""
    rows = []
    for cr in feed.runs:
        run = cr.run
        kind, curve = feed.score(run.id)
        best = curve.best if curve is not None else None
        rows.append({"student": cr.student, "run": run.name, "status": run.status,
                     "epochs": f"{run.epoch:,} / {int(run.train.get('epochs', 0)):,}",
                     "best": best, "of": {"val_accuracy": "acc.", "val_r2": "R²"}.get(kind, ""),
                     **settings_row(run), "_kind": {"val_accuracy": 0, "val_r2": 1}.get(kind, 2)})
    table = pd.DataFrame(rows, columns=["student", "run", "status", "epochs", "best", "of", "data", "hidden layers",
                                        "activation", "optimiser", "lr", "batch size", "loss", "L2", "_kind"])
    table = table.sort_values(["_kind", "best"], ascending=[True, False], na_position="last", kind="stable")
    rank = table.groupby("_kind").cumcount() + 1
    table.insert(0, "rank", [r if pd.notna(b) else None for r, b in zip(rank, table["best"])])
    return table.drop(columns=["_kind", "loss", "L2"]).reset_index(drop=True)
