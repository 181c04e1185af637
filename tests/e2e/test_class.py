"""A class in a real browser: the server started as `make class` starts it (dashboard.serve --class), two
students joining from two browser contexts with the printed join link, each training a run and seeing
only their own; a refresh keeps the person; another's run by URL is refused with a message."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bench.browser import free_port
from core.runs import ACTIVE, Store, person_for

from .conftest import STEP_TIMEOUT, nav, screenshot, wait_idle
from .test_restart import workspace_processes
from .test_train_live import poll

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"Students open:\s+(http://\S+)")


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    """(join link, workspace) of `python -m dashboard.serve --class` on a free port of 127.0.0.1; at the end
    the server and every worker of its workspace are ended."""
    home = tmp_path_factory.mktemp("class-home")
    port = free_port()
    log_path = home / "server.log"
    env = {**os.environ, "GLASSNET_HOME": str(home), "GLASSNET_STANDBY": "1"}
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "dashboard.serve", "--class", "--host", "127.0.0.1",
                                 "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        poll(lambda: healthy(port) or proc.poll() is not None, 60, "the class server to start")
        assert proc.poll() is None, log_path.read_text()[-2000:]
        link = LINK.search(log_path.read_text()).group(1)
        yield link, home
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        for pid in workspace_processes(home):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def join_as(page, link: str, name: str, shot: str | None = None) -> str:
    """Open the join link, join as `name`; returns the signed token the address then holds."""
    page.goto(link)
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Join the class").wait_for(timeout=STEP_TIMEOUT)
    main.get_by_role("textbox", name="Your name").fill(name)
    if shot:
        screenshot(page, shot)
    main.get_by_role("button", name="Join").click()
    page.locator("[data-testid='stSidebar']").get_by_text(f"Signed in as {name}").wait_for(timeout=STEP_TIMEOUT)
    return poll(lambda: re.search(r"[?&]who=([0-9a-f.]+)", page.url), 15, "the token in the address").group(1)


def train_default_run(page, store: Store, owner: str) -> str:
    """Press Start on the Train page with the default settings; the run, once finished."""
    main = nav(page, "Train")
    main.get_by_role("button", name="Start training").click()
    run_id = poll(lambda: next((r.id for r in store.list_runs(owner)), None), 60, "the new run")
    poll(lambda: store.get_run(run_id).status not in ACTIVE, 180, "the run to finish")
    return run_id


def runs_listed(page, attempts: int = 3) -> list[str]:
    """The runs the Runs page offers to rename, delete or download (each named with the start of its id).

    A script run that ends while the list is open redraws it closed, so it is opened again if it closed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    main = nav(page, "Runs")
    main.get_by_role("heading", name="Rename, delete or download a run").wait_for(timeout=STEP_TIMEOUT)
    for attempt in range(attempts):
        wait_idle(page)
        main.locator("[data-testid='stSelectbox']").first.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            continue
        options = page.get_by_role("option").all_inner_texts()
        page.keyboard.press("Escape")
        return options


def top_screenshot(page, name: str, height: int = 1500) -> None:
    """A screenshot of the whole page from its top (Streamlit scrolls inside its main area)."""
    page.set_viewport_size({"width": 1400, "height": height})
    wait_idle(page)
    page.locator("[data-testid='stMain']").first.evaluate("m => { m.scrollTop = 0; }")
    screenshot(page, name)
    page.set_viewport_size({"width": 1400, "height": 900})


def test_two_students_each_see_only_their_own_run(class_server, browser):
    link, home = class_server
    store = Store(home)
    ada_ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    bob_ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        ada, bob = ada_ctx.new_page(), bob_ctx.new_page()
        ada_token = join_as(ada, link, "Ada", shot="class-join-form")
        bob_token = join_as(bob, link, "Bob")
        ada_id, bob_id = person_for(store, ada_token).id, person_for(store, bob_token).id
        assert ada_id != bob_id

        ada_run = train_default_run(ada, store, ada_id)
        bob_run = train_default_run(bob, store, bob_id)
        assert store.get_run(ada_run).owner == ada_id and store.get_run(bob_run).owner == bob_id

        assert [o[-7:-1] for o in runs_listed(ada)] == [ada_run[:6]]
        top_screenshot(ada, "class-student-runs")
        assert [o[-7:-1] for o in runs_listed(bob)] == [bob_run[:6]]

        ada.reload()                                    # a refresh keeps the person and their runs
        ada.locator("[data-testid='stSidebar']").get_by_text("Signed in as Ada").wait_for(timeout=STEP_TIMEOUT)
        heading = ada.locator("[data-testid='stMain']").get_by_role("heading", name="Runs", exact=True)
        heading.wait_for(timeout=STEP_TIMEOUT)
        assert [o[-7:-1] for o in runs_listed(ada)] == [ada_run[:6]]
        assert f"who={ada_token}" in ada.url

        base = link.split("/?")[0]
        ada.goto(f"{base}/train?who={ada_token}&run={bob_run}")    # Bob's run, by its address
        ada.get_by_text("This run belongs to someone else").wait_for(timeout=STEP_TIMEOUT)
        top_screenshot(ada, "class-foreign-run", 900)
        assert ada.locator("[data-testid='stException']").count() == 0
        assert f"run={bob_run}" not in ada.url
        assert store.get_run(bob_run).status == "finished"
    finally:
        ada_ctx.close()
        bob_ctx.close()
        store.close()


def test_without_joining_no_page_shows(class_server, page):
    link, _ = class_server
    base = link.split("/?")[0]
    page.goto(f"{base}/runs")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Join the class").wait_for(timeout=STEP_TIMEOUT)
    main.get_by_role("textbox", name="Your name").wait_for(timeout=STEP_TIMEOUT)
    wait_idle(page)
    assert main.get_by_role("heading", name="Runs").count() == 0
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert page.locator("[role='dialog']").count() == 0                 # no "page not found" either
    screenshot(page, "class-join-from-a-page-address")
