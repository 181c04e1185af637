"""The Data page's earlier uploads: reopen a CSV file kept in the workspace, with its last settings."""
from __future__ import annotations

import time

import streamlit as st

from core.data import DataError, load_upload, read_csv_bytes, read_upload, uploaded_csvs
from dashboard import keys
from dashboard.state import uploads_home
from dashboard.widgets import md

from .columns import csv_controls, load_or_explain
from .help import HELP
from .memo import memo
from .removal import removal


def when(t: float) -> str:
    """An upload time as people write it: "23 Nov, 14:05" this year, "23 Nov 2024, 14:05" before."""
    local = time.localtime(t)
    same_year = local.tm_year == time.localtime().tm_year
    return time.strftime("%d %b, %H:%M" if same_year else "%d %b %Y, %H:%M", local).lstrip("0")


def upload_label(u) -> str:
    if not u.ok:
        return f"{u.name} · cannot be opened"
    return f"{u.name} · {u.rows:,} rows × {u.columns} columns · {when(u.uploaded)}"


def picked_upload() -> None:
    """on_change of the uploads list: the file's controls and the split start from its last settings."""
    sha = st.session_state.get(keys.DATA_SAVED_UPLOAD)
    st.session_state.pop(keys.DATA_ASK_REMOVE, None)
    if not sha:
        return
    upload = next((u for u in uploaded_csvs(uploads_home()) if u.id == sha), None)
    if upload is None or not upload.ok:
        return
    stale = tuple(keys.table_choice(what, sha) for what in keys.TABLE_CHOICES)
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(stale)]:
        del st.session_state[key]
    for key in keys.DATA_PREPROCESS:
        st.session_state.pop(key, None)
    st.session_state[keys.DATA_PREFILL] = upload.preprocess


def saved_choice(ref: dict, pp: dict) -> dict | None:
    """Reopen a CSV uploaded earlier in this workspace; the new reference when the choices make a usable dataset."""
    home = uploads_home()
    uploads = uploaded_csvs(home)
    if not uploads:
        st.info("No CSV files have been uploaded in this workspace yet. Upload one under Upload a CSV; "
                "it is kept here, so you can come back to it without uploading it again.")
        return None
    by_id = {u.id: u for u in uploads}
    ids = list(by_id)
    current = ref.get("sha256") if ref["kind"] == "csv" else None
    sha = st.selectbox("Earlier upload", ids, index=ids.index(current) if current in by_id else None,
                       format_func=lambda i: upload_label(by_id[i]), key=keys.DATA_SAVED_UPLOAD,
                       placeholder="Choose a file uploaded earlier", on_change=picked_upload,
                       help=HELP["uploads"])
    if sha not in by_id:
        st.caption("Until you choose one, the current dataset stays in use.")
        return None
    upload = by_id[sha]
    new_ref = _reopen(home, upload, ref["params"] if current == sha else upload.settings)
    removal(upload)
    return None if new_ref is None else {**new_ref, "preprocess": pp}


def _reopen(home, upload, chosen: dict) -> dict | None:
    """The earlier upload's table, its column choices starting from `chosen`, and the reference they make
    (None after showing why the file or the choices cannot be used)."""
    sha = upload.id
    if not upload.ok:
        st.error(md(f"{upload.problem} The dataset in use has not changed."))
        return None
    st.caption(f"{md(upload.name)}: {upload.rows:,} rows × {upload.columns} columns, "
               f"{upload.size / 1024:,.1f} kB, uploaded {when(upload.uploaded)}.")
    try:
        frame, _ = memo("upload_read", (sha, upload.size),
                        lambda: read_csv_bytes(read_upload(home, sha), filename=upload.name))
    except DataError as e:
        st.error(md(f"{e} The dataset in use has not changed."))
        return None
    target, task, sensitive, drop = csv_controls(frame, sha, chosen)
    settings = (sha, upload.size, upload.name, target, task, tuple(sensitive), tuple(drop))
    return load_or_explain(frame, lambda: memo("upload_load", settings, lambda: load_upload(
        home, sha, target=target, task=task, sensitive=sensitive, drop=drop)))

