"""The Train page: choose how the network learns, start it, and watch it learn live.

Training runs in a worker process (core.runs.executor); everything here only writes requests to the run store
and reads what the worker logged, so nothing waits on training.

Public surface:
    watched_run(store) -> run id | None  the run shown: the URL's, else the session's last (a new session
                                          opening a run takes that run's settings)
    dataset_line(ds), network_line(network, ds) -> (text, error)   the data and network summaries
    settings_panel(dataset) -> (train, problems)   the settings, bound to the session's training spec
    start_button(store, ref, dataset, network, train, problems)    Start: one click burst, one run
    notices()                             what the last control or Start said, once
    other_runs_switch(store, run_id)      the other runs training now, a click away
    status_badge(run), controls(store, run), run_outcome(store, run)   the run shown: its state, its
                                          controls while it trains, how it ended
    show_run(store, run, dataset, ref)    the live view (live/), polling while the run trains
    boundary_for(None, None, dataset)     the data's points on the plane, before any run
    POLL_S, STATUS_BADGE                  how often the live view polls; the status badges' words
    charts/ the run's charts, number_boxes.py the boxes' ranges (the spec's), live/feed.py the live feed
"""
from .controls import controls, notices
from .live import POLL_S, boundary_for, show_run
from .outcome import run_outcome
from .settings import settings_panel
from .starting import start_button
from .status import STATUS_BADGE, status_badge
from .summary import dataset_line, network_line
from .watched import other_runs_switch, watched_run

__all__ = ["POLL_S", "STATUS_BADGE", "boundary_for", "controls", "dataset_line", "network_line", "notices",
           "other_runs_switch", "run_outcome", "settings_panel", "show_run", "start_button", "status_badge",
           "watched_run"]
