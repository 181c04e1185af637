"""What the session keeps between the live view's polls: the feed of the run shown and the figures
drawn, each rebuilt only when what it shows changed (an unchanged chart stays on screen untouched)."""
from __future__ import annotations

import streamlit as st

from dashboard import keys

from .feed import LiveFeed


def feed_for(run_id: str) -> LiveFeed:
    """This session's feed of a run (one at a time: switching runs starts a fresh feed)."""
    feed = st.session_state.get(keys.TRAIN_FEED)
    if not isinstance(feed, LiveFeed) or feed.run_id != run_id:
        feed = LiveFeed(run_id)
        st.session_state[keys.TRAIN_FEED] = feed
    return feed


def show(feed: LiveFeed, name: str, build, inputs: tuple) -> None:
    """Draw the chart `name` of the feed's run: build() gives its figure, `inputs` what it shows."""
    # a resume from a checkpoint rewinds the feed: what was drawn before may look the same size
    figure = _figure(feed.run_id, name, build, (feed.restarts, *inputs))
    st.plotly_chart(figure, key=keys.train_chart(name), config={"displaylogo": False})


def _figure(run_id: str, name: str, build, inputs: tuple):
    """The chart's figure: built again only when its inputs (what it shows) changed since it was last
    built, else the same figure again (an unchanged chart stays on screen untouched)."""
    cache = st.session_state.setdefault(keys.TRAIN_FIGURES, {})
    for stale in [k for k in cache if k[0] != run_id]:        # another run's figures
        del cache[stale]
    key = (run_id, name)
    held = cache.get(key)
    if held is None or held[0] != inputs:
        held = (inputs, build())
        cache[key] = held
    return held[1]
