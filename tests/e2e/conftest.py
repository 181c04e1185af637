"""A real `streamlit run` server and a real headless Chromium (Debian's), driven by Playwright."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.browser import Server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("glassnet-home")


@pytest.fixture(scope="session")
def server(workspace):
    """Yields the base URL of a Glassnet server started as `make run` starts it."""
    srv = Server(workspace)
    srv.start()
    yield srv.url
    srv.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
