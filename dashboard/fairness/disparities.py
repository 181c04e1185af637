"""The disparities: the four-fifths verdict, six numbers as cards, and what they mean in sentences."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core import fairness as F
from dashboard.text import md_plain as md

from .help import HELP

CARDS = ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
         "equalized_odds_ratio", "equal_opportunity_difference", "predictive_parity_difference")


def show_disparities(audit: F.Audit) -> None:
    """The four-fifths verdict (worded as in the report), the disparity cards, the sentences and notes."""
    from core.report import four_fifths
    d = audit.disparities
    kind, verdict = four_fifths(d["demographic_parity_ratio"])
    {"pass": st.success, "fail": st.error}.get(kind, st.info)(
        verdict, icon=":material/check_circle:" if kind == "pass" else ":material/gavel:")
    cols = st.columns(3)
    for i, key in enumerate(CARDS):
        v = d[key]
        cols[i % 3].metric(F.DISPARITY_LABELS[key], "—" if not np.isfinite(v) else f"{v:.3f}", help=HELP[key])
    st.markdown("\n".join(f"- {md(s)}" for s in audit.sentences))
    for note in audit.notes:
        st.caption(f"Note: {md(note)}")
