"""The Train page's live view of a run: read from the run store as the run trains, polled in fragments.

Public surface:
    show_run(store, run, dataset, ref)   the live view of a run on the data it trained on
    boundary_for(feed, run, dataset)     the decision-boundary figure (feed None: the data's points alone)
    LiveFeed                             a run's metrics and frames read incrementally (no streamlit)
    POLL_S                               how often the progress and the loss poll while a run trains

waiting.py draws a run's place in line and its wait while no worker has taken it yet.
"""
from .boundary import boundary_for
from .feed import LiveFeed
from .view import POLL_S, show_run

__all__ = ["LiveFeed", "POLL_S", "boundary_for", "show_run"]
