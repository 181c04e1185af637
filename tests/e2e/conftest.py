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
    # explanations estimated over a second are computed by a worker (after Compute), so the browser tests of
    # that path do not depend on how fast this machine is
    srv = Server(workspace, env={"GLASSNET_MAX_INLINE_EXPLAIN_SECONDS": "1"})
    srv.start()
    yield srv.url
    srv.stop()
    from core.runs import Store, executor
    with Store(workspace) as store:       # the workers the server started train on without it: end them
        executor.shutdown(store)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def screenshot(page, name: str, element=None) -> Path:
    """Save a full-page screenshot (or one of `element` alone) as test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if element is not None:
        element.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=True)
    return path


def wait_idle(page, timeout_ms: int = 30_000) -> None:
    """Until Streamlit says the script run is over (its 'running' status widget is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)


def wait_count(page, css: str, at_least: int, exactly: bool = False, timeout_ms: int = 30_000) -> None:
    """Until the main area holds at least (or exactly) `at_least` elements matching `css`: a page draws its
    parts one after another, so a count taken once can come too early."""
    test = "==" if exactly else ">="
    page.wait_for_function(
        f"([css, n]) => document.querySelectorAll(\"[data-testid='stMain'] \" + css).length {test} n",
        arg=[css, at_least], timeout=timeout_ms)


def choose(page, select, option: str, attempts: int = 3) -> None:
    """Pick `option` in the selectbox `select`.

    A script run that ends while the list is open redraws the widget and closes the list, so the
    list is opened once the page is idle, and opened again if it closed before the option showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    item = page.get_by_role("option", name=option, exact=True)
    for attempt in range(attempts):
        wait_idle(page)
        select.click()
        try:
            item.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            continue
        item.click()
        return


STEP_TIMEOUT = 30_000            # ms for one step of a page to show


def nav(page, title: str):
    """Go to a page through the sidebar (keeps the session, as a person clicking does)."""
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name=title).first.wait_for(timeout=STEP_TIMEOUT)
    return main


def spiral_with_preset(page, url: str, preset: str):
    """The first steps of a lesson as a person clicks them: the spiral on the Data page, then `preset`
    applied on the Build page. Returns the Build page's main area."""
    page.goto(f"{url}/data")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Data").wait_for(timeout=STEP_TIMEOUT)
    choose(page, main.locator("[data-testid='stSelectbox']").first, "Spiral")
    main.locator(".js-plotly-plot").first.wait_for(timeout=STEP_TIMEOUT)
    main = nav(page, "Build")
    choose(page, main.locator("[data-testid='stSelectbox']").first, preset)
    main.get_by_role("button", name="Apply preset").click()
    main.get_by_text("Applied the preset").wait_for(timeout=STEP_TIMEOUT)
    return main
