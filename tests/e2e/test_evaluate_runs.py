"""Evaluate and Runs in a real browser, on runs trained into the server's workspace."""
import time

import pytest

from tests.helpers_runs import train_run

from .conftest import choose, screenshot, wait_idle


@pytest.fixture(scope="module")
def runs(workspace):
    # the optimiser race last, so the Runs page compares it by default
    digits = train_run(workspace, "digits", epochs=5, hidden=(32,), activation="relu", name="digits")
    return {"digits": digits,
            "spiral_sgd": train_run(workspace, "spiral", epochs=150, hidden=(16, 16), optimizer="sgd", lr=0.1,
                                    name="spiral SGD"),
            "spiral": train_run(workspace, "spiral", epochs=150, hidden=(16, 16), lr=0.03, name="spiral Adam")}


def full_height(page, height=2600):
    """Streamlit scrolls inside its main area, so a full-page screenshot needs a tall window."""
    page.set_viewport_size({"width": 1400, "height": height})


def main_area(page):
    return page.locator("[data-testid='stMain']").first


def test_evaluate_shows_a_confusion_matrix(server, page, runs):
    page.goto(f"{server}/evaluate?run={runs['spiral']}")
    main = main_area(page)
    main.get_by_role("heading", name="Confusion matrix").wait_for(timeout=60_000)
    main.get_by_text("Worst mistakes").wait_for(timeout=30_000)
    page.locator("[data-testid='stPlotlyChart']").nth(2).wait_for(timeout=30_000)   # matrix, ROC, PR
    main.get_by_text("Decision threshold").wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    full_height(page)
    screenshot(page, "evaluate")


def test_evaluate_shows_digit_images(server, page, runs):
    page.goto(f"{server}/evaluate?run={runs['digits']}")
    main = main_area(page)
    main.get_by_text("Worst mistakes").wait_for(timeout=60_000)
    page.locator("[data-testid='stPlotlyChart']").nth(3).wait_for(timeout=30_000)   # + the image grid
    assert page.locator("[data-testid='stException']").count() == 0
    full_height(page)
    screenshot(page, "evaluate-digits")


def test_runs_lists_the_runs_and_downloads_a_model(server, page, runs):
    page.goto(f"{server}/runs")
    main = main_area(page)
    main.get_by_role("heading", name="Compare runs").wait_for(timeout=60_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30_000)
    page.locator("[data-testid='stPlotlyChart']").nth(1).wait_for(timeout=30_000)
    main.get_by_role("heading", name="Rename, delete or download a run").wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    full_height(page, 2000)
    screenshot(page, "runs")
    with page.expect_download(timeout=60_000) as info:
        main.get_by_role("button", name="ONNX model").click()
    path = info.value.path()
    assert info.value.suggested_filename.endswith(".onnx")
    assert path and open(path, "rb").read(4)


def runs_page_text(page) -> str:
    """Everything the Runs page names: its text, the grids' accessible copies and the charts' legends."""
    return main_area(page).evaluate("m => m.textContent")


def poll(condition, what: str, timeout: float = 20.0):
    """Until condition() is true (the page redraws its parts one after another), or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.1)


def test_a_renamed_run_shows_its_new_name_everywhere_at_once(server, page, runs, workspace):
    from core.runs import Store
    old, new = "spiral SGD", "race: plain SGD"
    before, label = f"{old} ({runs['spiral_sgd'][:6]})", f"{new} ({runs['spiral_sgd'][:6]})"
    page.goto(f"{server}/runs?run={runs['spiral_sgd']}")
    main = main_area(page)
    main.get_by_role("heading", name="Rename, delete or download a run").wait_for(timeout=60_000)
    page.locator("[data-testid='stPlotlyChart']").nth(1).wait_for(timeout=30_000)
    chips = main.locator("[data-testid='stMultiSelect'] [data-tag]")
    if before not in chips.all_inner_texts():                     # other tests' runs may be newer
        choose(page, main.locator("[data-testid='stMultiSelect']"), before)
        poll(lambda: before in chips.all_inner_texts(), "the run among those compared")
    run_box = main.get_by_role("combobox", name="Run", exact=True)
    poll(lambda: run_box.input_value() == before, "the run in the Run dropdown")
    try:
        main.get_by_role("textbox", name="New name").fill(new)
        main.get_by_role("button", name="Rename").click()
        main.get_by_text("Renamed the run.").wait_for(timeout=30_000)
        poll(lambda: label in chips.all_inner_texts(), "the new name in the chips")
        poll(lambda: run_box.input_value() == label, "the new name in the Run dropdown")
        poll(lambda: main.locator(".js-plotly-plot .legendtext").all_text_contents().count(label) == 2,
             "the new name in both charts' legends")
        wait_idle(page)
        poll(lambda: old not in runs_page_text(page), "the old name to be gone from the page")
        # the next click anywhere keeps the renamed run compared (the browser sends the labels it shows)
        main.get_by_text("Only the settings that differ").click()
        wait_idle(page)
        poll(lambda: label in chips.all_inner_texts(), "the renamed run among those compared after the click")
        assert page.locator("[data-testid='stException']").count() == 0
        full_height(page, 2000)
        screenshot(page, "runs-renamed")
        page.set_viewport_size({"width": 1400, "height": 900})
        main.get_by_role("link", name="Evaluate the selected run →").click()
        main.get_by_role("heading", name="Confusion matrix").wait_for(timeout=60_000)
        picked = main.get_by_role("combobox", name="Run", exact=True)
        poll(lambda: picked.input_value().startswith(f"{new} · "), "the renamed run picked on Evaluate")
    finally:
        Store(workspace).rename_run(runs["spiral_sgd"], old)
