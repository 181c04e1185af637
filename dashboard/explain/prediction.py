"""A row's prediction beside its true answer (and, after an edit, how far the prediction moved)."""
from __future__ import annotations

import numpy as np
import streamlit as st


def prediction_metrics(ds, proba_or_value, true_value, before=None) -> None:
    """Prediction and truth as metrics; `before`: the row's own prediction, when it was edited."""
    m = st.columns(3)
    if ds.task == "classification":
        names = ds.class_names
        p = np.asarray(proba_or_value)
        k = int(p.argmax())
        delta = None
        if before is not None:
            delta = f"{p[k] - before[k]:+.1%} for '{names[k]}' (was '{names[int(np.argmax(before))]}')"
        m[0].metric("Prediction", f"{names[k]} ({p[k]:.0%})", delta=delta, delta_color="off",
                    help="The class the network picks for this row, and the probability it gives it.")
        m[1].metric("True answer", str(names[int(true_value)]),
                    help="The row's real class in the data (unchanged by edits).")
    else:
        v = float(np.asarray(proba_or_value).reshape(-1)[0])
        delta = f"{v - float(before):+.4g}" if before is not None else None
        m[0].metric("Prediction", f"{v:.4g}", delta=delta, delta_color="off",
                    help="The value the network predicts for this row.")
        m[1].metric("True value", f"{float(true_value):.4g}", help="The row's real value in the data.")
