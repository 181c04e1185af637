"""core/fairness.py and the fairness parts of core/training/: the audit's numbers against fairlearn's
and against hand-computed ones, the live per-epoch metrics, the synthetic bias knob, what each
mitigation does to its target disparity, and the refusals of input that cannot be audited.

Mitigation effects are measured on biased_loans at bias 1 (4,000 rows, 600 in the test split);
the margins asserted hold with room over dataset/training seeds 0–10 (measured when written:
reweighing lowered the test demographic parity difference by ≥ 0.16, the DP penalty by ≥ 0.25,
the equalized-odds penalty lowered the equalized odds difference by ≥ 0.07)."""
from __future__ import annotations

import dataclasses

import fairlearn.metrics as fm
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import accuracy_score, precision_score

from core import fairness as F
from core.runs import executor as jobs
from core.data import load_builtin
from core.model import build_network, concrete_loss
from core.runs import predict_array
from core.spec import NetworkSpec, TrainSpec
from core.training import LiveFairness, Trainer, TrainingError, seed_everything, train

from tests.helpers_runs import train_run

# ------------------------------------------------------------------ hand-made fixtures

# Tiny, computed by hand below. Group a: y 1 1 0 0, p .9 .6 .7 .2 → predicted 1 1 1 0.
#                               Group b: y 1 1 0 0, p .8 .3 .4 .1 → predicted 1 0 0 0.
TINY_Y = np.array([1, 1, 0, 0, 1, 1, 0, 0])
TINY_P = np.array([.9, .6, .7, .2, .8, .3, .4, .1])
TINY_G = np.array(["a"] * 4 + ["b"] * 4)

# Three groups of unequal size, written out by hand.
THREE_Y = np.array([1, 0, 1, 1, 0, 1, 0, 0, 1, 1,          # x: 10 rows
                    0, 0, 1, 0, 1, 0, 0, 1,                # y: 8 rows
                    1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0])   # z: 12 rows
THREE_P = np.array([.81, .35, .66, .42, .58, .91, .12, .49, .77, .53,
                    .44, .61, .72, .05, .39, .52, .28, .95,
                    .64, .31, .88, .47, .71, .55, .22, .93, .36, .08, .59, .67])
THREE_G = np.array(["x"] * 10 + ["y"] * 8 + ["z"] * 12)


def fairlearn_disparities(y, pred, g) -> dict:
    kw = {"y_true": y, "y_pred": pred, "sensitive_features": g}
    prec = fm.MetricFrame(metrics=lambda a, b: precision_score(a, b, zero_division=np.nan), **kw).by_group
    return {
        "demographic_parity_difference": fm.demographic_parity_difference(**kw),
        "demographic_parity_ratio": fm.demographic_parity_ratio(**kw),
        "equalized_odds_difference": fm.equalized_odds_difference(**kw),
        "equalized_odds_ratio": fm.equalized_odds_ratio(**kw),
        "equal_opportunity_difference": fm.equal_opportunity_difference(**kw),
        "predictive_parity_difference": float(prec.max() - prec.min()),
    }


def fairlearn_by_group(y, pred, g) -> pd.DataFrame:
    metrics = {"selection_rate": fm.selection_rate, "tpr": fm.true_positive_rate, "fpr": fm.false_positive_rate,
               "accuracy": accuracy_score,
               "precision": lambda a, b: precision_score(a, b, zero_division=np.nan)}
    return fm.MetricFrame(metrics=metrics, y_true=y, y_pred=pred, sensitive_features=g).by_group


