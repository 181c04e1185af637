"""What the Fairness page keeps in the session: its results, so a widget move never refits them."""
from __future__ import annotations

from dashboard import keys
from dashboard.state import session_cache


def cached(kind: str, key, compute):
    """compute()'s result kept in this session (the page's 24 most recently used results)."""
    return session_cache(keys.FAIR_CACHE, kind, key, compute, keep=24)
