"""The Diagnosis panel in a real browser: a network whose first layer starts at zeros, trained from the Train
page, is diagnosed as symmetric — its cause and fix on the page."""
from __future__ import annotations

import time

from .conftest import STEP_TIMEOUT, choose, nav, screenshot, wait_idle


def test_a_zeros_initialised_run_is_diagnosed_as_symmetric(server, page, workspace):
    from core.runs import Store

    page.goto(f"{server}/build")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Build").wait_for(timeout=60_000)
    for chip in ("1 · dense", "2 · dense"):             # every hidden layer starts at zeros, as a teacher shows
        main.get_by_role("radio", name=f"{chip} 4 tanh").first.click()
        main.get_by_text(f"Layer {chip[0]}", exact=False).first.wait_for(timeout=STEP_TIMEOUT)
        wait_idle(page)
        init = main.locator("[data-testid='stSelectbox']").filter(has_text="Initialisation").first
        choose(page, init, "zeros")
        wait_idle(page)
    screenshot(page, "train-diagnosis-build")
    main = nav(page, "Train")
    start = main.get_by_role("button", name="Start training")
    start.wait_for(timeout=60_000)
    wait_idle(page)
    start.click()
    href = lambda: page.evaluate("location.href")  # noqa: E731
    deadline = time.monotonic() + 30
    while "run=" not in href():
        assert time.monotonic() < deadline, "no run id in the URL after Start"
        time.sleep(0.1)
    run_id = href().split("run=")[1][:24]
    store = Store(workspace)
    try:
        assert [layer["init"] for layer in store.get_run(run_id).network["layers"]] == ["zeros", "zeros"]
        panel = page.locator(".st-key-train-diagnosis")
        panel.get_by_text("Every unit of a layer is the same").wait_for(timeout=120_000)
        text = panel.inner_text()
        assert "(symmetry)" in text and "Initialisation" in text and "Seen:" in text
        assert page.locator("[data-testid='stException']").count() == 0
        page.mouse.move(5, 5)
        panel.scroll_into_view_if_needed()
        screenshot(page, "train-diagnosis-panel", panel)
        screenshot(page, "train-diagnosis")
    finally:
        if store.get_run(run_id).status in ("queued", "running", "paused"):
            store.update_run(run_id, control="stop")
        store.close()