@pytest.mark.parametrize("threshold", [0.5, 0.6, {"x": 0.4, "y": 0.7, "z": 0.5}])
def test_audit_matches_fairlearn_on_three_hand_made_groups(threshold):
    a = F.audit(THREE_Y, THREE_P, THREE_G, threshold=threshold, n_boot=200)
    t = np.array([threshold[g] for g in THREE_G]) if isinstance(threshold, dict) else threshold
    pred = (THREE_P >= t).astype(int)
    ref = fairlearn_by_group(THREE_Y, pred, THREE_G)
    assert list(a.groups.index) == ["x", "y", "z"]
    assert a.groups["count"].tolist() == [10, 8, 12]
    for col in ("selection_rate", "tpr", "fpr", "accuracy", "precision"):
        np.testing.assert_allclose(a.groups[col].to_numpy(float), ref[col].to_numpy(float), atol=1e-12, err_msg=col)
    for name, value in fairlearn_disparities(THREE_Y, pred, THREE_G).items():
        assert a.disparities[name] == pytest.approx(value, abs=1e-12), name
    assert a.overall["selection_rate"] == pytest.approx(pred.mean())
    assert a.overall["accuracy"] == pytest.approx((pred == THREE_Y).mean())
    # every group is under 30 rows: flagged, with a note naming them
    assert a.groups["small"].all() and any("'x', 'y', 'z'" in n for n in a.notes)
    # the intervals are ordered and hold the point estimate
    for col in ("selection_rate", "accuracy", "tpr", "fpr"):
        lo, hi, v = a.groups[f"{col}_lo"], a.groups[f"{col}_hi"], a.groups[col]
        assert ((lo <= v + 1e-12) & (v <= hi + 1e-12)).all(), col


def test_audit_on_a_tiny_fixture_equals_numbers_computed_by_hand():
    a = F.audit(TINY_Y, TINY_P, TINY_G, favourable="approved", n_boot=0)
    expect = {"a": {"selection_rate": 3 / 4, "tpr": 1.0, "fpr": 1 / 2, "accuracy": 3 / 4, "precision": 2 / 3,
                    "base_rate": 1 / 2, "fnr": 0.0, "mean_proba": (.9 + .6 + .7 + .2) / 4},
              "b": {"selection_rate": 1 / 4, "tpr": 1 / 2, "fpr": 0.0, "accuracy": 3 / 4, "precision": 1.0,
                    "base_rate": 1 / 2, "fnr": 1 / 2, "mean_proba": (.8 + .3 + .4 + .1) / 4}}
    for g, metrics in expect.items():
        for k, v in metrics.items():
            assert a.groups.loc[g, k] == pytest.approx(v), (g, k)
    assert a.disparities == pytest.approx({
        "demographic_parity_difference": 0.5,        # 3/4 − 1/4
        "demographic_parity_ratio": 1 / 3,           # (1/4) / (3/4)
        "equalized_odds_difference": 0.5,            # max(TPR gap 1/2, FPR gap 1/2)
        "equalized_odds_ratio": 0.0,                 # min(TPR ratio 1/2, FPR ratio 0/(1/2))
        "equal_opportunity_difference": 0.5,
        "predictive_parity_difference": 1 / 3,       # 1 − 2/3
    })
    # the sentences say the same in words, and the four-fifths verdict fails (ratio 33 %)
    text = " ".join(a.sentences)
    assert "'b' is predicted 'approved' 50.0 points less often than 'a' (25.0% vs 75.0%)" in text
    assert "33% of the highest" in text and "below the four-fifths rule" in text
    assert "50.0% in 'b' but 100.0% in 'a'" in text
    # group-specific thresholds swap the picture: a at 0.8 selects 1 of 4, b at 0.3 selects 3 of 4
    swapped = F.audit(TINY_Y, TINY_P, TINY_G, threshold={"a": 0.8, "b": 0.3}, n_boot=0)
    assert swapped.groups["selection_rate"].to_dict() == {"a": 0.25, "b": 0.75}
    # explicit predictions override the thresholds
    forced = F.audit(TINY_Y, TINY_P, TINY_G, predictions=np.ones(8), n_boot=0)
    assert forced.disparities["demographic_parity_difference"] == 0.0
    assert "within the four-fifths rule" in " ".join(forced.sentences)
    assert forced.summary()["groups"]["a"]["selection_rate"] == 1.0


def test_audit_refuses_arrays_of_different_lengths():
    with pytest.raises(F.FairnessError, match="one entry per row"):
        F.audit(TINY_Y, TINY_P[:-1], TINY_G)


# ------------------------------------------------------------------ the live, per-epoch metrics


class Evaluations:
    """Keeps every evaluated epoch's metrics and the network's raw validation output."""

    def __init__(self):
        self.seen = []

    def on_evaluate(self, trainer, report):
        self.seen.append((dict(report.metrics), trainer.val_output.detach().clone()))


