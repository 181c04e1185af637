"""Editing a network on the Build page in a real browser: the count follows every click, a click
redraws the same few widgets at any depth, and the layer types of a CNN can be read in full."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.model import parameter_table
from core.spec import LayerSpec, NetworkSpec

from .conftest import STEP_TIMEOUT as TIMEOUT
from .conftest import choose, nav, screenshot, wait_idle

# the parameter count as the page shows it (the first metric of the main area)
COUNT = "() => { const e = document.querySelector(\"[data-testid='stMain'] [data-testid='stMetricValue']\");" \
        " return e ? e.innerText : ''; }"
# the widgets a person edits, in the main area
WIDGETS = ("() => document.querySelectorAll(\"[data-testid='stMain'] :is([data-testid='stSelectbox'],"
           " [data-testid='stNumberInput'], [data-testid='stSlider'], [data-testid='stCheckbox'])\").length")
# a text box or list entry whose text is wider than the box (cut off, as "convolut" for "convolution (conv2d)")
CUT = "e => e.scrollWidth > e.clientWidth + 1"


def open_list(page, select, option: str, attempts: int = 3):
    """Open the selectbox's list (again, if a run that ended redrew it closed) until `option` shows;
    returns the list's options."""
    options = page.get_by_role("option")
    for attempt in range(attempts):
        wait_idle(page)
        select.click()
        try:
            options.filter(has_text=option).wait_for(timeout=5_000)
            return options
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


def test_adding_layers_shows_the_new_count_after_every_click(server, page):
    page.goto(f"{server}/build")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_text("Parameters to learn").wait_for(timeout=2 * TIMEOUT)       # a first visit imports torch
    wait_idle(page)
    widgets = page.evaluate(WIDGETS)
    layers = [LayerSpec(units=4, activation="tanh", init="xavier")] * 2          # the Playground default
    for n in range(3, 33):
        main.get_by_role("button", name="Add layer").click()
        layers = layers + [layers[-1]]
        _, total = parameter_table(NetworkSpec(layers=layers), 2, 2)
        page.wait_for_function(f"() => ({COUNT})() === '{total:,}'", timeout=TIMEOUT, polling=50)
        try:                        # the run's last elements (and the previous run's stale ones) settle
            page.wait_for_function(f"() => ({WIDGETS})() === {widgets}", timeout=TIMEOUT, polling=100)
        except PlaywrightTimeout:
            raise AssertionError(f"{n} layers: {page.evaluate(WIDGETS)} widgets to redraw on every click, "
                                 f"not {widgets}") from None
        main.get_by_role("radio", name=f"{n} · dense 4 tanh").wait_for(timeout=TIMEOUT)      # the new layer's chip
    main.get_by_text("Layer 32 of 32").wait_for(timeout=TIMEOUT)            # the new layer is open to edit (once)
    assert page.locator("[data-testid='stException']").count() == 0
    with page.expect_download(timeout=TIMEOUT) as download:                 # the code is written on the click
        main.get_by_role("button", name="Download PyTorch code").click()
    code = Path(download.value.path()).read_text()
    assert code.count("nn.Linear(4, 4)") == 31 and "nn.Linear(2, 4)" in code and "nn.Linear(4, 2)" in code
    page.set_viewport_size({"width": 1400, "height": 2600})                 # the whole page in one picture
    main.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    screenshot(page, "build-32-layers")


def test_cnn_layer_types_read_in_full_on_digits(server, page):
    page.goto(f"{server}/data")
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Data").wait_for(timeout=2 * TIMEOUT)
    wait_idle(page)
    main.get_by_text("Images", exact=True).click()                       # the kind of data: only the digits
    main.get_by_text("Handwritten digits", exact=False).first.wait_for(timeout=TIMEOUT)
    main.get_by_text("Next: build a network").wait_for(timeout=TIMEOUT)
    wait_idle(page)
    main = nav(page, "Build")
    main.get_by_text("Handwritten digits", exact=False).first.wait_for(timeout=TIMEOUT)
    choose(page, main.locator("[data-testid='stSelectbox']").first, "Small CNN")
    main.get_by_role("button", name="Apply preset").click()
    main.get_by_text("Applied the preset").wait_for(timeout=TIMEOUT)
    wait_idle(page)

    kind = main.get_by_role("combobox", name="Type").first                # the first layer: a convolution
    page.wait_for_function("() => [...document.querySelectorAll('input[aria-label=\"Type\"]')]"
                           ".some(e => e.value === 'convolution (conv2d)')", timeout=TIMEOUT)
    assert not kind.evaluate(CUT), "the layer type 'convolution (conv2d)' is cut off"
    options = open_list(page, main.locator("[data-testid='stSelectbox']")
                        .filter(has=page.get_by_role("combobox", name="Type")).first, "max-pool")
    labels = options.all_inner_texts()
    assert {"convolution (conv2d)", "max-pool", "flatten"} <= set(labels)
    assert not [t for t, o in zip(labels, options.all()) if o.evaluate(CUT)], "a layer type in the list is cut off"
    screenshot(page, "build-cnn-digits-types")
    page.keyboard.press("Escape")

    main.get_by_role("radio", name="2 · max-pool 2×2").click()
    page.wait_for_function("() => [...document.querySelectorAll('input[aria-label=\"Type\"]')]"
                           ".some(e => e.value === 'max-pool')", timeout=TIMEOUT)
    assert not main.get_by_role("combobox", name="Type").first.evaluate(CUT)
    footer = main.get_by_text("train this network", exact=False).inner_text()
    assert "decision boundary" not in footer and "accuracy" in footer
    assert page.locator("[data-testid='stException']").count() == 0
    wait_idle(page)
    screenshot(page, "build-cnn-digits")
