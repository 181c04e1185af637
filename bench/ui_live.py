"""UI figures of the Train page while a run trains (see bench/ui.py for what each means): the controls'
acknowledgement, a metric's way from the run store to the loss chart, and the server's CPU while a tab
streams a run; each beside the baseline app's equivalent, measured in the same run."""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager

from .browser import ROOT, Server
from .clicks import timed_click

SPIRAL = {"kind": "builtin", "name": "spiral", "params": {"n": 400, "noise": 0.1, "seed": 0}, "sha256": None,
          "preprocess": {"scaling": "standard", "val_fraction": 0.15, "test_fraction": 0.15, "split_seed": 0}}
VIEWPORT = {"width": 1400, "height": 900}
ACK_TIMEOUT_MS = 60_000

# the run's status as the Train page shows it: the last word of each status badge (the first may be its
# icon's name), and the step of the paused-at-step text (null when there is none)
_STATUS = r"""() => {
  const m = document.querySelector('[data-testid="stMain"]');
  if (!m) return {badges: [], step: null};
  const badges = [...m.querySelectorAll('.stMarkdownBadge')].map(e => e.innerText.trim().split(/\s+/).pop().toLowerCase());
  const s = m.innerText.match(/paused at step ([\d,]+)/i);
  return {badges, step: s ? s[1] : null};
}"""
# what each control's click must change on the page, given the status read before the click
_ACKS = {"pause": "(s, b) => s.badges.includes('paused') || s.step !== null",
         "step": "(s, b) => s.step !== null && s.step !== b.step",
         "resume": "(s, b) => s.badges.includes('training') && s.step === null",
         "stop": "(s, b) => s.badges.includes('stopped')"}
_LABELS = {"pause": "Pause", "step": "Step", "resume": "Resume", "stop": "Stop"}


# ---------------------------------------------------------------- a real training run
def _end_run(store, run_id: str) -> None:
    """Stop the run's worker and wait for it; kill it if it does not stop."""
    from core.runs import executor as jobs
    jobs.stop(store, run_id)
    try:
        jobs.wait(store, run_id, timeout=30)
    except TimeoutError:
        pid = store.get_run(run_id).pid
        if pid and jobs.pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


@contextmanager
def training_run(store, name: str):
    """A long run (spiral, 8-8 tanh, the default settings) training in a real worker until the block ends."""
    from core.runs import executor as jobs
    from core.spec import NetworkSpec, TrainSpec
    run_id = jobs.submit(store, dataset=SPIRAL, network=NetworkSpec.dense([8, 8], "tanh"),
                         train=TrainSpec(epochs=100_000), name=name)
    try:
        jobs.wait(store, run_id, timeout=60, statuses=("running",))
        yield run_id
    finally:
        _end_run(store, run_id)


# ---------------------------------------------------------------- controls
def _click_and_ack(page, control: str) -> float:
    """Click the control's button in the main area; milliseconds until the page shows its effect."""
    button = page.locator("[data-testid='stMain']").get_by_role("button", name=re.compile(rf"\b{_LABELS[control]}$"))
    return timed_click(page, button.first, f"(b) => ({_ACKS[control]})(({_STATUS})(), b)", page.evaluate(_STATUS),
                       timeout_ms=ACK_TIMEOUT_MS)


def control_cycle(page, srv: Server, controls) -> list[tuple[str, float]]:
    """A new run's Train page: each control of `controls` clicked in turn, once the one before it showed;
    returns (control, milliseconds) pairs. The first click waits until the page shows the run training
    and its loss chart drawn."""
    from core.runs import Store
    store = Store(srv.home)
    try:
        with training_run(store, "controls probe") as run_id:
            page.goto(f"{srv.url}/train?run={run_id}")
            page.wait_for_function(f"() => ({_STATUS})().badges.includes('training') && ({_LOSS_POINTS})() > 0",
                                   timeout=60_000)
            return [(control, _click_and_ack(page, control)) for control in controls]
    finally:
        store.close()


