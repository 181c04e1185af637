"""Names a person typed, in a real browser: a run's name, a CSV's classes, shown as the text they are —
no link, no image, no bold from them, and a '%{…}' in them shown as written, not filled in by plotly."""
import pytest

from tests.dashboard.test_user_text import CLASSES, RUN, hostile_run

from .conftest import screenshot, wait_idle
from .test_train_live import poll


@pytest.fixture(scope="module")
def run_id(workspace):
    hostile_run(workspace)              # two runs of that name: the Runs page compares them, with a legend
    return hostile_run(workspace)


def assert_no_markup_from_names(page):
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("img[src*='h/x.png'], img[src*='h/n.png'], img[src='x']").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0


def test_runs_page_shows_a_hostile_run_name_as_text(server, page, run_id):
    page.goto(f"{server}/runs?run={run_id}")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Compare runs").wait_for(timeout=60_000)
    page.locator("[data-testid='stPlotlyChart'] .legendtext").first.wait_for(timeout=30_000)
    wait_idle(page)
    legends = page.locator("[data-testid='stPlotlyChart'] .legendtext")
    poll(lambda: any("<b>bold</b> %{x} **bold**" in t for t in legends.all_text_contents()), 30,
         "the run's name in a legend, '%{x}' as written")
    # the pickers, and the runs table's copy for screen readers (drawn hidden)
    main.get_by_text("<b>bold</b> %{x} **bold**", exact=False).first.wait_for(state="attached", timeout=30_000)
    assert_no_markup_from_names(page)
    page.set_viewport_size({"width": 1400, "height": 2000})
    screenshot(page, "user-text-runs")


def test_evaluate_page_shows_hostile_class_names_as_text(server, page, run_id):
    page.goto(f"{server}/evaluate?run={run_id}")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Confusion matrix").wait_for(timeout=60_000)
    page.locator("[data-testid='stPlotlyChart']").nth(2).wait_for(timeout=30_000)
    wait_idle(page)
    ticks = page.locator("[data-testid='stPlotlyChart'] .xtick text")
    poll(lambda: CLASSES[0] in ticks.all_text_contents(), 30,       # '<b>yes</b> %{x}' on the matrix's axis, literally
         f"the class {CLASSES[0]!r} on the matrix's axis")
    main.get_by_text(f"(for '{CLASSES[1]}')", exact=False).first.wait_for(state="attached",
                                                                        timeout=30_000)   # the curves' caption
    assert_no_markup_from_names(page)
    page.set_viewport_size({"width": 1400, "height": 2600})
    screenshot(page, "user-text-evaluate")
