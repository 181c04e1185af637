"""The benchmark runs end to end and reports every ratio with its spread (the figures themselves are
not asserted: they are measured on whatever machine runs this). The browser figures (bench/ui.py) are
measured by `make bench`; tests/e2e/test_bench_ui.py drives their measurements in a real browser."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {"breast_cancer/batch32", "breast_cancer/batch256", "synthetic50k/batch32", "synthetic50k/batch256"}


def assert_spread(figure, repeats: int | None = None):
    """A figure reported as its median with the smallest and largest repeat."""
    assert {"median", "min", "max", "repeats"} <= set(figure), figure
    assert 0 < figure["min"] <= figure["median"] <= figure["max"], figure
    if repeats is not None:
        assert figure["repeats"] == repeats, figure


def test_bench_quick_prints_one_json_object_with_every_ratio_and_its_spread(capsys):
    out = subprocess.run([sys.executable, "-m", "bench", "--quick", "--no-ui", "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)                      # the whole output is one JSON object
    assert result["quick"] is True
    training = result["training"]
    assert set(training["configs"]) == CONFIGS
    for c in training["configs"].values():
        # each counted repeat ran long enough: the epochs follow the machine's speed, not a fixed count
        assert len(c["epochs"]) == 3 and all(e >= 1 for e in c["epochs"])
        assert c["epochs"] == sorted(c["epochs"])
        assert c["shortest_repeat_s"] >= training["min_repeat_s"] or c["epochs"][-1] > c["epochs"][0]
        for method in ("glassnet", "tensor_loop", "dataloader"):
            assert_spread(c["samples_per_s"][method], 3)
        assert_spread(c["glassnet_vs_tensor_loop"], 3)
        assert_spread(c["glassnet_vs_dataloader"], 3)
    # the headline ratios: the configuration with the lowest median, with its spread and its name
    worst = min(CONFIGS, key=lambda k: training["configs"][k]["glassnet_vs_tensor_loop"]["median"])
    assert result["train_vs_tensor_loop"] == {**training["configs"][worst]["glassnet_vs_tensor_loop"], "config": worst}
    assert_spread(result["health_cost"]["16-16"], 1)      # what logging the units' health costs an epoch
    worst256 = min((k for k in CONFIGS if k.endswith("batch256")),
                   key=lambda k: training["configs"][k]["glassnet_vs_dataloader"]["median"])
    assert result["train_vs_dataloader"] == {**training["configs"][worst256]["glassnet_vs_dataloader"],
                                             "config": worst256}
    data = result["data"]
    assert_spread(data["csv_10k_rows_seconds"], 3)
    assert_spread(data["csv_10k_vs_pandas_read_csv"], 3)
    assert set(data["toy_set_ms"]) == {"spiral", "moons", "circles", "xor", "blobs", "regression2d"}
    # two runs training side by side in their own workers, against one alone (bench/workers.py)
    workers = result["workers"]
    assert_spread(workers["two_workers_vs_alone"], 1)
    assert_spread(workers["worker_samples_per_s"]["alone"], 1)
    assert_spread(workers["worker_samples_per_s"]["together"], 1)
    assert workers["epochs"] >= 20
    assert not any(key.startswith(("cold_start", "page_switch", "build_edit", "control_ack")) for key in result)
    # what a long run keeps on disk, with the limits and without them, trained in the same call
    for key in ("disk_vs_unbounded", "disk_growth", "disk_growth_unbounded", "disk_time_vs_unbounded"):
        assert_spread(result[key], 1)
    rows = result["disk_rows"]
    assert rows["bounded"]["metrics"] < rows["unbounded"]["metrics"] and result["disk_run_bytes"] > 0
    assert rows["bounded"]["checkpoint_files"] < rows["unbounded"]["checkpoint_files"]
    # metrics written per second by 8 workers at once into PostgreSQL against SQLite (a server of its own)
    assert_spread(result["store_postgres_vs_sqlite"], 1)
    assert_spread(result["store_metrics_per_s"]["sqlite"], 1)
    assert_spread(result["store_metrics_per_s"]["postgres"], 1)
    assert result["store_writers"] == 8 and result["store_epochs"] >= 1
    # without --json the same figures are printed as text, one line a configuration
    from bench.__main__ import print_text
    print_text(result)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[:4]] == list(training["configs"])
    assert lines[4].startswith("train_vs_tensor_loop") and lines[5].startswith("train_vs_dataloader")
    health = len(result["health_cost"])
    assert health >= 1 and all(line.startswith("epoch time with the units' health logged ÷ without")
                               for line in lines[7:7 + health])
    assert lines[7 + health].startswith("two workers at once ÷ one alone")
    assert any(line.startswith("metrics/s by 8 writers at once, PostgreSQL ÷ SQLite") for line in lines)


def test_fair_share_wait_is_what_round_robin_on_k_slots_gives():
    from bench.classroom import fair_share_wait, percentile, quantiles
    # four runs of 10 s pressed together on two slots: the last two wait for the first two
    assert fair_share_wait([0.0, 0.0, 0.0, 0.0], [10.0, 10.0, 10.0, 10.0], 2) == 10.0
    # a run created late enough finds a free slot: no wait
    assert fair_share_wait([0.0, 0.0, 30.0], [10.0, 10.0, 5.0], 2) == 0.0
    # unequal lengths: the third run takes the slot freed first (at 2 s), the fourth that slot again (at 3 s,
    # before the other frees at 5.1 s)
    assert abs(fair_share_wait([0.0, 0.1, 0.2, 0.3], [2.0, 5.0, 1.0, 1.0], 2) - 2.7) < 1e-9
    assert percentile(range(1, 21), 0.95) == 19 and percentile([3.0], 0.5) == 3.0 and percentile([], 0.5) is None
    assert quantiles([1.0, 2.0, 3.0]) == {"p50": 2.0, "p95": 3.0, "max": 3.0, "n": 3}
