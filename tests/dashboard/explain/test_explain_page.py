"""The Explain page through Streamlit's AppTest, on runs trained into a temporary workspace,
plus its plain helpers (dashboard/explain/) called directly."""
import base64
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers_runs import explained_inline_up_to, open_page, train_run
from tests.helpers_runs import shown


@pytest.fixture(autouse=True)
def never_ask_first(monkeypatch):
    """Every request starts at once (the time estimate depends on how busy the machine is); the test of
    the question before a slow request sets its own threshold."""
    explained_inline_up_to(monkeypatch, 10**9)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    home = tmp_path_factory.mktemp("explain-page")
    ids = {"iris": train_run(home, "iris", epochs=30, name="iris *run*"),     # checkpoints at 10, 20, 30
           "german_credit": train_run(home, "german_credit", epochs=3, hidden=(8,), activation="relu"),
           "diabetes": train_run(home, "diabetes", epochs=3),
           "digits": train_run(home, "digits", epochs=3, hidden=(16,), activation="relu"),
           "spiral": train_run(home, "spiral", epochs=3, loss="bce")}        # one output: the logit of class 1
    return home, ids


def open_explain(home, monkeypatch, run_id=None, tab=None, state=None) -> AppTest:
    return open_page(home, monkeypatch, "explain", run_id, {**({"xp_tab": tab} if tab else {}), **(state or {})})


def values(v) -> list:
    """A plotly array from a chart's JSON spec (plotly encodes numpy arrays as base64 'bdata')."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        if "shape" in v:
            a = a.reshape([int(n) for n in str(v["shape"]).split(",")])
        return a.tolist()
    return list(v or [])


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def traces(at, kind: str) -> list[dict]:
    return [t for s in charts(at) for t in s["data"] if t["type"] == kind]


def texts(at) -> str:
    return " ".join(shown(e.value) for kind in ("caption", "info", "warning", "error", "success", "markdown")
                    for e in getattr(at, kind))


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# ------------------------------------------------------------------------------- the page

def test_no_runs_gives_guidance_and_still_offers_your_own_model(tmp_path, monkeypatch):
    at = open_explain(tmp_path, monkeypatch)
    assert "Nothing to explain yet" in at.info[0].value
    assert "Train" in at.info[0].value
    assert not at.get("plotly_chart")
    assert {u.label for u in at.get("file_uploader")} == {"ONNX model", "Rows (CSV)"}


def test_whole_model_has_one_bar_per_column_a_beeswarm_and_a_dependence_plot(trained, monkeypatch):
    home, ids = trained
    at = open_explain(home, monkeypatch, ids["iris"])
    from core.data import load_builtin
    columns = load_builtin("iris").original_columns
    bars = traces(at, "bar")[0]
    assert sorted(bars["y"]) == sorted(columns)                 # one bar per original column
    assert all(v >= 0 for v in values(bars["x"]))
    swarm, dependence = traces(at, "scattergl")
    assert len(values(swarm["x"])) == 22 * len(columns)         # every test row a dot, for every column
    assert "Exact Shapley values" in texts(at)                  # which method, and the background used
    assert "background: 100 training rows" in texts(at)
    assert at.selectbox(key="xp_class").options == ["setosa", "versicolor", "virginica"]
    # colour the dependence plot by another column
    at.selectbox(key="xp_colour").set_value("(none)").run()
    assert not at.exception
    assert "colorbar" not in traces(at, "scattergl")[1]["marker"]


def test_results_are_cached_in_the_run_folder_for_the_next_view(trained, monkeypatch):
    home, ids = trained
    open_explain(home, monkeypatch, ids["iris"])
    files = list((Path(home) / "runs" / ids["iris"] / "explanations").glob("shap-*.safetensors"))
    assert files
    from core.analysis import explain
    from core.runs import Store
    ex = explain.RunExplainer.open(Store(home), ids["iris"])
    assert ex.shap("exact", limit=200, background=100, cached_only=True) is not None


def test_switching_method_recomputes_and_says_which_method(trained, monkeypatch):
    home, ids = trained
    at = open_explain(home, monkeypatch, ids["iris"])
    at.selectbox(key="xp_method").set_value("sampling").run()
    assert not at.exception
    assert "Shapley sampling (Glassnet)" in texts(at)
    assert "estimated error" in texts(at)
    at.selectbox(key="xp_method").set_value("gradient").run()   # not additive: shown as its own step
    assert not at.exception
    assert "shap GradientExplainer" in texts(at)
    at.session_state["xp_tab"] = "One row"
    at.run()
    assert not at.exception
    labels = traces(at, "waterfall")[0]["y"]
    assert labels[0] == "average output (base)" and labels[-1] == "this row's output"


@pytest.fixture
def pool_ended(trained):
    """The pool workers a test's jobs started in the page's workspace, ended afterwards."""
    yield
    from core.runs import Store, executor
    with Store(trained[0]) as store:
        executor.shutdown(store)


def job_done(home, kind: str):
    """Wait for the workspace's newest job of `kind` to end; returns it."""
    from core.runs import Store, executor
    from tests.conftest import wait_for
    with Store(home) as store:
        job_id = store.db.execute("SELECT id FROM jobs WHERE kind=? ORDER BY created DESC", (kind,)).fetchone()[0]
        return wait_for(lambda: (j := executor.job_status(store, job_id)).status in ("done", "failed") and j,
                        timeout=120, what=f"the {kind} job")


