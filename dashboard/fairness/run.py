"""The audited run: the run picker, and the run's class probabilities on every split (loaded once per server
process; for 2-D data also over the plane)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from core.data import DataError
from core.spec import SpecError
from core.runs import StoreError
from dashboard import keys
from dashboard.forget import cached_for
from dashboard.people import cache_scope
from dashboard.state import choose_run, set_current_run
from dashboard.text import md_plain as md

from .help import HELP

AUDITABLE = ("finished", "stopped", "interrupted")
SPLITS = {"test": "test", "validation": "validation", "train": "training"}


@dataclass
class Scored:
    """A run's predictions on every split: row ids, true class and class probabilities."""
    run: object
    dataset: object
    epoch: int
    splits: dict                 # split → (ids, y, proba [n, classes])
    grid: np.ndarray | None = None       # 2-D data: class probabilities over the plane [R, R, classes]
    extent: list | None = None           # that plane: [(x_lo, x_hi), (y_lo, y_hi)]


@st.cache_resource(show_spinner="Loading the network and predicting…", max_entries=24)
def _scored(scope: str, run_id: str, updated: float, _store) -> Scored:
    from core.runs import load_run, predict_array
    loaded = load_run(_store, run_id)
    ds = loaded.dataset
    splits = {}
    for split in SPLITS:
        X, y = ds.split(split)
        ids = getattr(ds, f"idx_{'val' if split == 'validation' else split}")
        splits[split] = (np.asarray(ids), np.asarray(y),
                         predict_array(loaded.net, X) if len(X) else np.zeros((0, ds.n_classes or 1)))
    grid = extent = None
    if ds.is_2d and ds.task == "classification":
        from core.training import BOUNDARY_RESOLUTION, boundary_extent, boundary_points
        extent = boundary_extent(ds.X_train)
        grid = predict_array(loaded.net, boundary_points(extent)).reshape(
            BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, -1)
    return Scored(loaded.run, ds, loaded.epoch, splits, grid, extent)


def scored(store, run) -> Scored | None:
    """The run's predictions, or None after showing why it cannot be audited."""
    try:
        return cached_for(run.id, _scored, (cache_scope(store), run.id, run.updated), store)
    except (StoreError, DataError, SpecError, ValueError, OSError, RuntimeError, KeyError) as e:
        st.error(f"This run cannot be audited: {md(e)}")
        st.caption("Its data or weights could not be loaded; pick another run.")
        return None


def favourable_proba(proba: np.ndarray, fav: int) -> np.ndarray:
    """The probability of the favourable class (one against the rest)."""
    p = np.asarray(proba, float)
    if p.ndim == 1:
        return p if fav == 1 else 1 - p
    return p[:, fav]


def pick_run(runs):
    """The run selector (the URL's run first); returns the chosen Run."""
    by_id = choose_run(keys.FAIR_RUN, runs)
    run_id = st.selectbox("Run", list(by_id), key=keys.FAIR_RUN, help=HELP["run"],
                          format_func=lambda i: f"{by_id[i].name} · {by_id[i].dataset.get('name', '')} · "
                                                f"{by_id[i].status}")
    set_current_run(run_id)
    return by_id[run_id]
