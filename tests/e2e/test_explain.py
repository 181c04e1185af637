"""The Explain page in a real browser, on runs trained into the server's workspace."""
import time

import pytest

from tests.helpers_runs import train_run

from .conftest import screenshot, wait_count, wait_idle

TIMEOUT = 60_000


@pytest.fixture(scope="module")
def runs(workspace):
    return {"german": train_run(workspace, "german_credit", epochs=30, hidden=(16,), activation="relu",
                                name="german credit"),
            "digits": train_run(workspace, "digits", epochs=5, hidden=(32,), activation="relu", name="digits")}


def tall(page, height=2600):
    """Streamlit scrolls inside its main area, so a full-page screenshot needs a tall window."""
    page.set_viewport_size({"width": 1400, "height": height})


def main_area(page):
    return page.locator("[data-testid='stMain']").first


def charts(page):
    return page.locator("[data-testid='stMain'] [data-testid='stPlotlyChart']")


def no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0


def explained(page, heading: str) -> None:
    """Wait for the whole-model view; on a busy machine the page first asks before a slow request: start it."""
    main = main_area(page)
    done = main.get_by_role("heading", name=heading)
    ask = main.get_by_role("button", name="Compute (about")
    done.or_(ask).first.wait_for(timeout=TIMEOUT)
    if not done.is_visible():
        ask.click()
        done.wait_for(timeout=TIMEOUT)


def test_explain_shows_the_global_chart_and_a_waterfall(server, page, runs):
    page.goto(f"{server}/explain?run={runs['german']}")
    main = main_area(page)
    explained(page, "Which columns matter")
    charts(page).nth(2).wait_for(timeout=TIMEOUT)                         # bars, beeswarm, dependence
    main.get_by_text("one-hot").first.wait_for(timeout=TIMEOUT)           # the text columns were grouped
    main.get_by_text("Method: Exact Shapley values").first.wait_for(timeout=TIMEOUT)
    main.get_by_text("explaining the network's log-odds of 'good'").first.wait_for(timeout=TIMEOUT)   # the unit
    main.get_by_text("mean |SHAP value| · log-odds of 'good'").first.wait_for(timeout=TIMEOUT)       # on the axis
    wait_count(page, ".js-plotly-plot .bars .point", 9)                  # one bar per column (9 columns)
    no_exception(page)
    tall(page)
    page.mouse.move(0, 0)
    screenshot(page, "explain")

    main.get_by_role("tab", name="One row").click()
    main.get_by_text("SHAP: from the average output to this row's").first.wait_for(timeout=TIMEOUT)
    main.get_by_text("LIME: a simple model fitted around this row").first.wait_for(timeout=TIMEOUT)
    charts(page).nth(1).wait_for(timeout=TIMEOUT)                         # waterfall and LIME
    main.get_by_text("Rank correlation", exact=True).first.wait_for(timeout=TIMEOUT)
    wait_count(page, ".js-plotly-plot .waterfalllayer", 1, exactly=True)
    no_exception(page)
    page.mouse.move(0, 0)
    screenshot(page, "explain-row")

    main.get_by_role("tab", name="Drift over training").click()
    main.get_by_role("button", name="Compute the explanation at every checkpoint").click()
    main.get_by_text("importance rank (1 = the column").first.wait_for(timeout=TIMEOUT)
    charts(page).first.wait_for(timeout=TIMEOUT)
    no_exception(page)
    page.mouse.move(0, 0)
    page.wait_for_timeout(1500)                  # the end of the run: nothing left greyed out
    screenshot(page, "explain-drift")


def test_explain_shows_digit_heat_maps(server, page, runs):
    page.goto(f"{server}/explain?run={runs['digits']}")
    main = main_area(page)
    explained(page, "Which pixels matter")
    main.get_by_text("Method: Shapley sampling for images").first.wait_for(timeout=TIMEOUT)
    charts(page).first.wait_for(timeout=TIMEOUT)
    no_exception(page)
    tall(page, 1400)
    page.mouse.move(0, 0)
    screenshot(page, "explain-digits-whole")
    main.get_by_role("tab", name="One row").click()
    main.get_by_text("Compare with class").first.wait_for(timeout=TIMEOUT)
    charts(page).first.wait_for(timeout=TIMEOUT)
    main.get_by_text("LIME's fit around this image").first.wait_for(timeout=TIMEOUT)
    no_exception(page)
    tall(page, 1600)
    page.mouse.move(0, 0)
    screenshot(page, "explain-digits")


def to_max(page, label: str) -> None:
    """Move a slider to its largest value with the keyboard, and wait for the page to draw it."""
    thumb = main_area(page).get_by_role("slider", name=label)
    thumb.focus()
    thumb.press("End")
    deadline = time.monotonic() + TIMEOUT / 1000
    while thumb.get_attribute("aria-valuenow") != thumb.get_attribute("aria-valuemax"):
        assert time.monotonic() < deadline, f"the slider {label!r} did not reach its largest value"
        page.wait_for_timeout(100)
    wait_idle(page, TIMEOUT)


def test_a_slow_explanation_is_computed_by_a_worker_with_its_place_or_progress_then_drawn(server, page, runs):
    page.goto(f"{server}/explain?run={runs['digits']}")
    main = main_area(page)
    main.get_by_role("slider", name="Rows to explain").wait_for(timeout=TIMEOUT)
    to_max(page, "Rows to explain")
    to_max(page, "Background rows")
    ask = main.get_by_role("button", name="Compute (about")
    ask.wait_for(timeout=TIMEOUT)
    wait_idle(page, TIMEOUT)                  # the estimate's script run over: the button is drawn for good
    ask.click()
    # its place in line, or 'starting' (a worker has taken it and loads the run), or its progress
    waiting = main.get_by_text("waits for a worker of the server").or_(main.locator("[data-testid='stProgress']"))
    waiting.first.wait_for(timeout=TIMEOUT)
    main.get_by_role("button", name="Cancel").wait_for(timeout=TIMEOUT)
    no_exception(page)
    screenshot(page, "explain-job-waiting")
    done = main.get_by_role("heading", name="Which pixels matter")
    bar = main.locator("[data-testid='stProgress']")
    bar.or_(done).first.wait_for(timeout=3 * TIMEOUT)
    if bar.count():                                     # the job running: its progress (it may end before)
        screenshot(page, "explain-job-progress")
    done.wait_for(timeout=3 * TIMEOUT)
    charts(page).first.wait_for(timeout=TIMEOUT)
    main.get_by_text("270 test rows explained").first.wait_for(timeout=TIMEOUT)
    no_exception(page)
    tall(page, 1400)
    page.mouse.move(0, 0)
    screenshot(page, "explain-job-done")
