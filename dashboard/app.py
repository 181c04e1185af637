"""Glassnet's entry point: `streamlit run dashboard/app.py` from the repository root."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:          # streamlit puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard.errors import shielded  # noqa: E402
from dashboard.people import admitted  # noqa: E402
from dashboard.state import navigation_pages, unreachable_store, workspace  # noqa: E402


def main() -> None:
    """The pages — in class mode only once this session has joined (the Join form stands in until then); a
    student's settings start from the class's hand-out when they have chosen none of their own."""
    problem = unreachable_store()
    if problem:
        st.error(problem, icon=":material/database:")
        return
    if admitted(workspace):
        from dashboard.classroom import take_handout_if_unchosen
        take_handout_if_unchosen()
        st.navigation(navigation_pages()).run()


st.set_page_config(page_title="Glassnet", page_icon="🔎", layout="wide")
shielded(main)
