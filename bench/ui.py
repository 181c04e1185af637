"""UI figures measured in a real headless Chromium against a real Glassnet server, each beside the same
measurement of a baseline app (bench/baseline_app.py: about the least a Streamlit app can do) served by
the same streamlit with the same configuration and driven the same way, in the same run.

Each figure X comes as X (its samples' spread) and X_baseline (the baseline's), and X_vs_baseline: the
ratio taken round by round (each round measures Glassnet and the baseline one after the other), as
{median, min, max, repeats}. A ratio of 3 means "three times what Streamlit itself needs for the same
kind of step on this machine at this moment": it means the same on a fast and a slow machine.

cold_start_s            a server process started → its home page fully rendered in the browser
                        (Glassnet: the home page's last element; baseline: its click counter)
page_switch_ms          a click on a page in the sidebar → that page's title drawn
build_edit_ms           Build page: "Add layer" clicked → the new parameter count drawn
                        (baseline, click_baseline_ms: a button clicked → the text it changes redrawn)
control_ack_ms          Train page, a run training in its worker: Pause / Step / Resume / Stop clicked →
                        the page shows it (the status badge's text, or the paused-at-step text); against
                        click_baseline_ms too. control_ack_by_control_ms: the median of each control.
ui_metric_latency_ms    a metric committed to the run store → drawn in the Train page's loss chart
                        (baseline: a value committed to a SQLite file → redrawn by a fragment that polls
                        as often as the Train page does)
ui_stream_cpu_percent   the server's CPU while one tab streams a training run, less its CPU with no tab
                        open (ui_idle_cpu_percent); percent of one core (baseline: the baseline server
                        while one tab shows a value that changes twenty times a second, less its idle CPU)

The Glassnet measurements rely only on what a person sees: page titles, the parameter count's text, a
status badge's text and the paused-at-step text, and buttons by their labels.
"""
from __future__ import annotations

import re
import statistics
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .browser import Server, chromium
from .clicks import timed_click
from .spread import ratios, spread

PAGE_ORDER = ["Data", "Build", "Train", "Evaluate", "Runs", "Home"]
BASELINE_ORDER = ["Other", "Home"]
BASELINE_APP = "bench/baseline_app.py"
VIEWPORT = {"width": 1400, "height": 900}

_H1 = "() => { const h = document.querySelector('[data-testid=\"stMain\"] h1'); return h ? h.innerText : ''; }"
# the parameter count as drawn: a line naming parameters with the number on the next line (a metric), or
# "1,170 parameters" in a sentence
_PARAMS = r"""() => {
  const m = document.querySelector('[data-testid="stMain"]');
  const t = m ? m.innerText : '';
  const f = t.match(/parameters?\b[^\n\d]*\n+[ \t]*(\d[\d,]*)[ \t]*(?:\n|$)/i) || t.match(/(\d[\d,]*)\s+parameters?\b/i);
  return f ? f[1] : null;
}"""
_CLICKS = r"""() => {
  const m = document.querySelector('[data-testid="stMain"]');
  const f = (m ? m.innerText : '').match(/Clicked (\d+) times/);
  return f ? Number(f[1]) : -1;
}"""


@dataclass(frozen=True)
class Plan:
    """How many repeats each figure gets."""
    cold_starts: int = 3
    warm_up_start: bool = True
    switch_rounds: int = 3
    edit_rounds: int = 3
    edits: int = 4                # Build page edits (and baseline clicks) a round
    control_rounds: int = 3
    latency_blocks: int = 4
    latency_samples: int = 6      # a block
    cpu_repeats: int = 2
    cpu_seconds: float = 8.0
    controls: tuple = ("pause", "step", "step", "resume", "pause", "step", "resume", "stop")   # a round


QUICK = Plan(cold_starts=1, warm_up_start=False, switch_rounds=1, edit_rounds=1, edits=2, control_rounds=1,
             latency_blocks=1, latency_samples=4, cpu_repeats=1, cpu_seconds=2.0,
             controls=("pause", "step", "resume", "stop"))


