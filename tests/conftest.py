"""Shared fixtures for the core/ tests.

Everything here uses the real engine: real SQLite files under tmp_path, real
worker subprocesses and real PyTorch. Waiting is always done by polling with a
deadline (never by sleeping and hoping).
"""
from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:   # pytest.ini sets pythonpath=. too; this keeps `pytest tests/x.py` from elsewhere working
    sys.path.insert(0, str(ROOT))

# Page tests run in this process: no standby worker per test workspace (the browser tests'
# real server keeps its own, as the app does).
os.environ["GLASSNET_STANDBY"] = "0"
# A page's unexpected error is raised (AppTest's `exception`, the browser's stException) instead of
# becoming the error-id message a user sees, so that every page test catches it.
os.environ["GLASSNET_RAISE_ERRORS"] = "1"

# The networks under test are tiny; one intra-op thread is faster than two
# spinning ones on a 2-core CI machine that also runs worker processes.
torch.set_num_threads(1)

# In-process page tests (AppTest) show a failing page's error in full, whatever the app's config says.
from streamlit import config as _streamlit_config  # noqa: E402

_streamlit_config.set_option("client.showErrorDetails", "full")


def wait_for(condition, timeout: float = 60.0, interval: float = 0.05, what: str = "condition"):
    """Poll `condition()` until it returns something truthy; return that value, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except AssertionError as e:       # conditions may assert; keep polling until the deadline
            last_error = e
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}" + (f" (last: {last_error})" if last_error else ""))
        time.sleep(interval)


@pytest.fixture(name="wait_for")
def wait_for_fixture():
    return wait_for


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server for the session (Debian's binaries, in a temporary folder, on 127.0.0.1);
    a test that needs it fails, saying how to install it, on a machine without them."""
    from bench.postgres import PostgresMissing, PostgresServer
    try:
        server = PostgresServer(durable=False).start()
    except PostgresMissing as e:
        pytest.fail(str(e), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, monkeypatch) -> str:
    """The run store's database: the workspace's SQLite file, or a fresh database of its own on the session's
    PostgreSQL server (GLASSNET_DATABASE_URL, which the worker processes a test starts inherit).
    A test module asks for both with `pytestmark = pytest.mark.usefixtures("backend")`."""
    if request.param == "sqlite":
        monkeypatch.delenv("GLASSNET_DATABASE_URL", raising=False)
        yield "sqlite"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.new_database()
    monkeypatch.setenv("GLASSNET_DATABASE_URL", url)
    yield "postgres"
    server.drop_database(url)


@pytest.fixture
def home(request, tmp_path) -> Path:
    """A fresh Glassnet workspace folder (its database chosen first, when the test asks for a backend)."""
    if "backend" in request.fixturenames:
        request.getfixturevalue("backend")
    return tmp_path


@pytest.fixture
def store(home):
    """A Store on the workspace. Any worker a test started and left running is stopped at teardown."""
    from core.runs import executor as jobs
    from core.runs import Store

    s = Store(home)
    before = set(jobs._children)
    yield s
    # Clean up workers this test started: ask them to stop, then kill by pid whatever is left.
    started = {rid: proc for rid, proc in list(jobs._children.items()) if rid not in before}
    for rid, proc in started.items():
        if proc.poll() is None:
            try:
                s.update_run(rid, control="stop")
            except Exception:
                pass
    deadline = time.monotonic() + 15
    for rid, proc in started.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except Exception:
            try:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            except (ProcessLookupError, OSError):
                pass
        jobs._children.pop(rid, None)
    jobs.shutdown(s)                  # the workspace's pool workers, and its standby worker
    s.close()


@pytest.fixture(scope="session")
def spiral():
    from core.data import load_builtin
    return load_builtin("spiral")


@pytest.fixture(scope="session")
def digits():
    from core.data import load_builtin
    return load_builtin("digits")


@pytest.fixture(scope="session")
def regression2d():
    from core.data import load_builtin
    return load_builtin("regression2d")


@pytest.fixture(scope="session")
def diabetes():
    from core.data import load_builtin
    return load_builtin("diabetes")


@pytest.fixture(scope="session")
def iris():
    from core.data import load_builtin
    return load_builtin("iris")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's) for the whole session: Playwright's sync API runs one at a time."""
    from bench.browser import chromium
    with chromium() as b:
        yield b
