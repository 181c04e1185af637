"""What the pages share: the page list, the session's workspace store."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.jobs import recover
from core.store import Store


@dataclass(frozen=True)
class PageInfo:
    file: str
    title: str
    icon: str
    url: str
    blurb: str
    default: bool = False


# The pages in the order of the workflow; a page appears here once it exists.
PAGES = [
    PageInfo("home.py", "Home", ":material/home:", "home", "What Glassnet does and where to start.", default=True),
]

# The whole workflow, for the home page's map (pages not built yet are shown as coming).
FLOW = [
    ("Data", "Pick a toy set (spirals, moons, XOR…), a real table (iris, breast cancer, German credit…), "
             "digit images, or your own CSV."),
    ("Build", "Stack layers — units, activations, initialisation, dropout, batch norm — and watch the "
              "architecture and parameter count update."),
    ("Train", "Train live on your GPU or CPU: loss and accuracy stream in, and for 2-D data the decision "
              "boundary redraws as the network learns. Pause, step, change the learning rate."),
    ("Evaluate", "Confusion matrix, ROC and PR curves, residuals, and the worst mistakes."),
    ("Explain", "SHAP and LIME, globally and per row, in your own columns — and where they disagree."),
    ("Fairness", "Metrics across a sensitive attribute (sex, age…), live during training and after, with "
                 "mitigations compared side by side."),
]


def store() -> Store:
    """This session's connection to the workspace; stale runs are recovered once per session."""
    if "_store" not in st.session_state:
        s = Store()
        recover(s)
        st.session_state["_store"] = s
    return st.session_state["_store"]
