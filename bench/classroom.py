"""A class pressing Start together, in real browsers: `python -m bench classroom [--students 30] [--json]`.

A real Streamlit server in class mode (GLASSNET_MODE=class, its own workspace), one headless Chromium with a
context per person: `students` people join (a display name and the class code, from the join link) and open
the Train page; each page is armed to press Start (the default spiral run) at the same instant, by the
machine's clock; a further person switches pages all along. The whole burst is measured once with the
executor's pool (GLASSNET_EXECUTOR=pool) and once with a worker process per run (spawn) in the same call, on
fresh workspaces, the order turning each repeat.

Figures of each burst:
  finished                runs that finished, of `students`
  start_to_shown_s        Start pressed → the run's status badge drawn on that student's page (p50, p95, max)
  start_to_metric_s       Start pressed → the first point drawn in that page's loss chart (p50, p95, max)
  longest_wait_s          the longest queue wait: a run created → its training started ('start' event)
  fair_share_wait_s       the longest wait perfect round robin on K slots would give: the runs in the order
                          they were created, each taking the first free slot for as long as it trained here
  page_switch_ms          the observer's sidebar click → the next page's title drawn, during the burst
  peak_rss_mb             the largest sum of the resident memory of the server and its workers (/proc)
  server_cpu_s_per_student, worker_cpu_s_per_student
                          CPU seconds (user + sys) the server, and the workers together, used from the press
                          to the last run's end, per student; browser_cpu_s_per_student the same for the
                          Chromium that hosts every student here (in a class each has a machine of their own)
  total_s, ideal_s        first press → last run ended, against `students` × one run's training time alone
                          (measured first in this call, on one thread) over the cores; total_vs_ideal
and spawn's figure over the pool's, repeat by repeat (`spawn_vs_pool`). Targets (`targets`): every run
finished, Start → shown p95 ≤ 2 s, page switch p95 ≤ 2 s, peak memory ≤ 4 GB, total ≤ 1.2 × ideal.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from . import class_pages as pages
from .browser import Server, chromium
from .spread import spread
from .tree import TreeSampler, browser_processes, lower_priority, workers_of

BURST_TIMEOUT_S = 900
SETTLE_S = 60                       # after the last run ended, for every page to draw it
MEMORY_FLOOR = 4 * 2**30            # a burst is ended when the machine's available memory falls under this
TARGETS = {"start_to_shown_p95_s": 2.0, "page_switch_p95_ms": 2000.0, "peak_rss_mb": 4096.0, "total_vs_ideal": 1.2}


# ---------------------------------------------------------------- arithmetic
def percentile(values, q: float) -> float | None:
    """The nearest-rank q-quantile (0 < q ≤ 1) of `values`; None when there are none."""
    values = sorted(values)
    if not values:
        return None
    return values[max(0, math.ceil(q * len(values)) - 1)]


def quantiles(values, digits: int = 3) -> dict:
    """{"p50", "p95", "max", "n"} of `values` (None where there are none)."""
    def r(x):
        return None if x is None else round(x, digits)
    return {"p50": r(percentile(values, 0.5)), "p95": r(percentile(values, 0.95)),
            "max": r(max(values, default=None)), "n": len(values)}


def fair_share_wait(created: list[float], lengths: list[float], slots: int) -> float:
    """The longest wait when runs (in the order of `created`) each take the first of `slots` free slots for
    their `lengths`, with nothing lost between runs."""
    free = [min(created, default=0.0)] * slots
    longest = 0.0
    for t, length in sorted(zip(created, lengths)):
        k = min(range(slots), key=lambda i: free[i])
        start = max(t, free[k])
        longest = max(longest, start - t)
        free[k] = start + length
    return longest


# ---------------------------------------------------------------- one run alone
def one_run_alone(repeats: int) -> float:
    """Seconds the Train page's default run (spiral, default network and settings) trains alone, one thread;
    the median of `repeats`."""
    import torch

    from core.data import load_dataset
    from core.presets import default_network
    from core.spec import TrainSpec
    from core.training import train
    from dashboard.state import DEFAULT_DATASET
    torch.set_num_threads(1)
    ds = load_dataset(DEFAULT_DATASET)
    return statistics.median(train(ds, default_network(), TrainSpec())[1].seconds for _ in range(repeats))


# ---------------------------------------------------------------- the server
def class_server(home: Path, mode: str) -> tuple[Server, str]:
    """A class-mode server on `home` with the executor `mode`, started; and the class code."""
    from core.runs import class_keys
    srv = Server(home, env={"GLASSNET_MODE": "class", "GLASSNET_EXECUTOR": mode})
    srv.start(timeout=120)
    return srv, class_keys(home).code


def end_server(srv: Server) -> None:
    """Stop the server, then every run still active and every worker of its workspace."""
    from core.runs import ACTIVE, Store, executor
    srv.stop()
    with Store(srv.home) as store:
        for run in store.list_runs():
            if run.status in ACTIVE:
                executor.stop(store, run.id)
        executor.shutdown(store)
    deadline = time.time() + 30
    while workers_of(srv.home) and time.time() < deadline:
        time.sleep(0.2)
    for pid in workers_of(srv.home):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------- the burst
def _runs_done(store, n: int) -> bool:
    from core.runs import ACTIVE
    runs = store.list_runs()
    return len(runs) >= n and not any(r.status in ACTIVE for r in runs)


def _pages_settled(students_pages) -> bool:
    """Every page has shown its run and a first metric, or said why it could not."""
    got = [pages.result(p) for p in students_pages]
    return all(r.get("error") or (r.get("shownAt") and r.get("metricAt")) for r in got)


def _drive(store, observer, students_pages, sampler: TreeSampler, deadline: float) -> tuple[list[float], str | None]:
    """The observer switches pages until every run has ended and every student's page has drawn it (at most
    SETTLE_S more); its switch times, and why it stopped early (None when all was done)."""
    switches, k, ended_at = [], 0, None
    while True:
        if ended_at is None and _runs_done(store, len(students_pages)):
            ended_at = time.time()
        if ended_at is not None and (_pages_settled(students_pages) or time.time() > ended_at + SETTLE_S):
            return switches, None
        if sampler.low_memory.is_set():
            return switches, "the machine's available memory fell under the floor"
        if time.time() > deadline:
            return switches, f"not every run ended within {BURST_TIMEOUT_S} s"
        switches.append(pages.switch_once(observer, k))
        k += 1


def _run_times(store, run) -> dict:
    """A run's created, training-started and ended times (epoch seconds) and status."""
    events = store.events(run.id)
    start = min((e["time"] for e in events if e["kind"] == "start"), default=None)
    end = max((e["time"] for e in events if e["kind"] == "end"), default=run.updated)
    return {"owner": run.owner, "status": run.status, "created": run.created, "start": start, "end": end}


