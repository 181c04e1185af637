"""DataError: one sentence with the problem and the fix, and the column it lies in as data."""

from __future__ import annotations

import pytest

from core.data import DataError, Preprocess, load_csv, read_csv_bytes
from tests.data.tables import rows_with, table


def raised(call) -> DataError:
    with pytest.raises(DataError) as err:
        call()
    return err.value


@pytest.mark.parametrize("call, column", [
    (lambda: load_csv(table().encode(), target="price"), "price"),
    (lambda: load_csv(table().encode(), target="label", sensitive=["gender"]), "gender"),
    (lambda: load_csv(table().encode(), target="label", drop=["label"]), "label"),
    (lambda: load_csv(rows_with("a,b,label", "{i},{k},").encode(), target="label"), "label"),
    (lambda: load_csv(rows_with("a,b,label", "{i},{k},yes").encode(), target="label"), "label"),
    (lambda: load_csv(rows_with("a,b,label", "{i},{k},cat{m}").encode(), target="label", task="regression"), "label"),
    (lambda: load_csv(rows_with("a,b,label", "{i},{k},{i}.5", n=150).encode(), target="label",
                      task="classification"), "label"),
    (lambda: read_csv_bytes(rows_with("a,b,a,label", "{i},{k},{m},{m}").encode()), "a"),
], ids=["target not in table", "sensitive not in table", "dropped target", "target without values", "one class",
        "text regression target", "too many classes", "one duplicate name"])
def test_a_message_that_names_one_column_carries_it(call, column):
    err = raised(call)
    assert err.column == column
    assert repr(column) in str(err)


def test_encoding_rows_names_the_column_at_fault():
    ds = load_csv(table().encode(), target="label")
    assert raised(lambda: ds.encode(ds.raw.drop(columns=["income"]))).column == "income"
    bad = ds.raw[ds.original_columns].astype({"age": object}).copy()
    bad.loc[0, "age"] = "old"
    assert raised(lambda: ds.encode(bad)).column == "age"


@pytest.mark.parametrize("call", [
    lambda: read_csv_bytes(b""),
    lambda: read_csv_bytes(rows_with("a,b,a,c,c,label", "{i},{k},{m},1,2,{m}").encode()),
    lambda: load_csv(table().encode(), target="label").encode(load_csv(table().encode(), target="label").raw[["age"]]),
    lambda: Preprocess(scaling="zscore"),
], ids=["empty file", "two duplicate names", "two columns lacking", "a setting"])
def test_a_message_about_no_single_column_carries_none(call):
    err = raised(call)
    assert err.column is None
    assert isinstance(err, ValueError) and ";" in str(err)
