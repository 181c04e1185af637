"""`python -m core`: the command line, run as a real subprocess against a workspace in tmp_path."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.data import load_builtin

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 300


def cli(*args, home: Path | None = None, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GLASSNET_HOME"}
    if home is not None:
        env["GLASSNET_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def last_json(proc: subprocess.CompletedProcess):
    lines = proc.stdout.strip().splitlines()
    assert lines, f"no stdout; stderr: {proc.stderr[-2000:]}"
    return json.loads(lines[-1])


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli_home")


@pytest.fixture(scope="module")
def trained(cli_home):
    """One spiral run trained by the CLI, shared by the tests that read it back."""
    proc = cli("train", "--dataset", "spiral", "--hidden", "16,16", "--activation", "tanh", "--epochs", "200", "--json",
               home=cli_home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, last_json(proc)


# ------------------------------------------------------------------ train
def test_train_spiral_json_200_epochs(trained, cli_home):
    proc, out = trained
    assert set(out) == {"run_id", "status", "epochs", "seconds", "samples_per_second", "device", "metrics"}
    assert out["status"] == "finished" and out["epochs"] == 200 and out["device"] == "cpu"
    assert out["seconds"] > 0 and out["samples_per_second"] > 0
    assert set(out["metrics"]) == {"train_loss", "val_loss", "test_loss", "test_accuracy"}
    assert all(isinstance(v, float) for v in out["metrics"].values())
    assert out["metrics"]["test_accuracy"] >= 0.95
    assert "Traceback" not in proc.stderr
    from core.store import Store
    with Store(cli_home) as store:
        run = store.get_run(out["run_id"])
        assert run.status == "finished" and run.epoch == 200
        assert run.summary["test_accuracy"] == pytest.approx(out["metrics"]["test_accuracy"])


def test_train_regression_reports_r2(tmp_path):
    proc = cli("train", "--dataset", "regression2d", "--hidden", "16", "--epochs", "20", "--json", "--home", tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc)
    assert out["status"] == "finished"
    assert set(out["metrics"]) == {"train_loss", "val_loss", "test_loss", "test_r2"}
    assert 0 < out["metrics"]["test_r2"] <= 1
    # --home was used, not a default folder
    assert (tmp_path / "glassnet.db").is_file() and (tmp_path / "runs" / out["run_id"]).is_dir()


def test_runs_json_lists_the_run(trained, cli_home):
    _, out = trained
    proc = cli("runs", "--json", home=cli_home)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout.strip().splitlines()[-1])
    mine = [r for r in rows if r["run_id"] == out["run_id"]]
    assert len(mine) == 1
    assert mine[0]["status"] == "finished" and mine[0]["dataset"] == "spiral" and mine[0]["epochs"] == 200
    assert mine[0]["test_accuracy"] == pytest.approx(out["metrics"]["test_accuracy"])


# ------------------------------------------------------------------ predict
@pytest.fixture(scope="module")
def split_predictions(trained, cli_home, tmp_path_factory):
    _, out = trained
    path = tmp_path_factory.mktemp("pred") / "f.csv"
    proc = cli("predict", "--run", out["run_id"], "--split", "test", "--out", path, home=cli_home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return pd.read_csv(path)


def test_predict_split_writes_columns_and_rows(split_predictions, trained):
    spiral = load_builtin("spiral")
    frame = split_predictions
    assert list(frame.columns) == ["x1", "x2", "label", "prediction", "proba_0", "proba_1"]
    assert spiral.class_names == ["0", "1"]
    assert len(frame) == len(spiral.idx_test) == 60
    # the original columns are the test rows, in order
    raw = spiral.raw.iloc[spiral.idx_test].reset_index(drop=True)
    np.testing.assert_allclose(frame[["x1", "x2"]].to_numpy(), raw[["x1", "x2"]].to_numpy().astype(float), rtol=1e-12)
    probs = frame[["proba_0", "proba_1"]].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert (frame.prediction == probs.argmax(axis=1)).all()
    accuracy = float((frame.prediction == frame.label).mean())
    assert accuracy == pytest.approx(trained[1]["metrics"]["test_accuracy"], abs=1e-6)


def test_predict_csv_of_the_same_columns(split_predictions, trained, cli_home, tmp_path):
    _, out = trained
    src = tmp_path / "new_rows.csv"
    split_predictions[["x1", "x2", "label"]].to_csv(src, index=False)
    dest = tmp_path / "pred.csv"
    proc = cli("predict", "--run", out["run_id"], "--csv", src, "--out", dest, home=cli_home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = pd.read_csv(dest)
    assert list(got.columns) == ["x1", "x2", "label", "prediction", "proba_0", "proba_1"]
    assert len(got) == len(split_predictions)
    assert (got.prediction == split_predictions.prediction).all()
    np.testing.assert_allclose(got[["proba_0", "proba_1"]], split_predictions[["proba_0", "proba_1"]], atol=1e-6)


# ------------------------------------------------------------------ export
@pytest.mark.parametrize("fmt", ["pytorch", "onnx", "safetensors", "spec"])
def test_export_writes_a_non_empty_file(fmt, trained, cli_home, tmp_path):
    _, out = trained
    dest = tmp_path / f"model.{fmt}"
    proc = cli("export", "--run", out["run_id"], "--format", fmt, "--out", dest, home=cli_home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert dest.is_file() and dest.stat().st_size > 0
    if fmt == "spec":
        data = json.loads(dest.read_text())
        assert set(data) == {"network", "train", "dataset"}
        assert [l["units"] for l in data["network"]["layers"]] == [16, 16]
        assert data["train"]["epochs"] == 200 and data["dataset"]["name"] == "spiral"
    elif fmt == "pytorch":
        compile(dest.read_text(), str(dest), "exec")
    elif fmt == "onnx":
        import onnxruntime as ort
        session = ort.InferenceSession(str(dest), providers=["CPUExecutionProvider"])
        p, labels = session.run(None, {"x1": np.zeros((3, 1), np.float32), "x2": np.zeros((3, 1), np.float32)})
        assert p.shape == (3, 2) and labels.shape == (3,)
    else:
        from safetensors.torch import load_file
        tensors = load_file(str(dest))
        assert "body.0.weight" in tensors and not any(k.startswith("optim.") for k in tensors)


# ------------------------------------------------------------------ bad input: exit 2, one line, no traceback
@pytest.fixture(scope="module")
def error_runs(tmp_path_factory, trained, cli_home):
    """Every bad-input case, run two at a time (each start-up imports torch)."""
    d = tmp_path_factory.mktemp("bad")
    good_csv = d / "good.csv"
    pd.DataFrame({"a": range(40), "b": [i % 2 for i in range(40)]}).to_csv(good_csv, index=False)
    dup_csv = d / "dup.csv"
    dup_csv.write_text("a,a,b\n" + "".join(f"{i},{i + 1},{i % 2}\n" for i in range(40)))
    run_id = trained[1]["run_id"]
    cases = {
        "unknown dataset": ["train", "--dataset", "no_such_set"],
        "csv without --target": ["train", "--csv", good_csv],
        "nonexistent csv": ["train", "--csv", d / "missing.csv", "--target", "b"],
        "bad --hidden": ["train", "--dataset", "spiral", "--hidden", "a,b"],
        "negative --lr": ["train", "--dataset", "spiral", "--lr", "-1"],
        "unknown run id": ["predict", "--run", "0123456789abcdef01234567", "--split", "test", "--out", d / "x.csv"],
        "malformed run id": ["export", "--run", "../../etc", "--format", "spec", "--out", d / "x.json"],
        "bad --format": ["export", "--run", run_id, "--format", "keras", "--out", d / "x.h5"],
        "duplicate csv header": ["train", "--csv", dup_csv, "--target", "b"],
        "no command": [],
        "predict into a missing folder": ["predict", "--run", run_id, "--split", "test", "--out", d / "nowhere" / "p.csv"],
        "export into a missing folder": ["export", "--run", run_id, "--format", "safetensors", "--out",
                                         d / "nowhere" / "m.safetensors"],
        "explain unknown run": ["explain", "--run", "0123456789abcdef01234567", "--method", "shap"],
        "explain unknown class": ["explain", "--run", run_id, "--method", "lime", "--class", "purple"],
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(cli, *args, home=cli_home) for name, args in cases.items()}
        return {name: f.result() for name, f in futures.items()}


ERROR_CASES = ["unknown dataset", "csv without --target", "nonexistent csv", "bad --hidden", "negative --lr",
               "unknown run id", "malformed run id", "bad --format", "duplicate csv header", "no command",
               "predict into a missing folder", "export into a missing folder", "explain unknown run",
               "explain unknown class"]
EXPECTED_WORDS = {
    "unknown dataset": "no_such_set",
    "csv without --target": "--target",
    "nonexistent csv": "missing.csv",
    "bad --hidden": "--hidden",
    "negative --lr": "lr",
    "unknown run id": "0123456789abcdef01234567",
    "malformed run id": "run id",
    "bad --format": "keras",
    "duplicate csv header": "duplicate",
    "no command": "command",
    "predict into a missing folder": "nowhere",
    "export into a missing folder": "nowhere",
    "explain unknown run": "0123456789abcdef01234567",
    "explain unknown class": "purple",
}


@pytest.mark.parametrize("case", ERROR_CASES)
def test_bad_input_exits_2_with_one_error_line(case, error_runs):
    proc = error_runs[case]
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert EXPECTED_WORDS[case] in lines[0], lines[0]
    assert proc.stdout.strip() == ""


def test_bad_input_creates_no_run(error_runs, trained, cli_home):
    from core.store import Store
    with Store(cli_home) as store:
        names = [r.name for r in store.list_runs()]
    # only the spiral run trained by the fixture; a failed start leaves nothing behind
    assert [r for r in names if "spiral" in r] and len(names) == 1, names


# ------------------------------------------------------------------ explain
@pytest.fixture(scope="module")
def explained(trained, cli_home):
    """`explain` runs on the spiral run (two columns: exact Shapley values), two at a time."""
    run_id = trained[1]["run_id"]
    base = ["explain", "--run", run_id]
    cases = {
        "shap json": [*base, "--method", "shap", "--json"],
        "shap class json": [*base, "--method", "shap", "--class", "1", "--rows", "10", "--shap-method", "sampling",
                            "--json"],
        "lime json": [*base, "--method", "lime", "--rows", "4", "--samples", "1000", "--json"],
        "shap table": [*base, "--method", "shap", "--rows", "8", "--checkpoint", "best"],
        "lime table": [*base, "--method", "lime", "--rows", "2", "--class", "0", "--samples", "500"],
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(cli, *args, home=cli_home) for name, args in cases.items()}
        return {name: f.result() for name, f in futures.items()}


def _engine(cli_home, run_id, checkpoint="last"):
    from core.analysis.explain import RunExplainer
    from core.store import Store
    store = Store(cli_home)
    return store, RunExplainer.open(store, run_id, checkpoint)


def test_explain_shap_json_matches_the_engine(explained, trained, cli_home):
    from core.analysis import explain
    proc = explained["shap json"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc)
    assert {"method", "algorithm", "rows", "seconds", "features", "importance", "additivity_max_error"} <= set(out)
    assert out["method"] == "shap" and out["shap_method"] == "exact" and out["rows"] == 60
    assert out["features"] == ["x1", "x2"] and set(out["importance"]) == {"x1", "x2"}
    assert out["additivity_max_error"] < 1e-4 and out["seconds"] >= 0 and out["background"] == 100
    assert out["run_id"] == trained[1]["run_id"] and out["epoch"] == 200
    assert out["unit"] == "log-odds" and out["outputs"] == ["log-odds of '0'", "log-odds of '1'"]
    store, ex = _engine(cli_home, out["run_id"])
    try:
        features, groups, _ = explain.column_groups(ex.dataset)
        att = explain.shap_values(ex.model, ex.dataset.X_test, explain.background_rows(ex.dataset, 100, 0),
                                  features, groups, "exact")
        assert out["importance"] == pytest.approx(att.importance(), rel=1e-6)
        assert list(out["importance"]) == list(att.importance())                # largest first
        # the CLI's result was stored in the run's cache like the app's
        assert ex.shap("exact", limit=1000, cached_only=True) is not None
    finally:
        store.close()


def test_explain_shap_for_one_class_with_sampling(explained, cli_home):
    from core.analysis import explain
    proc = explained["shap class json"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc)
    assert out["shap_method"] == "sampling" and out["rows"] == 10 and out["class"] == "1"
    assert out["unit"] == "log-odds of '1'"
    assert "estimated_error" in out and out["additivity_max_error"] < 1e-4
    store, ex = _engine(cli_home, out["run_id"])
    try:
        features, groups, _ = explain.column_groups(ex.dataset)
        att = explain.shap_values(ex.model, ex.dataset.X_test[:10], explain.background_rows(ex.dataset, 100, 0),
                                  features, groups, "sampling")
        assert out["importance"] == pytest.approx(att.importance(1), rel=1e-4)
        np.testing.assert_allclose(att.of(0), -att.of(1), atol=1e-6)      # log-odds of '0' = −log-odds of '1'
    finally:
        store.close()


def test_explain_lime_json_is_the_mean_absolute_weight_per_column(explained, cli_home):
    proc = explained["lime json"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc)
    assert {"method", "algorithm", "rows", "seconds", "features", "importance", "lime_r2"} <= set(out)
    assert out["method"] == "lime" and out["rows"] == 4 and out["samples"] == 1000
    assert out["features"] == ["x1", "x2"] and set(out["importance"]) == {"x1", "x2"}
    assert -1 < out["lime_r2"] <= 1 and "additivity_max_error" not in out
    assert out["unit"] == "log-odds of each row's predicted class"
    store, ex = _engine(cli_home, out["run_id"])
    try:
        ds = ex.dataset
        codes = ds.codes(ds.raw.iloc[ds.idx_test[:4]])
        predicted = ex.model.proba(ds.X_test[:4]).argmax(1)
        runs = [ex.lime(codes[i], int(predicted[i]), samples=1000, seed=i) for i in range(4)]
        want = np.abs(np.stack([r.weights for r in runs])).mean(0)
        assert out["importance"] == pytest.approx(dict(zip(ds.original_columns, want)), rel=1e-5)
        assert out["lime_r2"] == pytest.approx(np.mean([r.score for r in runs]), rel=1e-5)
    finally:
        store.close()


def test_explain_without_json_prints_a_table(explained):
    shap_table, lime_table = explained["shap table"], explained["lime table"]
    for proc in (shap_table, lime_table):
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr and not proc.stdout.lstrip().startswith("{")
    lines = shap_table.stdout.splitlines()
    assert lines[0].startswith("SHAP values of 8 test rows") and "exact" in shap_table.stdout
    rows = [l.split() for l in lines if l.split()[:1] in (["x1"], ["x2"])]
    assert len(rows) == 2 and all(float(r[1]) > 0 for r in rows)
    assert float(rows[0][1]) >= float(rows[1][1])                              # largest first
    assert lime_table.stdout.startswith("LIME weights of 2 test rows") and "explains: 0" in lime_table.stdout
    assert "unit: log-odds\n" in shap_table.stdout and "unit: log-odds of '0'\n" in lime_table.stdout


EXPLAIN_BAD_INPUT = {
    "bad method": (["--method", "anchors"], "anchors"),
    "bad shap method": (["--method", "shap", "--shap-method", "magic"], "magic"),
    "zero rows": (["--method", "shap", "--rows", "0"], "--rows"),
    "class of a run": (["--method", "shap", "--class", "2"], "'2'"),
    "shap method with lime": (["--method", "lime", "--shap-method", "exact"], "--shap-method"),
    "missing checkpoint": (["--method", "shap", "--checkpoint", "7"], "epoch 7"),
    "bad checkpoint": (["--method", "shap", "--checkpoint", "first"], "--checkpoint"),
    "no method": ([], "--method"),
}


@pytest.mark.parametrize("case", list(EXPLAIN_BAD_INPUT))
def test_explain_bad_input_exits_2_with_one_error_line(case, trained, cli_home, capsys):
    """The same checks as the subprocess cases above, in-process (no interpreter start per case)."""
    from core.__main__ import main
    args, word = EXPLAIN_BAD_INPUT[case]
    code = main(["explain", "--run", trained[1]["run_id"], *args, "--home", str(cli_home)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and word in lines[0], captured.err


def test_explain_shap_method_choices_are_the_engines_methods():
    import argparse
    from core.__main__ import build_parser
    from core.analysis.explain import METHODS
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices["explain"]._actions if a.dest == "shap_method")
    assert action.choices == ["auto", *METHODS]


# ------------------------------------------------------------------ fairness
@pytest.fixture(scope="module")
def fair_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fair_home")


@pytest.fixture(scope="module")
def fair_run(fair_home):
    """A german credit run trained in-process (its sensitive columns are sex and age)."""
    from core.__main__ import main
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["train", "--dataset", "german_credit", "--hidden", "8", "--epochs", "15", "--json",
                     "--home", str(fair_home)])
    assert code == 0
    return json.loads(buf.getvalue().strip().splitlines()[-1])["run_id"]


def test_fairness_json_matches_the_engine_and_fairlearn(fair_run, fair_home, capsys, tmp_path):
    import fairlearn.metrics as fm
    from core.__main__ import main
    from core.data import Grouping, group_labels
    from core.runs import load_run, predict_array
    from core.store import Store
    report = tmp_path / "audit.html"
    code = main(["fairness", "--run", fair_run, "--sensitive", "sex", "--threshold", "0.6", "--json",
                 "--report", str(report), "--home", str(fair_home)])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and out["sensitive"] == "sex" and set(out["groups"]) == {"female", "male"}
    for g in out["groups"].values():
        assert {"count", "selection_rate", "tpr", "fpr", "accuracy"} <= set(g)
    with Store(fair_home) as store:
        loaded = load_run(store, fair_run)
    ds = loaded.dataset
    X, y = ds.split("test")
    good = list(ds.class_names).index("good")
    pred = (predict_array(loaded.net, X)[:, good] >= 0.6).astype(int)
    groups, _ = group_labels(ds.raw.iloc[ds.idx_test], Grouping.of("sex"))
    truth = (y == good).astype(int)
    assert out["demographic_parity_difference"] == pytest.approx(
        fm.demographic_parity_difference(truth, pred, sensitive_features=groups))
    assert out["equalized_odds_difference"] == pytest.approx(
        fm.equalized_odds_difference(truth, pred, sensitive_features=groups))
    assert out["equal_opportunity_difference"] == pytest.approx(
        fm.equal_opportunity_difference(truth, pred, sensitive_features=groups))
    assert out["groups"]["female"]["count"] == int((groups == "female").sum())
    assert "female" in report.read_text() and report.read_text().lstrip().lower().startswith("<!doctype html")


FAIRNESS_BAD_INPUT = {
    "unknown column": (["--sensitive", "colour"], "colour"),
    "a threshold above 1": (["--sensitive", "sex", "--threshold", "1.5"], "--threshold"),
    "bad bins": (["--sensitive", "age", "--bins", "age=young,old"], "--bins"),
    "unknown favourable class": (["--sensitive", "sex", "--favourable", "excellent"], "excellent"),
}


@pytest.mark.parametrize("case", list(FAIRNESS_BAD_INPUT))
def test_fairness_bad_input_exits_2_with_one_error_line(case, fair_run, fair_home, capsys):
    from core.__main__ import main
    args, word = FAIRNESS_BAD_INPUT[case]
    code = main(["fairness", "--run", fair_run, *args, "--home", str(fair_home)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and word in lines[0], captured.err


def test_fairness_of_a_regression_run_is_refused(fair_home, capsys):
    from core.__main__ import main
    assert main(["train", "--dataset", "diabetes", "--hidden", "4", "--epochs", "2", "--json",
                 "--home", str(fair_home)]) == 0
    run_id = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_id"]
    assert main(["fairness", "--run", run_id, "--sensitive", "sex", "--home", str(fair_home)]) == 2
    assert "regression" in capsys.readouterr().err


# ------------------------------------------------------------------ the engine never imports streamlit
def test_no_file_in_core_imports_streamlit():
    files = sorted((ROOT / "core").rglob("*.py"))
    assert len(files) >= 10
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                  and isinstance(node.args[0].value, str)
                  and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")):
                names = [node.args[0].value]
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []


def test_train_says_when_a_run_diverged_why_and_what_to_change(tmp_path):
    """A learning rate of 10 never makes the loss NaN here, yet the run is worthless: the command says so."""
    proc = cli("train", "--dataset", "moons", "--optimizer", "adam", "--lr", "10", "--json", home=tmp_path)
    assert proc.returncode == 1, proc.stderr[-2000:]
    out = last_json(proc)
    assert out["status"] == "diverged" and out["epochs"] < 100
    assert "the loss jumped to" in out["message"] and "their starting size" in out["message"]
    assert "Lower the learning rate (now 10; try 0.01)" in out["message"]
    text = cli("train", "--dataset", "moons", "--optimizer", "adam", "--lr", "10", home=tmp_path)
    assert "diverged after" in text.stdout and "Lower the learning rate" in text.stdout