def burst(browser, mode: str, students: int, browser_nice: int = 0) -> dict:
    """One class in the executor's `mode` on a fresh workspace: its raw measurements. `browser_nice` > 0 gives
    the browsers a lower priority than the server and its workers, as when each student's browser runs on a
    machine of their own (their CPU is measured either way)."""
    from core.runs import Store
    with tempfile.TemporaryDirectory() as tmp:
        srv, code = class_server(Path(tmp), mode)
        store = Store(srv.home)
        contexts = []
        try:
            students_pages = pages.join_all(browser, srv.url, code, [f"Student {i + 1}" for i in range(students)])
            observer = pages.observer_page(browser, srv.url, code)
            contexts = [p.context for p in [*students_pages, observer]]
            lower_priority(browser_processes(), browser_nice)
            sampler = TreeSampler(srv.proc.pid, srv.home, floor=MEMORY_FLOOR)
            at = time.time() * 1000 + 2000 + 50 * students
            for page in students_pages:
                pages.arm(page, at)
            sampler.start()
            switches, stopped = _drive(store, observer, students_pages, sampler, at / 1000 + BURST_TIMEOUT_S)
            usage = {**sampler.finish(), "burst_s": time.time() - at / 1000}
            return {"mode": mode, "pages": [pages.result(p) for p in students_pages], "switch_ms": switches,
                    "runs": [_run_times(store, r) for r in store.list_runs()], "stopped_early": stopped, **usage}
        finally:
            store.close()
            for context in contexts:
                context.close()
            end_server(srv)


