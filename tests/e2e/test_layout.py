"""Layout as a person sees it, measured in Chromium at 1400×900: legends clear of axis titles, legend
swatches that tell their entries apart, placeholder text inside its chart, tables whose columns
all fit, chart labels that do not cover each other, a decision boundary that fills its column."""
import re

import pytest

from tests.helpers_runs import train_run

from .conftest import screenshot, wait_idle
from .layout import chart_parts, scrolls_sideways
from .test_train_live import poll

TIMEOUT = 60_000
# the names the Train page gives runs, and deep networks (long layer lists): wide tables to fit
NAMES = ["spiral [16-16-16] sgd lr=0.1", "spiral [16-16-16] momentum lr=0.03", "spiral [16-16-16] adam lr=0.003"]


@pytest.fixture(scope="module")
def runs(workspace):
    from core.runs import Store
    out = {"digits": train_run(workspace, "digits", epochs=3, hidden=(32,), activation="relu", name="digits"),
           "loans": train_run(workspace, "biased_loans", epochs=10, hidden=(16,), activation="relu",
                              name="biased loans", params={"bias": 1.0})}
    # a retrained variant whose penalty weighs nothing: its point lands on the run's own, label and all
    out["loans_variant"] = train_run(workspace, "biased_loans", epochs=10, hidden=(16,), activation="relu",
                                     name="biased loans · DP penalty λ=0", params={"bias": 1.0}, parent=out["loans"],
                                     options={"sensitive": "sex", "fairness_penalty": "demographic_parity",
                                              "fairness_lambda": 0.0})
    with Store(workspace) as s:
        out["empty"] = s.create_run(name="not started", dataset={"kind": "builtin", "name": "spiral", "params": {}},
                                    network={"layers": [{"type": "dense", "units": 8}]}, train={"epochs": 5},
                                    status="stopped")
    for name, optimizer, lr in zip(NAMES, ("sgd", "momentum", "adam"), (0.1, 0.03, 0.003)):
        out[optimizer] = train_run(workspace, "spiral", epochs=40, hidden=(16, 16, 16), optimizer=optimizer, lr=lr,
                                   name=name)
    return out


def main_area(page):
    return page.locator("[data-testid='stMain']").first


def chart_with(page, text: str):
    """The stPlotlyChart whose SVG holds a text that is exactly `text` (a title, an axis title, a legend entry)."""
    chart = main_area(page).locator("[data-testid='stPlotlyChart']").filter(
        has=page.locator("text", has_text=re.compile(f"^{re.escape(text)}$"))).first
    chart.wait_for(timeout=TIMEOUT)
    return chart


def settle(page):
    wait_idle(page)
    page.mouse.move(0, 0)
    page.wait_for_timeout(800)               # plotly lays a chart out again once its width is known


def assert_legend_clear(parts, what: str):
    legend = parts["legend"][0]
    assert parts["svg"].contains(legend), f"{what}: the legend is cut off by the chart's edge"
    for title in parts["xtitles"] + parts["ytitles"]:
        assert not legend.overlaps(title), f"{what}: the legend covers an axis title ({legend} vs {title})"
    for plot in parts["plots"]:
        assert not legend.overlaps(plot), f"{what}: the legend covers the plot ({legend} vs {plot})"


def test_roc_and_pr_legends_leave_the_axis_titles_readable(server, page, runs):
    page.goto(f"{server}/evaluate?run={runs['digits']}")
    main_area(page).get_by_role("heading", name="ROC and precision–recall curves").wait_for(timeout=TIMEOUT)
    settle(page)
    for name in ("ROC curve", "Precision–recall curve"):
        chart = chart_with(page, name)
        parts = chart_parts(chart)
        assert len(parts["legend_items"]) >= 10                      # ten digits, one curve each
        assert_legend_clear(parts, name)
        for title in parts["xtitles"] + parts["ytitles"]:
            assert parts["svg"].contains(title), f"{name}: an axis title is cut off"
            assert not any(title.overlaps(t) for t in parts["titles"]), f"{name}: an axis title runs into the title"
        assert min(p.height for p in parts["plots"]) >= 200, f"{name}: the legend leaves the curves no room"
    chart.scroll_into_view_if_needed()
    screenshot(page, "layout-evaluate-curves", main_area(page).locator("[data-testid='stHorizontalBlock']").filter(
        has=page.locator("text", has_text="ROC curve")).first)


def test_gradient_legend_leaves_the_epoch_title_readable(server, page, runs):
    page.goto(f"{server}/train?run={runs['adam']}")
    chart = chart_with(page, "gradient norm")
    settle(page)
    parts = chart_parts(chart)
    assert [i["text"] for i in parts["legend_items"]][:2] == ["layer 1 (dense)", "layer 2 (dense)"]
    assert_legend_clear(parts, "gradient size per layer")
    assert parts["plots"][0].height >= 150, "the legend leaves the lines no room"
    screenshot(page, "layout-train-gradients", chart)