def _wait_idle(page, timeout_ms: int = 90_000) -> None:
    """Until Streamlit says the script run is over (the 'running' status widget is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)


def figure(name: str, glassnet: list, baseline: list, digits: int = 0) -> dict:
    """`name`, `name_baseline` (spreads of all samples) and `name_vs_baseline` (the ratio of the two
    medians, round by round: `glassnet` and `baseline` are lists of rounds, each a list of samples)."""
    medians = ratios([statistics.median(r) for r in glassnet], [statistics.median(r) for r in baseline])
    return {name: spread([x for r in glassnet for x in r], digits),
            f"{name}_baseline": spread([x for r in baseline for x in r], digits),
            f"{name.rsplit('_', 1)[0]}_vs_baseline": spread(medians, 2)}


# ---------------------------------------------------------------- servers
def baseline_db(folder: Path) -> Path:
    """The SQLite file the baseline's Poll page reads: one value."""
    import sqlite3
    path = Path(folder) / "baseline.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS probe (value INTEGER)")
        db.execute("DELETE FROM probe")
        db.execute("INSERT INTO probe VALUES (0)")
    return path


def baseline_server(home: Path) -> Server:
    try:
        from dashboard.train import POLL_S          # the Train page's live view polls this often
    except ImportError:
        POLL_S = 0.5
    return Server(home, script=BASELINE_APP,
                  env={"BENCH_BASELINE_DB": str(baseline_db(home)), "BENCH_POLL_S": str(POLL_S)})


@contextmanager
def serving(server: Server):
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- cold start
def _cold_start_once(browser, baseline: bool) -> float:
    """Seconds from a fresh server process started (its own empty workspace) to its home page drawn."""
    with tempfile.TemporaryDirectory() as home:
        srv = baseline_server(Path(home)) if baseline else Server(Path(home))
        t0 = time.perf_counter()
        with serving(srv):
            page = browser.new_page()
            try:
                page.goto(srv.url)
                page.get_by_text("Clicked 0 times" if baseline else "Workspace:").wait_for(timeout=60_000)
                return time.perf_counter() - t0
            finally:
                page.close()


def cold_start(browser, plan: Plan) -> dict:
    """Glassnet's and the baseline's cold starts, alternately (which goes first turns each repeat). With
    a warm-up start of each first (not counted), every start finds the files in the OS cache."""
    if plan.warm_up_start:
        _cold_start_once(browser, baseline=True)
        _cold_start_once(browser, baseline=False)
    ours, base = [], []
    for r in range(plan.cold_starts):
        for baseline in ((False, True) if r % 2 == 0 else (True, False)):
            (base if baseline else ours).append(_cold_start_once(browser, baseline))
    return figure("cold_start_s", [[t] for t in ours], [[t] for t in base], digits=2)


# ---------------------------------------------------------------- page switches
def _switch(page, title: str) -> float:
    """Click `title` in the sidebar; milliseconds until that page's title is drawn (the run then ends)."""
    link = page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True)
    elapsed = timed_click(page, link, f"(b) => {{ const t = ({_H1})(); return t && t !== b; }}",
                          page.evaluate(_H1), timeout_ms=90_000)
    _wait_idle(page)
    return elapsed


def _switching_page(browser, url: str, order: list[str]):
    """A tab that has visited every page once (first visits import what the pages need: not measured)."""
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(url)
    page.wait_for_function(f"() => ({_H1})() !== ''", timeout=60_000)
    for title in order:
        _switch(page, title)
    return page


