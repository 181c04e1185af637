"""Sweeping a grid in a real browser: from the Runs page to the Race page's grid mode, a 2 × 2 grid of optimiser ×
learning rate started in one click, its four runs overlaid live on one chart, and the grid seen to finish with the
best run's row highlighted."""
from __future__ import annotations

import time

from .conftest import STEP_TIMEOUT, nav, screenshot, wait_idle
from .test_train_live import set_number

FINISH_S = 300


def mode_shown(page) -> str:
    return page.locator("[data-testid='stRadio'] label:has(input:checked)").first.inner_text()


def test_a_two_by_two_grid_started_from_the_runs_page_trains_to_the_end(server, page, workspace):
    from core.races import list_races, race_members
    from core.runs import Store
    page.set_viewport_size({"width": 1400, "height": 2000})
    page.goto(f"{server}/train")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("button", name="Start training").wait_for(timeout=60_000)
    set_number(main, "Epochs", 25)                                   # a short base for every run of the grid
    main = nav(page, "Runs")
    main.get_by_role("heading", name="Sweep a grid").wait_for(timeout=STEP_TIMEOUT)
    screenshot(page, "grid-runs-link")
    main.get_by_role("link", name="Sweep a grid →").click()
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("button", name="Start grid").wait_for(timeout=STEP_TIMEOUT)
    main.get_by_text("2 × 2 = 4 runs (at most 24)").wait_for(timeout=STEP_TIMEOUT)
    assert "mode=grid" in page.url
    wait_idle(page)
    main.get_by_text("Learning rate values").wait_for(timeout=STEP_TIMEOUT)
    assert mode_shown(page) == "Several settings (a grid)"
    screenshot(page, "grid-setup")
    main.get_by_role("button", name="Start grid").click()
    main.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=STEP_TIMEOUT)
    with Store(workspace) as store:
        grids = list_races(store, kind="grid")
        assert len(grids) == 1
        run_ids = [r for r, _ in race_members(store, grids[0]["id"])]
        assert [(store.get_run(r).train["optimizer"], store.get_run(r).train["lr"], store.get_run(r).train["epochs"])
                for r in run_ids] == [("sgd", 0.01, 25), ("sgd", 0.1, 25), ("adam", 0.01, 25), ("adam", 0.1, 25)]
    legend = main.locator("[data-testid='stPlotlyChart'] .legendtext")
    deadline, seen_live = time.monotonic() + FINISH_S, None
    while "Still training" in main.inner_text() or "No results yet" in main.inner_text():
        assert time.monotonic() < deadline, "the grid did not finish in time"
        if not seen_live and "Still training" in main.inner_text() and legend.count() >= 1:
            seen_live = screenshot(page, "grid-training")           # the curves drawn while the runs train
        time.sleep(1)
    main.get_by_text("reached the lowest validation loss").or_(main.get_by_text("within noise")).first.wait_for(
        timeout=STEP_TIMEOUT)
    wait_idle(page)
    labels = ["Adam lr=0.01", "Adam lr=0.1", "SGD lr=0.01", "SGD lr=0.1"]     # a line a run, by its settings
    page.wait_for_function("labels => JSON.stringify([...document.querySelectorAll(\"[data-testid='stPlotlyChart'] "
                           ".legendtext\")].map(e => e.textContent).sort()) == JSON.stringify(labels)", arg=labels,
                           timeout=STEP_TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0
    assert mode_shown(page) == "Several settings (a grid)" and "mode=grid" in page.url   # still the grid's mode
    with Store(workspace) as store:
        assert {store.get_run(r).status for r in run_ids} == {"finished"}
    screenshot(page, "grid-finished")
