"""Dataset references and preprocessing options: validation and the JSON round trip."""

from __future__ import annotations

import pytest

from core.data import DataError, DatasetRef, Preprocess, load_dataset


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
