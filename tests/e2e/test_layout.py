"""Layout as a person sees it, measured in Chromium at 1400×900: legends clear of axis titles, legend
swatches that tell their entries apart, placeholder text inside its chart, tables whose columns
all fit, chart labels that do not cover each other, a decision boundary that fills its column."""
import pytest

from tests.helpers_runs import train_run

from .conftest import screenshot, wait_idle
from .layout import scrolls_sideways

TIMEOUT = 60_000
# the names the Train page gives runs, and deep networks (long layer lists): wide tables to fit
NAMES = ["spiral [16-16-16] sgd lr=0.1", "spiral [16-16-16] momentum lr=0.03", "spiral [16-16-16] adam lr=0.003"]


@pytest.fixture(scope="module")
def runs(workspace):
    from core.store import Store
    out = {}
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


def settle(page):
    wait_idle(page)
    page.mouse.move(0, 0)
    page.wait_for_timeout(800)               # plotly lays a chart out again once its width is known


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
    assert picker.locator("[data-tag]").count() >= 4
    tables = main.locator("[data-testid='stDataFrame']")
    assert tables.count() == 2
    for k, what in enumerate(("runs", "settings")):
        seen = scrolls_sideways(tables.nth(k))
        assert seen["content"] <= seen["visible"], f"the {what} table is cut off: {seen}"
    assert page.locator("[data-testid='stException']").count() == 0
    page.set_viewport_size({"width": 1400, "height": 2400})
    settle(page)
    screenshot(page, "layout-runs")


