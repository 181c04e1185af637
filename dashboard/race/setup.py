"""Setting a race up and starting it: the setting, its values (each setting with its usual values), and one
click that starts one run per value — on the session's data, network and training settings, or the default
optimiser race. Bad values are refused with a sentence that names the value and the fix.
"""
from __future__ import annotations

import hashlib
import json
import time

import streamlit as st

from core.races import DEFAULT_RACE, SETTINGS, default_race, plan_race, start_race
from core.runs import owner_of
from core.spec import NetworkSpec, SpecError, TrainSpec
from dashboard import keys
from dashboard.text import md_plain as md

BURST_S = 5.0           # presses this soon after a start with the same race are the same press


def default_values(key: str) -> str:
    return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in SETTINGS[key].defaults)


def setup_panel(store, dataset_ref: dict, dataset, network: dict, train: dict, problems: list[str]) -> str | None:
    """The race's setting, values and Start buttons; returns the id of a race a click started (else None)."""
    titles = {s.title: k for k, s in SETTINGS.items()}
    c1, c2 = st.columns([1, 2])
    title = c1.selectbox("Setting to race", list(titles), key=keys.RACE_SETTING,
                         help="Every run gets the same data, network, training settings and seed; only this differs.")
    key = titles[title]
    values = c2.text_input(f"{title} values, separated by commas", value=default_values(key),
                           key=keys.race_values(key), help=f"For example {SETTINGS[key].example}. From 2 to 8 values.")
    note = SETTINGS[key].start_note or "They start from the same initial weights."
    st.caption(f"One run per value, all with the seed {train.get('seed', 0)}. {note} The race counts as one "
               "request however many runs it has.")
    for problem in problems:
        st.error(problem)
    b1, b2 = st.columns(2)
    started = None
    if b1.button("Start race", type="primary", icon=":material/flag:", key=keys.RACE_START, width="stretch",
                 disabled=bool(problems), help="Train one run per value on your current data, network and settings."):
        started = press(store, key, values, dataset_ref, dataset, network, train)
    if b2.button("Default optimiser race", icon=":material/sports_score:", key=keys.RACE_DEFAULT, width="stretch",
                 help=default_help()):
        started = press_default(store)
    return started


def default_help() -> str:
    d = DEFAULT_RACE
    return (f"SGD, momentum, AdaGrad, RMSprop and Adam on a {d['params']['n']:,}-point spiral (noise "
            f"{d['params']['noise']}), a {'-'.join(map(str, d['hidden']))} {d['activation']} network, learning rate "
            f"{d['train']['lr']}, {d['train']['epochs']} epochs: set up so that they clearly differ.")


def press_default(store) -> str | None:
    """Start the default optimiser race (its own data, network and settings)."""
    from core.data import load_builtin
    data, network, train = default_race()
    dataset = load_builtin(data["name"], **data["params"])
    return press(store, DEFAULT_RACE["setting"], DEFAULT_RACE["values"], dataset.ref.to_dict(), dataset,
                 network.to_dict(), train.to_dict(), name=f"Optimiser race on {dataset.name} (default)")


def press(store, key, values, dataset_ref: dict, dataset, network: dict, train: dict,
          name: str | None = None, planner=plan_race, what: str = "race") -> str | None:
    """Start was pressed: the race (or grid: `planner` plan_grid-like, `what` "grid") to show — a new one, or the
    one a burst of presses repeats — or None when it did not start (the reason is on the page)."""
    fingerprint = hashlib.sha256(json.dumps([key, values, dataset_ref, network, train], sort_keys=True,
                                            default=str).encode()).hexdigest()[:32]
    last = st.session_state.get(keys.RACE_LAST_START)
    if isinstance(last, dict) and last.get("fingerprint") == fingerprint and time.time() - last["time"] < BURST_S:
        return last["race"]
    try:
        race_id = start(store, key, values, dataset_ref, dataset, network, train, name, planner)
    except (SpecError, ValueError, TypeError) as e:
        said = str(e)
        st.error(f"The {what} did not start. {md(said[:1].upper() + said[1:])}", icon=":material/block:")
        return None
    st.session_state[keys.RACE_LAST_START] = {"fingerprint": fingerprint, "time": time.time(), "race": race_id}
    return race_id


def start(store, key, values, dataset_ref: dict, dataset, network: dict, train: dict, name=None,
          planner=plan_race) -> str:
    """Plan the race (or grid), check each run as Start would, and queue it; its id."""
    from core.training.budget import check_steps
    plan = planner(key, values, NetworkSpec.from_dict(network), TrainSpec.from_dict(train), dataset.name, name)
    for _, _, train_v in plan.runs:
        check_steps(train_v, len(dataset.X_train))
        if train_v.batch_size > len(dataset.X_train):
            raise SpecError(f"Batch size {train_v.batch_size:,} is more than the {len(dataset.X_train):,} training "
                            f"rows; use values up to {len(dataset.X_train):,}.")
    race_id, _ = start_race(store, plan, dataset_ref, owner=owner_of(store), data_name=dataset.name)
    return race_id