def trained_with_log(ds, spec: TrainSpec, hidden=(16,)):
    seed_everything(spec.seed)
    net, _ = build_network(NetworkSpec.dense(list(hidden), "relu"), ds, concrete_loss(spec.loss, ds.task))
    log = Evaluations()
    trainer = Trainer(net, ds, spec, callbacks=[log])
    trainer.fit()
    return trainer, log


def assert_live_equals_fairlearn(live: dict, out: torch.Tensor, ds, fav: int, groups: np.ndarray):
    if out.shape[1] == 1:
        p1 = torch.sigmoid(out[:, 0]).numpy()
        p = p1 if fav == 1 else 1 - p1
    else:
        p = torch.softmax(out, 1)[:, fav].numpy()
    pred = (p >= 0.5).astype(int)
    y = (ds.y_val == fav).astype(int)
    ref = fairlearn_by_group(y, pred, groups)
    for g in ref.index:
        for k in ("selection_rate", "tpr", "fpr", "accuracy"):
            assert live[f"fair/{k}/{g}"] == pytest.approx(ref.loc[g, k], abs=1e-6), (g, k)
    kw = {"y_true": y, "y_pred": pred, "sensitive_features": groups}
    assert live["fair/demographic_parity_difference"] == pytest.approx(fm.demographic_parity_difference(**kw), abs=1e-6)
    assert live["fair/equalized_odds_difference"] == pytest.approx(fm.equalized_odds_difference(**kw), abs=1e-6)
    assert live["fair/equal_opportunity_difference"] == pytest.approx(fm.equal_opportunity_difference(**kw), abs=1e-6)


def test_live_fairness_equals_fairlearn_at_every_evaluated_epoch_on_biased_loans():
    ds = load_builtin("biased_loans", n=1000, bias=1.0)
    trainer, log = trained_with_log(ds, TrainSpec(epochs=6, lr=0.01, batch_size=16, device="cpu"))   # every epoch logged
    assert isinstance(trainer.fair, LiveFairness) and trainer.fair.names == ["female", "male"]
    groups, _ = F.group_labels(ds.raw.iloc[ds.idx_val], F.Grouping.of("sex"))
    assert len(log.seen) == 6
    for live, out in log.seen:
        assert_live_equals_fairlearn(live, out, ds, 1, groups)
    # after a few epochs the model has learnt the historic bias: a real gap, not a trivial zero
    assert log.seen[-1][0]["fair/demographic_parity_difference"] > 0.2


def test_live_fairness_equals_fairlearn_with_three_groups_and_a_single_output():
    ds = load_builtin("german_credit")
    spec = TrainSpec(epochs=3, lr=0.01, batch_size=32, device="cpu", sensitive="housing", loss="bce")
    trainer, log = trained_with_log(ds, spec)
    assert trainer.fair.names == ["free", "own", "rent"] and trainer.fair.favourable == 1     # 'good'
    groups, _ = F.group_labels(ds.raw.iloc[ds.idx_val], F.Grouping.of("housing"))
    assert log.seen and log.seen[-1][1].shape[1] == 1
    for live, out in log.seen:
        assert_live_equals_fairlearn(live, out, ds, 1, groups)


def test_live_fairness_is_off_without_a_sensitive_column_and_on_with_the_datasets_own():
    spiral = load_builtin("spiral", n=200)
    assert LiveFairness.for_trainer(spiral, TrainSpec(device="cpu"), torch.device("cpu")) is None
    loans = load_builtin("biased_loans", n=200)
    live = LiveFairness.for_trainer(loans, TrainSpec(device="cpu"), torch.device("cpu"))
    assert live.column == "sex" and live.weights is None


def test_live_fairness_bands_a_numeric_column_the_same_way_on_training_and_validation_rows():
    ds = load_builtin("german_credit")
    live = LiveFairness.for_trainer(ds, TrainSpec(device="cpu", sensitive="age"), torch.device("cpu"))
    in_train = set(live.train_groups.tolist())
    in_val = set(live.val_groups.tolist())
    assert in_val <= in_train, [live.names[i] for i in in_val - in_train]


