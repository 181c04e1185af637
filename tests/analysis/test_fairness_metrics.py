"""core/analysis/fairness/metrics.py: the one implementation of the per-group rates and the disparities
between groups, checked against fairlearn on hand-made fixtures — including the edge cases where a
rate is undefined in a group — and against the audit that reports them."""
from __future__ import annotations

import math

import fairlearn.metrics as fm
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, precision_score

from core.analysis.fairness import DISPARITIES, RATES, audit, disparities, group_rates, rates


def group_metrics(favourable, predicted, groups) -> dict[str, float]:
    """group_rates and disparities as one flat dict: '<rate>/<group>' and each disparity by name."""
    names, by_group = group_rates(favourable, predicted, groups)
    out = {f"{rate}/{name}": float(values[i]) for rate, values in by_group.items() for i, name in enumerate(names)}
    out.update(disparities(by_group))
    return out


def _fixture(y, pred, groups):
    return np.asarray(y), np.asarray(pred), np.asarray(groups)


FIXTURES = {
    # three groups of unequal size, every rate defined
    "three groups": _fixture([1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1],
                             [1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1],
                             ["x"] * 10 + ["y"] * 8 + ["z"] * 6),
    # group a has no truly favourable rows: fairlearn's TPR there is 0, not undefined
    "a group without positives": _fixture([0, 0, 0, 1, 1, 0, 1, 0], [1, 0, 0, 1, 0, 0, 1, 1],
                                          ["a"] * 3 + ["b"] * 5),
    # group b is all favourable: its FPR is 0
    "a group without negatives": _fixture([1, 0, 1, 1, 1, 1], [1, 1, 0, 1, 0, 1], ["a"] * 3 + ["b"] * 3),
    # nobody is decided favourable: ratios are undefined (NaN), precision too
    "nobody selected": _fixture([1, 0, 1, 0, 1, 1], [0] * 6, ["a", "a", "b", "b", "c", "c"]),
    # one group is never selected: its precision is undefined and left out of the parity gap
    "a group never selected": _fixture([1, 0, 1, 0, 1, 0], [1, 1, 0, 1, 0, 0], ["a", "a", "b", "b", "c", "c"]),
    # nobody is wrongly favoured: the FPR ratio is undefined, so equalized odds falls back on the TPR ratio
    "no false positives": _fixture([1, 1, 0, 1, 1, 0], [1, 0, 0, 1, 1, 0], ["a"] * 3 + ["b"] * 3),
    # groups given as numbers, single-row groups
    "numeric groups": _fixture([1, 0, 1, 0, 1], [1, 1, 0, 0, 1], [3, 1, 2, 1, 3]),
}


def _fairlearn(y, pred, groups) -> tuple[pd.DataFrame, dict]:
    def precision(a, b):
        return precision_score(a, b, zero_division=np.nan)
    kw = {"y_true": y, "y_pred": pred, "sensitive_features": groups}
    frame = fm.MetricFrame(metrics={"count": fm.count, "selection_rate": fm.selection_rate,
                                    "accuracy": accuracy_score, "tpr": fm.true_positive_rate,
                                    "fpr": fm.false_positive_rate, "fnr": fm.false_negative_rate,
                                    "precision": precision}, **kw)
    gaps = {
        "demographic_parity_difference": fm.demographic_parity_difference(**kw),
        "demographic_parity_ratio": fm.demographic_parity_ratio(**kw),
        "equalized_odds_difference": fm.equalized_odds_difference(**kw),
        "equalized_odds_ratio": fm.equalized_odds_ratio(**kw),
        "equal_opportunity_difference": fm.equal_opportunity_difference(**kw),
        "predictive_parity_difference": fm.MetricFrame(metrics=precision, **kw).difference(),
    }
    return frame.by_group, {k: float(v) for k, v in gaps.items()}


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-12)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", list(FIXTURES))
def test_group_metrics_equal_fairlearns_on_every_fixture(name):
    y, pred, groups = FIXTURES[name]
    by_group, gaps = _fairlearn(y, pred, groups)
    m = group_metrics(y, pred, groups)
    for g in by_group.index:
        for rate in ("count", "selection_rate", "accuracy", "tpr", "fpr", "fnr", "precision"):
            assert _same(m[f"{rate}/{g}"], float(by_group.loc[g, rate])), (name, rate, g, m[f"{rate}/{g}"])
    for key, value in gaps.items():
        assert _same(m[key], value), (name, key, m[key], value)


def test_the_edge_cases_are_what_fairlearn_says():
    m = group_metrics(*FIXTURES["a group without positives"])
    assert m["tpr/a"] == 0.0 and m["fnr/a"] == 0.0                  # no truly favourable rows: 0, not NaN
    m = group_metrics(*FIXTURES["nobody selected"])
    assert math.isnan(m["demographic_parity_ratio"]) and math.isnan(m["precision/a"])
    assert m["demographic_parity_difference"] == 0.0
    m = group_metrics(*FIXTURES["no false positives"])
    assert m["equalized_odds_ratio"] == pytest.approx(m["tpr/a"] / m["tpr/b"])


def test_group_rates_give_every_rate_of_every_group_and_the_disparities_are_floats():
    y, pred, groups = FIXTURES["three groups"]
    m = group_metrics(y, pred, groups)
    assert set(m) == {f"{rate}/{g}" for rate in RATES for g in "xyz"} | set(DISPARITIES)
    assert all(type(v) is float for v in m.values())
    assert m["count/x"] == 10.0 and m["selection_rate/z"] == pytest.approx(4 / 6)
    with pytest.raises(ValueError, match="one entry per row"):
        group_metrics(y, pred[:-1], groups)


def test_rates_from_counts_are_undefined_where_nothing_is_counted():
    r = rates(np.array([2, 0]), np.array([1, 0]), np.array([1, 0]), np.array([0, 3]))
    assert r["count"].tolist() == [4, 3]
    assert r["tpr"][0] == pytest.approx(2 / 3) and np.isnan(r["tpr"][1])      # no truly favourable rows
    assert r["precision"][0] == pytest.approx(2 / 3) and np.isnan(r["precision"][1])
    assert r["fpr"].tolist() == [1.0, 0.0] and r["selection_rate"].tolist() == [0.75, 0.0]


def test_the_audit_reports_exactly_these_numbers():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 500)
    p = np.clip(0.3 * y + rng.random(500) * 0.8, 0, 1)
    g = rng.choice(["north", "south", "east"], 500, p=[0.5, 0.3, 0.2])
    a = audit(y, p, g, threshold=0.55, n_boot=0)
    m = group_metrics(y, (p >= 0.55).astype(int), g)
    for name in a.groups.index:
        for rate in RATES:
            assert a.groups.loc[name, rate] == m[f"{rate}/{name}"], (rate, name)
    assert a.disparities == {k: m[k] for k in DISPARITIES}
    names, by_group = group_rates(y, (p >= 0.55).astype(int), g)
    assert names == ["east", "north", "south"] and disparities(by_group) == a.disparities