def test_class_balance_legend_tells_the_splits_apart(server, page, runs):
    page.goto(f"{server}/data")
    chart = chart_with(page, "validation")
    settle(page)
    parts = chart_parts(chart)
    items = {i["text"]: i["swatch"] for i in parts["legend_items"]}
    assert set(items) == {"training", "validation", "test"}
    assert len(set(items.values())) == 3, f"the three splits' swatches look alike: {items}"
    assert_legend_clear(parts, "class balance")
    screenshot(page, "layout-data-balance", chart)


def test_empty_chart_placeholders_fit_inside_their_charts(server, page, runs):
    page.goto(f"{server}/train?run={runs['empty']}")
    main = main_area(page)
    main.get_by_text("appears here", exact=False).first.wait_for(timeout=TIMEOUT)
    settle(page)
    charts = main.locator("[data-testid='stPlotlyChart']").filter(has=page.locator(".annotation", has_text="appear"))
    poll(lambda: charts.count() >= 3, 30, "three empty charts or more")     # loss, validation score, gradients, weights
    for k in range(charts.count()):
        parts = chart_parts(charts.nth(k))
        for note in parts["annotations"]:
            assert parts["svg"].contains(note["box"]), f"'{note['text']}' is clipped: {note['box']} in {parts['svg']}"
    page.set_viewport_size({"width": 1400, "height": 2000})         # the page scrolls inside its main area
    settle(page)
    screenshot(page, "layout-train-placeholders")


def test_runs_table_and_settings_table_show_every_column(server, page, runs):
    page.goto(f"{server}/runs?run={runs['adam']}")
    main = main_area(page)
    main.get_by_role("heading", name="Rename, delete or download a run").wait_for(timeout=TIMEOUT)
    # a fourth run to compare (four columns of settings), and every setting: the longest values
    picker = main.locator("[data-testid='stMultiSelect']")
    wait_idle(page)
    picker.get_by_role("combobox").fill("not started")
    page.get_by_role("option", name=f"not started ({runs['empty'][:6]})").click()
    picker.locator("[data-tag]", has_text="not started").wait_for(timeout=TIMEOUT)
    page.keyboard.press("Escape")
    wait_idle(page)
    main.get_by_text("Only the settings that differ").click()
    settle(page)
    poll(lambda: picker.locator("[data-tag]").count() >= 4, 30, "four runs compared")
    tables = main.locator("[data-testid='stDataFrame']")
    poll(lambda: tables.count() == 2, 30, "the runs table and the settings table")
    for k, what in enumerate(("runs", "settings")):
        seen = scrolls_sideways(tables.nth(k))
        assert seen["content"] <= seen["visible"], f"the {what} table is cut off: {seen}"
    assert page.locator("[data-testid='stException']").count() == 0
    page.set_viewport_size({"width": 1400, "height": 2400})
    settle(page)
    screenshot(page, "layout-runs")


def test_fairness_against_accuracy_labels_do_not_cover_each_other(server, page, runs):
    page.goto(f"{server}/fairness?run={runs['loans']}")
    main = main_area(page)
    main.get_by_role("heading", name="Mitigations compared").wait_for(timeout=TIMEOUT)
    for axis in ("DP difference", "EO difference"):
        main.locator("[data-testid='stRadio']").get_by_text(axis, exact=True).click()
        chart = chart_with(page, "Fairness against accuracy, one point per variant")
        settle(page)
        parts = chart_parts(chart)
        labels = parts["labels"] + parts["annotations"]               # a point's text, however it is drawn
        assert len(labels) >= 5                     # this run, three group thresholds, the retrained variant
        for i, a in enumerate(labels):
            assert parts["svg"].contains(a["box"]), f"'{a['text']}' is cut off"
            for b in labels[i + 1:]:
                assert not a["box"].overlaps(b["box"]), f"'{a['text']}' and '{b['text']}' overlap ({axis})"
        assert_legend_clear(parts, "fairness against accuracy")
        chart.scroll_into_view_if_needed()
        screenshot(page, f"layout-fairness-pareto-{axis.split()[0]}", chart)


def test_decision_boundary_fills_its_column(server, page, runs):
    page.goto(f"{server}/train?run={runs['adam']}")
    chart = chart_with(page, "x2")
    settle(page)
    parts = chart_parts(chart)
    plot, svg = parts["plots"][0], parts["svg"]
    column = chart.evaluate("e => e.getBoundingClientRect().width")
    assert plot.width >= 0.75 * column, f"the plane takes {plot.width:.0f} of {column:.0f} px"
    assert plot.width * plot.height >= 0.5 * svg.width * svg.height, (plot, svg)
    assert_legend_clear(parts, "decision boundary")
    screenshot(page, "layout-train-boundary", chart)
