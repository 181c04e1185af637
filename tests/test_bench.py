"""The training benchmark runs end to end and reports its ratios (the figures themselves are not
asserted). The browser figures (bench/ui.py) are measured by `make bench`; the browser tests cover
the pages they time."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_prints_one_json_object_with_the_ratios():
    out = subprocess.run([sys.executable, "-m", "bench", "--quick", "--no-ui", "--json"], cwd=ROOT, capture_output=True,
                         text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    configs = result["training"]["configs"]
    assert set(configs) == {"breast_cancer/batch32", "breast_cancer/batch256",
                            "synthetic50k/batch32", "synthetic50k/batch256"}
    for c in configs.values():
        for key in ("glassnet_samples_per_s", "tensor_loop_samples_per_s", "dataloader_samples_per_s"):
            assert c[key] > 0
    assert result["train_vs_tensor_loop"] == min(c["glassnet_vs_tensor_loop"] for c in configs.values())
    assert result["train_vs_dataloader"] == min(
        c["glassnet_vs_dataloader"] for k, c in configs.items() if k.endswith("batch256"))
    data = result["data"]
    assert data["csv_10k_rows_seconds"] > 0 and data["csv_10k_vs_pandas_read_csv"] > 0
    assert set(data["toy_set_ms"]) == {"spiral", "moons", "circles", "xor", "blobs", "regression2d"}
