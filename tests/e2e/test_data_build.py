"""The Data and Build pages in a real browser: pick data, see it, upload a bad file, apply a preset."""
from .conftest import choose, screenshot, wait_count

TIMEOUT = 30_000


def main_area(page):
    return page.locator("[data-testid='stMain']").first


def test_data_page_shows_a_toy_set_and_rejects_a_bad_csv(server, page):
    page.goto(f"{server}/data")
    main = main_area(page)
    main.get_by_role("heading", name="Data").wait_for(timeout=TIMEOUT)
    choose(page, main.locator("[data-testid='stSelectbox']").first, "Moons")
    main.get_by_text("Two interlocking half circles.").first.wait_for(timeout=TIMEOUT)
    main.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    main.get_by_text("Next: build a network").wait_for(timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "data")

    main.get_by_text("Upload a CSV").click()
    main.locator("input[type='file']").set_input_files(
        {"name": "<b>bad.csv", "mimeType": "text/csv", "buffer": b"name,score\nann,1\nbob\n"})
    error = main.locator("[data-testid='stAlertContentError']").first
    error.wait_for(timeout=TIMEOUT)
    text = error.inner_text()
    assert "<b>bad.csv" in text and "has 1 fields but the header has 2" in text
    assert "has not changed" in text
    wait_count(page, ".js-plotly-plot", 1)                       # the moons are still shown
    screenshot(page, "data-bad-csv")


def test_build_page_applies_a_preset_and_counts_parameters(server, page):
    page.goto(f"{server}/build")
    main = main_area(page)
    main.get_by_role("heading", name="Build").wait_for(timeout=TIMEOUT)
    main.get_by_text("Parameters to learn").wait_for(timeout=TIMEOUT)
    choose(page, main.locator("[data-testid='stSelectbox']").first, "Deep ReLU")
    main.get_by_role("button", name="Apply preset").click()
    main.get_by_text("Applied the preset").wait_for(timeout=TIMEOUT)
    metric = main.locator("[data-testid='stMetricValue']").first
    # spiral: 2 → 16 ×5 → 2 = 48 + 4 × 272 + 34
    page.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stMetricValue']\")]"
                           ".some(e => e.innerText.includes('1,170'))", timeout=TIMEOUT)
    assert "1,170" in metric.inner_text()
    main.get_by_role("radio", name="5 · dense 16 relu").wait_for(timeout=TIMEOUT)     # the fifth layer's chip
    main.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "build")