def test_a_slow_request_is_computed_as_a_job_of_the_pool_not_in_the_page(trained, monkeypatch, pool_ended):
    home, ids = trained
    import core.analysis.explain.run as run_module
    explained_inline_up_to(monkeypatch, 0)
    sizes = []                    # the rows of every SHAP computation this process makes (the estimate's: 1 and 3)
    monkeypatch.setattr(run_module, "shap_values", lambda model, X, *a, **k: (sizes.append(len(X)),
                                                                               shap_values(model, X, *a, **k))[1])
    shap_values = xp_shap_values()
    at = open_explain(home, monkeypatch, ids["iris"], state={"xp_background": 37, "xp_rows": 20})   # not cached yet
    assert "will take about" in at.warning[0].value
    assert not at.get("plotly_chart")
    at.button(key="xp_compute").click().run()
    assert not at.exception
    assert not traces(at, "bar")
    # its place in line (or 'starting': a worker has taken it), or its progress
    assert "waits for a worker of the server" in texts(at) or at.get("progress")
    assert at.button(key="xp_compute_cancel")
    job = job_done(home, "shap")
    assert job.status == "done", job.message
    assert job.pid != os.getpid() and job.request["rows"] == 20 and job.request["background"] == 37
    at.run()
    assert not at.exception
    assert traces(at, "bar")
    assert 20 not in sizes, sizes                                  # the page never computed the 20 rows itself
    again = open_explain(home, monkeypatch, ids["iris"], state={"xp_background": 37, "xp_rows": 20})
    assert traces(again, "bar") and "will take about" not in texts(again)     # reopened: the job's result


def test_a_failed_job_says_why_and_a_waiting_one_is_found_again_not_started_twice(trained, monkeypatch,
                                                                                  pool_ended):
    from core.runs import Store
    from core.runs.job_table import insert, update_if
    home, ids = trained
    explained_inline_up_to(monkeypatch, 0)
    state = {"xp_background": 41}
    at = open_explain(home, monkeypatch, ids["iris"], state=state)
    request = {"run": ids["iris"], "checkpoint": "last", "epoch": 30, "method": "exact", "split": "test",
               "rows": at.slider(key="xp_rows").value, "background": 41}
    with Store(home) as store:
        failed = insert(store, None, "shap", request)
        update_if(store, failed, {}, status="failed", message="The worker computing this stopped before it finished.")
        at = open_explain(home, monkeypatch, ids["iris"], state=state)
        assert "could not be computed: The worker computing this stopped" in at.error[0].value
        assert not at.exception and not at.get("plotly_chart") and at.button(key="xp_compute_again")
        waiting = insert(store, None, "shap", request)           # as a Compute in another tab would have queued it
        jobs = store.db.execute("SELECT count(*) FROM jobs").fetchone()[0]
        at = open_explain(home, monkeypatch, ids["iris"], state=state)
        assert "1st in line" in texts(at) and "will take about" not in texts(at)
        assert store.db.execute("SELECT count(*) FROM jobs").fetchone()[0] == jobs   # found, not started again
        at.button(key="xp_compute_cancel").click().run()
        assert not at.exception
        assert store.db.execute("SELECT status FROM jobs WHERE id=?", (waiting,)).fetchone()[0] == "cancelled"
        assert "will take about" in texts(at)                     # asked again