def test_live_fairness_cuts_a_numeric_column_at_the_bands_the_spec_gives():
    ds = load_builtin("german_credit")
    cpu = torch.device("cpu")
    quartiles = LiveFairness.for_trainer(ds, TrainSpec(device="cpu", sensitive="age"), cpu)
    assert len(quartiles.names) == 4
    banded = LiveFairness.for_trainer(ds, TrainSpec(device="cpu", sensitive="age", reweigh=True,
                                                     sensitive_bands={"age": [30, 50]}), cpu)
    assert sorted(banded.names) == sorted(["< 30", "30–50", "≥ 50"])
    ages = ds.raw["age"].to_numpy()[ds.idx_train]
    young = banded.names.index("< 30")
    assert (banded.train_groups.numpy() == young).sum() == (ages < 30).sum()
    # the reweighing weights balance those bands, not the quartiles
    assert not torch.allclose(banded.weights, LiveFairness.for_trainer(
        ds, TrainSpec(device="cpu", sensitive="age", reweigh=True), cpu).weights)
    # bands given for another column leave this one at its quartiles
    other = LiveFairness.for_trainer(ds, TrainSpec(device="cpu", sensitive="age", sensitive_bands={"x": [1]}), cpu)
    assert other.names == quartiles.names


def test_live_fairness_reaches_the_store_at_every_evaluated_epoch(store):
    ds = load_builtin("biased_loans", n=600, bias=1.0)
    spec = TrainSpec(epochs=6, lr=0.01, batch_size=8, device="cpu", checkpoint_every=3)   # 53 steps: every epoch logged
    run_id = jobs.submit(store, dataset=ds.ref.to_dict(), network=NetworkSpec.dense([8], "relu"), train=spec,
                         name="live fairness")
    run = jobs.wait(store, run_id, timeout=120)
    log = (store.run_dir(run_id) / "worker.log")
    assert run.status == "finished", f"{run.status}: {run.error} / {log.read_text() if log.exists() else ''}"
    rows = store.metrics(run_id, ["val_loss", "fair/demographic_parity_difference", "fair/selection_rate/female",
                                  "fair/selection_rate/male", "fair/equalized_odds_difference"])
    by_name = {n: frame.set_index("epoch")["value"] for n, frame in rows.groupby("name")}
    epochs = sorted(by_name["val_loss"].index)
    assert epochs == [1, 2, 3, 4, 5, 6]
    for name in ("fair/demographic_parity_difference", "fair/equalized_odds_difference",
                 "fair/selection_rate/female", "fair/selection_rate/male"):
        assert sorted(by_name[name].index) == epochs, name
        assert by_name[name].between(0, 1).all(), name
    gap = by_name["fair/selection_rate/male"] - by_name["fair/selection_rate/female"]
    np.testing.assert_allclose(by_name["fair/demographic_parity_difference"], gap.abs(), atol=1e-9)


# ------------------------------------------------------------------ the synthetic bias knob

LOANS = {"n": 4000}


def test_biased_loans_parity_gap_grows_with_the_bias_knob():
    gaps = []
    for bias in (0.0, 0.5, 1.0):
        ds = load_builtin("biased_loans", bias=bias, **LOANS)
        net, _ = train(ds, NetworkSpec.dense([16], "relu"),
                       TrainSpec(epochs=20, lr=0.01, batch_size=64, device="cpu", seed=0))
        gaps.append(test_split_audit(ds, net).disparities["demographic_parity_difference"])
    print(f"\ndemographic parity difference on the test split at bias 0 / 0.5 / 1: {gaps}")
    assert gaps[0] < gaps[1] < gaps[2], gaps
    assert gaps[2] - gaps[0] > 0.2, gaps          # measured over seeds 0–9: ≥ 0.31
    assert gaps[0] < 0.12, gaps                   # without bias, the legitimate features carry no gap


def test_row_groups_band_numbers_at_the_training_quartiles_and_keep_texts():
    ds = load_builtin("german_credit")
    labels, order = F.row_groups(ds, "age")
    assert len(labels) == len(ds.raw) and len(order) == 4
    assert order[0].startswith("< ") and order[-1].startswith("≥ ")     # in band order, not as text sorts
    assert set(labels) == set(order)
    labels, order = F.row_groups(ds, "sex")
    assert order == ["female", "male"] and list(labels) == list(ds.raw["sex"].astype(str))
    with pytest.raises(F.FairnessError):
        F.row_groups(dataclasses.replace(ds, raw=ds.raw.assign(sex="x")), "sex")       # one group


