"""The Data page's preprocessing: how the inputs are scaled and how the rows are split."""
from __future__ import annotations

import streamlit as st

from dashboard import keys

from .help import HELP

SCALINGS = {"standard": "standard", "minmax": "min-max 0..1", "none": "none"}


def preprocessing(ref: dict) -> dict:
    """The scaling and split chosen, starting from `ref`'s (or, just after an earlier upload was
    picked, from the ones that file was last used with)."""
    pp = st.session_state.pop(keys.DATA_PREFILL, None) or ref["preprocess"]
    scaling = st.radio("Scale the inputs", list(SCALINGS), horizontal=True, index=list(SCALINGS).index(pp["scaling"]),
                       key=keys.DATA_SCALING, format_func=SCALINGS.get, help=HELP["scaling"])
    c1, c2 = st.columns(2)
    val = c1.slider("Validation share", 0.05, 0.35, min(0.35, max(0.05, pp["val_fraction"])), 0.05,
                    key=keys.DATA_VAL, help=HELP["val_fraction"])
    test = c2.slider("Test share", 0.05, 0.35, min(0.35, max(0.05, pp["test_fraction"])), 0.05,
                     key=keys.DATA_TEST, help=HELP["test_fraction"])
    seed = st.number_input("Split seed", 0, 10_000, int(pp["split_seed"]), key=keys.DATA_SPLIT_SEED,
                           help=HELP["split_seed"])
    return {"scaling": scaling, "val_fraction": round(val, 2), "test_fraction": round(test, 2),
            "split_seed": int(seed)}
