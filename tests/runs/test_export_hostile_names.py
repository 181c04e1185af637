"""Exports are data, never code: a run, a file, its columns and its classes named to break out of a Python
string still give a script that only predicts. The script is made through the paths a user takes (the Runs
page's download bytes and `python -m core export`), run in its own process on the raw rows, and compared with
the run's own predictions."""
from __future__ import annotations

import csv
import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from core.data import load_csv
from core.runs import Store, executor, export_bytes, load_run, predict_array
from core.spec import NetworkSpec, TrainSpec

from tests.cli.cli_process import cli

MARK = "INJECTED"


def _hostile(marker) -> list[str]:
    """Names that would run `open(marker, 'w')` if pasted into source as text instead of a literal."""
    call = f"open({str(marker)!r}, 'w')"
    return [
        f'x"""; {call}; """',
        f"x'''; {call}; '''",
        f'x\\"""\n{call}\n"""',
        f'a\\\nb"; {call}; #',
        f'__import__("builtins").{call}',
        "${TITLE} {0} %s \\N{BULLET} \x00",
    ]


def _table(marker, n=160, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    hostile = _hostile(marker)
    frame = pd.DataFrame({
        'num"""col': a.round(4),
        "other\\col'": b.round(4),
        "kind": rng.choice([hostile[0], hostile[1], "plain"], size=n),
        "label": np.where(a + 0.5 * b > 0, hostile[4], 'no"""'),
    })
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    marker = home / MARK
    with Store(home) as store:
        ds = load_csv(_table(marker), target="label", filename='evil"""; x.csv', home=store.home)
        run_id = executor.submit(store, dataset=ds.ref.to_dict(), network=NetworkSpec.dense([6], "tanh"),
                                 train=TrainSpec(epochs=4, batch_size=16, seed=0, device="cpu"), name="plain")
        run = executor.wait(store, run_id, timeout=240)
        assert run.status == "finished", run.error
    return home, run_id, marker


def _script_predictions(tmp_path, script: bytes, weights: bytes, rows_csv: str) -> list[list[str]]:
    (tmp_path / "model.py").write_bytes(script)
    (tmp_path / "weights.safetensors").write_bytes(weights)
    (tmp_path / "rows.csv").write_text(rows_csv)
    proc = subprocess.run([sys.executable, "model.py", "weights.safetensors", "rows.csv"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return list(csv.reader(io.StringIO(proc.stdout)))


def _expected(home, run_id):
    with Store(home) as store:
        loaded = load_run(store, run_id)
    ds = loaded.dataset
    X, _ = ds.split("test")
    rows = ds.raw.iloc[ds.indices("test")].drop(columns=[ds.target])
    return predict_array(loaded.net, X), rows.to_csv(index=False), list(ds.class_names)


@pytest.mark.parametrize("index", range(6))
def test_script_of_a_run_named_to_inject_code_predicts_and_runs_nothing_else(hostile_run, tmp_path, index):
    home, run_id, marker = hostile_run
    name = _hostile(marker)[index]
    with Store(home) as store:
        store.rename_run(run_id, name)
        assert store.get_run(run_id).name == name
        script = export_bytes(store, run_id, "pytorch")
        weights = export_bytes(store, run_id, "safetensors")
    expected, rows_csv, classes = _expected(home, run_id)
    out = _script_predictions(tmp_path, script, weights, rows_csv)
    assert out[0] == ["prediction"] + [f"proba_{c}" for c in classes]
    probs = np.array([[float(v) for v in line[1:]] for line in out[1:]])
    np.testing.assert_allclose(probs, expected, atol=1e-6)
    assert [line[0] for line in out[1:]] == [classes[i] for i in expected.argmax(axis=1)]
    assert not marker.exists(), "a name in the export ran as code"


def test_script_exported_by_the_command_line_carries_hostile_names_as_data(hostile_run, tmp_path):
    home, run_id, marker = hostile_run
    with Store(home) as store:
        store.rename_run(run_id, _hostile(marker)[0])
    out_path = tmp_path / "cli_model.py"
    proc = cli("export", "--run", run_id, "--format", "pytorch", "--out", out_path, home=home)
    assert proc.returncode == 0, proc.stderr
    proc = cli("export", "--run", run_id, "--format", "safetensors", "--out", tmp_path / "w.safetensors", home=home)
    assert proc.returncode == 0, proc.stderr
    expected, rows_csv, classes = _expected(home, run_id)
    out = _script_predictions(tmp_path, out_path.read_bytes(), (tmp_path / "w.safetensors").read_bytes(), rows_csv)
    probs = np.array([[float(v) for v in line[1:]] for line in out[1:]])
    np.testing.assert_allclose(probs, expected, atol=1e-6)
    # the names come back as the values they are, not as code
    namespace: dict = {}
    source = out_path.read_text()
    exec(compile(source.split("\nclass Network")[0], "head", "exec"), namespace)   # our own export's constants
    assert namespace["TITLE"].endswith(_hostile(marker)[0])
    assert sorted(namespace["CLASSES"]) == sorted(classes)
    assert not marker.exists()
