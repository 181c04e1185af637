"""The class's runs, live: one chart of every run's curve and the leaderboard, polled in a fragment that
reads the store incrementally (core.classroom.ClassFeed), as the Train page's live charts do. The curve
and the colouring are chosen outside the fragment, so a poll does not send them again."""
from __future__ import annotations

import streamlit as st

from core.classroom import SETTINGS, ClassFeed
from core.runs import StoreError
from core.runs import executor as jobs
from dashboard import keys
from dashboard.charts.class_runs import class_curves_figure
from dashboard.state import keep
from dashboard.text import md_plain as md

from .lines import METRICS, class_lines, leaderboard, metric_title, shared_settings

POLL_S = 2.0


def feed() -> ClassFeed:
    """This session's feed of the class."""
    current = st.session_state.get(keys.CLASS_FEED)
    if not isinstance(current, ClassFeed):
        current = st.session_state[keys.CLASS_FEED] = ClassFeed()
    return current


def chart_choices() -> tuple[str, str]:
    """The curve (loss or score) and the setting that colours the lines, kept across page switches."""
    keep(keys.CLASS_METRIC, "loss")
    keep(keys.CLASS_COLOUR, "student")
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    metric = left.radio("Curve", list(METRICS), format_func=METRICS.get, key=keys.CLASS_METRIC, horizontal=True)
    colour = right.selectbox("Colour the lines by", list(SETTINGS), key=keys.CLASS_COLOUR,
                             help="Runs with the same value share a colour: colour by optimiser to see which "
                                  "learns fastest, by learning rate to see which are too bold.")
    return metric, colour


def live_class(view) -> None:
    """The chart and the leaderboard, redrawn every POLL_S seconds with what the runs logged since."""
    metric, colour = chart_choices()
    st.fragment(_live, run_every=POLL_S)(view, metric, colour)


def _live(view, metric: str, colour: str) -> None:
    class_feed = feed()
    try:
        # as the Train page's poll does for its run: a run whose worker died is marked so, and a worker that
        # ignored Stop all past the grace is ended, with no student's page open
        jobs.recover(view)
        class_feed.update(view)
    except StoreError as e:
        st.error(f"The class's runs cannot be read now: {md(e)}")
        return
    lines, left_out = class_lines(class_feed, metric, colour)
    st.plotly_chart(_figure(class_feed, lines, metric, colour), key=keys.CLASS_CHART, config={"displaylogo": False})
    if left_out:
        st.caption(f"The {len(lines)} newest runs are drawn; {left_out} older ones are in the leaderboard.")
    st.subheader("Leaderboard")
    board = leaderboard(class_feed)
    if board.empty:
        st.info("No run yet: once students press Start on the Train page, their runs are ranked here.")
        return
    shown, same = shared_settings(board)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=BOARD_COLUMNS)
    if same:
        st.caption("Every run: " + " · ".join(f"{name} {md(f'{value:g}' if isinstance(value, float) else value)}"
                                               for name, value in same.items()) + ".")


def _figure(class_feed: ClassFeed, lines, metric: str, colour: str):
    """The chart's figure, built again only when what it shows changed."""
    shown = (metric, colour, tuple((ln.student, ln.run, ln.status, ln.colour_value, len(ln.epochs), ln.epochs[-1],
                                    ln.values[-1]) for ln in lines))
    held = st.session_state.get(keys.CLASS_FIGURE)
    if held is None or held[0] != shown:
        held = (shown, class_curves_figure(lines, metric_title(class_feed, metric), colour))
        st.session_state[keys.CLASS_FIGURE] = held
    return held[1]


BOARD_COLUMNS = {
    "rank": st.column_config.NumberColumn("#", format="%d", width=40),
    "student": st.column_config.TextColumn("student"),
    "run": st.column_config.TextColumn("run", width=160),
    "epochs": st.column_config.TextColumn("epochs", width=110, help="Epochs trained of those asked for."),
    "best": st.column_config.NumberColumn("best val.", format="%.3f", help="The best validation accuracy "
                                          "(classification) or R² (regression) over the epochs so far."),
    "of": st.column_config.TextColumn("of", help="acc. = accuracy, R² = coefficient of determination."),
    "optimiser": st.column_config.TextColumn("optimiser"),
    "lr": st.column_config.NumberColumn("lr", format="%g", help="The learning rate."),
}
