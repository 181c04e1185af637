"""Which run, which of its saved weights and which class to explain; the run's explainer, loaded once per
server process."""
from __future__ import annotations

import streamlit as st

from core.analysis import explain as xp
from core.data import DataError
from core.spec import SpecError
from core.runs import StoreError
from dashboard import keys
from dashboard.forget import cached_for
from dashboard.people import cache_scope
from dashboard.state import choose, choose_run, set_current_run, store
from dashboard.text import md_plain as md

from .help import HELP
from .view import View, view_for

EXPLAINABLE = ("finished", "stopped", "interrupted")


@st.cache_resource(show_spinner="Loading the network…", max_entries=16)
def _explainer(scope: str, run_id: str, checkpoint, updated: float, _store):
    return xp.RunExplainer.open(_store, run_id, checkpoint)


def open_explainer(store, run, checkpoint):
    """The run's RunExplainer at a checkpoint, or None after showing why it cannot be explained."""
    try:
        ex = cached_for(run.id, _explainer, (cache_scope(store), run.id, checkpoint, run.updated), store)
        # while runs train, their workers hold the cores: one torch thread explains faster than two
        ex.threads = 1 if any(r.active for r in store.list_runs()) else None
        return ex
    except (StoreError, DataError, SpecError, ValueError, OSError, RuntimeError) as e:
        st.error(f"This run cannot be explained: {md(e)}")
        st.caption("Try the other weights, or pick another run.")
        return None


def checkpoint_options(store, run_id: str) -> dict:
    """checkpoint → label: the last and best weights, then every saved epoch."""
    points = store.checkpoints(run_id)
    epochs = sorted({c["epoch"] for c in points if c["kind"] == "epoch"})
    best = [c["epoch"] for c in points if c["kind"] == "best"]
    out = {"last": f"Last epoch ({epochs[-1]})" if epochs else "Last epoch"}
    if best:
        out["best"] = f"Best epoch ({best[0]}, lowest validation loss)"
    for e in epochs[:-1]:
        out[e] = f"Epoch {e}"
    return out


def explainer_picker(runs) -> tuple | None:
    """The run, weights and class widgets side by side; (explainer, View) of the choice, or None after
    showing why the run cannot be explained. The run shown is the URL's, else the one chosen before,
    else the newest finished one — and it becomes the URL's run."""
    by_id = choose_run(keys.EXPLAIN_RUN, runs)
    c1, c2, c3 = st.columns([3, 2, 2])
    run_id = c1.selectbox(
        "Run", list(by_id), key=keys.EXPLAIN_RUN, help=HELP["run"],
        format_func=lambda i: f"{by_id[i].name} · {by_id[i].dataset.get('name', '')} · {by_id[i].status}")
    set_current_run(run_id)
    checkpoints = checkpoint_options(store(), run_id)
    choose(keys.EXPLAIN_CHECKPOINT, list(checkpoints), "last")
    checkpoint = c2.selectbox("Weights", list(checkpoints), key=keys.EXPLAIN_CHECKPOINT,
                              format_func=checkpoints.get, help=HELP["checkpoint"])
    explainer = open_explainer(store(), by_id[run_id], checkpoint)
    if explainer is None:
        return None
    return explainer, _class_view(c3, explainer)


def _class_view(column, explainer) -> View:
    """The class to explain (a classifier's), as a View."""
    dataset = explainer.dataset
    class_index = None
    if dataset.task == "classification":
        names = list(dataset.class_names)
        choose(keys.EXPLAIN_CLASS, list(range(len(names))), 1 if len(names) == 2 else 0)
        class_index = column.selectbox("Class to explain", list(range(len(names))), key=keys.EXPLAIN_CLASS,
                                       format_func=lambda k: names[k], help=HELP["class"])
    return view_for(dataset, explainer.model.outputs, class_index)
