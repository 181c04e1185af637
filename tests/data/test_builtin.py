"""The built-in datasets: every set loads with consistent shapes, seeds and knobs change what they should,
and a bad request names the problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.data import BUILTIN, DataError, Preprocess, list_builtin, load_builtin
from tests.data.tables import assert_same_arrays, table


EXPECTED = {  # name: (task, number of classes, number of rows with default parameters)
    "spiral": ("classification", 2, 400),
    "moons": ("classification", 2, 400),
    "circles": ("classification", 2, 400),
    "xor": ("classification", 2, 400),
    "blobs": ("classification", 3, 400),
    "regression2d": ("regression", 0, 400),
    "iris": ("classification", 3, 150),
    "wine": ("classification", 3, 178),
    "breast_cancer": ("classification", 2, 569),
    "nines": ("classification", 2, 1797),
    "digits": ("classification", 10, 1797),
    "diabetes": ("regression", 0, 442),
    "german_credit": ("classification", 2, 1000),
    "biased_loans": ("classification", 2, 2000),
    "two_groups": ("classification", 2, 400),
}


def approval_gap(raw: pd.DataFrame) -> float:
    rates = raw.groupby("sex")["approved"].apply(lambda s: float((s == "yes").mean()))
    return rates["male"] - rates["female"]


def test_every_builtin_is_covered_here():
    assert set(EXPECTED) == set(BUILTIN)
    listed = {d["name"]: d for d in list_builtin()}
    assert set(listed) == set(BUILTIN)
    for name, info in listed.items():
        assert info["task"] == EXPECTED[name][0]
        assert info["description"]
        assert info["params"] == BUILTIN[name]["params"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_loads_with_consistent_shapes(name):
    task, n_classes, n_rows = EXPECTED[name]
    ds = load_builtin(name)
    assert ds.task == task
    assert ds.n_classes == n_classes
    assert len(ds.raw) == n_rows
    assert ds.target in ds.raw.columns
    assert all(c in ds.raw.columns for c in ds.original_columns + ds.sensitive)
    # the three splits partition the rows
    together = np.concatenate([ds.idx_train, ds.idx_val, ds.idx_test])
    assert np.array_equal(np.sort(together), np.arange(n_rows))
    for split in ("train", "val", "test"):
        X, y = ds.split(split)
        idx = getattr(ds, f"idx_{split}")
        assert X.dtype == np.float32 and X.shape == (len(idx), ds.n_features)
        assert np.isfinite(X).all()
        assert y.shape == (len(idx),)
        assert y.dtype == (np.int64 if task == "classification" else np.float32)
        assert idx.dtype == np.int64
    # every encoded feature belongs to exactly one original column
    flat = sorted(i for idx in ds.groups.values() for i in idx)
    assert flat == list(range(ds.n_features))
    assert list(ds.groups) == ds.original_columns
    assert len(set(ds.feature_names)) == ds.n_features
    if task == "classification":
        assert len(ds.class_names) == n_classes
        assert set(np.unique(ds.y_train)) == set(range(n_classes))
    else:
        assert ds.class_names is None


def test_toy_sets_are_two_dimensional_and_real_sets_are_not():
    for name, info in BUILTIN.items():
        ds = load_builtin(name)
        assert ds.is_2d == (info["kind"] == "toy2d"), name
        if info["kind"] == "toy2d":
            assert ds.original_columns == ["x1", "x2"]
            sensitive = info.get("sensitive", [])              # kept for the audit, not an input
            assert list(ds.raw.columns) == ["x1", "x2", "y" if name == "regression2d" else "label"] + sensitive


def test_real_set_names_and_labels():
    iris = load_builtin("iris")
    assert iris.class_names == ["setosa", "versicolor", "virginica"]
    assert iris.feature_names[0] == "sepal length (cm)"
    cancer = load_builtin("breast_cancer")
    assert cancer.class_names == ["malignant", "benign"]
    # the label in the raw table and the class id agree
    labels = cancer.raw[cancer.target].to_numpy()[cancer.idx_train]
    assert np.array_equal(np.asarray(cancer.class_names)[cancer.y_train], labels)
    diabetes = load_builtin("diabetes")
    y = np.concatenate([diabetes.y_train, diabetes.y_val, diabetes.y_test])
    assert 140 < y.mean() < 165  # raw disease-progression scores, not standardised


def test_german_credit_labels_and_sensitive_columns():
    ds = load_builtin("german_credit")
    assert ds.class_names == ["bad", "good"]
    assert ds.target == "risk"
    assert ds.sensitive == ["sex", "age"]
    assert set(ds.raw["risk"]) == {"bad", "good"}
    y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    assert (y == 1).sum() == 700  # the table has 700 good and 300 bad risks
    raw_good = ds.raw["risk"].to_numpy()[ds.idx_test] == "good"
    assert np.array_equal(raw_good, ds.y_test == 1)
    assert "sex" in ds.original_columns and "age" in ds.original_columns


def test_digits_are_images_scaled_to_unit_range():
    ds = load_builtin("digits", preprocess=Preprocess(scaling="standard"))
    assert ds.image_shape == (1, 8, 8)
    assert ds.n_features == 64
    assert ds.feature_names[:2] == ["px_0_0", "px_0_1"] and ds.feature_names[-1] == "px_7_7"
    assert ds.class_names == [str(d) for d in range(10)]
    X = np.vstack([ds.X_train, ds.X_val, ds.X_test])
    assert X.min() == 0.0 and X.max() == 1.0  # divided by 16 whatever the scaling option
    assert not ds.is_2d
    assert any("16" in note for note in ds.notes)


def test_toy_parameters_change_the_data():
    base = load_builtin("moons")
    assert len(load_builtin("moons", n=100).raw) == 100
    noisy = load_builtin("moons", noise=0.6)
    assert not np.array_equal(base.raw[["x1", "x2"]].to_numpy(), noisy.raw[["x1", "x2"]].to_numpy())
    # more noise spreads the points away from the two clean half circles
    assert noisy.raw["x2"].std() > base.raw["x2"].std()
    assert load_builtin("blobs", classes=2).n_classes == 2
    assert load_builtin("blobs", classes=3).n_classes == 3


def test_noise_free_toy_sets_follow_their_rules():
    circles = load_builtin("circles", noise=0.0).raw
    radius = np.hypot(circles["x1"], circles["x2"])
    assert (radius[circles["label"] == 1] <= 0.5 + 1e-12).all()
    assert (radius[circles["label"] == 0] >= 0.7 - 1e-12).all()
    xor = load_builtin("xor", noise=0.0).raw
    assert np.array_equal(xor["label"].to_numpy(), (xor["x1"] * xor["x2"] > 0).astype(int).to_numpy())
    surface = load_builtin("regression2d", noise=0.0).raw
    expected = np.sin(np.pi * surface["x1"]) * np.cos(0.5 * np.pi * surface["x2"]) + 0.25 * surface["x2"]
    assert np.allclose(surface["y"], expected)
    assert abs(len(xor) // 2 - (xor["label"] == 1).sum()) < 60


def test_same_seed_same_arrays_and_different_seed_different_arrays():
    for name in ("spiral", "blobs", "biased_loans", "regression2d"):
        a, b = load_builtin(name, seed=7), load_builtin(name, seed=7)
        assert_same_arrays(a, b)
        c = load_builtin(name, seed=8)
        assert not np.array_equal(a.raw.drop(columns=[a.target]).to_numpy(), c.raw.drop(columns=[c.target]).to_numpy())


def test_split_seed_changes_the_split_not_the_data():
    a = load_builtin("moons", preprocess=Preprocess(split_seed=0))
    b = load_builtin("moons", preprocess=Preprocess(split_seed=1))
    pd.testing.assert_frame_equal(a.raw, b.raw)
    assert not np.array_equal(a.idx_test, b.idx_test)


def test_bias_knob_widens_the_approval_gap():
    gaps = [approval_gap(load_builtin("biased_loans", n=20000, bias=b, seed=3).raw) for b in (0, 0.25, 0.5, 0.75, 1)]
    assert abs(gaps[0]) < 0.05
    assert gaps[-1] > 0.2
    assert all(later > earlier for earlier, later in zip(gaps, gaps[1:]))


def test_two_groups_is_a_plane_whose_labels_held_group_b_to_a_higher_bar():
    ds = load_builtin("two_groups", n=20000, bias=1.0, seed=2)
    assert ds.is_2d and ds.sensitive == ["group"] and ds.feature_names == ["x1", "x2"]
    raw = ds.raw
    assert "group" in raw.columns and set(raw["group"]) == {"A", "B"}
    score = raw["x1"] + raw["x2"]
    label = raw["label"].astype(int)
    in_b = raw["group"] == "B"
    # one rule, x1 + x2 above a bar; B's bar is 1.2 higher at bias 1 (the labels' noise blurs it a little)
    assert ((score > 0) == (label == 1))[~in_b].mean() > 0.9
    assert ((score > 1.2) == (label == 1))[in_b].mean() > 0.95
    # A sits upper-left, B lower-right: x1 - x2 tells the groups apart, x1 + x2 does not
    diff = raw["x1"] - raw["x2"]
    assert diff[in_b].mean() > 0.8 and diff[~in_b].mean() < -0.8
    assert abs(score[in_b].mean() - score[~in_b].mean()) < 0.05


def test_two_groups_bias_knob_widens_the_label_gap():
    def gap(bias):
        raw = load_builtin("two_groups", n=20000, bias=bias, seed=3).raw
        rates = raw["label"].astype(int).groupby(raw["group"]).mean()
        return rates["A"] - rates["B"]
    gaps = [gap(b) for b in (0, 0.25, 0.5, 0.75, 1)]
    assert abs(gaps[0]) < 0.03
    assert gaps[-1] > 0.35
    assert all(later > earlier for earlier, later in zip(gaps, gaps[1:]))


def test_biased_loans_has_proxies_but_fair_legitimate_features():
    ds = load_builtin("biased_loans", n=20000, bias=1.0, seed=1)
    raw = ds.raw
    assert "sex" in ds.sensitive
    assert {"income", "debt", "years_employed", "part_time", "occupation"} <= set(ds.original_columns)
    by_sex = raw.groupby("sex")
    # proxies lean towards one group
    assert by_sex["part_time"].mean()["female"] - by_sex["part_time"].mean()["male"] > 0.2
    care = raw["occupation"] == "care"
    assert raw.loc[care, "sex"].eq("female").mean() > 0.7
    # legitimate features do not depend on the group
    medians = by_sex["income"].median()
    assert abs(medians["female"] - medians["male"]) / medians["male"] < 0.05
    assert any(name.startswith("occupation=") for name in ds.feature_names)


def test_spiral_defeats_a_linear_model_but_not_a_small_tanh_network():
    torch = pytest.importorskip("torch")
    from sklearn.linear_model import LogisticRegression

    ds = load_builtin("spiral")  # defaults: n=400, noise=0.1
    fresh = load_builtin("spiral", n=4000, seed=123)
    X_new = ds.encode(fresh.raw)
    y_new = fresh.raw["label"].to_numpy()
    linear = LogisticRegression().fit(ds.X_train, ds.y_train).score(X_new, y_new)
    assert linear < 0.7

    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        net = torch.nn.Sequential(
            torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2)
        )
        opt = torch.optim.Adam(net.parameters(), lr=0.02)
        X, y = torch.tensor(ds.X_train), torch.tensor(ds.y_train)
        for _ in range(1000):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(X), y).backward()
            opt.step()
        with torch.no_grad():
            accuracy = (net(torch.tensor(X_new)).argmax(1).numpy() == y_new).mean()
    finally:
        torch.set_num_threads(threads)
    assert accuracy > 0.95


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: load_builtin("spirals"), ["'spirals'", "'spiral'", "'moons'", "'german_credit'"]),
        (lambda: load_builtin("spiral", radius=2), ["'radius'", "'noise'"]),
        (lambda: load_builtin("spiral", noise=5), ["'noise'", "0 to 1"]),
        (lambda: load_builtin("spiral", n="many"), ["'n'"]),
        (lambda: load_builtin("spiral", n=10.5), ["'n'"]),
        (lambda: load_builtin("blobs", classes=4), ["'classes'"]),
        (lambda: load_builtin("biased_loans", bias=-0.1), ["'bias'"]),
        (lambda: load_builtin("iris", n=10), ["'n'", "seed"]),
        (lambda: load_builtin("moons", seed=-1), ["seed"]),
    ],
)
def test_bad_builtin_requests_name_the_problem(call, words):
    with pytest.raises(DataError) as err:
        call()
    for word in words:
        assert word in str(err.value)
