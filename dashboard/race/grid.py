"""Setting a grid up and starting it: two or more settings, each with its values, and one click that starts one
run per combination — on the session's data, network and training settings. The number of runs is shown as the
values are typed; a bad value, a single setting or more runs than the limit is refused on Start with a sentence
that names it and the fix (core/races/grid.py).
"""
from __future__ import annotations

import math

import streamlit as st

from core import limits
from core.races import SETTINGS, RaceError, parse_grid, plan_grid
from dashboard import keys
from dashboard.race.setup import press

GRID_VALUES = {"optimizer": "sgd, adam", "lr": "0.01, 0.1", "batch_size": "8, 32", "l2": "0, 0.01",
               "dropout": "0, 0.5", "init": "xavier, he", "activation": "relu, tanh"}   # two each: a small grid
FIRST = ("optimizer", "lr")


def _plan(_key, axes, network, train, data_name, name):
    return plan_grid(axes, network, train, data_name, name)


def grid_panel(store, dataset_ref: dict, dataset, network: dict, train: dict, problems: list[str]) -> str | None:
    """The grid's settings, their values and the Start button; the id of a grid a click started (else None)."""
    titles = {s.title: k for k, s in SETTINGS.items()}
    chosen = st.multiselect("Settings to sweep", list(titles), default=[SETTINGS[k].title for k in FIRST],
                            key=keys.GRID_SETTINGS, help="Two or more: one run trains for every combination of "
                                                         "their values.")
    axes = {}
    columns = st.columns(max(len(chosen), 1))
    for column, title in zip(columns, chosen):
        key = titles[title]
        axes[key] = column.text_input(f"{title} values", value=GRID_VALUES[key], key=keys.grid_values(key),
                                      help=f"Separated by commas, e.g. {SETTINGS[key].example}. From 2 to 8 values.")
    st.caption(_size_note(axes, train))
    for problem in problems:
        st.error(problem)
    if st.button("Start grid", type="primary", icon=":material/grid_view:", key=keys.GRID_START,
                 disabled=bool(problems), help="Train one run per combination on your current data, network and "
                                               "settings."):
        return press(store, "grid", axes, dataset_ref, dataset, network, train, planner=_plan, what="grid")
    return None


def _size_note(axes: dict, train: dict) -> str:
    cap = limits.current().max_grid_runs
    try:
        counts = [len(values) for _, values in parse_grid(axes)]
    except RaceError:
        counts = None
    size = (f"{' × '.join(map(str, counts))} = {math.prod(counts)} runs (at most {cap})" if counts else
            f"At most {cap} runs")
    return (f"{size}, all with the seed {train.get('seed', 0)}, so they start from the same initial weights unless "
            "the grid varies the initialisation or the activation. The grid counts as one request however many "
            "runs it has.")


MODES = {"race": "One setting (a race)", "grid": "Several settings (a grid)"}


def race_mode() -> str:
    """"race" or "grid": the page's mode as the address says it (?mode=grid, as the Runs page links it; the
    person's choice is written there), so a refresh, a link or a rerun all open the same mode."""
    wanted = st.query_params.get("mode")
    if wanted in MODES and st.session_state.get(keys.RACE_MODE) != wanted:
        st.session_state[keys.RACE_MODE] = wanted
    mode = st.radio("Try", list(MODES), format_func=MODES.get, key=keys.RACE_MODE, horizontal=True,
                    label_visibility="collapsed", on_change=_mode_chosen)
    st.query_params["mode"] = mode
    return mode


def _mode_chosen() -> None:
    st.query_params["mode"] = st.session_state[keys.RACE_MODE]