def test_a_network_that_never_sees_the_group_learns_two_groups_bias_from_where_points_lie():
    gaps = []
    for bias in (0.0, 1.0):
        ds = load_builtin("two_groups", bias=bias, n=4000, seed=0)
        assert "group" not in ds.original_columns
        net, _ = train(ds, NetworkSpec.dense([16], "relu"),
                       TrainSpec(epochs=20, lr=0.01, batch_size=64, device="cpu", seed=0))
        fav = F.favourable_index(ds.class_names, None)
        X, y = ds.split("test")
        groups = F.group_labels(ds.raw.iloc[ds.idx_test], F.Grouping.of("group"))[0]
        gaps.append(F.audit((y == fav).astype(int), predict_array(net, X)[:, fav], groups,
                            n_boot=0).disparities["demographic_parity_difference"])
    print(f"\ntwo groups, demographic parity difference on the test split at bias 0 / 1: {gaps}")
    assert gaps[0] < 0.12, gaps
    assert gaps[1] > gaps[0] + 0.2, gaps


# ------------------------------------------------------------------ mitigations

NET = NetworkSpec.dense([16], "relu")


def base_spec(**kw) -> TrainSpec:
    return TrainSpec(epochs=20, lr=0.01, batch_size=64, device="cpu", seed=0, **kw)


def groups_of(ds, split: str) -> np.ndarray:
    return F.group_labels(ds.raw.iloc[getattr(ds, f"idx_{split}")], F.Grouping.of("sex"))[0]


def test_split_audit(ds, net, split: str = "test", predictions=None) -> F.Audit:
    fav = F.favourable_index(ds.class_names, None)
    X, y = ds.split(split)
    return F.audit((y == fav).astype(int), predict_array(net, X)[:, fav], groups_of(ds, split), n_boot=0,
                   predictions=predictions)


test_split_audit.__test__ = False      # a helper, not a test


@pytest.fixture(scope="module")
def loans():
    return load_builtin("biased_loans", bias=1.0, **LOANS)


@pytest.fixture(scope="module")
def baseline(loans):
    net, _ = train(loans, NET, base_spec())
    return net, test_split_audit(loans, net)


def effect(before: F.Audit, after: F.Audit, key: str, what: str) -> str:
    line = (f"{what}: {key} {before.disparities[key]:.3f} → {after.disparities[key]:.3f} "
            f"(−{before.disparities[key] - after.disparities[key]:.3f}); accuracy "
            f"{before.overall['accuracy']:.3f} → {after.overall['accuracy']:.3f}")
    print("\n" + line)
    return line


@pytest.mark.parametrize("variant, key, margin", [
    ({"reweigh": True}, "demographic_parity_difference", 0.1),
    ({"fairness_penalty": "demographic_parity"}, "demographic_parity_difference", 0.15),
    ({"fairness_penalty": "equalized_odds"}, "equalized_odds_difference", 0.05),
], ids=["reweigh", "dp-penalty", "eo-penalty"])
def test_each_training_mitigation_lowers_its_disparity(loans, baseline, variant, key, margin):
    _, before = baseline
    net, _ = train(loans, NET, base_spec(**variant))
    after = test_split_audit(loans, net)
    line = effect(before, after, key, str(variant))
    assert after.disparities[key] < before.disparities[key] - margin, line
    assert after.overall["accuracy"] > before.overall["accuracy"] - 0.1, line     # a cost, not a collapse


@pytest.mark.parametrize("constraint, key", [
    ("demographic_parity", "demographic_parity_difference"),
    ("true_positive_rate_parity", "equal_opportunity_difference"),
    ("equalized_odds", "equalized_odds_difference"),
])
def test_group_thresholds_lower_their_disparity_on_the_rows_they_were_fitted_on(loans, baseline, constraint, key):
    net, _ = baseline
    fav = F.favourable_index(loans.class_names, None)
    X, y = loans.split("train")
    y, p, g = (y == fav).astype(int), predict_array(net, X)[:, fav], groups_of(loans, "train")
    mitigation = F.fit_thresholds(y, p, g, constraint)
    before = F.audit(y, p, g, n_boot=0)
    after = F.audit(y, p, g, n_boot=0, predictions=mitigation.predict(p, g))
    line = effect(before, after, key, f"ThresholdOptimizer {constraint} (training rows)")
    assert before.disparities[key] > 0.15, line
    assert after.disparities[key] < 0.05 and after.disparities[key] < before.disparities[key] / 3, line
    rules = mitigation.thresholds()
    assert set(rules) == {"female", "male"} and all(rules.values())
    # seeded: the same decisions again
    np.testing.assert_array_equal(mitigation.predict(p, g, seed=3), mitigation.predict(p, g, seed=3))


