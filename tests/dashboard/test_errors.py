"""A page's unexpected error reaches the browser as a short error id and the fix, never as a traceback;
the server's log has the traceback under the same id."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _failing_page():
    import streamlit as st

    from dashboard.errors import shielded

    def page():
        st.write("before the failure")
        {}["a key that is not there"]

    shielded(page)
    st.write("after the failure")


def test_an_unexpected_error_shows_an_id_not_a_traceback_and_logs_the_traceback(monkeypatch, caplog):
    monkeypatch.delenv("GLASSNET_RAISE_ERRORS", raising=False)
    at = AppTest.from_function(_failing_page).run()
    assert not at.exception
    assert [m.value for m in at.markdown] == ["before the failure", "after the failure"]
    (message,) = [e.value for e in at.error]
    error_id = re.search(r"error id ([0-9a-f]{8})", message).group(1)
    assert "Traceback" not in message and "KeyError" not in message and "a key that is not there" not in message
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info and logged[0].exc_info[0] is KeyError


def test_in_development_the_error_is_raised_as_it_is(monkeypatch):
    monkeypatch.setenv("GLASSNET_RAISE_ERRORS", "1")
    at = AppTest.from_function(_failing_page).run()
    assert at.exception and not at.error          # Streamlit's own exception element, not the error-id message


def test_what_escapes_the_pages_shows_no_details_to_the_browser():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert "shielded(" in (ROOT / "dashboard" / "app.py").read_text()