def xp_shap_values():
    from core.analysis.explain import methods
    return methods.shap_values


def test_one_row_shows_a_waterfall_lime_and_their_agreement(trained, monkeypatch):
    home, ids = trained
    at = open_explain(home, monkeypatch, ids["iris"], tab="One row")
    fall = traces(at, "waterfall")[0]
    assert len(fall["y"]) == 4 + 2                                # base, 4 columns, the row's output
    assert any("petal" in label and "=" in label for label in fall["y"])
    lime = traces(at, "bar")[0]
    assert len(lime["y"]) == 4
    m = metrics(at)
    assert {"Prediction", "True answer", "Rank correlation", "Top-4 overlap", "Same direction"} <= set(m)
    assert "R² =" in texts(at)                                    # LIME's local fidelity
    assert at.success or at.warning                               # the verdict in words
    # the lists: the least confident row first
    at.radio(key="xp_list").set_value("unsure").run()
    assert not at.exception
    first = at.selectbox(key="xp_row").options[0]
    assert first.startswith("row ")
    # stability: five seeds give error bars
    at.button(key="xp_stability").click().run()
    assert not at.exception
    lime = traces(at, "bar")[0]
    assert lime["error_x"]["array"] is not None
    assert "5 random seeds" in texts(at)


def test_what_if_edit_changes_the_prediction_and_the_explanation(trained, monkeypatch):
    home, ids = trained
    at = open_explain(home, monkeypatch, ids["iris"], tab="One row")
    before = metrics(at)["Prediction"]
    fall_before = traces(at, "waterfall")[0]["y"]
    petal = next(n for n in at.number_input if shown(n.label) == "petal length (cm)")
    width = next(n for n in at.number_input if shown(n.label) == "petal width (cm)")
    big = petal.value < 3                                          # move the flower to the other end
    petal.set_value(6.5 if big else 1.2)
    width.set_value(2.4 if big else 0.2)
    at.run()
    assert not at.exception
    assert metrics(at)["Prediction"] != before
    assert "Edited:" in at.info[-1].value and "petal length" in at.info[-1].value
    assert traces(at, "waterfall")[0]["y"] != fall_before
    assert any("6.5" in label or "1.2" in label for label in traces(at, "waterfall")[0]["y"])
    at.button(key="xp_wi_reset").click().run()
    assert metrics(at)["Prediction"] == before


def test_one_hot_text_columns_are_grouped_and_said_so(trained, monkeypatch):
    home, ids = trained
    at = open_explain(home, monkeypatch, ids["german_credit"], tab="One row")
    message = " ".join(i.value for i in at.info)
    assert "one-hot" in message and "housing** (3 inputs)" in message
    from core.data import load_builtin
    columns = load_builtin("german_credit").original_columns
    assert len(traces(at, "waterfall")[0]["y"]) == min(len(columns), 10) + 2
    housing = next(s for s in at.selectbox if s.label == "housing")       # categories as a selectbox
    assert set(housing.options) == {"free", "own", "rent"}
    other = next(o for o in ("free", "own", "rent") if o != housing.value)
    housing.set_value(housing.options.index(other)).run()
    assert not at.exception
    assert "Edited:" in at.info[-1].value and f"→ {other}" in at.info[-1].value
    assert f"housing = {other}" in traces(at, "waterfall")[0]["y"]


