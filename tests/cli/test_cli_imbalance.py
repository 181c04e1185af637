"""`python -m core train` with imbalanced data: the minority knob as a --param, kept in the run's record,
the `nines` table trained on, and a bad share refused in words."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from tests.cli.cli_process import cli, last_json


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    home = tmp_path_factory.mktemp("imbalance")
    cases = {
        "thinned": ["train", "--dataset", "moons", "--param", "minority=0.1", "--param", "n=300",
                    "--hidden", "8", "--epochs", "5", "--json"],
        "nines": ["train", "--dataset", "nines", "--hidden", "16", "--epochs", "5", "--json"],
        "zero": ["train", "--dataset", "moons", "--param", "minority=0"],
        "too big": ["train", "--dataset", "xor", "--param", "minority=1.5"],
        "text": ["train", "--dataset", "spiral", "--param", "minority=few"],
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(cli, *args, home=home) for name, args in cases.items()}
        return home, {name: f.result() for name, f in futures.items()}


def test_the_minority_share_is_a_dataset_param_kept_in_the_run(runs):
    home, procs = runs
    proc = procs["thinned"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc)
    assert out["status"] == "finished"
    from core.data import DatasetRef, load_dataset
    from core.runs import Store
    with Store(home) as store:
        ref = store.get_run(out["run_id"]).dataset
    assert ref["params"] == {"n": 300, "noise": 0.15, "minority": 0.1, "seed": 0}
    rebuilt = load_dataset(DatasetRef.from_dict(ref))
    assert np.bincount(rebuilt.raw["label"]).tolist() == [270, 30]


def test_a_run_trains_on_nines(runs):
    proc = runs[1]["nines"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc)
    assert out["status"] == "finished" and out["epochs"] == 5
    assert out["metrics"]["test_accuracy"] > 0.9


@pytest.mark.parametrize("case, value", [("zero", "0"), ("too big", "1.5"), ("text", "'few'")])
def test_a_bad_minority_share_is_refused_in_words(runs, case, value):
    proc = runs[1][case]
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "'minority'" in proc.stderr and "0.02 to 0.5" in proc.stderr and f"not {value}" in proc.stderr
