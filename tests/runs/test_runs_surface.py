"""The runs package as a whole: the names other modules import from it, free of UI, of unpickling and of
the training loop (the worker, which runs it, is a process of its own)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PUBLIC = ["ACTIVE", "EXPORTS", "SCHEMA", "JobError", "LoadedRun", "Run", "Store", "StoreError", "architecture",
          "best_validation", "executor", "export", "export_bytes", "file_stem", "keep_standby_worker", "load_run",
          "metrics_csv", "new_run_id", "overview", "parameter_count", "pid_alive", "predict_array",
          "predictions_frame", "recover", "spec_table", "validation_curves", "warm_up",
          # people and their view of the store (people.py, scope.py)
          "MAX_NAME", "PERSONAL", "ClassKeys", "JoinError", "NotYours", "Person", "ScopedStore", "TokenError",
          "class_keys", "class_members", "join", "owner_of", "person_for", "scoped", "token_for"]
EXECUTOR = ["submit", "pause", "step", "resume", "stop", "set_lr", "queue_position", "recover", "wait", "delete",
            "warm_up", "shutdown", "keep_standby_worker"]


def test_the_public_names_are_the_packages_surface():
    import core.runs

    assert sorted(core.runs.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(core.runs, name) is not None, name


def test_the_executor_offers_the_job_interface():
    from core.runs import executor

    assert all(callable(getattr(executor, name)) for name in EXECUTOR)


IMPORTED = """
import json, sys
import core.runs
print(json.dumps(sorted(m for m in sys.modules if m == "torch" or m == "core.runs.worker"
                        or m.startswith(("core.training", "streamlit")))))
"""


def test_importing_the_runs_package_brings_no_torch_worker_or_training_loop():
    out = subprocess.run([sys.executable, "-c", IMPORTED], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_core_runs_does_not_import_streamlit_or_unpickle():
    sources = sorted((ROOT / "core" / "runs").rglob("*.py"))
    assert {"store.py", "executor.py", "worker.py", "people.py", "scope.py", "pool.py", "queue.py",
            "thinning.py", "retention.py"} <= {p.name for p in sources}
    for path in sources:
        source = path.read_text()
        assert "streamlit" not in source, path
        for unpickling in ("import pickle", "pickle.load", "torch.load(", "weights_only"):
            assert unpickling not in source, (path, unpickling)
