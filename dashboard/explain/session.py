"""What the Explain page keeps in the session: its results, so a rerun (a widget move) never recomputes
them. core.explain also caches SHAP values in the run's folder, so a second visit — even after a
restart — is instant."""
from __future__ import annotations

import streamlit as st

from dashboard import keys
from dashboard.state import session_cache


def cached(kind: str, key, compute):
    """compute()'s result kept in this session (the page's 16 most recently used results)."""
    return session_cache(keys.EXPLAIN_CACHE, kind, key, compute, keep=16)


def peek(kind: str, key):
    """A result kept in this session, or None (nothing is computed)."""
    return st.session_state.get(keys.EXPLAIN_CACHE, {}).get((kind, key))
