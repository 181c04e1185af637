"""The encoder: one-hot blocks, scaling fitted on the training rows, and encoding new rows."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import DataError, Preprocess, load_builtin, load_csv, read_csv_bytes
from tests.data.tables import table


def test_groups_map_one_hot_columns_back():
    ds = load_builtin("german_credit", preprocess=Preprocess(scaling="none"))
    purposes = sorted(ds.raw["purpose"].iloc[ds.idx_train].unique())
    block = ds.groups["purpose"]
    assert [ds.feature_names[i] for i in block] == [f"purpose={p}" for p in purposes]
    assert np.all(ds.X_train[:, block].sum(axis=1) == 1)
    chosen = np.asarray(purposes)[ds.X_train[:, block].argmax(axis=1)]
    assert np.array_equal(chosen, ds.raw["purpose"].to_numpy()[ds.idx_train])
    assert [ds.feature_names[i] for i in ds.groups["age"]] == ["age"]


@pytest.mark.parametrize("make", [
    lambda: load_builtin("german_credit"),
    lambda: load_builtin("digits"),
    lambda: load_builtin("biased_loans", preprocess=Preprocess(scaling="minmax")),
    lambda: load_csv(
        "\n".join(["a,b,label"] + [f"{'' if i % 4 == 0 else i},{'' if i % 5 == 0 else 'pq'[i % 2]},{i % 2}" for i in range(50)]).encode(),
        target="label",
    ),
])
def test_encode_reproduces_the_model_inputs(make):
    ds = make()
    for split in ("train", "val", "test"):
        X, _ = ds.split(split)
        rows = ds.raw.iloc[getattr(ds, f"idx_{split}")][ds.original_columns]
        assert np.array_equal(ds.encode(rows), X)


def test_encode_new_csv_rows():
    ds = load_csv(table().encode(), target="label", preprocess=Preprocess(scaling="none"))
    new, _ = read_csv_bytes(b"city,age,income,extra\nOslo,30,50.5,1\nParis,40,,2\n" + b"Lima,22,10,3\n" * 20)
    X = ds.encode(new)
    city = ds.groups["city"]
    assert X.shape == (22, ds.n_features)
    assert X[0, ds.feature_names.index("city=Oslo")] == 1 and X[0, city].sum() == 1
    assert np.all(X[1, city] == 0)  # a city never seen in training
    income_col = ds.groups["income"][0]
    train_income = ds.raw["income"].to_numpy()[ds.idx_train]
    assert X[1, income_col] == np.float32(np.median(train_income))


def test_encode_needs_every_original_column():
    ds = load_csv(table().encode(), target="label")
    with pytest.raises(DataError) as err:
        ds.encode(ds.raw.drop(columns=["income"]))
    assert "'income'" in str(err.value)
    bad = ds.raw[ds.original_columns].astype({"age": object}).copy()
    bad.loc[0, "age"] = "old"
    with pytest.raises(DataError) as err:
        ds.encode(bad)
    assert "'age'" in str(err.value) and "'old'" in str(err.value)


def test_minmax_scaling_puts_training_features_in_unit_range():
    ds = load_builtin("wine", preprocess=Preprocess(scaling="minmax"))
    assert np.allclose(ds.X_train.min(axis=0), 0.0, atol=1e-6)
    assert np.allclose(ds.X_train.max(axis=0), 1.0, atol=1e-6)
    # fitted on training rows only, so held-out rows may fall outside [0, 1]
    assert ds.X_test.min() < 0 or ds.X_test.max() > 1 or ds.X_val.min() < 0 or ds.X_val.max() > 1


def test_standard_scaling_is_fitted_on_training_rows():
    ds = load_builtin("moons", preprocess=Preprocess(scaling="standard"))
    assert np.allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-5)
    assert np.allclose(ds.X_train.std(axis=0), 1.0, atol=1e-5)
    raw = ds.raw[["x1", "x2"]].to_numpy()
    mean, std = raw[ds.idx_train].mean(axis=0), raw[ds.idx_train].std(axis=0)
    expected = ((raw[ds.idx_test] - mean) / std).astype(np.float32)
    assert np.allclose(ds.X_test, expected, atol=1e-6)


def test_no_scaling_keeps_raw_values():
    ds = load_builtin("circles", preprocess=Preprocess(scaling="none"))
    assert np.array_equal(ds.X_val, ds.raw[["x1", "x2"]].to_numpy(dtype=np.float32)[ds.idx_val])
