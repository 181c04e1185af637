"""The Runs page's care of one run: choosing it, renaming it, and deleting it after a confirmation.

Deleting takes two clicks: "Delete…" asks (the run waits in keys.RUNS_CONFIRM_DELETE), then "Yes,
delete" deletes — stopping the run first if it still trains — or "Cancel" forgets the question. What a
rename or a deletion did is shown once, at the top of the page's next run.
"""
from __future__ import annotations

import streamlit as st

from core.runs import StoreError, executor
from dashboard import keys
from dashboard.forget import forget_run
from dashboard.state import choose, current_run_id, set_current_run, store
from dashboard.text import md_plain

from .tables import label


def runs_message() -> None:
    """What the last rename or deletion did, once."""
    flash = st.session_state.pop(keys.RUNS_FLASH, None)
    if flash:
        st.success(flash)


def managed_run(runs):
    """The run to rename, delete or download: the URL's run at first, else the newest."""
    by_id = {r.id: r for r in runs}
    url_run = current_run_id()
    choose(keys.RUNS_MANAGE, list(by_id), url_run if url_run in by_id else runs[0].id)
    run_id = st.selectbox("Run", list(by_id), key=keys.RUNS_MANAGE, format_func=lambda i: label(by_id[i]),
                          help="The run to rename, delete or download.")
    return by_id[run_id]


def rename_or_delete(run) -> None:
    """The new-name box, "Rename", and "Delete…" or its confirmation."""
    name_key = keys.run_name(run.id)
    st.session_state.setdefault(name_key, run.name)
    new_name = st.text_input("New name", key=name_key, max_chars=200,
                             help="A name to tell runs apart, e.g. 'spiral, Adam, lr 0.01'.")
    a, b = st.columns(2)
    if a.button("Rename", key=keys.RUNS_RENAME, icon=":material/edit:", width="stretch"):
        rename(run.id, new_name)
    if st.session_state.get(keys.RUNS_CONFIRM_DELETE) != run.id:
        if b.button("Delete…", key=keys.RUNS_DELETE, icon=":material/delete:", width="stretch",
                    help="Delete the run with its metrics and checkpoints (you confirm first)."):
            st.session_state[keys.RUNS_CONFIRM_DELETE] = run.id
            st.rerun()
    else:
        confirm_delete(run)


def rename(run_id: str, new_name: str) -> None:
    try:
        store().rename_run(run_id, new_name)
    except (ValueError, StoreError) as e:
        st.error(f"Cannot rename: {md_plain(e)}")
    else:
        st.session_state[keys.RUNS_FLASH] = "Renamed the run."
        st.rerun()


def confirm_delete(run) -> None:
    """The question, with "Yes, delete" and "Cancel"."""
    st.warning(f"Delete **{md_plain(run.name)}** with all its metrics and checkpoints? This cannot be undone."
               + (" It is still training: it will be stopped first." if run.active else ""))
    y, n = st.columns(2)
    if y.button("Yes, delete", key=keys.RUNS_DELETE_YES, type="primary", width="stretch"):
        delete(run.id)
    if n.button("Cancel", key=keys.RUNS_DELETE_NO, width="stretch"):
        st.session_state.pop(keys.RUNS_CONFIRM_DELETE, None)
        st.rerun()


def delete(run_id: str) -> None:
    """Delete the run (stopped first if it trains) and forget it: the question, the choice, its new name,
    and the URL's run when it was this one."""
    try:
        executor.delete(store(), run_id)
    except StoreError as e:
        st.error(f"Cannot delete: {md_plain(e)}")
        return
    forget_run(run_id)
    for key in (keys.RUNS_CONFIRM_DELETE, keys.RUNS_MANAGE, keys.run_name(run_id)):
        st.session_state.pop(key, None)
    if current_run_id() is None:
        set_current_run(None)
    st.session_state[keys.RUNS_FLASH] = "Deleted the run."
    st.rerun()
