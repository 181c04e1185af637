"""What the server holds about a run besides its store rows and folder — its network and predictions in the
server's caches (Evaluate, Explain, Fairness), this session's live feed, figures and computed results —
and forgetting all of it when the run is deleted (the rows and the folder, explanation caches included,
go with core.runs.executor.delete).

A cached loader is called through `cached_for`, which notes the arguments it was called with under the
run, so that `forget_run` clears exactly those entries (other runs' stay warm). The notes are bounded: they
outnumber what the caches can hold, so an entry the notes forgot was evicted from its cache long before.
"""
from __future__ import annotations

from collections import OrderedDict

import streamlit as st

from dashboard import keys

KEPT_NOTES = 512                 # more than every cache of a run-keyed loader holds together (24 + 16 + 24)
_notes: OrderedDict = OrderedDict()          # (cached function, its arguments but the store) → run id


def cached_for(run_id: str, loader, args: tuple, store):
    """loader(*args, store) — a st.cache_resource function whose last parameter is the (unhashed) store —
    noted as holding `run_id`."""
    note = (loader, args)
    _notes[note] = run_id
    _notes.move_to_end(note)
    while len(_notes) > KEPT_NOTES:
        _notes.popitem(last=False)
    return loader(*args, store)


def forget_run(run_id: str) -> None:
    """Drop what this server process and this session hold about the run: the cached loaders' entries for
    it, the Train page's feed and figures of it, and the Explain and Fairness pages' results about it."""
    for note in [n for n, rid in _notes.items() if rid == run_id]:
        loader, args = note
        loader.clear(*args, None)
        del _notes[note]
    state = st.session_state
    feed = state.get(keys.TRAIN_FEED)
    if getattr(feed, "run_id", None) == run_id:
        del state[keys.TRAIN_FEED]
    for name in (keys.TRAIN_FIGURES, keys.EXPLAIN_CACHE, keys.FAIR_CACHE):
        cache = state.get(name)
        if isinstance(cache, dict):
            for slot in [s for s in cache if run_id in repr(s)]:
                del cache[slot]