def test_regression_rows_are_listed_by_largest_error(trained, monkeypatch):
    home, ids = trained
    at = open_explain(home, monkeypatch, ids["diabetes"], tab="One row")
    assert "xp_class" not in [s.key for s in at.selectbox]          # no class to choose
    assert at.radio(key="xp_list").options == ["All rows, in table order", "Largest errors"]
    at.radio(key="xp_list").set_value("errors").run()
    assert not at.exception
    rows = at.selectbox(key="xp_row")
    errors = [abs(float(o.split("true ")[1].split(",")[0]) - float(o.split("predicted ")[1])) for o in rows.options]
    assert errors == sorted(errors, reverse=True)                  # the largest miss first
    assert "True value" in metrics(at)
    assert charts(at)[0]["layout"]["xaxis"]["title"]["text"] == "predicted progression"


def test_single_output_binary_net_explains_both_classes(trained, monkeypatch):
    home, ids = trained
    at = open_explain(home, monkeypatch, ids["spiral"])
    one = values(traces(at, "bar")[0]["x"])
    assert charts(at)[0]["layout"]["xaxis"]["title"]["text"] == "mean |SHAP value| · log-odds of '1'"
    at.selectbox(key="xp_class").set_value(0).run()
    assert not at.exception
    assert values(traces(at, "bar")[0]["x"]) == pytest.approx(one)    # log-odds of '0' = −log-odds of '1'
    assert charts(at)[0]["layout"]["xaxis"]["title"]["text"] == "mean |SHAP value| · log-odds of '0'"
    assert "explaining the network's log-odds of '0'" in texts(at)


def test_the_explain_page_the_report_the_fairness_page_and_the_cli_agree_on_the_same_rows(trained, monkeypatch,
                                                                                          capsys):
    """One unit everywhere: the log-odds of 'good' on the same 150 test rows of one German credit run. Each
    surface computes its SHAP values afresh (the run's cache is emptied in between), and each names the unit."""
    import re
    import shutil

    from core.cli import main
    from core.analysis.report import audit_report
    from core.runs import Store
    home, ids = trained
    run_id = ids["german_credit"]
    folder = home / "runs" / run_id / "explanations"
    shutil.rmtree(folder, ignore_errors=True)
    at = open_explain(home, monkeypatch, run_id)          # 'good' (class 1), 200 rows → all 150 test rows, exact
    bar = traces(at, "bar")[0]
    page = dict(zip(values(bar["y"]), values(bar["x"])))
    assert charts(at)[0]["layout"]["xaxis"]["title"]["text"] == "mean |SHAP value| · log-odds of 'good'"

    shutil.rmtree(folder)
    assert main(["explain", "--run", run_id, "--method", "shap", "--class", "good", "--rows", "200", "--json",
                 "--home", str(home)]) == 0
    cli = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert cli["unit"] == "log-odds of 'good'" and cli["rows"] == 150
    assert cli["importance"] == pytest.approx(page, rel=1e-6)

    shutil.rmtree(folder)
    with Store(home) as store:
        html = audit_report(store, run_id, "sex", favourable="good")
    assert "Mean |SHAP| on the log-odds of &#x27;good&#x27;" in html
    bars = re.findall(r"<title>([^<]*)</title></text><rect[^>]*/><text[^>]*>([^<]*)</text>", html)
    assert len(bars) == 8
    for column, number in bars:
        assert float(number) == pytest.approx(page[column], abs=6e-4)
    table = re.search(r'<table class="gaps">.*?</table>', html, flags=re.S).group(0)
    report_gaps = {m[0]: [float(m[1]), float(m[2])] for m in re.findall(
        r"<tr><td>([^<]*)</td><td[^>]*>(-?[0-9.]+)</td><td[^>]*>(-?[0-9.]+)</td><td[^>]*>[0-9.]+</td></tr>", table)}
    assert "on the log-odds of &#x27;good&#x27;" in html[:html.index('<table class="gaps">')][-400:]

    shutil.rmtree(folder)
    fair = open_page(home, monkeypatch, "fairness", run_id, {"fa_sensitive": ["sex"]})
    fair.button(key="fa_shap").click().run()
    assert not fair.exception
    gap = next(json.loads(c.proto.spec) for c in fair.get("plotly_chart") if "pushed differently" in c.proto.spec)
    assert gap["layout"]["xaxis"]["title"]["text"] == "mean SHAP value in the group · log-odds of 'good'"
    by_group = {t["name"]: dict(zip(values(t["y"]), values(t["x"]))) for t in gap["data"]}
    assert set(by_group) == {"female", "male"} and len(report_gaps) == 5
    for column, (female, male) in report_gaps.items():
        assert by_group["female"][column] == pytest.approx(female, abs=6e-4)
        assert by_group["male"][column] == pytest.approx(male, abs=6e-4)


