"""The Train page's Start button in a real browser, as a person uses it: a number box left invalid, a burst
of clicks on Start, a refresh then a page switch."""
from __future__ import annotations

import time

from .conftest import STEP_TIMEOUT, nav, screenshot, wait_idle
from .test_train_live import poll, set_number

ACTIVE = ("queued", "running", "paused")


def train_page(page, server):
    page.goto(f"{server}/train")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Train").wait_for(timeout=STEP_TIMEOUT)
    main.get_by_role("button", name="Start training").wait_for(timeout=STEP_TIMEOUT)
    wait_idle(page)
    return main


def run_ids(store) -> set[str]:
    return {r.id for r in store.list_runs()}


def stop_all(store, ids) -> None:
    for run_id in ids:
        if store.get_run(run_id).status in ACTIVE:
            store.update_run(run_id, control="stop")


def test_start_refuses_a_number_box_left_invalid_and_says_which(server, page, workspace):
    """A person types 0 in the batch box and clicks Start without pressing Enter: no run starts (it used to
    train with the box's previous value, 32), and the page names the box, its range and a value to type."""
    from core.store import Store
    store = Store(workspace)
    before = run_ids(store)
    main = train_page(page, server)
    for label, typed, words in (("Batch size", "0", "whole number from 1 to 65,536"),
                                ("Batch size", "1000000000", "whole number from 1 to 65,536"),
                                ("Epochs", "100000000", "whole number from 1 to 100,000"),
                                ("Learning rate", "1000000000", "above 0 and at most 10"),
                                ("Learning rate", "-1", "above 0 and at most 10")):
        box = main.get_by_label(label, exact=True)
        box.fill(typed)                               # typed, not confirmed with Enter
        main.get_by_role("button", name="Start training").click()
        error = main.locator("[data-testid='stAlert']").filter(has_text=f"{label} is")
        error.first.wait_for(timeout=STEP_TIMEOUT)
        assert words in error.first.inner_text(), error.first.inner_text()
        wait_idle(page)
        assert run_ids(store) == before, f"{label} = {typed} started a run"
        if (label, typed) == ("Batch size", "0"):
            screenshot(page, "train-invalid-batch")
        # back to a valid value before the next box: the message goes and Start is enabled again
        set_number(main, label, {"Batch size": "32", "Epochs": "100", "Learning rate": "0.01"}[label])
        poll(lambda: main.get_by_role("button", name="Start training").is_enabled(), 15, "Start to be enabled")
        assert not error.count()
    store.close()


def test_a_burst_of_clicks_on_start_starts_one_run(server, page, workspace):
    from core.store import Store
    store = Store(workspace)
    before = run_ids(store)
    main = train_page(page, server)
    set_number(main, "Epochs", 3000)
    start = main.get_by_role("button", name="Start training")
    start.click(click_count=3, delay=60)             # three quick clicks
    new = poll(lambda: run_ids(store) - before, 30, "the new run")
    try:
        main.get_by_role("button", name="Pause").wait_for(timeout=STEP_TIMEOUT)
        wait_idle(page)
        start.click()                                # and one more once the run shows: still the same run
        wait_idle(page)
        time.sleep(1.0)                              # time for a second worker to register, were one started
        assert len(run_ids(store) - before) == 1, "one click burst started more than one run"
    finally:
        stop_all(store, run_ids(store) - before)
        store.close()


def test_after_a_refresh_the_run_survives_a_visit_to_another_page(server, page, workspace):
    from core.store import Store
    store = Store(workspace)
    before = run_ids(store)
    main = train_page(page, server)
    set_number(main, "Epochs", 3000)
    main.get_by_role("button", name="Start training").click()
    run_id = poll(lambda: next(iter(run_ids(store) - before), None), 30, "the new run")
    try:
        poll(lambda: f"run={run_id}" in page.evaluate("location.href"), 30, "the run id in the URL")
        page.reload()                                # a new session that knows the run only from the URL
        main = page.locator("[data-testid='stMain']").first
        name = store.get_run(run_id).name
        main.get_by_role("heading", name=name).wait_for(timeout=STEP_TIMEOUT)
        main = nav(page, "Runs")
        wait_idle(page)
        main = nav(page, "Train")
        main.get_by_role("heading", name=name).wait_for(timeout=STEP_TIMEOUT)
        assert main.get_by_role("button", name="Pause").is_visible()
        assert not main.get_by_text("No run yet").is_visible()
    finally:
        stop_all(store, [run_id])
        store.close()