def test_fit_thresholds_refuses_what_it_cannot_fit():
    with pytest.raises(F.FairnessError, match="Unknown constraint 'fairness'"):
        F.fit_thresholds(TINY_Y, TINY_P, TINY_G, "fairness")
    one_label = np.array([1, 1, 1, 1, 1, 0, 1, 0])        # every row of group a is 1
    for constraint, words in F.CONSTRAINTS.items():      # fairlearn needs both labels in each group, always
        with pytest.raises(F.FairnessError, match=f"Group 'a' has only one label.*{words}.*fit on more rows"):
            F.fit_thresholds(one_label, TINY_P, TINY_G, constraint)


def test_reweighing_makes_label_rates_equal_across_groups():
    rng = np.random.default_rng(1)
    g = rng.choice(["a", "b", "c"], size=600, p=[0.5, 0.3, 0.2])
    y = (rng.random(600) < np.select([g == "a", g == "b"], [0.7, 0.4], 0.2)).astype(int)
    raw = {k: y[g == k].mean() for k in "abc"}
    assert max(raw.values()) - min(raw.values()) > 0.3
    w = F.reweighing(y, g)
    assert (w > 0).all() and w.sum() == pytest.approx(len(y))
    for k in "abc":
        m = g == k
        assert np.average(y[m], weights=w[m]) == pytest.approx(y.mean()), k
        assert w[m].sum() == pytest.approx(m.sum())          # each group keeps its total weight
    # the closed form on one cell: P(a) P(y=1) / P(a, y=1)
    cell = (g == "a") & (y == 1)
    assert w[cell][0] == pytest.approx((g == "a").mean() * y.mean() / cell.mean())


# ------------------------------------------------------------------ input that cannot be audited as it is


def test_a_column_with_one_group_is_refused():
    frame = pd.DataFrame({"sex": ["male"] * 20})
    with pytest.raises(F.FairnessError, match="Every row has the same sex \\('male'\\).*choose another"):
        F.group_labels(frame, F.Grouping.of("sex"))


def test_missing_values_form_their_own_group_with_a_note():
    frame = pd.DataFrame({"sex": ["male", "female", None, "", "female", np.nan, "male"]})
    labels, notes = F.group_labels(frame, F.Grouping.of("sex"))
    assert labels.tolist() == ["male", "female", F.MISSING, F.MISSING, "female", F.MISSING, "male"]
    assert notes == ["3 rows have no 'sex'; they form their own group '(missing)'."]
    a = F.audit(np.array([1, 0, 1, 1, 0, 1, 0]), np.full(7, 0.6), labels, n_boot=0)
    assert F.MISSING in a.groups.index


def test_five_hundred_distinct_texts_are_refused_naming_the_column_and_the_fix():
    frame = pd.DataFrame({"customer_name": [f"person {i}" for i in range(500)]})
    with pytest.raises(F.FairnessError) as err:
        F.group_labels(frame, F.Grouping.of("customer_name"))
    message = str(err.value)
    assert "'customer_name' has 500 different values" in message
    assert "Choose a column with fewer values" in message and f"at most {F.MAX_GROUPS}" in message


def test_five_hundred_distinct_numbers_are_cut_into_bands_with_a_note():
    income = np.arange(500) * 1.5 + 10
    labels, notes = F.group_labels(pd.DataFrame({"income": income}), F.Grouping.of("income"))
    bands = pd.unique(labels)
    assert 2 <= len(bands) <= 4 and len(bands) <= F.MAX_GROUPS
    assert len(notes) == 1 and "'income' has 500 different values" in notes[0] and "cut into bands" in notes[0]
    counts = pd.Series(labels).value_counts()
    assert counts.min() >= 100                           # quantile edges: bands of similar size
    # explicit edges are used as given
    labels, notes = F.group_labels(pd.DataFrame({"income": income}), F.Grouping.of("income", {"income": [300]}))
    assert sorted(set(labels)) == ["< 300", "≥ 300"] and notes == []
    assert (labels == "< 300").sum() == int((income < 300).sum())


