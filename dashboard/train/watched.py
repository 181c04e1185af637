"""The run the page shows: the URL's (?run=ID), else the one this session watched last. A new session
(a browser reload) that opens a run by its URL takes that run's settings; other runs that train now
are a click away."""
from __future__ import annotations

import streamlit as st

from core.spec import TrainSpec
from core.runs import ACTIVE, Run, Store
from dashboard import keys
from dashboard.state import current_run_id, dataset_for, set_current_run


def watched_run(store: Store) -> str | None:
    """The id of the run to show (None: no run yet), remembered in the session too; a new session that
    opens a run shows — and trains again — what that run was built with."""
    run_id = current_run_id()
    if run_id is None and st.session_state.get(keys.TRAIN_RUN):
        set_current_run(st.session_state[keys.TRAIN_RUN])
        run_id = current_run_id()
    if run_id is not None:
        # remembered in the session too: the sidebar's page links drop the URL's run, and a session that
        # began with a browser refresh knows its run only from the URL
        st.session_state[keys.TRAIN_RUN] = run_id
        adopt_run_settings(store.get_run(run_id))
    return run_id


def watch(run_id: str) -> None:
    """Show this run from now on (in the URL and in the session)."""
    set_current_run(run_id)
    st.session_state[keys.TRAIN_RUN] = run_id


def adopt_run_settings(run: Run) -> bool:
    """A new session (a browser reload) that opens a run by its URL takes that run's network, training
    settings and — when it still loads (dataset_for(ref) does not raise) — data, so the page shows what
    the run was trained with and Start trains the same again. What the session already has is kept.
    True when anything was taken."""
    taken = False
    if not isinstance(st.session_state.get(keys.NETWORK), dict) and isinstance(run.network, dict):
        st.session_state[keys.NETWORK] = dict(run.network)
        taken = True
    if not isinstance(st.session_state.get(keys.TRAIN_SPEC), dict) and isinstance(run.train, dict):
        st.session_state[keys.TRAIN_SPEC] = {**TrainSpec().to_dict(), **run.train}
        taken = True
    if not isinstance(st.session_state.get(keys.DATASET_REF), dict) and isinstance(run.dataset, dict):
        try:
            dataset_for(run.dataset)
        except Exception:             # noqa: BLE001 — e.g. a deleted upload: keep the default data
            return taken
        st.session_state[keys.DATASET_REF] = dict(run.dataset)
        taken = True
    return taken


def other_active_runs(store: Store, current: str | None) -> list[Run]:
    return [r for r in store.list_runs() if r.status in ACTIVE and r.id != current]


def other_runs_switch(store: Store, run_id: str | None) -> None:
    """Buttons for the other runs training now (up to eight): a click shows that run instead."""
    others = other_active_runs(store, run_id)
    if not others:
        return
    st.caption("Also training or waiting now — click to watch:")
    cols = st.columns(min(len(others), 4))
    for i, other in enumerate(others[:8]):
        where = "waiting" if other.status == "queued" and other.pid is None else f"epoch {other.epoch:,}"
        if cols[i % len(cols)].button(f"{other.name} · {where}", key=keys.train_switch(other.id),
                                      icon=":material/swap_horiz:"):
            watch(other.id)
            st.rerun()