def test_digits_show_pixel_heat_maps(trained, monkeypatch):
    home, ids = trained
    at = open_explain(home, monkeypatch, ids["digits"], state={"xp_rows": 30})
    maps = traces(at, "heatmap")
    assert len(maps) == 4 and all(np.array(values(m["z"])).shape == (8, 8) for m in maps)
    assert not traces(at, "waterfall") and not traces(at, "bar")
    assert "Method: **Shapley sampling for images (Glassnet)**" in texts(at)       # the default for images
    assert "Shapley sampling for images (Glassnet)" in at.selectbox(key="xp_method").options
    at.session_state["xp_tab"] = "One row"
    at.run()
    assert not at.exception
    titles = [a["text"] for a in charts(at)[0]["layout"]["annotations"]]
    assert titles[0] == "the image"
    assert sum(t.startswith("SHAP · log-odds of") for t in titles) == 2
    assert sum(t.startswith("LIME · log-odds of") for t in titles) == 2
    other = at.selectbox(key="xp_other")
    least_likely = other.options[-1]                              # e.g. "'4' (0%)"; the value is the class id
    other.set_value(int(least_likely.split("'")[1])).run()
    assert not at.exception
    titles = [a["text"] for a in charts(at)[0]["layout"]["annotations"]]
    assert f"SHAP · log-odds of {least_likely.split()[0]}" in titles


def test_drift_ranks_the_columns_at_every_checkpoint(trained, monkeypatch, pool_ended):
    home, ids = trained
    at = open_explain(home, monkeypatch, ids["iris"], tab="Drift over training")
    assert not at.get("plotly_chart")
    at.button(key="xp_drift").click().run()
    assert not at.exception
    assert not at.get("plotly_chart") and at.button(key="xp_drift_cancel")     # a job of the pool
    job = job_done(home, "drift")
    assert job.status == "done", job.message
    at.run()
    assert not at.exception
    lines = traces(at, "scatter")
    assert len(lines) == 4 and values(lines[0]["x"]) == [10, 20, 30]
    sentence = next(m.value for m in at.markdown if "relied" in m.value or "relying" in m.value
                    or "most important" in m.value)
    assert "epoch" in sentence


def test_drift_needs_two_checkpoints(trained, monkeypatch):
    home, ids = trained
    at = open_explain(home, monkeypatch, ids["diabetes"], tab="Drift over training")
    assert "only one checkpoint" in at.info[0].value


def test_a_run_without_checkpoints_gives_a_clear_message(tmp_path, monkeypatch):
    from core.runs import Store
    Store(tmp_path).create_run(name="empty", dataset={"kind": "builtin", "name": "spiral", "params": {}},
                               network={"layers": []}, train={}, status="stopped")
    at = open_explain(tmp_path, monkeypatch)
    assert "cannot be explained" in at.error[0].value


# ------------------------------------------------------------------------------- bring your own model

@pytest.fixture(scope="module")
def onnx_and_csv(trained, tmp_path_factory):
    """An ONNX export of the iris run and a CSV of its test rows as they were uploaded (the export scales them)."""
    from core.data import load_builtin
    from core.runs import export
    from core.runs import Store
    home, ids = trained
    out = tmp_path_factory.mktemp("byo") / "iris.onnx"
    with Store(home) as store:
        export(store, ids["iris"], "onnx", out)
    ds = load_builtin("iris")
    frame = ds.raw.iloc[ds.idx_test]
    assert list(frame.columns) == ds.original_columns + ["species"]
    return out.read_bytes(), frame.to_csv(index=False).encode(), ds.original_columns