# ---------------------------------------------------------------- metric latency
# points in the Train page's per-step loss trace (one point per recorded step); plotly may hold
# the data as decoded arrays or as base64 typed arrays ({dtype, bdata})
_LOSS_POINTS = """() => {
  const size = {f8: 8, f4: 4, i4: 4, u4: 4, i2: 2, u2: 2, i1: 1, u1: 1};
  const count = (x) => !x ? -1 : (x.length !== undefined ? x.length
                      : (x.bdata ? atob(x.bdata).length / (size[x.dtype] || 8) : -1));
  let n = -1;
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    for (const tr of (el.data || [])) {
      if (tr.name === 'loss per step') n = Math.max(n, count(tr.x));
    }
  }
  return n;
}"""
_VALUE = r"""() => {
  const m = document.querySelector('[data-testid="stMain"]');
  const f = (m ? m.innerText : '').match(/Value (\d+)/);
  return f ? Number(f[1]) : -1;
}"""


def _probe_run(store) -> tuple[str, subprocess.Popen]:
    """A run recorded as running, whose steps this process commits one loss at a time as the worker does
    (one transaction each). Its recorded process is a real standby worker, idle until its stdin closes,
    so the server sees a live Glassnet worker behind the run and keeps polling it."""
    holder = subprocess.Popen([sys.executable, "-m", "core.runs.worker", "--standby", "--home", str(store.home)],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run_id = store.create_run(name="latency probe", dataset=SPIRAL,
                              network={"layers": [{"type": "dense", "units": 8, "activation": "tanh",
                                                   "init": "default", "batch_norm": False, "dropout": 0.0}]},
                              train={"epochs": 1000000}, status="running")
    store.update_run(run_id, pid=holder.pid, heartbeat=time.time())
    return run_id, holder


def _commit_loss(store, run_id: str, step: int) -> None:
    with store.transaction():
        store.add_metrics(run_id, [(step, 0, "loss", 1.0 / step)])
        store.db.execute("UPDATE runs SET step=?, heartbeat=? WHERE id=?", (step, time.time(), run_id))


def _commit_value(db_path, value: int) -> None:
    with closing(sqlite3.connect(db_path)) as db, db:
        db.execute("UPDATE probe SET value=?", (value,))


def _latency(page, commit, shown: str, value: int, pause: float) -> float:
    """Wait `pause` (spreading the writes over the polling phase), commit `value`, and time until the page
    shows it (`shown`: a JS function of the value)."""
    time.sleep(pause)
    t0 = time.perf_counter()
    commit(value)
    page.wait_for_function(f"(v) => ({shown})(v)", arg=value, timeout=10_000, polling=5)
    return (time.perf_counter() - t0) * 1000


def metric_latency(browser, srv: Server, base: Server, plan) -> dict:
    """Blocks of samples on the Train page's per-step loss chart, each followed by as many on the baseline's
    Poll page; both tabs stay open throughout."""
    from core.runs import Store

    from .ui import figure
    store = Store(srv.home)
    run_id, holder = _probe_run(store)
    ours_page, base_page = browser.new_page(viewport=VIEWPORT), browser.new_page(viewport=VIEWPORT)
    ours, theirs, step, value = [], [], 1, 0
    drawn = f"(v) => ({_LOSS_POINTS})() >= v"
    try:
        ours_page.goto(f"{srv.url}/train?run={run_id}")
        _commit_loss(store, run_id, step)
        ours_page.wait_for_function(f"() => ({_LOSS_POINTS})() >= 1", timeout=60_000)
        base_page.goto(f"{base.url}/poll")
        base_page.wait_for_function(f"() => ({_VALUE})() >= 0", timeout=60_000)
        for _ in range(plan.latency_blocks):
            block_ours, block_base = [], []
            for i in range(plan.latency_samples):
                step += 1
                block_ours.append(_latency(ours_page, lambda s: _commit_loss(store, run_id, s), drawn, step,
                                           0.05 + (i % 7) * 0.07))
            for i in range(plan.latency_samples):
                value += 1
                block_base.append(_latency(base_page, lambda v: _commit_value(base.env["BENCH_BASELINE_DB"], v),
                                           f"(v) => ({_VALUE})() >= v", value, 0.05 + (i % 7) * 0.07))
            ours.append(block_ours)
            theirs.append(block_base)
    finally:
        ours_page.close()
        base_page.close()
        store.update_run(run_id, status="stopped", pid=None)
        store.close()
        holder.stdin.close()             # the standby worker leaves without training anything
        holder.wait(timeout=60)
    samples = sorted(x for b in ours for x in b)
    return {**figure("ui_metric_latency_ms", ours, theirs),
            "ui_metric_latency_p90_ms": round(samples[int(0.9 * (len(samples) - 1))])}


# ---------------------------------------------------------------- server CPU of a streaming tab
# the last step drawn in the Train page's per-step loss trace (its x is in epochs; the trace is thinned
# to at most 1,000 points, so its length stops growing while its end keeps moving)
_LOSS_END = """() => {
  const types = {f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array};
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    for (const tr of (el.data || [])) {
      if (tr.name !== 'loss per step' || !tr.x) continue;
      let x = tr.x;
      if (x.bdata) {
        const raw = Uint8Array.from(atob(x.bdata), c => c.charCodeAt(0));
        x = new (types[x.dtype] || Float64Array)(raw.buffer);
      }
      if (x.length) return x[x.length - 1];
    }
  }
  return -1;
}"""


def cpu_seconds(pid: int) -> float:
    """CPU time (user + sys) a process has used so far, from /proc/<pid>/stat (its children not counted)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()      # fields from the 3rd (state) on; comm may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")   # utime, stime (14th, 15th)


def _cpu_percent(pid: int, seconds: float) -> float:
    c0, t0 = cpu_seconds(pid), time.perf_counter()
    time.sleep(seconds)
    return 100 * (cpu_seconds(pid) - c0) / (time.perf_counter() - t0)


@contextmanager
def _changing_value(db_path, interval: float = 0.05):
    """The baseline's value changes every `interval` seconds while the block runs."""
    stop = threading.Event()

    def write():
        n = 0
        while not stop.wait(interval):
            n += 1
            _commit_value(db_path, n)
    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _tab_cpu(browser, url: str, drawn: str, pid: int, seconds: float, progress: str) -> float:
    """The server's CPU while one tab shows `url`, measured once the page is drawn and its first views
    settled; `progress` (a JS function giving a number) must grow meanwhile: the tab did stream."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(url)
        page.wait_for_function(drawn, timeout=60_000)
        time.sleep(3.0)                                   # first views import and draw: not measured
        before = page.evaluate(progress)
        cpu = _cpu_percent(pid, seconds)
        if page.evaluate(progress) <= before:
            raise RuntimeError(f"{url} did not stream while the server's CPU was measured")
        return cpu
    finally:
        page.close()


def stream_cpu(browser, srv: Server, base: Server, plan) -> dict:
    """The Glassnet server's CPU while one tab shows the Train page of a run that trains (a real worker,
    whose CPU is its own) less the same server's CPU with no tab open; against the baseline server's CPU
    while one tab shows its Poll page with a value that changes twenty times a second, less its own idle
    CPU. The run (spiral, the default settings, batch 32) logs about a hundred epochs a second: a busy
    feed, so each poll has new data and redraws."""
    from core.runs import Store
    store = Store(srv.home)
    ours, ours_idle, base_tab, base_idle = [], [], [], []
    try:
        with training_run(store, "cpu probe") as run_id:
            time.sleep(2.0)                                   # sessions of earlier tabs wind down
            for _ in range(plan.cpu_repeats):
                ours_idle.append(_cpu_percent(srv.proc.pid, plan.cpu_seconds))
                ours.append(_tab_cpu(browser, f"{srv.url}/train?run={run_id}", f"() => ({_LOSS_POINTS})() > 0",
                                     srv.proc.pid, plan.cpu_seconds, _LOSS_END))
                if store.get_run(run_id).status != "running":
                    raise RuntimeError("the run stopped training while the server's CPU was measured")
                base_idle.append(_cpu_percent(base.proc.pid, plan.cpu_seconds))
                with _changing_value(base.env["BENCH_BASELINE_DB"]):
                    base_tab.append(_tab_cpu(browser, f"{base.url}/poll", f"() => ({_VALUE})() >= 0",
                                             base.proc.pid, plan.cpu_seconds, _VALUE))
    finally:
        store.close()
    from .spread import ratios, spread
    net = [a - b for a, b in zip(ours, ours_idle)]
    base_net = [a - b for a, b in zip(base_tab, base_idle)]
    # a baseline share too small to resolve (the clock ticks are 10 ms) counts as 0.1 % of a core
    return {"ui_stream_cpu_percent": spread(net, 1), "ui_idle_cpu_percent": spread(ours_idle, 1),
            "ui_stream_cpu_baseline_percent": spread(base_net, 1),
            "ui_stream_cpu_vs_baseline": spread(ratios(net, [max(b, 0.1) for b in base_net]), 2)}
