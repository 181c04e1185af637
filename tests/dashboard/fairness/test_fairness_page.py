"""The Fairness page through Streamlit's AppTest, on runs trained into a temporary workspace,
plus its plain helpers (dashboard/fairness/) called directly."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers_runs import open_page, train_run
from tests.helpers_runs import shown


def csv_run(home: Path) -> str:
    """A run on an uploaded table whose columns make bad sensitive attributes: 'city' has 500 different
    texts, 'country' one value, 'team' has empty cells."""
    from core.data import load_csv
    from core.model import build_network, concrete_loss
    from core.spec import NetworkSpec, TrainSpec
    from core.runs import Store
    from core.training import StoreRecorder, Trainer, seed_everything

    rng = np.random.default_rng(0)
    n = 600
    frame = pd.DataFrame({
        "city": [f"town{i % 500}" for i in range(n)],
        "country": ["DE"] * n,
        "team": [None if i % 10 == 0 else ("red" if i % 2 else "blue") for i in range(n)],
        "x": rng.normal(size=n),
    })
    frame["label"] = np.where(frame["x"] + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    with Store(home) as store:
        ds = load_csv(frame.to_csv(index=False).encode(), target="label", filename="people.csv", home=home,
                      sensitive=["city", "country", "team"])
        network = NetworkSpec.dense([8], "relu")
        spec = TrainSpec(epochs=2, batch_size=32, seed=0, device="cpu")
        seed_everything(0)
        net, _ = build_network(network, ds, concrete_loss(spec.loss, ds.task))
        run_id = store.create_run(name="people", dataset=ds.ref.to_dict(), network=network.to_dict(),
                                  train=spec.to_dict(), status="queued")
        Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
        return run_id


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    home = tmp_path_factory.mktemp("fairness-page")
    ids = {"german": train_run(home, "german_credit", epochs=20, hidden=(16,), activation="relu", name="german"),
           "loans": train_run(home, "biased_loans", epochs=10, hidden=(16,), activation="relu", name="loans",
                              params={"bias": 1.0}),
           "diabetes": train_run(home, "diabetes", epochs=2, name="diabetes"),
           "groups": train_run(home, "two_groups", epochs=10, hidden=(16,), activation="relu", name="groups",
                               params={"bias": 1.0, "n": 800}),
           "people": csv_run(home)}
    return home, ids


def open_fairness(home, monkeypatch, run_id=None, state=None) -> AppTest:
    return open_page(home, monkeypatch, "fairness", run_id, state)


def texts(at) -> str:
    return " ".join(e.value for kind in ("caption", "info", "warning", "error", "success", "markdown")
                    for e in getattr(at, kind))


def metric(at, label: str) -> float:
    return float(next(m.value for m in at.metric if m.label == label))


def group_rows(at) -> list[str]:
    return list(at.dataframe[0].value["group"])


def variants_table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "variant" in d.value.columns)


# ------------------------------------------------------------------------------- the page

def test_no_runs_gives_guidance(tmp_path, monkeypatch):
    at = open_fairness(tmp_path, monkeypatch)
    message = at.info[0].value
    assert "Nothing to audit yet" in message
    assert "German credit" in message and "Biased loans" in message and "Two groups" in message
    assert "Train" in message
    assert not at.get("plotly_chart") and not at.dataframe


def test_a_regression_run_gets_a_plain_message(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["diabetes"])
    assert "regression" in at.info[0].value
    assert not at.metric and not at.get("plotly_chart")


def test_german_credit_groups_sentences_and_the_threshold(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["german"])
    assert at.multiselect(key="fa_sensitive").value == ["sex"]           # the data's first sensitive column
    assert group_rows(at) == ["female", "male"]
    table = at.dataframe[0].value
    assert table["rows"].sum() == 150                                    # the test rows
    assert {"selection 95% CI", "TPR", "FPR", "precision", "mean probability"} <= set(table.columns)
    shown = texts(at)
    assert "demographic parity difference" in shown
    assert "'good'" in shown.replace("\\", "")                            # the favourable label, by name
    assert "four-fifths rule" in shown
    before = metric(at, "Demographic parity difference")
    at.slider(key="fa_threshold").set_value(0.8).run()
    assert not at.exception
    after = metric(at, "Demographic parity difference")
    assert after != before
    # a selection rate chart with whiskers, the TPR/FPR chart and the sweep from 0.05 to 0.95
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any('"error_x"' in s for s in specs)
    assert any('"now 0.80"' in s for s in specs)


def test_per_group_thresholds_change_the_disparities(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["german"])
    before = metric(at, "Demographic parity difference")
    at.toggle(key="fa_per_group").set_value(True).run()
    assert metric(at, "Demographic parity difference") == before       # each group starts at the global value
    at.slider(key="fa_gt::female").set_value(0.2).run()
    assert not at.exception
    assert metric(at, "Demographic parity difference") != before


def test_age_is_banded_with_editable_edges(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["german"], state={"fa_sensitive": ["age"]})
    edges = at.text_input(key="fa_edges::german_credit::age")
    assert edges.value                                                   # prefilled from the training rows
    assert len(group_rows(at)) == len(edges.value.split(",")) + 1
    edges.set_value("30, 50").run()
    assert not at.exception
    assert group_rows(at) == ["< 30", "30–50", "≥ 50"]
    at.text_input(key="fa_edges::german_credit::age").set_value("30, old").run()
    assert not at.exception
    assert "'old' is not a number" in shown(at.error[0].value)


def test_intersection_of_sex_and_age(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["german"],
                       state={"fa_sensitive": ["sex", "age"], "fa_edges::german_credit::age": "35"})
    assert group_rows(at) == ["female × < 35", "female × ≥ 35", "male × < 35", "male × ≥ 35"]
    assert "sex × age" in texts(at)


def test_bad_sensitive_columns_give_messages_not_tracebacks(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["people"], state={"fa_sensitive": ["city"]})
    assert "'city' has" in shown(at.error[0].value) and "different values" in at.error[0].value
    assert "Choose a column with fewer values" in at.error[0].value
    assert not at.metric
    at.multiselect(key="fa_sensitive").set_value(["country"]).run()
    assert not at.exception
    assert "nothing to compare" in at.error[0].value
    at.multiselect(key="fa_sensitive").set_value(["team"]).run()
    assert not at.exception
    assert all("four-fifths" in e.value for e in at.error)              # only the verdict, no problem
    assert "(missing)" in group_rows(at)
    assert "no 'team'" in texts(at).replace("\\", "")                   # the note on the missing values
    at.multiselect(key="fa_sensitive").set_value([]).run()
    assert "Choose a sensitive attribute" in at.warning[0].value


def test_threshold_mitigation_lowers_the_dp_difference_on_biased_loans(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["loans"])
    table = variants_table(at).set_index("variant")
    original = table.loc["this run", "DP difference"]
    assert original > 0.1                                               # the bias was learned
    assert table.loc["demographic parity thresholds", "DP difference"] < original / 2
    assert metric(at, "Demographic parity difference") == pytest.approx(original, abs=1e-3)
    pareto = next(c for c in at.get("plotly_chart") if "one point per variant" in c.proto.spec)
    assert "demographic parity thresholds" in pareto.proto.spec
    at.radio(key="fa_pareto_x").set_value("equalized_odds_difference").run()
    assert not at.exception


def test_the_shap_gap_is_computed_on_demand(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["loans"])
    assert not any("pushed differently" in c.proto.spec for c in at.get("plotly_chart"))
    at.button(key="fa_shap").click().run()
    assert not at.exception
    gap = next(c for c in at.get("plotly_chart") if "pushed differently" in c.proto.spec)
    assert '"female"' in gap.proto.spec and '"male"' in gap.proto.spec      # one bar series per group
    assert "pushes the groups most differently" in texts(at)
    at.run()                                                            # kept: no button the next time
    assert not any(b.key == "fa_shap" for b in at.button)


def test_the_report_download_holds_the_groups(trained, monkeypatch):
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    saved = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        if mimetype == "text/html":
            saved[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["loans"])
    assert not at.get("download_button")
    at.button(key="fa_report").click().run()
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == ["Download the report (HTML)"]
    html = saved["fairness-loans.html"].decode("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "female" in html and "male" in html
    assert "demographic parity thresholds" in html                      # the mitigations compared


def test_a_reweighed_variant_trains_and_joins_the_comparison(trained, monkeypatch):
    from core.runs import executor as jobs
    from core.runs import Store
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["loans"])
    at.button(key="fa_reweigh").click().run()
    assert not at.exception
    assert "Started" in at.success[-1].value
    store = Store(home)
    new = [r for r in store.list_runs() if r.name == "loans · reweighed"]
    assert len(new) == 1
    spec = new[0].train
    assert new[0].parent == ids["loans"]
    assert spec["reweigh"] is True and spec["sensitive"] == "sex" and spec["fairness_penalty"] == "none"
    parent = store.get_run(ids["loans"]).train
    assert spec["epochs"] == parent["epochs"] and spec["lr"] == parent["lr"]
    assert store.get_run(new[0].id).network == store.get_run(ids["loans"]).network
    assert jobs.wait(store, new[0].id, timeout=180).status == "finished"
    at.run()
    assert not at.exception
    assert "reweighed" in list(variants_table(at)["variant"])
    store.rename_run(new[0].id, "fairer loans")             # still this run's variant under another name
    at.run()
    assert "fairer loans" in list(variants_table(at)["variant"])


def boundary_chart(at) -> dict | None:
    import json
    found = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("fa_chart_boundary")]
    assert len(found) <= 1
    return found[0] if found else None


def contour_lines(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if t["type"] == "contour"]


def metric_rows(at) -> int:
    return int(at.dataframe[0].value["rows"].sum())


def test_a_2d_run_shows_the_decision_boundary_by_group_with_the_threshold_line(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["groups"])
    assert at.multiselect(key="fa_sensitive").value == ["group"]
    fig = boundary_chart(at)
    assert fig is not None
    assert fig["data"][0]["type"] == "heatmap"
    (line,) = contour_lines(fig)
    assert line["contours"]["start"] == line["contours"]["end"] == pytest.approx(0.5)
    assert line["line"]["dash"] == "dash" and line["name"] == "all groups: P(1) = 0.50"
    points = {t["name"]: t for t in fig["data"] if t["type"] == "scatter" and "(" in t.get("name", "")}
    assert set(points) == {"A (test)", "B (test)"}                       # the audited split: test rows
    assert points["A (test)"]["marker"]["color"] != points["B (test)"]["marker"]["color"]
    assert sum(len(t["marker"]["symbol"]) for t in points.values()) == metric_rows(at)
    # the global threshold moves the line
    at.slider(key="fa_threshold").set_value(0.6).run()
    assert not at.exception, at.exception
    (line,) = contour_lines(boundary_chart(at))
    assert line["contours"]["start"] == pytest.approx(0.6) and line["name"] == "all groups: P(1) = 0.60"
    # another split to audit: its rows are drawn
    at.radio(key="fa_split").set_value("train").run()
    assert not at.exception, at.exception
    names = {t.get("name") for t in boundary_chart(at)["data"]}
    assert {"A (training)", "B (training)"} <= names and "A (test)" not in names


def test_per_group_thresholds_draw_one_line_per_group(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["groups"])
    at.toggle(key="fa_per_group").set_value(True).run()
    assert not at.exception, at.exception
    lines = contour_lines(boundary_chart(at))
    assert len(lines) == 2                                              # both groups start at the global 0.5
    assert [t["contours"]["start"] for t in lines] == pytest.approx([0.5, 0.5])
    at.slider(key="fa_gt::B").set_value(0.3).run()
    assert not at.exception, at.exception
    fig = boundary_chart(at)
    lines = {t["name"]: t for t in contour_lines(fig)}
    assert set(lines) == {"A: P(1) = 0.50", "B: P(1) = 0.30"}
    a, b = lines["A: P(1) = 0.50"], lines["B: P(1) = 0.30"]
    assert a["contours"]["start"] == a["contours"]["end"] == pytest.approx(0.5)
    assert b["contours"]["start"] == b["contours"]["end"] == pytest.approx(0.3)
    points = {t["name"]: t for t in fig["data"] if t["type"] == "scatter"}
    assert a["line"]["color"] == points["A (test)"]["marker"]["color"]
    assert b["line"]["color"] == points["B (test)"]["marker"]["color"]
    assert a["line"]["color"] != b["line"]["color"]


def test_data_that_is_not_2d_has_no_boundary_chart(trained, monkeypatch):
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["german"])
    assert at.get("plotly_chart")                                        # the other charts are there
    assert boundary_chart(at) is None
    at = open_fairness(home, monkeypatch, ids["loans"])
    assert boundary_chart(at) is None


def test_a_variant_retrains_on_the_bands_the_audit_uses(trained, monkeypatch):
    from core.runs import executor as jobs
    from core.runs import Store
    home, ids = trained
    at = open_fairness(home, monkeypatch, ids["german"],
                       state={"fa_sensitive": ["age"], "fa_edges::german_credit::age": "30, 50"})
    assert group_rows(at) == ["< 30", "30–50", "≥ 50"]
    at.button(key="fa_reweigh").click().run()
    assert not at.exception
    store = Store(home)
    new = next(r for r in store.list_runs() if r.parent == ids["german"] and r.train.get("reweigh"))
    assert new.train["sensitive"] == "age" and new.train["sensitive_bands"] == {"age": [30.0, 50.0]}
    assert "in the bands 30, 50" in texts(at).replace("\\", "")
    run = jobs.wait(store, new.id, timeout=180)
    assert run.status == "finished", run.error
    groups = {n.split("/")[-1] for n in store.metric_names(new.id) if n.startswith("fair/selection_rate/")}
    assert groups == {"< 30", "30–50", "≥ 50"}                 # measured live on the audit's bands


# ------------------------------------------------------------------------------- plain helpers

def test_parse_edges():
    from core.analysis.fairness import FairnessError
    from dashboard.fairness import format_edges, parse_edges
    assert parse_edges("50, 30; 30", "age") == (30.0, 50.0)
    assert parse_edges("  ", "age") is None
    with pytest.raises(FairnessError, match="'x' is not a number"):
        parse_edges("1, x", "age")
    assert format_edges((27.0, 33.5)) == "27, 33.5"


def test_sweep_matches_the_audit():
    from core.analysis.fairness import audit
    from dashboard.fairness import sweep
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    p = np.clip(y * 0.3 + rng.random(300) * 0.7, 0, 1)
    g = np.where(rng.random(300) < 0.4, "a", "b")
    frame = sweep(y, p, g, [0.3, 0.6])
    for _, row in frame.iterrows():
        a = audit(y, p, g, threshold=row["threshold"], n_boot=0)
        for key in ("demographic_parity_difference", "equalized_odds_difference", "equal_opportunity_difference"):
            assert row[key] == pytest.approx(a.disparities[key])
        assert row["accuracy"] == pytest.approx(a.overall["accuracy"])


def test_sweep_matches_the_audit_when_a_group_has_no_favourable_row():
    """Group 'c' has no truly favourable row: the audit reads its TPR as 0 (as fairlearn does), and so does
    every point of the sweep."""
    from core.analysis.fairness import audit
    from dashboard.fairness import sweep
    rng = np.random.default_rng(2)
    g = np.array(["a"] * 120 + ["b"] * 120 + ["c"] * 60)
    y = np.where(g == "c", 0, rng.integers(0, 2, 300))
    p = np.clip(y * 0.4 + rng.random(300) * 0.6, 0, 1)
    for _, row in sweep(y, p, g, [0.3, 0.5, 0.7]).iterrows():
        a = audit(y, p, g, threshold=row["threshold"], n_boot=0)
        for key in ("equalized_odds_difference", "equal_opportunity_difference"):
            assert row[key] == pytest.approx(a.disparities[key], abs=1e-12), (row["threshold"], key)


def test_variants_are_the_runs_started_from_this_one():
    from types import SimpleNamespace
    from dashboard.fairness import variant_name, variants_of

    def R(**kw):
        return SimpleNamespace(**{"parent": None, **kw})
    parent = R(id="a", name="loans", created=0, train={})
    runs = [parent, R(id="b", name="renamed", created=2, train={"reweigh": True}, parent="a"),
            R(id="c", name=variant_name("loans", "demographic_parity", 0.3), created=1,
              train={"fairness_penalty": "demographic_parity"}, parent="a"),
            R(id="d", name="loans · reweighed", created=3, train={"reweigh": True}, parent="z"),   # another's
            # workspaces from before the parent link: by name and mitigation
            R(id="e", name=variant_name("loans", "reweigh"), created=4, train={"reweigh": True}),
            R(id="f", name="loans · renamed copy", created=5, train={}),
            R(id="g", name="loans2 · reweighed", created=6, train={"reweigh": True})]
    assert [r.id for r in variants_of(runs, parent)] == ["c", "b", "e"]
    assert variant_name("loans", "demographic_parity", 0.3) == "loans · DP penalty λ=0.3"
