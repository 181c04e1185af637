"""The train/validation/test split: fractions, stratification and the split names."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import DataError, Preprocess, load_builtin, load_csv


def test_split_fractions_are_respected():
    ds = load_builtin("biased_loans", n=1000, preprocess=Preprocess(val_fraction=0.1, test_fraction=0.2))
    assert (len(ds.idx_train), len(ds.idx_val), len(ds.idx_test)) == (700, 100, 200)
    assert ds.summary()["rows"] == {"train": 700, "val": 100, "test": 200}


def test_stratified_split_keeps_class_ratios():
    lines = ["x,label"] + [f"{i % 23},{'rare' if i % 10 == 0 else 'common'}" for i in range(500)]
    ds = load_csv("\n".join(lines).encode(), target="label", preprocess=Preprocess(val_fraction=0.2, test_fraction=0.2))
    rare = ds.class_names.index("rare")
    for y in (ds.y_train, ds.y_val, ds.y_test):
        assert (y == rare).mean() == pytest.approx(0.1, abs=0.005)
    assert any("stratified" in note for note in ds.notes)


def test_split_falls_back_to_random_when_a_class_is_tiny():
    lines = ["x,label"] + [f"{i % 7},{'solo' if i == 0 else ('a' if i % 2 else 'b')}" for i in range(60)]
    ds = load_csv("\n".join(lines).encode(), target="label")
    assert ds.n_classes == 3
    assert len(ds.idx_train) + len(ds.idx_val) + len(ds.idx_test) == 60
    assert any("random" in note for note in ds.notes)


def test_split_rejects_unknown_names():
    ds = load_builtin("xor")
    assert ds.split("validation")[0] is ds.X_val
    with pytest.raises(DataError) as err:
        ds.split("holdout")
    assert "'holdout'" in str(err.value)


def test_indices_name_the_raw_rows_of_each_split():
    ds = load_builtin("biased_loans", n=300)
    for name, rows in (("train", ds.idx_train), ("val", ds.idx_val), ("validation", ds.idx_val), ("test", ds.idx_test)):
        assert ds.indices(name) is rows
        X, _ = ds.split(name)
        assert np.array_equal(ds.encode(ds.raw.iloc[ds.indices(name)]), X)
    with pytest.raises(DataError) as err:
        ds.indices("holdout")
    assert "'holdout'" in str(err.value)