def page_switch(browser, url: str, baseline_url: str, plan: Plan) -> dict:
    ours_page = _switching_page(browser, url, PAGE_ORDER)
    base_page = _switching_page(browser, baseline_url, BASELINE_ORDER)
    ours, base = [], []
    try:
        for _ in range(plan.switch_rounds):
            ours.append([_switch(ours_page, t) for t in PAGE_ORDER])
            base.append([_switch(base_page, t) for t in BASELINE_ORDER * (len(PAGE_ORDER) // 2)])
    finally:
        ours_page.close()
        base_page.close()
    return figure("page_switch_ms", ours, base)


# ---------------------------------------------------------------- a click and what it changes
def baseline_clicks(page, url: str, n: int) -> list[float]:
    """The baseline's Home page afresh: its button clicked `n` times, each until the count it shows moves."""
    page.goto(url)
    page.wait_for_function(f"() => ({_CLICKS})() >= 0", timeout=60_000)
    button = page.locator("[data-testid='stMain']").get_by_role("button", name="Click", exact=True)
    samples = []
    for _ in range(n):
        _wait_idle(page)
        samples.append(timed_click(page, button, f"(b) => ({_CLICKS})() > b", page.evaluate(_CLICKS)))
    return samples


def build_edits(page, url: str, n: int) -> list[float]:
    """The Build page afresh (a new session: the default data and network): "Add layer" clicked `n`
    times, each until the parameter count drawn differs from the one before the click."""
    page.goto(f"{url}/build")
    page.wait_for_function(f"() => ({_PARAMS})() !== null", timeout=90_000)
    add = page.locator("[data-testid='stMain']").get_by_role("button", name=re.compile(r"\badd\b.*\blayer", re.I))
    samples = []
    for _ in range(n):
        _wait_idle(page)
        samples.append(timed_click(page, add.first, f"(b) => {{ const v = ({_PARAMS})(); return v !== null && v !== b; }}",
                                   page.evaluate(_PARAMS)))
    return samples


def edits_and_controls(browser, srv: Server, baseline_url: str, plan: Plan) -> dict:
    """Rounds of: the baseline's button clicks, Build page edits, and (in as many rounds as the plan has
    control rounds) a training run's controls on the Train page; both against the round's baseline."""
    from .ui_live import control_cycle
    page = browser.new_page(viewport=VIEWPORT)
    clicks, edits, acks, by_control = [], [], [], {}
    try:
        for r in range(max(plan.edit_rounds, plan.control_rounds)):
            clicks.append(baseline_clicks(page, baseline_url, max(plan.edits, 4)))
            if r < plan.edit_rounds:
                edits.append(build_edits(page, srv.url, plan.edits))
            if r < plan.control_rounds:
                cycle = control_cycle(page, srv, plan.controls)
                acks.append([ms for _, ms in cycle])
                for name, ms in cycle:
                    by_control.setdefault(name, []).append(ms)
    finally:
        page.close()
    out = figure("build_edit_ms", edits, clicks[:len(edits)])
    out["click_baseline_ms"] = out.pop("build_edit_ms_baseline")
    ack = figure("control_ack_ms", acks, clicks[:len(acks)])
    del ack["control_ack_ms_baseline"]
    out.update(ack)
    out["control_ack_by_control_ms"] = {k: round(statistics.median(v)) for k, v in by_control.items()}
    return out


# ---------------------------------------------------------------- all of them
def ui_figures(quick: bool = False, browser=None) -> dict:
    """Every UI figure (QUICK: one round of each, a smoke run); in `browser` if given, else in a Chromium
    of its own."""
    if browser is None:
        with chromium() as own:
            return ui_figures(quick, own)
    from .ui_live import metric_latency, stream_cpu
    plan = QUICK if quick else Plan()
    out = cold_start(browser, plan)
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as base_home:
        with serving(Server(Path(home))) as srv, serving(baseline_server(Path(base_home))) as base:
            out.update(page_switch(browser, srv.url, base.url, plan))
            out.update(edits_and_controls(browser, srv, base.url, plan))
            out.update(metric_latency(browser, srv, base, plan))
            out.update(stream_cpu(browser, srv, base, plan))
    return out
