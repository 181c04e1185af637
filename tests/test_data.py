"""Tests of core.data: built-in datasets, CSV validation, encoding, splits and rebuilding from a reference."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.data import (
    BUILTIN,
    LIMITS,
    DataError,
    Dataset,
    DatasetRef,
    Preprocess,
    Upload,
    csv_columns_summary,
    delete_upload,
    infer_task,
    list_builtin,
    load_builtin,
    load_csv,
    load_dataset,
    load_upload,
    read_csv_bytes,
    read_upload,
    remember_upload_settings,
    upload_info,
    uploaded_csvs,
)

ROOT = Path(__file__).resolve().parents[1]

ARRAYS = ("X_train", "X_val", "X_test", "y_train", "y_val", "y_test", "idx_train", "idx_val", "idx_test")

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
    "digits": ("classification", 10, 1797),
    "diabetes": ("regression", 0, 442),
    "german_credit": ("classification", 2, 1000),
    "biased_loans": ("classification", 2, 2000),
    "two_groups": ("classification", 2, 400),
}


def table(n: int = 40, seed: int = 0, sep: str = ",") -> str:
    """A small mixed table: two numeric columns, one text column and a yes/no label."""
    rng = np.random.default_rng(seed)
    lines = [sep.join(["age", "income", "city", "label"])]
    cities = ["Oslo", "Lima", "Pune"]
    for i in range(n):
        lines.append(
            sep.join([str(20 + i % 37), f"{rng.uniform(10, 90):.2f}", cities[i % 3], "yes" if i % 2 else "no"])
        )
    return "\n".join(lines) + "\n"


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def assert_same_arrays(a: Dataset, b: Dataset) -> None:
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        assert x.shape == y.shape, name
        assert x.tobytes() == y.tobytes(), name


def approval_gap(raw: pd.DataFrame) -> float:
    rates = raw.groupby("sex")["approved"].apply(lambda s: float((s == "yes").mean()))
    return rates["male"] - rates["female"]


# --------------------------------------------------------------------------------------
# Built-in datasets
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# CSV: invalid input
# --------------------------------------------------------------------------------------


def rows_with(header: str, row: str, n: int = 30) -> str:
    return header + "\n" + "\n".join(row.format(i=i, m=i % 2, k=i % 3) for i in range(n)) + "\n"


CSV_ERRORS = [
    ("empty", b"", {}, ["empty"]),
    ("whitespace", b"  \n\n\t \r\n", {}, ["empty"]),
    ("header only", b"a,b,label\n", {}, ["no data rows", "header"]),
    ("header and blank lines", b"a,b,label\n\n\n", {}, ["no data rows"]),
    ("duplicate names", rows_with("a,b,a,label", "{i},{k},{m},{m}").encode(), {}, ["duplicate", "'a'"]),
    ("png", b"\x89PNG\r\n\x1a\n" + bytes(200), {}, ["does not look like a CSV text file", "PNG"]),
    ("nul bytes", b"a,b,label\n1,2,3\n" + b"\x00" * 40, {}, ["does not look like a CSV text file"]),
    ("zip", b"PK\x03\x04" + b"\x14" * 100, {}, ["does not look like a CSV text file", "Excel"]),
    (
        "random bytes",
        np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8).tobytes(),
        {},
        ["does not look like a CSV text file"],
    ),
    ("short random bytes", bytes(range(1, 31)) * 3, {}, ["does not look like a CSV text file"]),
    ("target missing", table().encode(), {"target": "price"}, ["'price'", "'age'", "'income'", "'city'", "'label'"]),
    ("target case", table().encode(), {"target": "Label"}, ["did you mean 'label'"]),
    ("one class", rows_with("a,b,label", "{i},{k},yes").encode(), {}, ["only one class", "'yes'"]),
    ("target all empty", rows_with("a,b,label", "{i},{k},").encode(), {}, ["'label'", "no values"]),
    (
        "text target for regression",
        rows_with("a,b,label", "{i},{k},cat{m}").encode(),
        {"task": "regression"},
        ["not numeric", "'cat0'", "classification"],
    ),
    ("bad task", table().encode(), {"task": "classify"}, ["task", "'classify'", "'classification'"]),
    (
        "no usable feature",
        rows_with("id,const,empty,label", "{i},5,,{m}").encode(),
        {},
        ["No usable feature", "'id'", "'const'", "'empty'"],
    ),
    ("too few rows", rows_with("a,b,label", "{i},{k},{m}", n=12).encode(), {}, ["12", "20"]),
    (
        "too few labelled rows",
        (rows_with("a,b,label", "{i},{k},{m}", n=15) + rows_with("", "{i},{k},", n=10)[1:]).encode(),
        {},
        ["15", "20", "target"],
    ),
    ("too many classes", rows_with("a,b,label", "{i},{k},{i}.5", n=150).encode(), {"task": "classification"}, ["150", "regression"]),
    ("unknown sensitive", table().encode(), {"sensitive": ["gender"]}, ["'gender'", "Sensitive"]),
    ("drop the target", table().encode(), {"drop": ["label"]}, ["'label'", "target"]),
]


@pytest.mark.parametrize("case, data, kwargs, words", CSV_ERRORS, ids=[c[0] for c in CSV_ERRORS])
def test_invalid_csv_is_rejected_with_a_clear_message(case, data, kwargs, words):
    kwargs = {"target": "label", **kwargs}
    with pytest.raises(DataError) as err:
        load_csv(data, filename="upload.csv", **kwargs)
    message = str(err.value)
    for word in words:
        assert word in message, (case, message)
    assert ";" in message  # problem; fix


def test_duplicate_names_lists_only_the_duplicates():
    data = rows_with("a,b,a,c,c,label", "{i},{k},{m},1,2,{m}").encode()
    with pytest.raises(DataError) as err:
        read_csv_bytes(data)
    message = str(err.value)
    assert "'a'" in message and "'c'" in message and "'b'" not in message


@pytest.mark.parametrize(
    "bad_line, expected",
    [("7,8,9,10", "has 4 fields but the header has 3"), ("7,8", "has 2 fields but the header has 3")],
)
def test_ragged_row_names_line_and_counts(bad_line, expected):
    lines = ["a,b,label"] + [f"{i},{i % 3},{i % 2}" for i in range(30)]
    lines.insert(5, bad_line)  # physical line 6 of the file
    with pytest.raises(DataError) as err:
        read_csv_bytes("\n".join(lines).encode(), filename="ragged.csv")
    message = str(err.value)
    assert "Line 6" in message and expected in message and "'ragged.csv'" in message


def test_ragged_row_line_number_counts_quoted_line_breaks():
    lines = ['a,b,label', '1,"two\nlines",0'] + [f"{i},x,{i % 2}" for i in range(25)] + ["9,9"]
    with pytest.raises(DataError) as err:
        read_csv_bytes("\n".join(lines).encode())
    assert "Line 29" in str(err.value)


def test_size_limits_are_enforced_and_stated():
    with pytest.raises(DataError) as err:
        read_csv_bytes(b"x" * (LIMITS.max_bytes + 1), filename="big.csv")
    assert "50 MB" in str(err.value)

    rows = b"a,b\n" + b"1,2\n" * (LIMITS.max_rows + 1)
    with pytest.raises(DataError) as err:
        read_csv_bytes(rows)
    assert "200,000" in str(err.value)

    header = ",".join(f"c{i}" for i in range(LIMITS.max_columns + 1))
    with pytest.raises(DataError) as err:
        read_csv_bytes((header + "\n" + ",".join("1" for _ in range(LIMITS.max_columns + 1)) + "\n").encode())
    assert "501 columns" in str(err.value) and "500" in str(err.value)
    assert LIMITS["max_categories"] == 30 and LIMITS.min_rows == 20


def test_exactly_the_row_limit_is_accepted():
    frame, _ = read_csv_bytes(b"a,b\n" + b"1,2\n" * LIMITS.max_rows)
    assert len(frame) == LIMITS.max_rows


def test_a_few_rows_parse_for_prediction_but_cannot_be_trained_on():
    frame, _ = read_csv_bytes(b"age,income,city\n30,50.5,Oslo\n41,,Lima\n")
    assert frame.shape == (2, 3)
    with pytest.raises(DataError) as err:
        load_csv(table(n=19).encode(), target="label", filename="small.csv")
    assert "'small.csv' has only 19 data rows" in str(err.value) and "20" in str(err.value)


def test_missing_file_path_is_a_data_error(tmp_path):
    with pytest.raises(DataError) as err:
        load_csv(tmp_path / "nope.csv", target="label")
    assert "nope.csv" in str(err.value)


# --------------------------------------------------------------------------------------
# CSV: odd but valid input
# --------------------------------------------------------------------------------------


def test_utf8_bom_is_stripped_from_the_first_column_name():
    ds = load_csv(b"\xef\xbb\xbf" + table().encode(), target="label")
    assert ds.original_columns[0] == "age"
    assert "age" in ds.raw.columns


def test_utf16_text_with_bom_is_read():
    ds = load_csv(table(sep="\t").encode("utf-16"), target="label")
    assert ds.original_columns == ["age", "income", "city"]
    assert any("UTF-16" in note for note in ds.notes)


def test_latin1_semicolon_file_with_decimal_commas():
    lines = ["nom;prix;ville;classe"]
    for i in range(40):
        lines.append(f"article{i % 4};{i},{i % 10};{'Besançon' if i % 2 else 'Orléans'};{'oui' if i % 3 else 'non'}")
    data = ("\r\n".join(lines) + "\r\n").encode("latin-1")
    ds = load_csv(data, target="classe", filename="prix.csv")
    assert ds.original_columns == ["nom", "prix", "ville"]
    assert pd.api.types.is_float_dtype(ds.raw["prix"])
    assert ds.raw["prix"].iloc[3] == pytest.approx(3.3)
    assert "ville=Besançon" in ds.feature_names and "ville=Orléans" in ds.feature_names
    assert ds.class_names == ["non", "oui"]
    assert any("Windows-1252" in note and "semicolon" in note for note in ds.notes)
    assert any("decimal commas" in note and "'prix'" in note for note in ds.notes)


@pytest.mark.parametrize("sep, word", [("\t", "tab"), ("|", "pipe"), (";", "semicolon"), (",", "comma")])
def test_delimiters_are_detected(sep, word):
    frame, notes = read_csv_bytes(table(sep=sep).encode())
    assert list(frame.columns) == ["age", "income", "city", "label"]
    assert pd.api.types.is_numeric_dtype(frame["income"])
    assert word in notes[0]


def test_quoted_fields_with_separators_and_line_breaks():
    lines = ["name,comment,score,label"]
    for i in range(30):
        lines.append(f'item{i % 5},"says ""hi"", then\nleaves",{i * 1.5},{i % 2}')
    frame, _ = read_csv_bytes("\n".join(lines).encode())
    assert frame.shape == (30, 4)
    assert frame["comment"].iloc[0] == 'says "hi", then\nleaves'
    assert frame["score"].iloc[2] == 3.0


def test_file_without_header_row_gets_a_hint():
    text = "\n".join(f"{i % 4},{i % 3},{i % 2}" for i in range(30))
    with pytest.raises(DataError) as err:  # first row 0,0,0: the "names" repeat
        load_csv(text.encode(), target="label")
    assert "duplicate" in str(err.value) and "add a header row" in str(err.value)
    with pytest.raises(DataError) as err:  # first row 5,7,1: the target name is not found
        load_csv(("5,7,1\n" + text).encode(), target="label")
    assert "'label'" in str(err.value) and "add a header row" in str(err.value)


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


def test_html_in_column_names_is_kept_verbatim():
    name = "<script>alert(1)</script>"
    text = table().replace("city", name, 1)
    ds = load_csv(text.encode(), target="label")
    assert name in ds.original_columns
    assert f"{name}=Oslo" in ds.feature_names
    assert name in ds.raw.columns


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


def test_blank_rows_question_marks_and_true_false():
    lines = ["flag,v,label"] + [f"{'true' if i % 3 else 'FALSE'},{'?' if i == 4 else i},{i % 2}" for i in range(30)]
    lines.insert(10, ",,")
    lines.insert(3, "")
    frame, notes = read_csv_bytes(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert len(frame) == 30
    assert pd.api.types.is_bool_dtype(frame["flag"]) and frame["flag"].tolist()[:3] == [False, True, True]
    assert pd.isna(frame["v"].iloc[4]) and pd.api.types.is_numeric_dtype(frame["v"])
    assert any("Skipped 1 empty row" in note for note in notes)


def test_true_false_target_is_a_classification_target():
    lines = ["a,b,label"] + [f"{i % 5},{i % 3},{'true' if (i // 3) % 2 else 'false'}" for i in range(30)]
    ds = load_csv("\r".join(lines).encode(), target="label")  # old Mac line endings too
    assert len(ds.raw) == 30
    assert ds.task == "classification" and ds.class_names == ["False", "True"]
    assert np.array_equal(ds.y_test == 1, ds.raw["label"].to_numpy()[ds.idx_test])
    with_gap = load_csv("\n".join(lines[:20] + ["1,1,"] + lines[20:] + ["2,2,true"]).encode(), target="label")
    assert with_gap.task == "classification" and len(with_gap.raw) == 31


def test_csv_from_path_and_from_text(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(table())
    from_path = load_csv(path, target="label")
    from_str_path = load_csv(str(path), target="label")
    from_text = load_csv(table(), target="label")
    assert from_path.name == "people.csv" and from_text.name == "data.csv"
    assert_same_arrays(from_path, from_str_path)
    assert_same_arrays(from_path, from_text)


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


# --------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# References and rebuilding
# --------------------------------------------------------------------------------------


def test_builtin_ref_round_trips_through_json_and_rebuilds_bitwise():
    ds = load_builtin("spiral", seed=4, n=300, noise=0.2, preprocess=Preprocess(scaling="minmax", split_seed=2))
    assert ds.ref.params == {"n": 300, "noise": 0.2, "seed": 4}
    restored = DatasetRef.from_dict(json.loads(json.dumps(ds.ref.to_dict())))
    assert restored == ds.ref and hash(restored) == hash(ds.ref) and restored.key == ds.ref.key
    assert_same_arrays(load_dataset(restored), ds)
    assert load_dataset(ds.ref.to_dict()).feature_names == ds.feature_names


def test_csv_ref_rebuilds_from_the_stored_copy(tmp_path):
    data = b"\xef\xbb\xbf" + table(n=60).encode()
    ds = load_csv(data, target="label", sensitive=["city"], filename="upload.csv", home=tmp_path,
                  preprocess=Preprocess(val_fraction=0.2, test_fraction=0.1, split_seed=5))
    stored = tmp_path / "datasets" / f"{ds.ref.sha256}.csv"
    assert stored.read_bytes() == data
    assert not [p for p in stored.parent.iterdir() if p.name.endswith(".tmp")]
    ref = DatasetRef.from_dict(json.loads(json.dumps(ds.ref.to_dict())))
    again = load_dataset(ref, home=tmp_path)
    assert_same_arrays(again, ds)
    assert again.feature_names == ds.feature_names and again.sensitive == ["city"] and again.name == "upload.csv"
    pd.testing.assert_frame_equal(again.raw, ds.raw)

    with pytest.raises(DataError) as err:
        load_dataset(ref)
    assert "home" in str(err.value)
    with pytest.raises(DataError) as err:
        load_dataset(ref, home=tmp_path / "elsewhere")
    assert "upload it again" in str(err.value)
    stored.write_bytes(data + b"1,2,Oslo,yes\n")
    with pytest.raises(DataError) as err:
        load_dataset(ref, home=tmp_path)
    assert "changed" in str(err.value)


# --------------------------------------------------------------------------------------
# Earlier uploads kept in a workspace
# --------------------------------------------------------------------------------------


def test_no_uploads_in_a_new_workspace(tmp_path):
    assert uploaded_csvs(tmp_path) == [] and uploaded_csvs(tmp_path / "not-there") == []
    load_csv(table(n=30).encode(), target="label")                     # without home nothing is kept
    assert uploaded_csvs(tmp_path) == []


def test_uploads_are_listed_newest_first_with_name_shape_and_time(tmp_path):
    before = time.time()
    first = load_csv(table(n=40).encode(), target="label", filename="first.csv", home=tmp_path)
    second = load_csv(table(n=50, seed=1).encode(), target="income", filename="second.csv", home=tmp_path)
    uploads = uploaded_csvs(tmp_path)
    assert [u.name for u in uploads] == ["second.csv", "first.csv"]
    assert [u.id for u in uploads] == [second.ref.sha256, first.ref.sha256]
    u = uploads[1]
    assert isinstance(u, Upload) and u.ok and u.problem is None
    assert (u.rows, u.columns) == (40, len(first.raw.columns))
    assert u.size == len(table(n=40).encode())
    assert before - 1 <= u.uploaded <= time.time() and u.used >= u.uploaded
    assert uploads[0].settings == {"target": "income", "task": None, "sensitive": [], "drop": []}
    assert json.loads(json.dumps(u.to_dict()))["ok"] is True
    # notes are JSON next to the CSV, and the CSV stays the uploaded bytes
    folder = tmp_path / "datasets"
    assert sorted(p.suffix for p in folder.iterdir()) == [".csv", ".csv", ".json", ".json"]
    assert json.loads((folder / f"{u.id}.json").read_text())["name"] == "first.csv"
    assert (folder / f"{u.id}.csv").read_bytes() == table(n=40).encode()


def test_an_upload_reopens_with_new_settings_bitwise_like_a_fresh_upload(tmp_path):
    data = table(n=60).encode()
    original = load_csv(data, target="label", filename="people.csv", home=tmp_path)
    sha = original.ref.sha256
    assert read_upload(tmp_path, sha) == data
    pp = Preprocess(scaling="minmax", split_seed=3)
    again = load_upload(tmp_path, sha, target="income", sensitive=["city"], drop=["age"], preprocess=pp)
    fresh = load_csv(data, target="income", sensitive=["city"], drop=["age"], preprocess=pp, filename="people.csv")
    assert again.ref == fresh.ref and again.name == "people.csv" and again.task == "regression"
    assert_same_arrays(again, fresh)
    assert_same_arrays(load_dataset(again.ref, home=tmp_path), fresh)
    info = upload_info(tmp_path, sha)                                 # remembered as the last used settings
    assert info.settings == {"target": "income", "task": None, "sensitive": ["city"], "drop": ["age"]}
    assert info.preprocess == pp.to_dict()
    assert DatasetRef.from_dict(info.ref()) == again.ref
    assert len(uploaded_csvs(tmp_path)) == 1                          # the same file, not a second upload


def test_reuploading_the_same_bytes_keeps_one_entry_and_its_first_upload_time(tmp_path):
    data = table(n=30).encode()
    load_csv(data, target="label", filename="a.csv", home=tmp_path)
    first = upload_info(tmp_path, hashlib_sha(data)).uploaded
    load_csv(data, target="city", filename="renamed.csv", home=tmp_path)
    (u,) = uploaded_csvs(tmp_path)
    assert u.name == "renamed.csv" and u.uploaded == first and u.settings["target"] == "city"


def test_remember_upload_settings_keeps_the_last_preprocessing(tmp_path):
    ds = load_csv(table(n=40).encode(), target="label", filename="t.csv", home=tmp_path)
    ref = {**ds.ref.to_dict(), "preprocess": {"scaling": "none", "val_fraction": 0.2, "test_fraction": 0.1,
                                              "split_seed": 7}}
    assert remember_upload_settings(tmp_path, ref) is True
    assert remember_upload_settings(tmp_path, ref) is False          # nothing new: nothing written
    u = upload_info(tmp_path, ds.ref.sha256)
    assert u.preprocess == ref["preprocess"] and u.ref() == DatasetRef.from_dict(ref).to_dict()
    assert remember_upload_settings(tmp_path, load_builtin("moons").ref) is False
    gone = {**ref, "sha256": "0" * 64}                                # a file not kept here: ignored
    assert remember_upload_settings(tmp_path, gone) is False
    assert not (tmp_path / "datasets" / f"{'0' * 64}.json").exists()


def test_files_kept_before_notes_existed_are_still_listed(tmp_path):
    data = table(n=25).encode()
    sha = hashlib_sha(data)
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / f"{sha}.csv").write_bytes(data)
    (folder / ".upload-123.tmp").write_bytes(b"half written")
    (folder / "notes.txt").write_text("not an upload")
    (u,) = uploaded_csvs(tmp_path)
    assert u.id == sha and u.ok and (u.rows, u.columns) == (25, 4) and u.name == f"upload-{sha[:8]}.csv"
    assert u.settings == {} and u.ref() is None
    assert (folder / f"{sha}.json").exists()                          # worked out once, then remembered
    (folder / f"{sha}.json").write_text("{not json")                  # damaged notes are rebuilt
    assert uploaded_csvs(tmp_path)[0].rows == 25


def test_missing_changed_or_unreadable_uploads_are_data_errors(tmp_path):
    data = table(n=30).encode()
    ds = load_csv(data, target="label", filename="gone.csv", home=tmp_path)
    sha = ds.ref.sha256
    stored = tmp_path / "datasets" / f"{sha}.csv"

    stored.write_bytes(data + b"1,2,3\n")
    with pytest.raises(DataError) as err:
        read_upload(tmp_path, sha)
    assert "'gone.csv'" in str(err.value) and "changed since it was uploaded" in str(err.value)

    stored.unlink()
    (u,) = uploaded_csvs(tmp_path)                                    # still listed, with the reason
    assert not u.ok and u.size is None
    assert "'gone.csv'" in u.problem and "no longer in the workspace" in u.problem and "remove it" in u.problem
    for call in (lambda: read_upload(tmp_path, sha), lambda: load_upload(tmp_path, sha, target="label")):
        with pytest.raises(DataError) as err:
            call()
        assert "'gone.csv'" in str(err.value) and "upload the file again" in str(err.value)

    for bad in ("../../etc/passwd", "ABC", None, "f" * 63):
        with pytest.raises(DataError) as err:
            read_upload(tmp_path, bad)
        assert "not the id of an uploaded file" in str(err.value)
    with pytest.raises(DataError) as err:
        upload_info(tmp_path, "e" * 64)
    assert "not in this workspace" in str(err.value)


def test_a_kept_file_that_is_not_a_table_is_listed_with_its_problem(tmp_path):
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / f"{hashlib_sha(data)}.csv").write_bytes(data)
    (u,) = uploaded_csvs(tmp_path)
    assert not u.ok and "cannot be read as a table" in u.problem and u.rows is None


def test_delete_upload_removes_the_csv_and_its_notes(tmp_path):
    keep = load_csv(table(n=30).encode(), target="label", filename="keep.csv", home=tmp_path)
    drop = load_csv(table(n=30, seed=2).encode(), target="label", filename="drop.csv", home=tmp_path)
    assert delete_upload(tmp_path, drop.ref.sha256) is True
    assert [u.name for u in uploaded_csvs(tmp_path)] == ["keep.csv"]
    assert sorted(p.name for p in (tmp_path / "datasets").iterdir()) == sorted(
        [f"{keep.ref.sha256}.csv", f"{keep.ref.sha256}.json"])
    assert delete_upload(tmp_path, drop.ref.sha256) is False          # already gone: nothing to do
    with pytest.raises(DataError) as err:
        load_dataset(drop.ref, home=tmp_path)
    assert "upload it again" in str(err.value)
    with pytest.raises(DataError):
        delete_upload(tmp_path, "../glassnet.db")


def hashlib_sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_rebuild_in_another_process_is_bitwise_equal(tmp_path):
    csv_ds = load_csv(table(n=80).encode(), target="label", home=tmp_path)
    toy_ds = load_builtin("biased_loans", n=500, bias=0.3, seed=9)
    refs = tmp_path / "refs.json"
    refs.write_text(json.dumps([csv_ds.ref.to_dict(), toy_ds.ref.to_dict()]))
    script = (
        "import json, sys, numpy as np\n"
        "from core.data import load_dataset\n"
        "refs = json.load(open(sys.argv[1]))\n"
        "for i, ref in enumerate(refs):\n"
        "    ds = load_dataset(ref, home=sys.argv[2])\n"
        "    np.savez(f'{sys.argv[2]}/out{i}.npz', **{k: getattr(ds, k) for k in "
        "('X_train','X_val','X_test','y_train','y_val','y_test','idx_train','idx_val','idx_test')})\n"
    )
    subprocess.run([sys.executable, "-c", script, str(refs), str(tmp_path)], cwd=ROOT, check=True, timeout=120)
    for i, ds in enumerate((csv_ds, toy_ds)):
        with np.load(tmp_path / f"out{i}.npz") as other:
            for name in ARRAYS:
                assert other[name].dtype == getattr(ds, name).dtype
                assert other[name].tobytes() == getattr(ds, name).tobytes(), name


def test_bad_refs_are_data_errors():
    with pytest.raises(DataError):
        DatasetRef.from_dict({"kind": "url", "name": "x"})
    with pytest.raises(DataError) as err:
        DatasetRef(kind="csv", name="a.csv", params={}, sha256=None)
    assert "SHA-256" in str(err.value)
    with pytest.raises(DataError) as err:
        load_dataset(DatasetRef(kind="builtin", name="nothing"))
    assert "'nothing'" in str(err.value)
    with pytest.raises(DataError) as err:
        load_dataset(DatasetRef(kind="builtin", name="moons", params={"n": 100, "wiggle": 1, "seed": 0}))
    assert "'wiggle'" in str(err.value)


# --------------------------------------------------------------------------------------
# Preprocessing, scaling and splits
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"scaling": "zscore"}, "scaling"),
        ({"val_fraction": 0}, "val_fraction"),
        ({"val_fraction": 0.5}, "val_fraction"),
        ({"test_fraction": -0.1}, "test_fraction"),
        ({"test_fraction": True}, "test_fraction"),
        ({"test_fraction": "0.2"}, "test_fraction"),
        ({"val_fraction": 0.4, "test_fraction": 0.45}, "0.8"),
        ({"split_seed": -1}, "split_seed"),
        ({"split_seed": 1.5}, "split_seed"),
    ],
)
def test_preprocess_validation(kwargs, word):
    with pytest.raises(DataError) as err:
        Preprocess(**kwargs)
    assert word in str(err.value)


def test_preprocess_round_trip_and_unknown_keys():
    pp = Preprocess(scaling="minmax", val_fraction=0.2, test_fraction=0.25, split_seed=3)
    assert Preprocess.from_dict(pp.to_dict()) == pp
    with pytest.raises(DataError) as err:
        Preprocess.from_dict({"scaling": "none", "shuffle": True})
    assert "'shuffle'" in str(err.value)


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


# --------------------------------------------------------------------------------------
# Helpers for the UI
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, task",
    [
        (pd.Series([0, 1, 1, 0]), "classification"),
        (pd.Series(["cat", "dog"]), "classification"),
        (pd.Series([True, False]), "classification"),
        (pd.Series([1.0, np.nan, 2.0, 3.0]), "classification"),  # whole numbers read as float because of a gap
        (pd.Series([1.0, 2.0, 3.0]), "regression"),  # written as decimals
        (pd.Series([0.5, 1.25, 3.0]), "regression"),
        (pd.Series(range(50)), "regression"),
        (pd.Series(list(range(20)) * 2), "classification"),
    ],
)
def test_infer_task(values, task):
    assert infer_task(values) == task


def test_infer_task_of_empty_column_is_an_error():
    with pytest.raises(DataError):
        infer_task(pd.Series([np.nan, np.nan]))


def test_columns_summary_flags_problem_columns():
    lines = ["id,const,x,x2,word,city,label"]
    for i in range(60):
        x = "" if i % 6 == 0 else str(i % 9)
        lines.append(f"{i + 1},1,{x},{x},w{i % 45},{'ab'[i % 2]},{i % 2}")
    frame, _ = read_csv_bytes("\n".join(lines).encode())
    summary = csv_columns_summary(frame).set_index("name")
    assert list(summary.columns) == ["kind", "dtype", "missing", "distinct", "flags"]
    assert summary.loc["id", "flags"] == "id-like"
    assert summary.loc["const", "flags"] == "constant"
    assert summary.loc["x2", "flags"] == "duplicate of 'x'"
    assert summary.loc["x", "flags"] == "" and summary.loc["x", "missing"] == 10
    assert summary.loc["word", "kind"] == "text" and summary.loc["word", "flags"] == "too many categories"
    assert summary.loc["city", "kind"] == "categorical" and summary.loc["city", "distinct"] == 2
    assert summary.loc["label", "kind"] == "numeric"


def test_summary_reports_balance_and_notes():
    ds = load_builtin("german_credit")
    s = ds.summary()
    assert s["task"] == "classification" and s["n_classes"] == 2 and s["n_features"] == ds.n_features
    assert s["class_counts"] == {"bad": 300, "good": 700}
    assert s["class_balance"]["good"] == pytest.approx(0.7)
    assert s["notes"] == ds.notes and sum(s["rows"].values()) == 1000
    json.dumps(s)  # plain data
    r = load_builtin("regression2d").summary()
    assert r["n_classes"] == 0 and "target_stats" in r and r["class_names"] is None


def test_split_rejects_unknown_names():
    ds = load_builtin("xor")
    assert ds.split("validation")[0] is ds.X_val
    with pytest.raises(DataError) as err:
        ds.split("holdout")
    assert "'holdout'" in str(err.value)


def test_core_data_does_not_import_streamlit():
    source = (ROOT / "core" / "data.py").read_text()
    assert "streamlit" not in source
    assert "pickle" not in source
