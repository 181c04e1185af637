"""core/analysis/fairness: the audit's numbers against fairlearn's and against hand-computed ones, its
findings, the synthetic bias knob, what each mitigation does to its target disparity, and the
refusals of input that cannot be audited.

Mitigation effects are measured on biased_loans at bias 1 (4,000 rows, 600 in the test split);
the margins asserted hold with room over dataset/training seeds 0–10 (measured when written:
reweighing lowered the test demographic parity difference by ≥ 0.16, the DP penalty by ≥ 0.25,
the equalized-odds penalty lowered the equalized odds difference by ≥ 0.07)."""
from __future__ import annotations

import fairlearn.metrics as fm
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, precision_score

from core.analysis import fairness as F
from core.data import load_builtin
from core.runs import predict_array
from core.spec import NetworkSpec, TrainSpec
from core.training import train

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


def test_missing_values_form_their_own_group_with_a_note():
    frame = pd.DataFrame({"sex": ["male", "female", None, "", "female", np.nan, "male"]})
    labels, notes = F.group_labels(frame, F.Grouping.of("sex"))
    assert labels.tolist() == ["male", "female", F.MISSING, F.MISSING, "female", F.MISSING, "male"]
    assert notes == ["3 rows have no 'sex'; they form their own group '(missing)'."]
    a = F.audit(np.array([1, 0, 1, 1, 0, 1, 0]), np.full(7, 0.6), labels, n_boot=0)
    assert F.MISSING in a.groups.index


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


# ------------------------------------------------------------------ findings and fitted rules as data


def test_each_finding_carries_the_numbers_its_sentence_states():
    a = F.audit(TINY_Y, TINY_P, TINY_G, favourable="approved", n_boot=0)
    by_metric = {f.metric: f for f in a.findings}
    assert list(by_metric) == ["demographic_parity_difference", "demographic_parity_ratio",
                               "equal_opportunity_difference", "equalized_odds_difference",
                               "predictive_parity_difference"]
    parity = by_metric["demographic_parity_difference"]
    assert (parity.rate, parity.low, parity.high) == ("selection_rate", "b", "a")
    assert (parity.low_value, parity.high_value, parity.value) == (0.25, 0.75, 0.5) and not parity.equal
    assert by_metric["demographic_parity_ratio"].value == pytest.approx(1 / 3)
    opportunity = by_metric["equal_opportunity_difference"]
    assert (opportunity.rate, opportunity.low, opportunity.high, opportunity.low_value) == ("tpr", "b", "a", 0.5)
    odds = by_metric["equalized_odds_difference"]
    assert (odds.rate, odds.low, odds.high, odds.high_value, odds.value) == ("fpr", "b", "a", 0.5, 0.5)
    assert [f.sentence for f in a.findings] == a.sentences
    assert "'b' is predicted 'approved' 50.0 points less often than 'a'" in parity.sentence
    equal = F.audit(np.array([1, 0, 1, 0]), np.array([0.9, 0.1, 0.8, 0.2]), np.array(["a", "a", "b", "b"]), n_boot=0)
    assert equal.findings[0].equal and equal.findings[0].value == 0


@pytest.mark.parametrize("constraint", list(F.CONSTRAINTS))
def test_fitted_thresholds_are_rules_whose_numbers_give_the_decisions(constraint):
    rng = np.random.default_rng(2)
    g = np.where(rng.random(400) < 0.5, "a", "b")
    y = (rng.random(400) < np.where(g == "a", 0.7, 0.3)).astype(int)
    p = np.clip(0.5 * y + 0.6 * rng.random(400) - 0.1 * (g == "b"), 0, 1)
    mitigation = F.fit_thresholds(y, p, g, constraint)
    rules = mitigation.thresholds()
    assert set(rules) == {"a", "b"}
    decided = mitigation.predict(p, g, seed=0)
    for name, rule in rules.items():
        assert isinstance(rule, F.ThresholdRule) and rule.group == name and rule.operator in "<>"
        assert 0 < rule.share <= 1 and (rule.other_operator is None) == (rule.share == 1.0)
        assert 0 <= rule.constant_share < 1 and 0 <= rule.constant <= 1
        chance = favourable_chance(rule, p[g == name])
        certain = (chance == 0) | (chance == 1)
        assert certain.mean() > 0.5, name                 # most rows are decided by the thresholds alone
        np.testing.assert_array_equal(decided[g == name][certain], chance[certain])


def favourable_chance(rule: F.ThresholdRule, p: np.ndarray) -> np.ndarray:
    """The chance of a favourable decision at each probability, from the rule's fields alone."""
    def passes(operator, threshold):
        return (p > threshold if operator == ">" else p < threshold).astype(float)
    first = passes(rule.operator, rule.threshold)
    second = first if rule.other_operator is None else passes(rule.other_operator, rule.other_threshold)
    drawn = rule.share * first + (1 - rule.share) * second
    return rule.constant_share * rule.constant + (1 - rule.constant_share) * drawn
