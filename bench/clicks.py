"""A click timed by the browser's own clock: from the click event's timestamp (when the browser received
the input) to the first animation frame at which the page shows what the click should change.

Playwright's own waits before a click (is the element visible, still, enabled?) are not counted, and
neither is the round trip between this process and the browser; a renderer busy drawing charts, which
delays both the click's handling and the redraw, is.
"""
from __future__ import annotations

# `done` is a JS function of `arg`; it is checked on every animation frame after the click
_ARM = """(arg) => {{
  const done = {done};
  window.__benchClickAt = null;
  window.__benchShownAfter = null;
  document.addEventListener('click', e => {{ window.__benchClickAt = e.timeStamp; }}, {{capture: true, once: true}});
  const tick = () => {{
    if (window.__benchClickAt !== null && done(arg)) {{
      window.__benchShownAfter = performance.now() - window.__benchClickAt;
      return;
    }}
    requestAnimationFrame(tick);
  }};
  requestAnimationFrame(tick);
}}"""


def timed_click(page, target, done: str, arg=None, timeout_ms: int = 60_000) -> float:
    """Click `target` (a Playwright locator); milliseconds until `done(arg)` holds in the page."""
    page.evaluate(_ARM.format(done=done), arg)
    target.click(timeout=timeout_ms)
    page.wait_for_function("() => window.__benchShownAfter !== null", timeout=timeout_ms)
    return page.evaluate("() => window.__benchShownAfter")
