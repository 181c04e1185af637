"""Pressing Start on the Train page: one click burst starts one run, and invalid settings start none.

The guard lives in the server, in the person's session: a browser that sends three clicks before the
page has redrawn still gets one run. A press is a repeat when the settings (data, network, training)
are the same as the session's last start and that start was moments ago or its run still trains —
the same seed would train the very same network again, so the page shows the run already going.
"""
from __future__ import annotations

import hashlib
import json
import time

import streamlit as st

from core.runs import executor as jobs
from core.spec import NetworkSpec, SpecError, TrainSpec
from core.runs import ACTIVE, Store, StoreError, owner_of
from dashboard import keys
from dashboard.state import set_current_run
from dashboard.text import md_plain as md

BURST_S = 5.0                    # presses this soon after a start with the same settings are the same press


def fingerprint(dataset_ref: dict, network: dict, train: dict) -> str:
    """The settings a run would train with, as one short hash (equal settings, equal hash)."""
    text = json.dumps([dataset_ref, network, train], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def repeat_of(last: dict | None, print_: str, now: float, store: Store) -> str | None:
    """The run a press repeats (its id), or None when the press should start a new run.

    A repeat: the same settings as the last start, made less than BURST_S ago or whose run is
    still queued, training or paused."""
    if not isinstance(last, dict) or last.get("fingerprint") != print_ or not last.get("run"):
        return None
    if now - float(last.get("time", 0)) < BURST_S:
        return last["run"]
    try:
        run = store.get_run(last["run"])
    except StoreError:                     # deleted since: a new run is welcome
        return None
    return run.id if run.status in ACTIVE else None


def start_button(store: Store, dataset_ref: dict, dataset, network: dict, train: dict, problems: list[str]) -> None:
    """The settings' problems, then the Start button (greyed out while there are any); a press starts
    the run and shows it."""
    for problem in problems:
        st.error(problem)
    if st.button("Start training", type="primary", icon=":material/play_arrow:", key=keys.TRAIN_START,
                 disabled=bool(problems), width="stretch",
                 help="Train a new network with these settings; earlier runs keep their results."):
        # the button may be pressed before the browser greys it out: the server checks again
        started = press_start(store, dataset_ref, dataset, network, train, problems)
        if started is not None:
            set_current_run(started)
            st.rerun()             # a fresh run of the page, with the run in its URL


def press_start(store: Store, dataset_ref: dict, dataset, network: dict, train: dict,
                problems: list[str]) -> str | None:
    """Start was pressed: the id of the run to show (a new one, or the one this press repeats), or None
    when nothing started (the reason is on the page)."""
    if problems:
        st.error(f"Training did not start: {_settings_to_fix(problems)} above "
                 f"{'needs' if len(problems) == 1 else 'need'} fixing first.", icon=":material/block:")
        return None
    print_ = fingerprint(dataset_ref, network, train)
    repeated = repeat_of(st.session_state.get(keys.TRAIN_LAST_START), print_, time.time(), store)
    if repeated is not None:
        st.session_state[keys.TRAIN_TOAST] = ("Already started: these settings are training in the run shown. "
                                              "Change a setting (a new seed, say) to train another.")
        return repeated
    try:
        run_id = start_run(store, dataset_ref, dataset, network, train)
    except (SpecError, ValueError) as e:
        st.error(f"Training could not start: {md(e)}")
        return None
    # noted before anything else is drawn: a click arriving now interrupts this script run at the
    # page's next element, and the run that just started must not be forgotten or started again
    st.session_state[keys.TRAIN_LAST_START] = {"fingerprint": print_, "time": time.time(), "run": run_id}
    st.session_state[keys.TRAIN_RUN] = run_id
    return run_id


def start_run(store: Store, dataset_ref: dict, dataset, network: dict, train: dict) -> str:
    """Validate and submit a run; returns its id (raises SpecError with a readable message)."""
    return jobs.submit(store, dataset=dataset_ref, network=NetworkSpec.from_dict(network),
                       train=TrainSpec.from_dict(train), name=run_name(dataset, network, train), owner=owner_of(store))


def run_name(ds, network: dict, train: dict) -> str:
    """'spiral [8-8] adam lr=0.01'."""
    try:
        hidden = "-".join(str(l.get("units", l.get("type"))) for l in network.get("layers", []))
    except AttributeError:
        hidden = "?"
    return f"{ds.name} [{hidden or 'linear'}] {train['optimizer']} lr={train['lr']:g}"


def _settings_to_fix(problems: list[str]) -> str:
    return "the setting" if len(problems) == 1 else f"the {len(problems)} settings"
