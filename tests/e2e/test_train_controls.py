"""The Train page's Start button and run controls in a real browser, as a person uses them: a number box
left invalid, a burst of clicks on Start, a refresh then a page switch, and Pause / Step / Resume / Stop."""
from __future__ import annotations

import json
import time

from .conftest import ARTIFACTS, STEP_TIMEOUT, nav, screenshot, wait_idle
from .test_train_live import poll, set_number

ACTIVE = ("queued", "running", "paused")


def train_page(page, server):
    page.goto(f"{server}/train")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Train").wait_for(timeout=STEP_TIMEOUT)
    main.get_by_role("button", name="Start training").wait_for(timeout=2 * STEP_TIMEOUT)    # a first visit imports torch
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
    from core.runs import Store
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
        poll(lambda: not error.count(), 15, f"the message about {label} to go")
    store.close()


def test_a_burst_of_clicks_on_start_starts_one_run(server, page, workspace):
    from core.runs import Store
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
    from core.runs import Store
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
        main.get_by_role("button", name="Pause").wait_for(timeout=STEP_TIMEOUT)
        assert not main.get_by_text("No run yet").is_visible()
    finally:
        stop_all(store, [run_id])
        store.close()


BOUNDARY_JS = """() => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const grid = (el.data || []).find(d => d.type === 'heatmap');
    if (grid) return JSON.stringify(grid.z);
  }
  return null;
}"""


def status_text(main) -> str:
    """The run's status badge (in its own container, for people and for the benchmark alike)."""
    return main.locator(".st-key-train-status").inner_text().strip()


def paused_text(main) -> str:
    box = main.locator(".st-key-train-paused")
    return box.inner_text() if box.count() else ""


def test_pause_step_resume_and_stop_show_on_the_page(server, page, workspace):
    """Each control shows as a change of the status badge or of the 'Paused at step N' line; a Step shows
    that batch's loss, how far the weights moved, and the decision boundary after it. How long each took to
    show is kept in test-artifacts/train-controls.json (recorded, not asserted)."""
    from core.runs import Store
    store = Store(workspace)
    before = run_ids(store)
    main = train_page(page, server)
    set_number(main, "Epochs", 100000)
    set_number(main, "Batch size", 4)
    main.get_by_role("button", name="Start training").click()
    run_id = poll(lambda: next(iter(run_ids(store) - before), None), 30, "the new run")
    shown = {}

    def press(name: str, condition, what: str):
        t0 = time.monotonic()
        main.get_by_role("button", name=name, exact=True).click()
        poll(condition, 30, what, interval=0.02)
        shown.setdefault(name, []).append(round(time.monotonic() - t0, 3))

    try:
        poll(lambda: status_text(main).endswith("training"), 60, "the run to train")
        poll(lambda: store.get_run(run_id).epoch >= 2, 60, "two epochs")
        press("Pause", lambda: status_text(main).endswith("paused"), "the badge to say paused")
        assert store.get_run(run_id).status == "paused"
        poll(lambda: "Paused at step" in (line := paused_text(main)) and "press Step" in line, 10, "the paused line")
        for _ in range(2):
            step = store.get_run(run_id).step
            grid = page.evaluate(BOUNDARY_JS)
            press("Step", lambda: f"Paused at step {step + 1:,}" in paused_text(main), "the next step to show")
            line = paused_text(main)
            assert "that step's batch loss" in line and "the update moved the weights by" in line, line
            poll(lambda: page.evaluate(BOUNDARY_JS) not in (None, grid), 10, "the boundary after the step")
        assert store.get_run(run_id).step == step + 1 and status_text(main).endswith("paused")
        page.mouse.move(5, 5)
        screenshot(page, "train-step")
        press("Resume", lambda: status_text(main).endswith("training"), "the badge to say training")
        poll(lambda: store.get_run(run_id).step > step + 5, 30, "training to go on")
        press("Stop", lambda: status_text(main).endswith("stopped"), "the badge to say stopped")
        main.get_by_text("Stopped at epoch").wait_for(timeout=STEP_TIMEOUT)
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        stop_all(store, [run_id])
        store.close()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "train-controls.json").write_text(json.dumps({"seconds_to_show": shown}, indent=1))
