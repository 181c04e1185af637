"""core/data/groups.py: rows put into the groups of a sensitive column — text values, numeric bands cut
at the training rows' quantiles or at given edges, the intersection of two columns — and the columns
refused with a message that names the problem and the fix."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from core.data import MAX_GROUPS, FairnessError, Grouping, group_labels, load_builtin, row_groups


def test_row_groups_band_numbers_at_the_training_quartiles_and_keep_texts():
    ds = load_builtin("german_credit")
    labels, order = row_groups(ds, "age")
    assert len(labels) == len(ds.raw) and len(order) == 4
    assert order[0].startswith("< ") and order[-1].startswith("≥ ")     # in band order, not as text sorts
    assert set(labels) == set(order)
    labels, order = row_groups(ds, "sex")
    assert order == ["female", "male"] and list(labels) == list(ds.raw["sex"].astype(str))
    with pytest.raises(FairnessError):
        row_groups(dataclasses.replace(ds, raw=ds.raw.assign(sex="x")), "sex")       # one group


def test_a_column_with_one_group_is_refused():
    frame = pd.DataFrame({"sex": ["male"] * 20})
    with pytest.raises(FairnessError, match="Every row has the same sex \\('male'\\).*choose another"):
        group_labels(frame, Grouping.of("sex"))


def test_five_hundred_distinct_texts_are_refused_naming_the_column_and_the_fix():
    frame = pd.DataFrame({"customer_name": [f"person {i}" for i in range(500)]})
    with pytest.raises(FairnessError) as err:
        group_labels(frame, Grouping.of("customer_name"))
    message = str(err.value)
    assert "'customer_name' has 500 different values" in message
    assert "Choose a column with fewer values" in message and f"at most {MAX_GROUPS}" in message


def test_five_hundred_distinct_numbers_are_cut_into_bands_with_a_note():
    income = np.arange(500) * 1.5 + 10
    labels, notes = group_labels(pd.DataFrame({"income": income}), Grouping.of("income"))
    bands = pd.unique(labels)
    assert 2 <= len(bands) <= 4 and len(bands) <= MAX_GROUPS
    assert len(notes) == 1 and "'income' has 500 different values" in notes[0] and "cut into bands" in notes[0]
    counts = pd.Series(labels).value_counts()
    assert counts.min() >= 100                           # quantile edges: bands of similar size
    # explicit edges are used as given
    labels, notes = group_labels(pd.DataFrame({"income": income}), Grouping.of("income", {"income": [300]}))
    assert sorted(set(labels)) == ["< 300", "≥ 300"] and notes == []
    assert (labels == "< 300").sum() == int((income < 300).sum())


def test_an_unknown_column_is_refused_listing_the_real_ones():
    frame = pd.DataFrame({"sex": ["a", "b"], "age": [30, 40]})
    with pytest.raises(FairnessError, match="no column 'gender'; choose one of sex, age"):
        group_labels(frame, Grouping.of("gender"))
    with pytest.raises(FairnessError, match="one sensitive column, or two"):
        Grouping.of(["sex", "age", "x"])


def test_two_columns_give_their_intersection():
    frame = pd.DataFrame({"sex": ["m", "f", "m", "f"], "band": ["young", "young", "old", "old"]})
    labels, _ = group_labels(frame, Grouping.of(["sex", "band"]))
    assert labels.tolist() == ["m × young", "f × young", "m × old", "f × old"]
