"""The classroom benchmark (bench/classroom.py) end to end at three students: a class-mode server, three people
joining in their own browser contexts and pressing Start at the same instant, an observer switching pages; once
with the pool and once with a worker per run. No timing is asserted: only that every measurement ran, saw what
it waits for, and is reported with its spread."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = 3


def test_classroom_bench_quick_measures_both_executors_for_every_student():
    out = subprocess.run([sys.executable, "-m", "bench", "classroom", "--students", str(STUDENTS), "--quick", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout)
    assert result["students"] == STUDENTS and result["one_run_alone_s"] > 0
    for mode in ("pool", "spawn"):
        [f] = result[mode]
        assert f["stopped_early"] is None and f["page_errors"] == [], f
        assert f["finished"] == STUDENTS, f
        # every page pressed Start (armed for one instant) and drew its run and a first metric
        assert f["presses_spread_s"] is not None and f["presses_spread_s"] >= 0, f
        for figure in ("start_to_shown_s", "start_to_metric_s"):
            assert f[figure]["n"] == STUDENTS and 0 < f[figure]["p50"] <= f[figure]["p95"] <= f[figure]["max"], f
        assert f["start_to_shown_s"]["p50"] <= f["start_to_metric_s"]["p50"], f
        assert f["page_switch_ms"]["n"] >= 1 and f["page_switch_ms"]["p50"] > 0, f
        assert f["run_seconds"]["n"] == STUDENTS and f["fair_share_wait_s"] >= 0, f
        # the server and at least one worker were seen, their memory and CPU counted
        assert f["peak_workers"] >= 1 and f["peak_rss_mb"] > 100, f
        assert f["server_cpu_s_per_student"] > 0 and f["worker_cpu_s_per_student"] > 0, f
        assert f["total_s"] > 0 and f["total_vs_ideal"] > 0, f
        assert set(result["targets"][mode][0]) == {"all_finished", "start_to_shown_p95_s", "page_switch_p95_ms",
                                                   "peak_rss_mb", "total_vs_ideal"}
    # spawn's figures over the pool's, each with its spread
    for name in ("start_to_shown_p95_s", "start_to_metric_p95_s", "peak_rss_mb", "total_s"):
        s = result["spawn_vs_pool"][name]
        assert s["repeats"] == 1 and 0 < s["min"] <= s["median"] <= s["max"], s
