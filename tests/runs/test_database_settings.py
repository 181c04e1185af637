"""A GLASSNET_DATABASE_URL that cannot be used — not a PostgreSQL address, or a server that does not answer —
is named (without its password) with the fix: one `error:` line and exit 2 on the command line, a message on
the page; never a traceback."""
from __future__ import annotations

import socket

import pytest

from tests.cli.cli_process import cli
from tests.helpers_runs import APP


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]          # nobody listens once the socket is closed


BAD = {
    "unreachable": (lambda: f"postgresql://glassnet:s3cret@127.0.0.1:{closed_port()}/runs",
                    "glassnet:***@127.0.0.1"),
    "malformed": (lambda: "mysql://glassnet:s3cret@db/runs", "is not a PostgreSQL address"),
}


@pytest.mark.parametrize("kind", BAD)
def test_the_command_line_names_the_database_and_the_fix(kind, tmp_path):
    url, words = BAD[kind][0](), BAD[kind][1]
    proc = cli("runs", home=tmp_path, env={"GLASSNET_DATABASE_URL": url}, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr[-2000:]
    assert words in lines[0] and "GLASSNET_DATABASE_URL" in lines[0] and "s3cret" not in lines[0]


@pytest.mark.parametrize("kind", BAD)
def test_the_app_names_the_database_and_the_fix(kind, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest
    url, words = BAD[kind][0](), BAD[kind][1]
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    monkeypatch.setenv("GLASSNET_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    shown = " ".join(e.value for e in at.error)
    assert words in shown and "GLASSNET_DATABASE_URL" in shown and "s3cret" not in shown
    assert "whoever runs Glassnet" in shown
