"""The home page in a real browser, served by a real Streamlit server."""
from .conftest import screenshot


def test_home_page_renders_in_a_browser(server, page):
    page.goto(server)
    page.get_by_role("heading", name="Glassnet").wait_for(timeout=30_000)
    page.get_by_text("Workspace:").wait_for(timeout=30_000)      # the last part of the page to render
    main = page.locator("section.main, [data-testid='stMain']").first
    for step in ("Data", "Build", "Train", "Evaluate", "Explain", "Fairness"):
        main.get_by_text(step, exact=False).first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "home")