def upload(at, model: bytes, csv: bytes) -> AppTest:
    at.file_uploader(key="xp_byo_model").upload("model.onnx", model, "application/octet-stream")
    at.file_uploader(key="xp_byo_csv").upload("rows.csv", csv, "text/csv")
    return at.run()


def test_your_own_onnx_model_gets_a_bar_chart_and_a_waterfall(trained, onnx_and_csv, monkeypatch):
    home, ids = trained
    model, csv, features = onnx_and_csv
    at = open_explain(home, monkeypatch, ids["iris"], tab="Bring your own model")
    upload(at, model, csv)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="xp_byo_target").value == "species"
    assert sorted(traces(at, "bar")[0]["y"]) == sorted(features)   # the target is not an input
    assert traces(at, "waterfall")
    assert at.selectbox(key="xp_byo_output").options == ["output 'setosa'", "output 'versicolor'",
                                                         "output 'virginica'"]
    at.number_input(key="xp_byo_row").set_value(3).run()
    assert not at.exception


def test_a_slow_explanation_of_your_own_model_is_a_job_reading_the_files_kept_in_your_space(
        trained, onnx_and_csv, monkeypatch, pool_ended):
    import hashlib
    home, ids = trained
    model, csv, features = onnx_and_csv
    explained_inline_up_to(monkeypatch, 0)
    at = open_explain(home, monkeypatch, ids["iris"], tab="Bring your own model")
    upload(at, model, csv)
    assert "will take about" in at.warning[0].value and not traces(at, "bar")
    at.button(key="xp_byo_compute").click().run()
    assert not at.exception and not traces(at, "bar")
    assert at.button(key="xp_byo_compute_cancel")
    kept = home / "jobs" / "inputs" / f"{hashlib.sha256(model).hexdigest()}.onnx"
    assert kept.read_bytes() == model
    job = job_done(home, "onnx")
    assert job.status == "done", job.message
    assert job.pid != os.getpid() and job.request["target"] == "species"
    at.run()
    assert not at.exception
    assert sorted(traces(at, "bar")[0]["y"]) == sorted(features)
    assert traces(at, "waterfall")


def test_your_own_model_refuses_a_broken_file_and_a_table_without_its_columns(trained, onnx_and_csv, monkeypatch):
    home, ids = trained
    model, csv, features = onnx_and_csv
    at = open_explain(home, monkeypatch, ids["iris"], tab="Bring your own model")
    upload(at, b"this is not a model", csv)
    assert not at.exception
    assert "not a model onnxruntime can load" in at.error[0].value
    text = pd.read_csv(__import__("io").BytesIO(csv))
    text["colour"] = ["red", "blue"] * (len(text) // 2) + ["red"] * (len(text) % 2)
    upload(at, model, text.to_csv(index=False).encode())      # a column the model does not take is left out
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert sorted(traces(at, "bar")[0]["y"]) == sorted(features)
    assert any("left out: colour" in c.value for c in at.caption)
    wrong = text.drop(columns=["colour", text.columns[0]])
    upload(at, model, wrong.to_csv(index=False).encode())
    assert not at.exception
    assert f"takes the column '{features[0]}', which the table lacks" in shown(at.error[0].value)


# ------------------------------------------------------------------------------- plain helpers

def test_every_class_is_its_own_log_odds_output_whatever_the_head():
    from dashboard.explain import view_for, view_values

    class DS:
        task, target, class_names = "classification", "y", ["no", "yes"]

    class Att:
        base = np.array([-0.5, 0.5])
        fx = np.array([[-2.0, 2.0]])

        def of(self, k):
            return np.array([[1.0, 0.5]]) * (1 if k == 1 else -1)
    outputs = ["log-odds of 'no'", "log-odds of 'yes'"]
    v1, v0 = view_for(DS, outputs, 1), view_for(DS, outputs, 0)
    assert (v1.index, v0.index) == (1, 0) and v0.label == "log-odds of 'no'"
    values0, base0, fx0 = view_values(Att(), v0)
    assert values0.tolist() == [[-1.0, -0.5]] and base0 == -0.5 and fx0.tolist() == [-2.0]


def test_row_lists_order_mistakes_by_confidence_and_errors_by_size():
    from dashboard.explain import row_order
    y = np.array([0, 1, 1, 0])
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.45, 0.55], [0.3, 0.7]])
    assert row_order("mistakes", y, proba).tolist() == [1, 3]      # wrong, surest first
    assert row_order("unsure", y, proba).tolist()[0] == 2
    assert row_order("errors", np.array([1.0, 5.0, 2.0]), predicted=np.array([1.5, 1.0, 2.0])).tolist() == [1, 0, 2]


