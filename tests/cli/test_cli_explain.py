"""`python -m core explain`: SHAP values and LIME weights per column, the same numbers as the engine's."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from tests.cli.cli_process import cli, last_json


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
    from core.explain import RunExplainer
    from core.runs import Store
    store = Store(cli_home)
    return store, RunExplainer.open(store, run_id, checkpoint)


def test_explain_shap_json_matches_the_engine(explained, trained, cli_home):
    from core import explain
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
        features, groups, _ = explain._groups(ex.dataset)
        att = explain.shap_values(ex.model, ex.dataset.X_test, explain.background_rows(ex.dataset, 100, 0),
                                  features, groups, "exact")
        assert out["importance"] == pytest.approx(att.importance(), rel=1e-6)
        assert list(out["importance"]) == list(att.importance())                # largest first
        # the CLI's result was stored in the run's cache like the app's
        assert ex.shap("exact", limit=1000, cached_only=True) is not None
    finally:
        store.close()


def test_explain_shap_for_one_class_with_sampling(explained, cli_home):
    from core import explain
    proc = explained["shap class json"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc)
    assert out["shap_method"] == "sampling" and out["rows"] == 10 and out["class"] == "1"
    assert out["unit"] == "log-odds of '1'"
    assert "estimated_error" in out and out["additivity_max_error"] < 1e-4
    store, ex = _engine(cli_home, out["run_id"])
    try:
        features, groups, _ = explain._groups(ex.dataset)
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
    """The same checks as the subprocess cases of test_cli_errors.py, in-process (no interpreter start per case)."""
    from core.cli import main
    args, word = EXPLAIN_BAD_INPUT[case]
    code = main(["explain", "--run", trained[1]["run_id"], *args, "--home", str(cli_home)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and word in lines[0], captured.err


def test_explain_shap_method_choices_are_the_engines_methods():
    import argparse
    from core.cli import build_parser
    from core.explain import METHODS
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices["explain"]._actions if a.dest == "shap_method")
    assert action.choices == ["auto", *METHODS]

