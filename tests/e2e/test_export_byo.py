"""An ONNX model downloaded from the Runs page, explained on the Explain page from raw rows (text, gaps)."""
import pytest

from tests.helpers_runs import train_run
from tests.model.test_export import german_rows, write_csv

from .conftest import screenshot, wait_count, wait_idle

TIMEOUT = 60_000


@pytest.fixture(scope="module")
def run_id(workspace):
    return train_run(workspace, "german_credit", epochs=10, hidden=(16,), activation="relu", name="german export")


def test_a_downloaded_onnx_model_is_explained_on_raw_rows(server, page, run_id, tmp_path):
    page.goto(f"{server}/runs?run={run_id}")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Rename, delete or download a run").wait_for(timeout=TIMEOUT)
    with page.expect_download(timeout=TIMEOUT) as info:
        main.get_by_role("button", name="ONNX model").click()
    model = tmp_path / "model.onnx"
    info.value.save_as(model)
    rows = write_csv(tmp_path / "rows.csv", german_rows())          # gaps, spaces and unseen categories

    page.goto(f"{server}/explain?run={run_id}")
    main.get_by_role("tab", name="Bring your own model").click()
    files = main.locator("input[type='file']")
    files.first.wait_for(state="attached", timeout=TIMEOUT)
    files.nth(0).set_input_files(str(model))
    wait_idle(page)
    files.nth(1).set_input_files(str(rows))
    done = main.get_by_text("Which inputs matter")
    ask = main.get_by_role("button", name="Compute (about")
    done.or_(ask).first.wait_for(timeout=TIMEOUT)
    if not done.is_visible():
        ask.click()
        done.wait_for(timeout=TIMEOUT)
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert main.locator("[data-testid='stAlert']").filter(has_text="could not").count() == 0
    main.get_by_text("The output names come from the model's own metadata").first.wait_for(timeout=TIMEOUT)
    # one bar per original column (plotly draws them once the chart's element is in the page)
    wait_count(page, ".js-plotly-plot .bars .point", 9)
    waterfall = main.locator("[data-testid='stPlotlyChart']").nth(1)
    waterfall.get_by_text("sex = male").first.wait_for(timeout=TIMEOUT)     # text shown as text, not a code
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.mouse.move(0, 0)
    screenshot(page, "explain-byo-onnx-export")
