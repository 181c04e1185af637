"""Giving the page's widgets their values again after the live view reran the page by itself.

The browser can lose the settings widgets' values over a rerun that comes right after the page loaded
(it then shows each box's minimum), so before the live view reruns the page it asks each part of the
page ("settings", "controls") to send its widgets their values once more.
"""
from __future__ import annotations

import streamlit as st

from dashboard import keys

PARTS = ("settings", "controls")


def ask_resync() -> None:
    """Every part of the page gives its widgets their values again on the next run."""
    st.session_state[keys.TRAIN_RESYNC] = set(PARTS)


def resync(part: str) -> bool:
    """Whether a part of the page ('settings', 'controls') must give its widgets their values again, as the
    live view asks before it reruns the page; True once per request."""
    parts = st.session_state.get(keys.TRAIN_RESYNC)
    if isinstance(parts, set) and part in parts:
        parts.discard(part)
        return True
    return False
