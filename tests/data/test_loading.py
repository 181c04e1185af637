"""Loading: load_csv's checks end to end, and rebuilding a Dataset from its reference in any process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.data import DataError, DatasetRef, Preprocess, load_builtin, load_csv, load_dataset
from tests.data.tables import ARRAYS, assert_same_arrays, rows_with, table

ROOT = Path(__file__).resolve().parents[2]


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


def test_missing_file_path_is_a_data_error(tmp_path):
    with pytest.raises(DataError) as err:
        load_csv(tmp_path / "nope.csv", target="label")
    assert "nope.csv" in str(err.value)


def test_csv_from_path_and_from_text(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(table())
    from_path = load_csv(path, target="label")
    from_str_path = load_csv(str(path), target="label")
    from_text = load_csv(table(), target="label")
    assert from_path.name == "people.csv" and from_text.name == "data.csv"
    assert_same_arrays(from_path, from_str_path)
    assert_same_arrays(from_path, from_text)


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
