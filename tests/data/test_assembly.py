"""From a table to a Dataset: which columns become features, gaps filled from the training rows,
rows without a target, and how the target becomes labels."""

from __future__ import annotations

import numpy as np

from core.data import Dataset, Preprocess, load_csv
from tests.data.tables import rows_with, table


def test_id_like_columns_are_dropped_and_reported():
    rng = np.random.default_rng(1)
    lines = ["id,customer,x,label"]
    for i in range(50):
        lines.append(f"{1000 + i},cust-{rng.integers(1e9)}-{i},{rng.normal():.4f},{i % 2}")
    ds = load_csv("\n".join(lines).encode(), target="label")
    assert ds.original_columns == ["x"]
    assert any("'id' looks like a row ID" in note for note in ds.notes)
    assert any("'customer'" in note and "row ID" in note for note in ds.notes)


def test_unique_floats_are_not_mistaken_for_ids():
    ds = load_csv(table().encode(), target="label")
    assert "income" in ds.original_columns  # a different value in every row, but a measurement


def test_missing_values_are_imputed_from_training_rows_and_reported():
    rng = np.random.default_rng(3)
    lines = ["age,city,label"]
    for i in range(60):
        age = "" if i % 7 == 0 else ("?" if i % 11 == 0 else str(int(rng.integers(20, 70))))
        city = "" if i % 5 == 0 else ("Oslo" if i % 3 else "Lima")
        lines.append(f"{age},{city},{'a' if i % 2 else 'b'}")
    data = "\n".join(lines).encode()
    ds = load_csv(data, target="label", preprocess=Preprocess(scaling="none"))
    n_missing_age = sum(1 for i in range(60) if i % 7 == 0 or i % 11 == 0)
    assert int(ds.raw["age"].isna().sum()) == n_missing_age
    train_median = float(np.nanmedian(ds.raw["age"].to_numpy(dtype=float)[ds.idx_train]))
    age_col = ds.groups["age"][0]
    missing_train = ds.raw["age"].isna().to_numpy()[ds.idx_train]
    assert missing_train.any()
    assert np.all(ds.X_train[missing_train, age_col] == np.float32(train_median))
    assert any(f"Filled {n_missing_age} missing values in 'age'" in note for note in ds.notes)
    # a missing city becomes the most common training city, a single 1 in its block
    city_cols = ds.groups["city"]
    assert np.all(ds.X_train[:, city_cols].sum(axis=1) == 1)
    assert any("'city'" in note and "most common" in note for note in ds.notes)


def test_median_uses_training_rows_only():
    # skewed values, so the training rows' median differs from the whole column's
    lines = ["v,label"] + [f"{'' if i % 9 == 0 else i ** 3},{i % 2}" for i in range(100)]
    base = load_csv("\n".join(lines).encode(), target="label", preprocess=Preprocess(scaling="none"))
    column = base.raw["v"].to_numpy(dtype=float)
    train_median, overall_median = np.nanmedian(column[base.idx_train]), np.nanmedian(column)
    assert train_median != overall_median
    for split in ("train", "val", "test"):
        idx = getattr(base, f"idx_{split}")
        X, _ = base.split(split)
        gaps = np.isnan(column[idx])
        assert gaps.any()
        assert np.all(X[gaps, 0] == np.float32(train_median))
    note = next(n for n in base.notes if "'v'" in n)
    assert "training rows' median" in note


def test_rows_without_target_are_dropped_and_reported():
    text = rows_with("a,b,label", "{i},{k},{m}", n=30) + "99,1,\n98,2,\n"
    ds = load_csv(text.encode(), target="label")
    assert len(ds.raw) == 30
    assert not ds.raw["label"].isna().any()
    assert any("Dropped 2 rows with no value in the target 'label'" in note for note in ds.notes)


def test_constant_duplicate_and_high_cardinality_columns_are_dropped():
    lines = ["x,x_copy,const,word,label"]
    for i in range(60):
        lines.append(f"{i % 9},{i % 9},7,w{i % 40},{i % 2}")
    ds = load_csv("\n".join(lines).encode(), target="label")
    assert ds.original_columns == ["x"]
    notes = " ".join(ds.notes)
    assert "'x_copy' is identical to 'x'" in notes
    assert "'const' has the same value in every row" in notes
    assert "'word' has 40 different text values" in notes


def test_column_identical_to_the_target_is_dropped():
    lines = ["x,leak,label"] + [f"{i % 5},{'yes' if i % 2 else 'no'},{'yes' if i % 2 else 'no'}" for i in range(40)]
    ds = load_csv("\n".join(lines).encode(), target="label")
    assert ds.original_columns == ["x"]
    assert any("'leak' is identical to 'label'" in note for note in ds.notes)


def test_many_categories_are_fine_for_the_target():
    lines = ["x,y,word"] + [f"{i},{i % 7},w{i % 40}" for i in range(400)]
    ds = load_csv("\n".join(lines).encode(), target="word")
    assert ds.n_classes == 40
    assert ds.class_names[:3] == ["w0", "w1", "w10"]


def test_user_drop_and_sensitive_columns():
    ds = load_builtin_csv_with_sex()
    assert "sex" not in ds.original_columns  # dropped from the inputs...
    assert "sex" in ds.raw.columns and ds.sensitive == ["sex"]  # ...but kept for the bias audit
    assert any("Left out 'sex' as requested" in note for note in ds.notes)


def load_builtin_csv_with_sex() -> Dataset:
    lines = ["sex,score,label"] + [f"{'f' if i % 2 else 'm'},{i * 0.5},{(i // 2) % 2}" for i in range(40)]
    return load_csv("\n".join(lines).encode(), target="label", sensitive=["sex"], drop=["sex"])


def test_true_false_target_is_a_classification_target():
    lines = ["a,b,label"] + [f"{i % 5},{i % 3},{'true' if (i // 3) % 2 else 'false'}" for i in range(30)]
    ds = load_csv("\r".join(lines).encode(), target="label")  # old Mac line endings too
    assert len(ds.raw) == 30
    assert ds.task == "classification" and ds.class_names == ["False", "True"]
    assert np.array_equal(ds.y_test == 1, ds.raw["label"].to_numpy()[ds.idx_test])
    with_gap = load_csv("\n".join(lines[:20] + ["1,1,"] + lines[20:] + ["2,2,true"]).encode(), target="label")
    assert with_gap.task == "classification" and len(with_gap.raw) == 31


def test_numeric_labels_become_sorted_strings():
    lines = ["x,grade"] + [f"{i % 17},{[2, 10, 1][i % 3]}" for i in range(60)]
    ds = load_csv("\n".join(lines).encode(), target="grade")
    assert ds.task == "classification"
    assert ds.class_names == ["1", "2", "10"]
    raw_labels = ds.raw["grade"].to_numpy()[ds.idx_train]
    assert np.array_equal(np.array([1, 2, 10])[ds.y_train], raw_labels)


def test_regression_target_is_kept_in_its_own_units():
    lines = ["x,price"] + [f"{i % 13},{1000 + i * 3.5}" for i in range(80)]
    ds = load_csv("\n".join(lines).encode(), target="price")
    assert ds.task == "regression" and ds.class_names is None and ds.n_classes == 0
    assert ds.y_train.dtype == np.float32
    assert np.array_equal(ds.y_train, ds.raw["price"].to_numpy(dtype=np.float32)[ds.idx_train])
