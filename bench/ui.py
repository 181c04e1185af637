"""UI figures measured in a real headless Chromium against a real Glassnet server.

cold_start_s          server process started → home page fully rendered in the browser
page_switch_ms        click on a page in the sidebar → that page's title rendered (median)
ui_metric_latency_ms  a metric row committed to the run store (as the worker commits it) →
                      the point drawn in the Train page's loss chart (median of ≥ 20 samples)
ui_stream_cpu_percent CPU time (user + sys) of the streamlit server process while one tab shows the
                      Train page of a run that trains (a real worker), less the server's CPU over the
                      same length with no tab open; percent of one core (target: under 5)
ui_idle_cpu_percent   that idle baseline: the server with the run training and no tab open
"""
from __future__ import annotations

import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

from .browser import Server, chromium

PAGE_ORDER = ["Data", "Build", "Train", "Evaluate", "Runs", "Home"]

_H1 = "() => { const h = document.querySelector('[data-testid=\"stMain\"] h1'); return h ? h.innerText : ''; }"


def _wait_idle(page, timeout_ms: int = 90_000) -> None:
    """Until Streamlit says the script run is over (the 'running' status widget is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)


def cold_start(browser, repeats: int = 2) -> float:
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as home:
            srv = Server(Path(home))
            t0 = time.perf_counter()
            srv.start()
            page = browser.new_page()
            try:
                page.goto(srv.url)
                page.get_by_text("Workspace:").wait_for(timeout=60_000)   # the home page's last element
                times.append(time.perf_counter() - t0)
            finally:
                page.close()
                srv.stop()
    return statistics.median(times)


def page_switch(browser, url: str, rounds: int = 2) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    samples = []
    try:
        page.goto(url)
        page.get_by_text("Workspace:").wait_for(timeout=60_000)
        for title in PAGE_ORDER:        # first visits import what the pages need: not measured
            page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
            page.wait_for_function(f"() => ({_H1})() !== ''", timeout=60_000)
            _wait_idle(page)
        for _ in range(rounds):
            for title in PAGE_ORDER:
                before = page.evaluate(_H1)
                t0 = time.perf_counter()
                page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
                page.wait_for_function(f"(before) => {{ const t = ({_H1})(); return t && t !== before; }}",
                                       arg=before, timeout=90_000)
                samples.append((time.perf_counter() - t0) * 1000)
                _wait_idle(page)
    finally:
        page.close()
    return statistics.median(samples)


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


def metric_latency(browser, url: str, home: Path, samples: int = 24) -> float:
    """Latency of a metric from store commit to the browser, on the Train page's per-step loss chart.

    A run is recorded as 'running' with this process as its writer; each sample commits one
    step's loss as the worker does (one transaction) and waits until the chart's per-step trace
    has a point for it.
    """
    import os

    from core.store import Store
    store = Store(home)
    run_id = store.create_run(name="latency probe", dataset={"kind": "builtin", "name": "spiral",
                                                             "params": {"n": 400, "noise": 0.1, "seed": 0},
                                                             "sha256": None, "preprocess": {}},
                              network={"layers": [{"type": "dense", "units": 8, "activation": "tanh",
                                                   "init": "default", "batch_norm": False, "dropout": 0.0}]},
                              train={"epochs": 1000000}, status="running")
    store.update_run(run_id, pid=os.getpid(), heartbeat=time.time())
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    lat = []
    try:
        page.goto(f"{url}/train?run={run_id}")
        step = 1
        with store.transaction():
            store.add_metrics(run_id, [(step, 0, "loss", 1.0)])
        page.wait_for_function(f"() => ({_LOSS_POINTS})() >= {step}", timeout=60_000)
        for i in range(samples):
            time.sleep(0.05 + (i % 7) * 0.07)     # spread the writes over the polling phase
            step += 1
            t0 = time.perf_counter()
            with store.transaction():
                store.add_metrics(run_id, [(step, 0, "loss", 1.0 / step)])
                store.db.execute("UPDATE runs SET step=?, heartbeat=? WHERE id=?", (step, time.time(), run_id))
            page.wait_for_function(f"() => ({_LOSS_POINTS})() >= {step}", timeout=10_000, polling=5)
            lat.append((time.perf_counter() - t0) * 1000)
    finally:
        page.close()
        store.update_run(run_id, status="stopped", pid=None)
        store.close()
    lat.sort()
    return {"median": statistics.median(lat), "p90": lat[int(0.9 * (len(lat) - 1))], "samples": len(lat)}


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


def stream_cpu(browser, srv: Server, seconds: float = 10.0) -> dict:
    """The server's CPU while one tab streams a training run, and with no tab open (percent of one core).

    A real run trains in its worker process throughout (the worker's CPU is its own, not counted). The
    baseline is measured first, with no tab open; then one tab opens the run's Train page and, once its
    charts are drawn, the server's CPU is measured over the same length while the loss chart grows.
    The run (spiral, the default settings, batch 32) logs about a hundred epochs a second here: a busy
    feed, so each poll has new data and redraws.
    """
    from core import jobs
    from core.spec import NetworkSpec, TrainSpec
    from core.store import Store

    store = Store(srv.home)
    dataset = {"kind": "builtin", "name": "spiral", "params": {"n": 400, "noise": 0.1, "seed": 0}, "sha256": None,
               "preprocess": {"scaling": "standard", "val_fraction": 0.15, "test_fraction": 0.15, "split_seed": 0}}
    run_id = jobs.submit(store, dataset=dataset, network=NetworkSpec.dense([8, 8], "tanh"),
                         train=TrainSpec(epochs=100_000), name="cpu probe")
    out: dict = {}
    try:
        jobs.wait(store, run_id, timeout=60, statuses=("running",))
        time.sleep(2.0)                                       # sessions of earlier tabs wind down
        out["idle"] = _cpu_percent(srv.proc.pid, seconds)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.goto(f"{srv.url}/train?run={run_id}")
            page.wait_for_function(f"() => ({_LOSS_POINTS})() > 0", timeout=60_000)
            time.sleep(3.0)                                   # first views import and draw: not measured
            before = page.evaluate(_LOSS_END)
            out["stream_total"] = _cpu_percent(srv.proc.pid, seconds)
            out["epochs_drawn"] = page.evaluate(_LOSS_END) - before
            if store.get_run(run_id).status != "running" or out["epochs_drawn"] <= 0:
                raise RuntimeError("the run did not stream while the server's CPU was measured")
        finally:
            page.close()
    finally:
        jobs.stop(store, run_id)
        try:
            jobs.wait(store, run_id, timeout=30)
        except TimeoutError:
            pid = store.get_run(run_id).pid
            if pid and jobs.pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
        store.close()
    out["stream"] = out["stream_total"] - out["idle"]
    return out


def ui_figures() -> dict:
    out: dict = {}
    with chromium() as browser:
        out["cold_start_s"] = round(cold_start(browser), 2)
        with tempfile.TemporaryDirectory() as home:
            srv = Server(Path(home))
            srv.start()
            try:
                out["page_switch_ms"] = round(page_switch(browser, srv.url))
                lat = metric_latency(browser, srv.url, Path(home))
                out["ui_metric_latency_ms"] = round(lat["median"])
                out["ui_metric_latency_p90_ms"] = round(lat["p90"])
                out["ui_metric_latency_samples"] = lat["samples"]
                cpu = stream_cpu(browser, srv)
                out["ui_stream_cpu_percent"] = round(cpu["stream"], 1)
                out["ui_idle_cpu_percent"] = round(cpu["idle"], 1)
            finally:
                srv.stop()
    return out
