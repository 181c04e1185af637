"""The Data page's upload: a CSV file from the person's computer, kept in the workspace."""
from __future__ import annotations

import streamlit as st

from core import limits
from core.data import DataError, load_csv, read_csv_bytes
from dashboard import keys
from dashboard.state import uploads_home
from dashboard.widgets import md, sha256

from .columns import csv_controls, load_or_explain
from .help import HELP
from .memo import memo


def csv_choice(ref: dict, pp: dict) -> dict | None:
    """The upload flow; the new reference when the file and the choices make a usable dataset."""
    bounds = limits.current()
    mb = bounds.max_upload_bytes // 2**20
    upload = st.file_uploader(
        "Your CSV file", type=["csv", "txt", "tsv"], key=keys.DATA_UPLOAD,
        help=f"{HELP['upload']} Limits: {mb} MB, {bounds.max_rows:,} rows, {bounds.max_columns} columns, "
             f"at least {bounds.min_rows} rows.")
    st.caption(f"Up to {mb} MB, {bounds.max_rows:,} rows and {bounds.max_columns} columns. "
               "The file is kept in your workspace so training can read it again, and so you can "
               "reopen it under Your uploads.")
    if upload is None:
        if ref["kind"] == "csv":
            st.info(f"Using {md(ref['name'])} (uploaded before). To change its target or columns, "
                    "open it under Your uploads — no need to upload it again.")
        else:
            st.info("Choose a file to upload. Until then the current dataset stays in use.")
        return None
    data = upload.getvalue()
    digest = sha256(data)
    try:
        frame, _ = memo("csv_read", digest, lambda: read_csv_bytes(data, filename=upload.name))
    except DataError as e:
        st.error(md(f"{e} The dataset in use has not changed."))
        return None
    same = ref["kind"] == "csv" and ref["sha256"] == digest
    target, task, sensitive, drop = csv_controls(frame, digest, ref["params"] if same else {})
    settings = (digest, upload.name, target, task, tuple(sensitive), tuple(drop))
    new_ref = load_or_explain(frame, lambda: memo("csv_load", settings, lambda: load_csv(
        data, filename=upload.name, target=target, task=task, sensitive=sensitive, drop=drop,
        preprocess=None, home=uploads_home())))
    return None if new_ref is None else {**new_ref, "preprocess": pp}
