"""The Fairness page in a real browser, on a biased-loans run trained into the server's workspace."""
import pytest

from tests.helpers_runs import train_run

from .conftest import screenshot, wait_count
from .test_train_live import poll

TIMEOUT = 60_000


@pytest.fixture(scope="module")
def loans(workspace):
    return train_run(workspace, "biased_loans", epochs=10, hidden=(16,), activation="relu", name="biased loans",
                     params={"bias": 1.0})


def main_area(page):
    return page.locator("[data-testid='stMain']").first


def no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0


def test_fairness_shows_the_groups_and_the_disparities_in_words(server, page, loans):
    page.goto(f"{server}/fairness?run={loans}")
    main = main_area(page)
    main.get_by_role("heading", name="Disparities").wait_for(timeout=TIMEOUT)
    main.get_by_text("demographic parity difference", exact=False).first.wait_for(timeout=TIMEOUT)
    table = main.locator("[data-testid='stDataFrame']").first
    table.wait_for(timeout=TIMEOUT)
    main.get_by_role("heading", name="Mitigations compared").wait_for(timeout=TIMEOUT)
    main.get_by_role("heading", name="Report").wait_for(timeout=TIMEOUT)
    main.get_by_text("four-fifths rule", exact=False).first.wait_for(timeout=TIMEOUT)
    main.get_by_text("is predicted 'yes'", exact=False).first.wait_for(timeout=TIMEOUT)
    wait_count(page, "[data-testid='stMetric']", 6, exactly=True)
    wait_count(page, "[data-testid='stPlotlyChart']", 5)                # rates, TPR/FPR, sweep, proxies, Pareto
    table.locator("td", has_text="female").first.wait_for(state="attached", timeout=TIMEOUT)
    poll(lambda: {"female", "male"} <= {t.strip() for t in table.locator("td").all_text_contents()}, 30,
         "both groups in the table (the grid's accessible copy)")
    no_exception(page)
    page.set_viewport_size({"width": 1400, "height": 4200})
    page.mouse.move(0, 0)
    page.wait_for_timeout(1000)                  # plotly lays out after the resize
    screenshot(page, "fairness")

    main.get_by_role("button", name="Compute the SHAP gap").click()
    main.get_by_text("pushes the groups most differently", exact=False).first.wait_for(timeout=TIMEOUT)
    no_exception(page)
    page.mouse.move(0, 0)
    page.wait_for_timeout(1000)
    screenshot(page, "fairness-shap")


@pytest.fixture(scope="module")
def two_groups(workspace):
    return train_run(workspace, "two_groups", epochs=20, hidden=(16,), activation="relu", name="two groups",
                     params={"bias": 1.0, "n": 800})


def test_two_dimensional_data_shows_the_decision_boundary_by_group(server, page, two_groups):
    page.goto(f"{server}/fairness?run={two_groups}")
    main = main_area(page)
    main.get_by_text("The decision boundary by group").wait_for(timeout=TIMEOUT)
    chart = main.locator("[data-testid='stPlotlyChart']").filter(
        has=page.locator(".legendtext", has_text="all groups")).first
    chart.wait_for(timeout=TIMEOUT)
    # the heatmap of what the network predicts, its decision line, the rows of both groups
    chart.locator(".contourlayer path").first.wait_for(state="attached", timeout=TIMEOUT)
    legend = {"A (test)", "B (test)", "class 0", "class 1"}
    poll(lambda: legend <= set(chart.locator(".legendtext").all_text_contents()), 30, f"the legend entries {legend}")
    chart.locator(".heatmaplayer image, .heatmaplayer").first.wait_for(state="attached", timeout=TIMEOUT)
    no_exception(page)
    chart.scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)                   # the plot settles after scrolling into view
    screenshot(page, "fairness-boundary", chart)
