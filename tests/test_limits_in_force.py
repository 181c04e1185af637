"""Every check reads the limits in force when it checks: a limit replaced while the process runs (as
`limits.LIMITS` is replaced here) is the one each check applies, and the one its message names. No module
keeps a copy of the limits taken when it was imported."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import limits
from core.analysis.explain.bounds import check_count
from core.analysis.explain.errors import ExplainError
from core.analysis.explain.onnx_process import check_size as check_onnx_size
from core.analysis.fairness.audit import audit
from core.data import DataError, FairnessError, csv_columns_summary, load_builtin, load_csv, read_csv_bytes
from core.data.groups import check_edges
from core.model import check_size, plan
from core.races import parse_grid
from core.spec import NetworkSpec, SpecError, TrainSpec, loads_network
from core.training.budget import TimedControl, check_steps

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def set_limit(monkeypatch):
    """Replace the limits in force with one of them changed, for this test only."""
    def change(**values):
        monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, **values))
    return change


def table_bytes(rows: int, columns: int = 2, classes: int = 2) -> bytes:
    rng = np.random.default_rng(columns)
    frame = pd.DataFrame({f"x{j}": rng.integers(0, 9, rows).astype(float) for j in range(columns)})
    frame["y"] = np.arange(rows) % classes
    return frame.to_csv(index=False).encode()


def refusal(error_type, call) -> str:
    with pytest.raises(error_type) as e:
        call()
    return str(e.value)


def over_time() -> str:
    control = TimedControl()
    control.started -= 5                      # five seconds into the run
    assert control(None)[0] == "stop"
    return control.reason


# limit, the value set, the check run just past it, what its message says
CASES = [
    ("max_upload_bytes", 2**20, lambda: refusal(DataError, lambda: read_csv_bytes(b"a,b\n" + b"1,2\n" * 2**18)),
     "more than the 1 MB limit"),
    ("max_rows", 10, lambda: refusal(DataError, lambda: read_csv_bytes(table_bytes(11))), "more than 10 data rows"),
    ("max_rows", 100, lambda: refusal(DataError, lambda: load_builtin("biased_loans", n=150)), "from 20 to 100"),
    ("max_columns", 3, lambda: refusal(DataError, lambda: read_csv_bytes(table_bytes(30, columns=3))),
     "more than the limit of 3"),
    ("min_rows", 40, lambda: refusal(DataError, lambda: load_csv(table_bytes(30), target="y")),
     "at least 40 are needed"),
    ("max_classes", 3, lambda: refusal(DataError, lambda: load_csv(table_bytes(60, classes=4), target="y")),
     "more than the 3 classes"),
    ("max_inputs", 2, lambda: refusal(DataError, lambda: load_csv(table_bytes(60, columns=3), target="y")),
     "more than the limit of 2"),
    ("max_cells", 100, lambda: refusal(DataError, lambda: load_csv(table_bytes(60), target="y")),
     "more than the limit of 100"),
    ("max_categories", 3,
     lambda: csv_columns_summary(pd.DataFrame({"t": list("abcd") * 5})).loc[0, "kind"], "text"),
    ("max_parameters", 10, lambda: refusal(SpecError, lambda: check_size(plan(NetworkSpec.dense([4]), 2, 2))),
     "more than the limit of 10"),
    ("max_spec_bytes", 10, lambda: refusal(SpecError, lambda: loads_network('{"layers": []}   ')),
     "more than the limit of 10"),
    ("max_spec_depth", 1, lambda: refusal(SpecError, lambda: loads_network('{"layers": []}')),
     "more than the limit of 1"),
    ("max_steps", 50, lambda: refusal(SpecError, lambda: check_steps(TrainSpec(epochs=6, batch_size=1), 10)),
     "more than the limit of 50"),
    ("max_run_seconds", 2, over_time, "a run may take 2 s"),
    ("max_lime_samples", 10, lambda: refusal(ExplainError, lambda: check_count("max_lime_samples", 11)),
     "more than the limit of 10"),
    ("max_explain_rows", 10, lambda: refusal(ExplainError, lambda: check_count("max_explain_rows", 11)),
     "more than the limit of 10"),
    ("max_background", 10, lambda: refusal(ExplainError, lambda: check_count("max_background", 11)),
     "more than the limit of 10"),
    ("max_bootstrap", 10, lambda: refusal(FairnessError, lambda: audit(
        np.array([0, 1] * 20), np.full(40, 0.6), np.array(["a", "b"] * 20), n_boot=11)), "more than the limit of 10"),
    ("max_grid_runs", 3, lambda: refusal(SpecError, lambda: parse_grid(["optimizer=sgd,adam", "lr=0.01,0.1"])),
     "more than the limit of 3"),
    ("max_band_edges", 2, lambda: refusal(FairnessError, lambda: check_edges("age", [30, 40, 50])),
     "more than the limit of 2"),
    ("max_onnx_bytes", 10, lambda: refusal(ExplainError, lambda: check_onnx_size(b"x" * 11)),
     "more than the limit of 10"),
]
# onnx_seconds needs a model that takes longer than the limit: tests/analysis/test_onnx_bounds.py changes the
# limit in force the same way and sees a slow model stopped there.
# What a run keeps and how runs share the workers are checked with limits changed at run time where they
# act: tests/runs/test_thinning.py (points, frames, checkpoints), tests/runs/test_queue.py and test_pool.py.
# Which explanations the server computes itself: tests/dashboard/explain/test_explain_page.py (0: every one is
# asked for first and done by a worker; a billion: none is).
ELSEWHERE = {"onnx_seconds", "max_loss_points", "max_epoch_points", "max_frames", "max_epoch_checkpoints",
             "workers", "max_active_runs_per_person", "max_inline_explain_seconds"}


@pytest.mark.parametrize("name, value, check, said", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_limit_changed_while_the_process_runs_is_the_one_each_check_applies(set_limit, name, value, check, said):
    set_limit(**{name: value})
    assert said in check()


def test_every_limit_has_a_check_above():
    assert {c[0] for c in CASES} | ELSEWHERE == set(limits.Limits.names())


def test_the_data_page_states_the_upload_limits_in_force(set_limit, tmp_path, monkeypatch):
    from tests.helpers_runs import open_page
    set_limit(max_upload_bytes=3 * 2**20, max_rows=1234, max_columns=56)
    at = open_page(tmp_path, monkeypatch, "data")
    at.radio(key="data_source").set_value("Upload a CSV").run()
    assert not at.exception, at.exception
    assert any("Up to 3 MB, 1,234 rows and 56 columns" in c.value for c in at.caption)


def test_no_module_keeps_its_own_copy_of_the_limits():
    """Checks read `limits.current()`; the name LIMITS is core/limits.py's own."""
    found = []
    for folder in ("core", "dashboard", "pages", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "core" / "limits.py":
                continue
            found += [f"{path.relative_to(ROOT)}:{i}" for i, line in enumerate(path.read_text().splitlines(), 1)
                      if re.search(r"\bLIMITS\b", line)]
    assert found == []
