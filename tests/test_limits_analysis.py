"""The limits on explanations and audits: rows explained at once, SHAP background rows, LIME samples,
bootstrap resamples and band edges — refused by core before the work starts, with one `error:` line on the
command line, and kept out of reach by the Explain and Fairness pages' inputs."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core import limits
from core.analysis.explain import ExplainError, RunExplainer, background_rows
from core.analysis.fairness import FairnessError, Grouping, audit
from core.cli import main
from core.runs import Store
from tests.helpers_runs import explained_inline_up_to, open_page, shown, train_run

ABOVE = {"max_explain_rows": 2_001, "max_background": 1_001, "max_lime_samples": 20_001}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    home = tmp_path_factory.mktemp("limits-analysis")
    return home, {"iris": train_run(home, "iris", epochs=2),
                  "german": train_run(home, "german_credit", epochs=2, hidden=(8,), activation="relu")}


def one_error_line(capsys, argv) -> str:
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


@pytest.mark.parametrize("flags, variable, said", [
    (["--method", "shap", "--rows", "2001"], "GLASSNET_MAX_EXPLAIN_ROWS", "Asked for 2,001 rows to explain"),
    (["--method", "lime", "--rows", "2001"], "GLASSNET_MAX_EXPLAIN_ROWS", "Asked for 2,001 rows to explain"),
    (["--method", "shap", "--background", "1001"], "GLASSNET_MAX_BACKGROUND", "Asked for 1,001 background rows"),
    (["--method", "lime", "--rows", "1", "--samples", "20001"], "GLASSNET_MAX_LIME_SAMPLES",
     "Asked for 20,001 LIME samples"),
])
def test_the_explain_command_refuses_a_request_past_a_limit_in_one_line(runs, capsys, flags, variable, said):
    home, ids = runs
    line = one_error_line(capsys, ["explain", "--run", ids["iris"], *flags, "--home", str(home)])
    assert said in line and variable in line and "more than the limit of" in line


def test_core_refuses_each_explanation_past_its_limit_before_it_starts(runs, iris):
    home, ids = runs
    with Store(home) as store:
        ex = RunExplainer.open(store, ids["iris"])
        with pytest.raises(ExplainError, match="GLASSNET_MAX_EXPLAIN_ROWS"):
            ex.shap(limit=ABOVE["max_explain_rows"])
        with pytest.raises(ExplainError, match="GLASSNET_MAX_BACKGROUND"):
            ex.shap_rows(iris.X_test[:2], background=ABOVE["max_background"])
        with pytest.raises(ExplainError, match="GLASSNET_MAX_LIME_SAMPLES"):
            ex.lime(iris.codes(iris.raw.iloc[:1])[0], 0, samples=ABOVE["max_lime_samples"])
    with pytest.raises(ExplainError, match="GLASSNET_MAX_BACKGROUND"):
        background_rows(iris, ABOVE["max_background"])


def test_the_fairness_command_refuses_more_band_edges_than_the_limit(runs, capsys):
    home, ids = runs
    edges = ",".join(str(20 + i) for i in range(limits.LIMITS.max_band_edges + 1))
    line = one_error_line(capsys, ["fairness", "--run", ids["german"], "--sensitive", "age", "--bins",
                                   f"age={edges}", "--home", str(home)])
    assert "The band edges of 'age' are 21 numbers" in line and "GLASSNET_MAX_BAND_EDGES" in line


def test_core_refuses_too_many_band_edges_and_bootstrap_resamples():
    with pytest.raises(FairnessError, match="GLASSNET_MAX_BAND_EDGES"):
        Grouping.of("age", {"age": list(range(limits.LIMITS.max_band_edges + 1))})
    assert Grouping.of("age", {"age": list(range(limits.LIMITS.max_band_edges))}).edges("age")
    y = np.array([0, 1] * 20)
    groups = np.array(["a", "b"] * 20)
    with pytest.raises(FairnessError, match="GLASSNET_MAX_BOOTSTRAP") as e:
        audit(y, np.full(40, 0.6), groups, n_boot=limits.LIMITS.max_bootstrap + 1)
    assert f"Asked for {limits.LIMITS.max_bootstrap + 1:,} bootstrap resamples" in str(e.value)


def test_the_fairness_page_says_the_band_edge_limit_under_the_box(runs, monkeypatch):
    home, ids = runs
    at = open_page(home, monkeypatch, "fairness", ids["german"], {"fa_sensitive": ["age"]})
    edges = ", ".join(str(20 + i) for i in range(limits.LIMITS.max_band_edges + 1))
    at.text_input(key="fa_edges::german_credit::age").set_value(edges).run()
    assert not at.exception
    assert "GLASSNET_MAX_BAND_EDGES" in shown(at.error[0].value) and "21 numbers" in shown(at.error[0].value)


def test_the_explain_page_offers_no_more_rows_or_background_than_the_limits(runs, monkeypatch):
    home, ids = runs
    explained_inline_up_to(monkeypatch, 10**9)
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, max_explain_rows=5, max_background=7))
    at = open_page(home, monkeypatch, "explain", ids["german"])
    assert at.slider(key="xp_rows").max == 5
    assert at.slider(key="xp_background").max == 7
