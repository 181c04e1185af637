"""A message for the Class page's next run, shown once where the button that caused it sits."""
from __future__ import annotations

import streamlit as st

from dashboard import keys

KINDS = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}


def flash(where: str, kind: str, text: str) -> None:
    """Show `text` (Markdown the caller made safe) as a `kind` message at `where` on the next run."""
    st.session_state[keys.CLASS_FLASH] = (where, kind, text)


def show_flash(where: str) -> None:
    held = st.session_state.get(keys.CLASS_FLASH)
    if isinstance(held, tuple) and held[0] == where:
        del st.session_state[keys.CLASS_FLASH]
        KINDS.get(held[1], st.info)(held[2])
