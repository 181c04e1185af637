"""The browser side of the classroom benchmark: students joining a class-mode server, each on the Train page
with a Start press armed for the same instant, and what each page then shows, timed by the page itself."""
from __future__ import annotations

import re

from .clicks import timed_click
from .ui import _H1, _switch, _wait_idle
from .ui_live import _LOSS_POINTS

VIEWPORT = {"width": 1400, "height": 900}
STEP_MS = 120_000                   # one step of a page (a join, a page drawn) on a loaded machine
OBSERVER_PAGES = ["Data", "Build", "Train", "Evaluate", "Runs", "Home"]
SWITCH_TIMEOUT_MS = 30_000          # a switch not drawn by then counts as this long, and the page is reloaded

# Presses Start at epoch millisecond `at` (every page of the browser shares the machine's clock), then
# records on each change of the page (and every 100 ms) when the run's status badge is first shown and when
# the loss chart first holds a point; all times in epoch milliseconds.
_ARM = """(at) => {
  const now = () => performance.timeOrigin + performance.now();
  const main = () => document.querySelector('[data-testid="stMain"]');
  const points = %s;
  const r = window.__class = {armedAt: now(), clickAt: null, shownAt: null, metricAt: null, error: null,
                              shownBefore: !!document.querySelector('.st-key-train-status .stMarkdownBadge')};
  let obs = null, timer = null;
  const check = () => {
    if (r.clickAt === null) return;
    if (r.shownAt === null && document.querySelector('.st-key-train-status .stMarkdownBadge')) r.shownAt = now();
    if (r.metricAt === null && points() > 0) r.metricAt = now();
    if (r.shownAt !== null && r.metricAt !== null) { obs.disconnect(); clearInterval(timer); }
  };
  obs = new MutationObserver(check);
  obs.observe(document.body, {childList: true, subtree: true, characterData: true});
  timer = setInterval(check, 100);
  setTimeout(() => {
    const m = main();
    const b = m && [...m.querySelectorAll('button')].find(x => /Start training$/.test(x.innerText.trim()));
    if (!b || b.disabled) { r.error = 'no Start button to press'; return; }
    r.clickAt = now();
    b.click();
  }, Math.max(0, at - Date.now()));
}""" % _LOSS_POINTS


def open_join(browser, url: str, code: str):
    """A new browser context (a person of its own) on the join link; its page once the form is drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{url}/?code={code}")
    return page


def submit_join(page, name: str) -> None:
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("heading", name="Join the class").wait_for(timeout=STEP_MS)
    main.get_by_role("textbox", name="Your name").fill(name)
    main.get_by_role("button", name="Join").click()


def joined(page, name: str) -> None:
    page.locator("[data-testid='stSidebar']").get_by_text(f"Signed in as {name}").wait_for(timeout=STEP_MS)


def open_train(page) -> None:
    """Through the sidebar, as a person clicks it (the session is kept)."""
    page.locator("[data-testid='stSidebarNav']").get_by_text("Train", exact=True).click()


def train_ready(page) -> None:
    main = page.locator("[data-testid='stMain']").first
    main.get_by_role("button", name=re.compile(r"Start training$")).wait_for(timeout=STEP_MS)
    _wait_idle(page, STEP_MS)


def join_all(browser, url: str, code: str, names: list[str]) -> list:
    """Every person joins (the forms submitted one after another, then each awaited) and opens the Train
    page; their pages, each idle with its Start button drawn."""
    pages = [open_join(browser, url, code) for _ in names]
    for page, name in zip(pages, names):
        submit_join(page, name)
    for page, name in zip(pages, names):
        joined(page, name)
        open_train(page)
    for page in pages:
        train_ready(page)
    return pages


def arm(page, at_ms: float) -> None:
    page.evaluate(_ARM, at_ms)


def result(page) -> dict:
    return page.evaluate("() => window.__class || null") or {}


def observer_page(browser, url: str, code: str):
    """The one who switches pages during the load: joined, every page visited once (first visits import
    what the pages need: not measured)."""
    page = open_join(browser, url, code)
    submit_join(page, "Observer")
    joined(page, "Observer")
    for title in OBSERVER_PAGES:
        _switch(page, title)
    return page


def switch_once(page, k: int) -> float:
    """The k-th switch of the observer's round of pages: milliseconds from the click to the title drawn, or
    SWITCH_TIMEOUT_MS when it was not drawn within that (the page is then reloaded, keeping the person)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    title = OBSERVER_PAGES[k % len(OBSERVER_PAGES)]
    link = page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True)
    try:
        ms = timed_click(page, link, f"(b) => {{ const t = ({_H1})(); return t && t !== b; }}", page.evaluate(_H1),
                         timeout_ms=SWITCH_TIMEOUT_MS)
        _wait_idle(page, SWITCH_TIMEOUT_MS)
        return ms
    except PlaywrightTimeout:
        try:
            page.reload(timeout=STEP_MS)
        except PlaywrightTimeout:
            pass
        return float(SWITCH_TIMEOUT_MS)