# ---------------------------------------------------------------- figures
def _page_delays(raw: dict, field: str) -> list[float]:
    return [(p[field] - p["clickAt"]) / 1000 for p in raw["pages"] if p.get("clickAt") and p.get(field)]


def figures(raw: dict, alone_s: float, slots: int, cores: int) -> dict:
    """One burst's figures (see the module's docstring) from its raw measurements."""
    n = len(raw["pages"])
    runs = raw["runs"]
    started = [r for r in runs if r["start"] is not None]
    clicks = [p["clickAt"] / 1000 for p in raw["pages"] if p.get("clickAt")]
    total = max((r["end"] for r in runs), default=0.0) - min(clicks, default=0.0)
    ideal = n * alone_s / cores
    return {
        "finished": sum(r["status"] == "finished" for r in runs), "students": n,
        "presses_spread_s": round(max(clicks) - min(clicks), 3) if clicks else None,
        "start_to_shown_s": quantiles(_page_delays(raw, "shownAt")),
        "start_to_metric_s": quantiles(_page_delays(raw, "metricAt")),
        "longest_wait_s": round(max((r["start"] - r["created"] for r in started), default=0.0), 2),
        "fair_share_wait_s": round(fair_share_wait([r["created"] for r in started],
                                                   [r["end"] - r["start"] for r in started], slots), 2),
        "run_seconds": quantiles([r["end"] - r["start"] for r in started], 2),
        "page_switch_ms": quantiles(raw["switch_ms"], 0),
        "page_switch_timeouts": sum(ms >= pages.SWITCH_TIMEOUT_MS for ms in raw["switch_ms"]),
        "peak_rss_mb": round(raw["peak_rss_mb"]), "peak_workers": raw["peak_workers"],
        "server_cpu_s_per_student": round(raw["server_cpu_s"] / n, 2),
        "worker_cpu_s_per_student": round(raw["worker_cpu_s"] / n, 2),
        "browser_cpu_s_per_student": round(raw.get("browser_cpu_s", 0.0) / n, 2),
        "burst_s": round(raw.get("burst_s", 0.0), 1),
        "total_s": round(total, 1), "ideal_s": round(ideal, 1), "total_vs_ideal": round(total / ideal, 2),
        "page_errors": sorted({p.get("error") or "shown before Start" for p in raw["pages"]
                               if p.get("error") or p.get("shownBefore") or not p}),
        "stopped_early": raw["stopped_early"]}


def targets(f: dict) -> dict:
    """Each target and whether this burst met it."""
    shown, switch = f["start_to_shown_s"]["p95"], f["page_switch_ms"]["p95"]
    return {"all_finished": f["finished"] == f["students"],
            "start_to_shown_p95_s": shown is not None and shown <= TARGETS["start_to_shown_p95_s"],
            "page_switch_p95_ms": switch is not None and switch <= TARGETS["page_switch_p95_ms"],
            "peak_rss_mb": f["peak_rss_mb"] <= TARGETS["peak_rss_mb"],
            "total_vs_ideal": f["total_vs_ideal"] <= TARGETS["total_vs_ideal"]}


HEADLINE = {"start_to_shown_p95_s": ("start_to_shown_s", "p95"), "start_to_metric_p95_s": ("start_to_metric_s", "p95"),
            "page_switch_p95_ms": ("page_switch_ms", "p95"), "longest_wait_s": ("longest_wait_s", None),
            "peak_rss_mb": ("peak_rss_mb", None), "server_cpu_s_per_student": ("server_cpu_s_per_student", None),
            "worker_cpu_s_per_student": ("worker_cpu_s_per_student", None), "total_s": ("total_s", None),
            "browser_cpu_s_per_student": ("browser_cpu_s_per_student", None)}


