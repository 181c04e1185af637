"""Removing an earlier upload from the workspace, after a confirmation.

The rule: a file that a run is training on right now stays (the run reads it again when it resumes);
runs that trained on it before stay listed. Removing the file in use puts the default dataset in use.
The outcome is shown on the next run of the page, above the choices.
"""
from __future__ import annotations

import streamlit as st

from core.data import DataError, delete_upload
from dashboard import keys
from dashboard.state import DEFAULT_DATASET, current_dataset_ref, store, uploads_home
from dashboard.widgets import DATA_LABELS, md

from .help import HELP


def runs_using(sha: str) -> list:
    """The runs trained on the upload with hash `sha`."""
    try:
        return [r for r in store().list_runs() if (r.dataset or {}).get("sha256") == sha]
    except Exception:           # the list is only for a warning; the removal itself does not need it
        return []


def remove_upload(sha: str, name: str) -> None:
    """on_click of "Yes, remove it": remove the file unless a run is training on it."""
    st.session_state.pop(keys.DATA_ASK_REMOVE, None)
    if any(r.active for r in runs_using(sha)):
        st.session_state[keys.DATA_FLASH] = ("error", f"{name} is being used by a run that is training now; "
                                                      "stop that run on the Train page first, then remove the file.")
        return
    try:
        delete_upload(uploads_home(), sha)
    except DataError as e:
        st.session_state[keys.DATA_FLASH] = ("error", str(e))
        return
    st.session_state.pop(keys.DATA_SAVED_UPLOAD, None)
    message = f"Removed {name} from this workspace."
    if current_dataset_ref().get("sha256") == sha:
        st.session_state[keys.DATASET_REF] = DEFAULT_DATASET
        message += f" It was in use, so the {DATA_LABELS[DEFAULT_DATASET['name']]} dataset is in use again."
    st.session_state[keys.DATA_FLASH] = ("success", message)


def removal(upload) -> None:
    """The "Remove this upload…" button, and after it the confirmation."""
    if st.session_state.get(keys.DATA_ASK_REMOVE) != upload.id:
        st.button("Remove this upload…", key=keys.DATA_REMOVE_ASK, help=HELP["remove_upload"],
                  on_click=lambda: st.session_state.__setitem__(keys.DATA_ASK_REMOVE, upload.id))
        return
    runs = runs_using(upload.id)
    used = (f" {len(runs)} run{'s were' if len(runs) != 1 else ' was'} trained on it; "
            f"{'they stay' if len(runs) != 1 else 'it stays'} listed but cannot be evaluated again "
            "until the file is uploaded again." if runs else "")
    st.warning(f"Remove {md(upload.name)} from this workspace?{used}")
    yes, no = st.columns(2)
    yes.button("Yes, remove it", key=keys.DATA_REMOVE_YES, type="primary", help=HELP["remove_yes"],
               on_click=remove_upload, args=(upload.id, upload.name))
    no.button("Keep it", key=keys.DATA_REMOVE_NO, help=HELP["remove_no"],
              on_click=lambda: st.session_state.pop(keys.DATA_ASK_REMOVE, None))


def removal_outcome() -> None:
    """What the last removal did (or why it did not), once."""
    flash = st.session_state.pop(keys.DATA_FLASH, None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(md(flash[1]))
