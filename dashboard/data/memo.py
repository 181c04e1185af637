"""A slow step of the Data page (reading or loading an upload) done once per input, kept in the session."""
from __future__ import annotations

import streamlit as st


def memo(name: str, key, compute):
    """The result of compute(), kept in the session and recomputed only when `key` changes.

    An exception raised by compute() is kept too and raised again for the same key, so a
    slow failing step (e.g. parsing a big upload) is not repeated on every rerun.
    """
    slot = f"_memo_{name}"
    saved = st.session_state.get(slot)
    if saved is None or saved[0] != key:
        try:
            saved = (key, compute(), None)
        except Exception as exc:         # kept and re-raised below, for the caller to show
            saved = (key, None, exc)
        st.session_state[slot] = saved
    if saved[2] is not None:
        raise saved[2]
    return saved[1]
