"""The way from the Runs page to a grid: several settings tried at every combination of their values, started on
the Race page in its grid mode with the session's data, network and settings as the base."""
from __future__ import annotations

import streamlit as st

from core import limits
from dashboard.state import page


def sweep_link() -> None:
    """A sentence on what a grid is and the link that opens the Race page ready to sweep one."""
    st.markdown(f"Try several settings at once: for example SGD and Adam, each at learning rates 0.01 and 0.1 — one "
                f"run per combination (up to {limits.current().max_grid_runs}), on your current data and network "
                "with the same seed, their curves on one chart and the best named.")
    st.page_link(page("Race"), label="Sweep a grid →", icon=":material/grid_view:", query_params={"mode": "grid"})
