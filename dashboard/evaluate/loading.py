"""The Evaluate page's runs: those that can be judged, and a run's predictions at a checkpoint on a split
(loaded once per server process: moving a widget shows them at once)."""
from __future__ import annotations

import streamlit as st

from core.data import DataError
from core.analysis import EvaluationError, predict_split
from core.spec import SpecError
from core.runs import StoreError
from dashboard.forget import cached_for
from dashboard.people import cache_scope
from dashboard.state import store
from dashboard.text import md_plain as md

EVALUABLE = ("finished", "stopped", "interrupted")


@st.cache_resource(show_spinner="Loading the network and predicting…", max_entries=24)
def _predictions(scope: str, run_id: str, checkpoint: str, split: str, updated: float, _store):
    """(predictions, dataset, epoch) of a run's checkpoint on a split."""
    from core.runs import load_run
    loaded = load_run(_store, run_id, checkpoint)
    return predict_split(loaded, split), loaded.dataset, loaded.epoch


def evaluable_runs() -> list:
    """The runs of the workspace that have stopped training (finished, stopped or interrupted), newest first."""
    return [r for r in store().list_runs() if r.status in EVALUABLE]


def predictions(run, checkpoint: str, split: str) -> tuple | None:
    """(predictions, dataset, epoch) of the run's checkpoint on the split, or None after showing why the
    run cannot be evaluated."""
    try:
        return cached_for(run.id, _predictions, (cache_scope(store()), run.id, checkpoint, split, run.updated),
                          store())
    except (StoreError, DataError, SpecError, EvaluationError, ValueError, OSError) as e:
        st.error(f"This run cannot be evaluated: {md(e)}")
        st.caption("Try the other weights or split, or pick another run.")
        return None
