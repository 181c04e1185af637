"""A server whose pool has one worker, in a real browser: the runs pressed after the first wait in line, the
Train page shows each one's place and moves it up live as the line moves, and a press past the per-person
cap is refused with the limit and the fix."""
from __future__ import annotations

import pytest

from bench.browser import Server

from .conftest import STEP_TIMEOUT, screenshot, wait_idle
from .test_restart import workspace_processes
from .test_train_controls import train_page
from .test_train_live import poll, set_number

TIMEOUT = 120


@pytest.fixture
def one_worker(tmp_path):
    srv = Server(tmp_path, env={"GLASSNET_WORKERS": "1"})
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()
        from core.runs import Store, executor
        with Store(tmp_path) as store:
            for run in store.list_runs():
                if run.status in ("queued", "running", "paused"):
                    executor.stop(store, run.id)
            executor.shutdown(store)
        poll(lambda: not workspace_processes(tmp_path), 30, "the workers to exit")


def press_start(page, main, store, epochs: int) -> str:
    """Start a run of `epochs` epochs (each press a new setting, so none repeats the last); its id."""
    before = {r.id for r in store.list_runs()}
    set_number(main, "Epochs", epochs)
    wait_idle(page)
    main.get_by_role("button", name="Start training").click()
    return poll(lambda: next(iter({r.id for r in store.list_runs()} - before), None), 30, "the new run")


def waiting_box(main):
    return main.locator(".st-key-train-waiting")


def test_runs_wait_in_line_for_the_one_worker_and_the_page_shows_their_place(one_worker, page):
    from core.runs import Store, executor
    store = Store(one_worker.home)
    main = train_page(page, one_worker.url)
    first = press_start(page, main, store, 100000)
    poll(lambda: store.get_run(first).status == "running", TIMEOUT, "the first run to get the worker")
    second = press_start(page, main, store, 99999)
    third = press_start(page, main, store, 99998)
    poll(lambda: f"run={third}" in page.evaluate("location.href"), 30, "the third run shown")
    waiting_box(main).filter(has_text="2nd in line").wait_for(timeout=STEP_TIMEOUT)
    assert main.locator("span.stMarkdownBadge").filter(has_text="waiting").count() == 1
    # the other run in line is listed as waiting, the one with the worker by its epoch
    assert main.get_by_role("button", name="· waiting").count() == 1
    assert main.get_by_role("button", name="· epoch").count() == 1
    assert store.get_run(third).status == "queued" and store.get_run(second).status == "queued"
    screenshot(page, "train-queue-waiting")

    fourth = press_start_refused(page, main, store, 99997)
    assert fourth.startswith("Training could not start: You have 3 runs waiting or training")
    assert "GLASSNET_MAX_ACTIVE_RUNS_PER_PERSON" in fourth
    screenshot(page, "train-queue-cap")

    executor.stop(store, first, wait=30)      # the line moves: the page says so without a click
    waiting_box(main).filter(has_text="Next in line").wait_for(timeout=STEP_TIMEOUT)
    screenshot(page, "train-queue-next")
    executor.stop(store, second, wait=30)     # the third run gets the worker: the page shows it training
    main.locator("span.stMarkdownBadge").filter(has_text="training").wait_for(timeout=TIMEOUT * 1000)
    assert waiting_box(main).count() == 0
    store.close()


def press_start_refused(page, main, store, epochs: int) -> str:
    """Press Start once more; the refusal the page shows (no run is added)."""
    count = len(store.list_runs())
    set_number(main, "Epochs", epochs)
    wait_idle(page)
    main.get_by_role("button", name="Start training").click()
    error = main.locator("[data-testid='stAlertContentError']").filter(has_text="could not start")
    error.wait_for(timeout=STEP_TIMEOUT)
    assert len(store.list_runs()) == count
    return error.inner_text().strip()