def _headline(f: dict, name: str):
    key, sub = HEADLINE[name]
    return f[key][sub] if sub else f[key]


def compare(by_mode: dict) -> dict:
    """spawn's headline figures over the pool's, repeat by repeat, as spreads (missing figures left out)."""
    out = {}
    for name in HEADLINE:
        pairs = [(_headline(s, name), _headline(p, name)) for s, p in zip(by_mode["spawn"], by_mode["pool"])]
        pairs = [(s, p) for s, p in pairs if s is not None and p]
        if pairs:
            out[name] = spread([s / p for s, p in pairs], 2)
    return out


# ---------------------------------------------------------------- all of it
def classroom(students: int = 30, repeats: int = 1, quick: bool = False, modes=("pool", "spawn"),
              browser_nice: int = 0) -> dict:
    """Both executors' bursts, `repeats` each, the order turning each repeat; figures, ratios and targets."""
    from core.limits import current
    alone_s = one_run_alone(1 if quick else 3)
    cores, slots = os.cpu_count() or 1, current().workers
    by_mode: dict = {m: [] for m in modes}
    with chromium() as browser:
        for k in range(repeats):
            for mode in (modes if k % 2 == 0 else tuple(reversed(modes))):
                raw = burst(browser, mode, students, browser_nice)
                by_mode[mode].append({**figures(raw, alone_s, slots, cores), "load_average": os.getloadavg()[0]})
                print(f"{mode}: {json.dumps(by_mode[mode][-1])}", file=sys.stderr, flush=True)
    out = {"students": students, "repeats": repeats, "browser_nice": browser_nice,
           "one_run_alone_s": round(alone_s, 2), "cores": cores,
           "slots": slots, **{m: v for m, v in by_mode.items()},
           "targets": {m: [targets(f) for f in v] for m, v in by_mode.items()}}
    if set(modes) == {"pool", "spawn"}:
        out["spawn_vs_pool"] = compare(by_mode)
    return out


def print_text(result: dict) -> None:
    print(f"{result['students']} students, one run alone {result['one_run_alone_s']} s, {result['cores']} cores,"
          f" {result['slots']} pool slots")
    for mode in ("pool", "spawn"):
        for f in result.get(mode, []):
            print(f"{mode:>5}: finished {f['finished']}/{f['students']}  shown {f['start_to_shown_s']}  metric "
                  f"{f['start_to_metric_s']}  wait {f['longest_wait_s']} s (fair share {f['fair_share_wait_s']} s)"
                  f"  switch {f['page_switch_ms']}  peak {f['peak_rss_mb']} MB  cpu/student server "
                  f"{f['server_cpu_s_per_student']} s workers {f['worker_cpu_s_per_student']} s browser "
                  f"{f['browser_cpu_s_per_student']} s  total "
                  f"{f['total_s']} s ideal {f['ideal_s']} s ({f['total_vs_ideal']}×)")
    for name, s in result.get("spawn_vs_pool", {}).items():
        print(f"spawn ÷ pool {name}: {s['median']:g} ({s['min']:g}–{s['max']:g})")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench classroom", description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="one calibration run instead of three (a smoke run)")
    p.add_argument("--modes", default="pool,spawn", help="the executors to measure, in order (default pool,spawn)")
    p.add_argument("--browser-nice", type=int, default=0,
                   help="run the browsers at this lower priority (e.g. 19), as if each student had a machine of "
                        "their own; 0 (the default) shares the cores equally")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    a = p.parse_args(argv)
    result = classroom(a.students, a.repeats, a.quick, tuple(a.modes.split(",")), a.browser_nice)
    if a.json:
        print(json.dumps(result))
    else:
        print_text(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