def test_agreement_verdict_says_plainly_when_methods_disagree():
    from dashboard.explain import agreement_verdict
    ok, text = agreement_verdict({"spearman": 0.9, "top_k": 5, "top_k_overlap": 1.0, "sign_agreement": 1.0,
                                  "union": 5, "same_sign": 5}, 0.8)
    assert ok and "agree" in text
    ok, text = agreement_verdict({"spearman": 0.1, "top_k": 5, "top_k_overlap": 0.4, "sign_agreement": 0.5,
                                  "union": 8, "same_sign": 4}, 0.1)
    assert not ok and "disagree" in text and "only 2 of their top 5" in text and "poor" in text
    assert "4 of the 8 columns in either top 5 in opposite directions" in text


def test_the_agreement_sentence_counts_the_direction_over_the_columns_it_names():
    """Top 5 of SHAP and of LIME share 4 columns; 6 are in either list and 5 of those 6 point the same way
    (3 of the 4 shared). The sentence names the 6 it counts, not the 4."""
    from core.analysis.explain import agreement
    from dashboard.explain import agreement_verdict
    shap_row = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.1, 0.0])
    lime_row = np.array([5.0, 4.0, 3.0, -2.0, 0.1, 1.0, 0.0])
    agree = agreement(shap_row, lime_row, k=5)
    assert agree["top_k_overlap"] == 0.8 and agree["union"] == 6 and agree["same_sign"] == 5
    ok, text = agreement_verdict(agree, 0.9)
    assert ok and "4 of the top 5 columns are the same" in text
    assert "5 of the 6 columns in either top 5 the same way (83%)" in text
    assert "of them" not in text
    lime_row[[1, 2]] *= -1                                # now 3 of the 6 point the other way
    ok, text = agreement_verdict(agreement(shap_row, lime_row, k=5), 0.9)
    assert not ok and "3 of the 6 columns in either top 5 in opposite directions (50%)" in text


def test_drift_sentence_names_the_epoch_a_column_took_over():
    from dashboard.explain import drift_sentence
    imp = lambda *order: {c: 1.0 / (i + 1) for i, c in enumerate(order)}    # noqa: E731
    drift = [{"epoch": 10, "importance": imp("a", "b", "c", "d", "e", "f")},
             {"epoch": 20, "importance": imp("a", "b", "c", "d", "e", "f")},
             {"epoch": 30, "importance": imp("b", "f", "a", "c", "d", "e")},
             {"epoch": 40, "importance": imp("f", "a", "b", "c", "d", "e")}]
    text = drift_sentence(drift)
    assert "started relying on **f** at epoch 30" in text and "rank 6" in text
    from dashboard.explain import drift_movers
    assert "**f** rose the most, from rank 6 to 1" in drift_movers(drift)
    steady = [{"epoch": e, "importance": imp("a", "b")} for e in (10, 20)]
    assert "at every saved checkpoint" in drift_sentence(steady)


def test_byo_table_refuses_text_and_empty_cells():
    from dashboard.explain import ByoError, byo_table
    frame = pd.DataFrame({"x": [1.0, 2.0], "y": [0.5, 0.1], "label": ["a", "b"]})
    X, features, classes = byo_table(frame, "label")
    assert X.shape == (2, 2) and features == ["x", "y"] and classes == ["a", "b"]
    with pytest.raises(ByoError, match="'label' holds text"):
        byo_table(frame, None)
    with pytest.raises(ByoError, match="empty cells"):
        byo_table(pd.DataFrame({"x": [1.0, None], "t": [0, 1]}), "t")
