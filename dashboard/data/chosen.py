"""The dataset in use: built from its reference (the default one when it cannot be), and an upload's
settings remembered so that reopening the file starts from them."""
from __future__ import annotations

import streamlit as st

from core.data import DataError, remember_upload_settings
from dashboard import keys
from dashboard.state import DEFAULT_DATASET, dataset_for, uploads_home
from dashboard.widgets import md


def use_dataset(ref: dict) -> tuple[dict, object]:
    """Put `ref` in use: (the reference in use, its Dataset). A reference that cannot be built is
    explained and replaced by the default dataset's."""
    st.session_state[keys.DATASET_REF] = ref
    try:
        return ref, dataset_for(ref)
    except DataError as e:
        st.error(md(f"{e} Glassnet switched back to the default dataset."))
        st.session_state[keys.DATASET_REF] = DEFAULT_DATASET
        return DEFAULT_DATASET, dataset_for(DEFAULT_DATASET)


def remember_choice(ref: dict, previous: dict) -> None:
    """An uploaded file's settings, kept as its last used when they changed."""
    if ref["kind"] != "csv" or ref == previous:
        return
    try:
        remember_upload_settings(uploads_home(), ref)
    except DataError:
        pass
