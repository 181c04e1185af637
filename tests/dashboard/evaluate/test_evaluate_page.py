"""The Evaluate page through Streamlit's AppTest, on runs trained into a temporary workspace."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers_runs import open_page, train_run


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    home = tmp_path_factory.mktemp("eval-page")
    ids = {name: train_run(home, name, epochs=4, name=f"<b>{name}</b> *run*")
           for name in ("spiral", "iris", "diabetes", "digits")}
    return home, ids


def open_evaluate(home, monkeypatch, run_id=None) -> AppTest:
    return open_page(home, monkeypatch, "evaluate", run_id, timeout=60)


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_no_runs_shows_guidance_and_a_link_to_train(tmp_path, monkeypatch):
    at = open_evaluate(tmp_path, monkeypatch)
    assert "Nothing to evaluate yet" in at.info[0].value
    assert not at.get("plotly_chart")


def test_binary_run_shows_confusion_matrix_and_threshold_changes_metrics(trained, monkeypatch):
    home, ids = trained
    at = open_evaluate(home, monkeypatch, ids["spiral"])
    assert at.selectbox(key="eval_run").value == ids["spiral"]
    specs = charts(at)
    heat = specs[0]["data"][0]
    assert heat["type"] == "heatmap"
    assert sum(sum(r) for r in heat["customdata"]) == 60          # every test row counted once
    assert any("AUC" in t.get("name", "") for s in specs for t in s["data"])
    before = metrics(at)
    at.slider(key="eval_threshold").set_value(0.0).run()
    assert not at.exception
    after = metrics(at)
    assert after["Recall"] == "100.0%" and after != before
    cm = charts(at)[0]["data"][0]["customdata"]
    assert cm[0][0] == 0 and cm[1][0] == 0                        # nothing predicted as class 0


def test_multiclass_run_shows_per_class_table_and_one_curve_per_class(trained, monkeypatch):
    home, ids = trained
    at = open_evaluate(home, monkeypatch, ids["iris"])
    assert [s.key for s in at.slider] == ["eval_worst_n"]        # no threshold for three classes
    table = at.dataframe[0].value
    assert list(table["class"]) == ["setosa", "versicolor", "virginica"]
    roc = charts(at)[1]
    assert len([t for t in roc["data"] if "AUC" in t.get("name", "")]) == 3


@pytest.mark.parametrize("name", ["spiral", "iris"])
def test_mean_average_precision_is_shown_beside_f1_with_what_it_measures(trained, monkeypatch, name):
    from core.analysis import mean_average_precision, predict_split
    from core.runs import Store, load_run
    home, ids = trained
    at = open_evaluate(home, monkeypatch, ids[name])
    shown = {m.label: m for m in at.metric}
    assert "Macro F1" in shown and "Mean average precision" in shown
    preds = predict_split(load_run(Store(home), ids[name]), "test")
    assert shown["Mean average precision"].value == \
        f"{mean_average_precision(preds.y_true, preds.proba, preds.class_names):.3f}"
    words = shown["Mean average precision"].proto.help
    assert "precision–recall curve" in words and "imbalanced" in words and "accura" in words


def test_regression_run_shows_r2_and_residuals(trained, monkeypatch):
    home, ids = trained
    at = open_evaluate(home, monkeypatch, ids["diabetes"])
    m = metrics(at)
    assert {"R²", "MAE", "RMSE"} <= set(m)
    float(m["R²"])
    titles = [s["layout"]["xaxis"]["title"]["text"] for s in charts(at)]
    assert titles[:2] == ["actual progression", "predicted progression"]
    worst = at.dataframe[0].value
    assert list(worst["abs_error"]) == sorted(worst["abs_error"], reverse=True)


def test_digits_worst_errors_are_shown_as_images_and_checkpoint_switch_works(trained, monkeypatch):
    home, ids = trained
    at = open_evaluate(home, monkeypatch, ids["digits"])
    grids = [c for c in charts(at) if c["data"] and all(t["type"] == "heatmap" for t in c["data"])
             and len(c["data"]) > 1]
    assert sum(len(g["data"]) for g in grids) == 12              # the 12 rows asked for, as pictures
    assert "px_0_0" not in at.dataframe[-1].value.columns
    at.radio(key="eval_checkpoint").set_value("best").run()
    at.radio(key="eval_split").set_value("train").run()
    assert not at.exception
    assert "train" in " ".join(c.value for c in at.caption)


def test_default_run_is_the_latest_finished_and_names_stay_text(trained, monkeypatch):
    home, ids = trained
    at = open_evaluate(home, monkeypatch)
    assert at.selectbox(key="eval_run").value == ids["digits"]     # trained last
    assert ids["digits"] in at.query_params["run"]                 # kept in the URL
    option = at.selectbox(key="eval_run").options[0]
    assert "<b>" in option and "*run*" in option                    # verbatim, not rendered
    assert not any("<b>" in m.value for m in at.markdown)


def test_a_run_without_checkpoints_gives_a_clear_message(tmp_path, monkeypatch):
    from core.runs import Store
    Store(tmp_path).create_run(name="empty", dataset={"kind": "builtin", "name": "spiral", "params": {}},
                               network={"layers": []}, train={}, status="stopped")
    at = open_evaluate(tmp_path, monkeypatch)
    assert "cannot be evaluated" in at.error[0].value


def worst_tables(at):
    """(the mistakes table, the least-sure-right table or None) of the Worst mistakes section."""
    tables = [d.value for d in at.dataframe if "p_true" in d.value.columns]
    return tables[0] if tables else None, tables[1] if len(tables) > 1 else None


def test_worst_mistakes_list_only_wrong_rows_and_name_the_right_ones_that_fill_up(trained, monkeypatch):
    home, ids = trained
    at = open_evaluate(home, monkeypatch, ids["spiral"])
    at.slider(key="eval_worst_n").set_value(60).run()             # every test row: more than the mistakes
    wrong, right = worst_tables(at)
    assert len(wrong) and (wrong["true"] != wrong["predicted"]).all()
    assert right is not None and (right["true"] == right["predicted"]).all()
    assert len(wrong) + len(right) == 60
    assert list(right["p_true"]) == sorted(right["p_true"])       # the least sure first
    said = " ".join(c.value for c in at.caption)
    assert f"Only {len(wrong)} of the 60 test rows" in said
    assert any(m.value == "**Least confident correct predictions**" for m in at.markdown)
    assert "label" not in wrong.columns                           # the target is the 'true' column already


def test_digit_mistakes_and_least_sure_right_digits_are_captioned_apart(trained, monkeypatch):
    home, ids = trained
    at = open_evaluate(home, monkeypatch, ids["digits"])
    at.slider(key="eval_worst_n").set_value(60).run()
    wrong, right = worst_tables(at)
    grids = [c for c in charts(at) if len(c["data"]) > 1 and all(t["type"] == "heatmap" for t in c["data"])]
    captions = [[a["text"] for a in g["layout"]["annotations"]] for g in grids]
    assert len(captions[0]) == len(wrong) and all("→" in c for c in captions[0])
    for c in captions[0]:                                         # 'true 4 → 9 (p=0.01)': two different digits
        true, predicted = c.removeprefix("true ").split(" (")[0].split(" → ")
        assert true != predicted
    if right is not None:
        assert len(captions[1]) == len(right) and not any("→" in c for c in captions[1])
