"""Where the data comes from: a built-in dataset, a CSV upload or an earlier upload — and the reference
of the dataset the person's choices make."""
from __future__ import annotations

import streamlit as st

from core.data import DataError
from dashboard import keys
from dashboard.widgets import md

from .builtin import builtin_choice
from .help import HELP
from .upload import csv_choice
from .uploads import saved_choice

SOURCES = {"Built-in dataset": builtin_choice, "Upload a CSV": csv_choice, "Your uploads": saved_choice}


def source_picker(ref: dict) -> str:
    """The source of the data; an uploaded dataset in use opens on the earlier uploads."""
    return st.radio("Where the data comes from", list(SOURCES), index=2 if ref["kind"] == "csv" else 0,
                    key=keys.DATA_SOURCE, horizontal=True, help=HELP["source"])


def chosen_ref(source: str, ref: dict, pp: dict) -> dict:
    """The source's controls; the reference of the dataset they make with preprocessing `pp`, or `ref`
    with `pp` while they make none (the preprocessing may still have changed)."""
    try:
        new_ref = SOURCES[source](ref, pp)
    except DataError as e:
        st.error(md(str(e)))
        new_ref = None
    return {**ref, "preprocess": pp} if new_ref is None else new_ref
