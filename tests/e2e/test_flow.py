"""The whole path a teacher walks, in one browser session: data → preset → live training → stop →
evaluate → runs."""
from __future__ import annotations

from .conftest import STEP_TIMEOUT as TIMEOUT
from .conftest import nav, screenshot, spiral_with_preset
from .test_train_live import poll, see_loss_chart_grow, set_number


def test_spiral_preset_train_stop_evaluate_and_list(server, page, workspace):
    from core.runs import Store
    store = Store(workspace)

    spiral_with_preset(page, server, "Wide tanh")

    main = nav(page, "Train")
    main.get_by_text("spiral", exact=False).first.wait_for(timeout=TIMEOUT)     # the data in use
    set_number(main, "Epochs", 3000)
    set_number(main, "Batch size", 4)
    before = {r.id for r in store.list_runs()}
    main.get_by_role("button", name="Start training").click()
    run_id = poll(lambda: next(iter({r.id for r in store.list_runs()} - before), None), 30, "the new run")
    try:
        see_loss_chart_grow(page, store, run_id, times=3, timeout=60)
        main.get_by_role("button", name="Stop", exact=True).click()
        poll(lambda: store.get_run(run_id).status == "stopped", 30, "the run to stop")
    finally:
        if store.get_run(run_id).status in ("queued", "running", "paused"):
            store.update_run(run_id, control="stop")

    main = nav(page, "Evaluate")
    main.get_by_role("heading", name="Confusion matrix").wait_for(timeout=60_000)
    main.get_by_text(f"Epoch {store.get_run(run_id).epoch} ·").first.wait_for(timeout=TIMEOUT)   # our run
    assert page.locator("[data-testid='stException']").count() == 0

    main = nav(page, "Runs")
    main.get_by_text(run_id[:6], exact=False).first.wait_for(timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "flow-runs")
    store.close()
