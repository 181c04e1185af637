"""The Train page live in a real browser: start a run, watch the charts stream, refresh, stop."""
from __future__ import annotations

import time

import pytest

from .conftest import screenshot

# How many points a chart's trace has, read from the plotly div the browser drew
# (numeric arrays arrive base64-encoded as {dtype, bdata}).
POINTS_JS = """(name) => {
  const size = {i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, f4: 4, f8: 8};
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const trace = (el.data || []).find(d => d.name === name);
    if (!trace || !trace.x) continue;
    const x = trace.x;
    if (x.length !== undefined) return x.length;
    if (x.bdata) return atob(x.bdata).length / size[x.dtype];
  }
  return 0;
}"""
# How many charts are drawn on screen right now (live charts are re-created on each update).
DRAWN_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(
  el => el.getBoundingClientRect().width > 0 && el.querySelector('.xaxislayer-above .xtick')).length"""
EPOCH_TRACE = "training loss (per epoch)"
STEP_TRACE = "loss per step"


def poll(condition, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def see_loss_chart_grow(page, store, run_id: str, times: int, timeout: float) -> None:
    """The loss chart gains points `times` times, each time while the run's status is still 'running'."""
    seen, growth = 0, 0
    deadline = time.monotonic() + timeout
    while growth < times:
        assert time.monotonic() < deadline, f"the loss chart grew only {growth} times"
        n = page.evaluate(POINTS_JS, EPOCH_TRACE)
        if n > seen:
            assert store.get_run(run_id).status == "running"
            growth += seen > 0
            seen = n
        time.sleep(0.2)


def set_number(main, label: str, value: int) -> None:
    box = main.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    poll(lambda: box.input_value() == str(value), 10, f"{label} to read {value}")


def test_training_streams_into_the_page_survives_a_refresh_and_stops(server, page, workspace):
    from core.runs import Store

    store = Store(workspace)
    page.goto(f"{server}/train")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Train").wait_for(timeout=30_000)
    start = main.get_by_role("button", name="Start training")
    start.wait_for(timeout=60_000)          # the server's first Train page imports torch: slow on a busy machine
    # a long run (70 small steps an epoch, 3000 epochs): it is still training when the test ends
    set_number(main, "Epochs", 3000)
    set_number(main, "Batch size", 4)
    poll(lambda: "210,000 in all" in main.inner_text(), 15, "the settings to apply")
    start.click()

    # location.href, not page.url: the sync API only refreshes page.url while it handles events
    href = lambda: page.evaluate("location.href")  # noqa: E731
    run_id = poll(lambda: "run=" in href() and href().split("run=")[1][:24], 30, "the run id in the URL")
    try:
        # the charts gain points again and again while the run is still running
        see_loss_chart_grow(page, store, run_id, times=3, timeout=40)
        poll(lambda: page.evaluate(POINTS_JS, STEP_TRACE) > 0, 20, "the step losses")   # a fragment of their own
        poll(lambda: page.evaluate(POINTS_JS, "validation loss") > 2, 20, "the validation loss")
        main.get_by_text("What the network predicts").wait_for()
        assert page.locator("[data-testid='stException']").count() == 0
        # the picture: tall enough for every chart, the pointer off the buttons' tooltips
        page.mouse.move(5, 5)
        page.set_viewport_size({"width": 1400, "height": 1500})
        time.sleep(1.5)            # a few more epochs drawn before the picture (not an assertion)
        poll(lambda: page.evaluate(DRAWN_JS) >= 5, 15, "all five charts to be drawn at once", interval=0.02)
        screenshot(page, "train")
        page.set_viewport_size({"width": 1400, "height": 900})

        # a browser refresh finds the run (its id is in the URL) and the charts keep streaming
        page.reload()
        main = page.locator("[data-testid='stMain']").first
        poll(lambda: page.evaluate(POINTS_JS, EPOCH_TRACE) > 0, 30, "the charts after the refresh")
        before = page.evaluate(POINTS_JS, EPOCH_TRACE)
        poll(lambda: page.evaluate(POINTS_JS, EPOCH_TRACE) > before, 20, "new points after the refresh")
        assert store.get_run(run_id).status == "running"

        main.get_by_role("button", name="Stop", exact=True).click()
        poll(lambda: store.get_run(run_id).status == "stopped", 20, "the run to stop")
        main.get_by_text("Stopped at epoch").wait_for(timeout=15_000)
        main.get_by_role("button", name="Continue this run").wait_for(timeout=15_000)
    finally:
        if store.get_run(run_id).status in ("queued", "running", "paused"):
            store.update_run(run_id, control="stop")
        store.close()
