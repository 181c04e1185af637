"""The race shown: its runs' curves on one chart, the sentence that says which won, and a table — redrawn by
a polling fragment while any run trains, drawn once when all have ended.

The race shown is the URL's (?race=ID) or the session's, so a refresh finds it; the person picks among their
races (in class mode a student's own; the teacher's and personal mode's: every race).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.races import SETTINGS, list_races, race_result
from core.runs import ACTIVE, StoreError
from core.runs import executor as jobs
from dashboard import keys
from dashboard.race.charts import race_figure
from dashboard.text import md_plain as md

POLL_S = 1.0


def _races_of(store) -> list[dict]:
    person = getattr(store, "person", None)
    if person is None or person.sees_all:
        return list_races(store)
    return list_races(store, owner=person.id, everyone=False)


def shown_race(store, started: str | None = None) -> str | None:
    """The race to show: one just started, else the picker's (the URL's or the session's), else the newest."""
    races = _races_of(store)
    ids = [r["id"] for r in races]
    if started:
        chosen = started
    else:
        chosen = st.query_params.get("race") or st.session_state.get(keys.RACE_SHOWN)
        chosen = chosen if chosen in ids else (ids[0] if ids else None)
    if chosen is None:
        return None
    if chosen in ids:
        by_id = {r["id"]: r for r in races}
        st.session_state[keys.RACE_PICK] = chosen
        if len(ids) > 1:
            chosen = st.selectbox("Race shown", ids, key=keys.RACE_PICK,
                                  format_func=lambda i: _picked(by_id[i]))
    st.session_state[keys.RACE_SHOWN] = chosen
    st.query_params["race"] = chosen
    return chosen


def _picked(race: dict) -> str:
    if race["kind"] == "grid":
        return f"{race['name']} ({len(race['values'])} runs)"
    return f"{race['name']} ({', '.join(map(str, race['values']))})"


def race_view(store, race_id: str) -> None:
    """The race's live view: polled every POLL_S seconds while a run is waiting or training."""
    try:
        result = race_result(store, race_id)
    except StoreError as e:
        st.warning(f"That race cannot be shown: {md(e)}")
        return
    live = not result.ended
    st.fragment(_live, run_every=POLL_S if live else None)(store, race_id, live)
    if live and st.button(f"Stop the {result.kind}", icon=":material/stop:", help=f"Stop every run of the "
                          f"{result.kind} that still waits or trains; what they logged so far is kept."):
        for entry in result.entries:
            if entry.status in ACTIVE:
                jobs.stop(store, entry.run_id)
        st.rerun()


def _live(store, race_id: str, was_live: bool) -> None:
    result = race_result(store, race_id)
    # a worker gone leaves its run interrupted, not training forever
    if any(jobs.check(store, e.run_id).status != e.status for e in result.entries if e.status in ACTIVE):
        result = race_result(store, race_id)
    st.markdown(f"#### {md(result.name)}")
    curves = [(e.label, result.curves.get(e.run_id, pd.DataFrame(columns=["epoch"]))) for e in result.entries]
    st.plotly_chart(race_figure(curves, result.classifier), key=keys.RACE_CHART)
    with st.container(key="race-verdict"):
        if result.ended and result.winner:
            st.success(md(result.sentence), icon=":material/emoji_events:")
        else:
            st.info(md(result.sentence), icon=":material/sports_score:" if not result.ended else ":material/balance:")
    st.dataframe(_table(result), hide_index=True, width="stretch", key=keys.RACE_TABLE)
    if was_live and result.ended:
        st.rerun()                               # the race is over: redraw once, without polling


def best_run(result) -> str | None:
    """The run the table highlights: the winner, else (within noise, or still training) the lowest loss so far."""
    if result.winner:
        return result.winner
    scored = [e for e in result.entries if e.best_loss is not None and e.status not in ("diverged", "failed")]
    return min(scored, key=lambda e: e.best_loss).run_id if scored else None


def table_frame(result) -> pd.DataFrame:
    """One row a run: its settings (a grid's each in a column), status, epochs, losses and accuracy."""
    what = "validation" if result.metric == "val_loss" else "training"
    rows = []
    for e in result.entries:
        row = ({k: SETTINGS[k].label(e.value[k]).split("=")[-1] for k in result.settings} if result.kind == "grid"
               else {"run": e.label})
        row.update({"status": e.status, "epoch": f"{e.epoch} / {e.epochs}", f"lowest {what} loss": e.best_loss,
                    "at epoch": e.best_epoch, f"last {what} loss": e.final_loss,
                    "last training loss": e.final_train_loss})
        if what == "training":
            row.pop("last training loss")
        if result.classifier:
            row["best validation accuracy, %"] = None if e.best_accuracy is None else round(100 * e.best_accuracy, 1)
        rows.append(row)
    return pd.DataFrame(rows)


def _table(result):
    """The table with the best run's row highlighted."""
    frame, best = table_frame(result), best_run(result)
    marks = [e.run_id == best for e in result.entries]
    numbers = {c: ("{:.0f}" if c == "at epoch" else "{:.1f}" if c.endswith("%") else "{:.4g}")
               for c in frame.columns if "loss" in c or c == "at epoch" or c.endswith("%")}
    return frame.style.format(numbers, na_rep="—").apply(lambda row: ["background-color: rgba(46, 160, 67, 0.22); font-weight: 600"
                                          if marks[row.name] else "" for _ in row], axis=1)
