"""A page that fails shows the person a short error id and what to do; the traceback goes to the server's
log under that id, never to the browser (Streamlit's client.showErrorDetails is "none" for what escapes).
With GLASSNET_RAISE_ERRORS=1 (development, and the test suite) errors are raised as they are instead."""
from __future__ import annotations

import logging
import os
import secrets

import streamlit as st

log = logging.getLogger("glassnet")


def report(error: BaseException) -> str:
    """Log `error` with its traceback under a new short id; returns the id."""
    error_id = secrets.token_hex(4)
    log.error("glassnet error %s: %s: %s", error_id, type(error).__name__, error, exc_info=error)
    return error_id


def shielded(draw, *args, **kwargs):
    """Call `draw` (a page, or part of one); an unexpected exception becomes a message with an error id.
    Streamlit's own stop and rerun signals are not exceptions of this kind and pass through."""
    try:
        return draw(*args, **kwargs)
    except Exception as e:      # noqa: BLE001  (the point: nothing unexpected reaches the browser as a traceback)
        if os.environ.get("GLASSNET_RAISE_ERRORS") == "1":
            raise
        error_id = report(e)
        st.error(f"Something went wrong here (error id {error_id}). What was already on the page and in your "
                 "runs is kept: reload the page to go on. If it happens again, tell whoever runs the server "
                 f"the error id; their log has the details.", icon=":material/error:")
        return None