def test_an_unknown_column_is_refused_listing_the_real_ones():
    frame = pd.DataFrame({"sex": ["a", "b"], "age": [30, 40]})
    with pytest.raises(F.FairnessError, match="no column 'gender'; choose one of sex, age"):
        F.group_labels(frame, F.Grouping.of("gender"))
    with pytest.raises(F.FairnessError, match="one sensitive column, or two"):
        F.Grouping.of(["sex", "age", "x"])


def test_two_columns_give_their_intersection():
    frame = pd.DataFrame({"sex": ["m", "f", "m", "f"], "band": ["young", "young", "old", "old"]})
    labels, _ = F.group_labels(frame, F.Grouping.of(["sex", "band"]))
    assert labels.tolist() == ["m × young", "f × young", "m × old", "f × old"]


def test_auditing_a_regression_run_is_refused(home, store):
    run_id = train_run(home, "regression2d", epochs=1)
    with pytest.raises(F.FairnessError, match="regression.*Train a classifier"):
        F.audit_run(store, run_id, "x1")


def test_audit_run_of_a_stored_classifier(home, store):
    run_id = train_run(home, "biased_loans", hidden=(8,), epochs=3, params={"n": 600, "bias": 1.0})
    a = F.audit_run(store, run_id, "sex", n_boot=50)
    assert a.favourable == "yes" and a.grouping == "sex" and set(a.groups.index) == {"female", "male"}
    assert a.groups["count"].sum() == 90                     # the test split
    with pytest.raises(F.FairnessError, match="no class 'maybe'"):
        F.audit_run(store, run_id, "sex", favourable="maybe")
    other = F.audit_run(store, run_id, "sex", favourable="no", n_boot=0)
    assert other.groups["selection_rate"].to_numpy() == pytest.approx(1 - a.groups["selection_rate"].to_numpy())


@pytest.mark.parametrize("mitigation", [{"reweigh": True}, {"fairness_penalty": "demographic_parity"}])
def test_in_training_mitigation_without_a_sensitive_column_is_a_training_error(mitigation):
    spiral = load_builtin("spiral", n=200)
    with pytest.raises(TrainingError, match="need a sensitive column"):
        train(spiral, NetworkSpec.dense([4]), TrainSpec(epochs=1, device="cpu", **mitigation))
    # a sensitive column whose rows all share one value cannot be mitigated either
    loans = load_builtin("biased_loans", n=200)
    one_group = dataclasses.replace(loans, raw=loans.raw.assign(part_time=0))
    with pytest.raises(TrainingError, match="fairness mitigation: Every row has the same part_time"):
        train(one_group, NetworkSpec.dense([4]), TrainSpec(epochs=1, device="cpu", sensitive="part_time", **mitigation))


def test_equal_selection_rates_are_said_plainly():
    y = np.array([1, 0, 1, 0])
    a = F.audit(y, np.array([0.9, 0.1, 0.8, 0.2]), np.array(["a", "a", "b", "b"]), n_boot=0)
    assert a.disparities["demographic_parity_difference"] == 0
    assert a.sentences[0].startswith("Every group is predicted") and "less often" not in a.sentences[0]


def test_bands_are_listed_in_numeric_order():
    groups = np.array(["< 27", "27–33", "33–42", "≥ 42"] * 10)
    rng = np.random.default_rng(0)
    a = F.audit(rng.integers(0, 2, 40), rng.random(40), groups, n_boot=0)
    assert list(a.groups.index) == ["< 27", "27–33", "33–42", "≥ 42"]


def test_mitigations_are_refused_on_a_regression_target():
    ds = load_builtin("diabetes")
    net, _ = build_network(NetworkSpec.dense([4], "relu"), ds)
    with pytest.raises(TrainingError, match="regression"):
        Trainer(net, ds, TrainSpec(device="cpu", reweigh=True, sensitive="sex"))
