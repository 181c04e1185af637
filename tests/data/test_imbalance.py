"""Imbalanced data: the toy sets' minority knob (class shares as asked, today's data by default, bad values
refused in words) and the built-in imbalanced table `nines` ("is it a 9?")."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from core.data import DataError, DatasetRef, class_counts, list_builtin, load_builtin, load_dataset

TWO_CLASS = ["spiral", "moons", "circles", "xor"]

# Digests of the tables these sets made before the minority knob existed (values to 12 decimals, so the
# last bits of sin/cos on another machine do not matter): the default must still make exactly these.
BEFORE = {
    ("spiral", (), 0): "d81c16a04d2bfca1", ("spiral", (), 5): "7e52f49900b9fb2c",
    ("moons", (), 0): "1ae0ff4e37e4d828", ("moons", (), 5): "d0b5dda38c749404",
    ("circles", (), 0): "985b0202591c61c3", ("circles", (), 5): "710aba852defaa43",
    ("xor", (), 0): "3ecfdd7f4c5f8d0a", ("xor", (), 5): "ac8ed0f2d4d53f6a",
    ("blobs", (), 0): "32355f66e30ca9bd", ("blobs", (), 5): "a421f802fa7852e4",
    ("blobs", (("classes", 2), ("n", 137), ("noise", 0.5)), 0): "084aa7964ef4404e",
    ("spiral", (("n", 137), ("noise", 0.3)), 5): "e2d9180332dfc0a8",
    ("xor", (("n", 51),), 5): "597321f04c5512c1",
}


def digest(ds) -> str:
    return hashlib.sha256(ds.raw.to_csv(index=False, float_format="%.12f").encode()).hexdigest()[:16]


def shares(ds) -> np.ndarray:
    y = ds.raw[ds.target].to_numpy().astype(np.int64)
    return np.bincount(y) / len(y)


@pytest.mark.parametrize("key", sorted(BEFORE, key=str))
def test_the_default_makes_the_data_made_before_the_knob(key):
    name, params, seed = key
    ds = load_builtin(name, seed=seed, **dict(params))
    assert digest(ds) == BEFORE[key]
    assert "minority" not in ds.ref.params                 # the same reference as before, too
    balanced = load_builtin(name, seed=seed, minority=0.5, **dict(params))
    assert balanced.ref == ds.ref
    assert balanced.raw.equals(ds.raw)


@pytest.mark.parametrize("name", TWO_CLASS + ["blobs"])
@pytest.mark.parametrize("minority", [0.02, 0.1, 0.3])
def test_the_rarest_class_gets_the_share_asked(name, minority):
    extra = {"classes": 2} if name == "blobs" else {}
    ds = load_builtin(name, n=400, minority=minority, seed=3, **extra)
    got = shares(ds)
    assert len(ds.raw) == 400 and len(got) == 2
    assert got[1] == pytest.approx(minority, abs=0.5 / 400)           # class 1 is the rare one
    assert ds.ref.params["minority"] == minority                    # kept in the reference ...
    again = load_dataset(DatasetRef.from_dict(ds.ref.to_dict()))    # ... so the run's record rebuilds it
    assert again.raw.equals(ds.raw)
    assert any(f"{round(minority * 400)} of 400 points" in note for note in ds.notes)


def test_three_blobs_the_last_class_is_rare_and_the_others_share_the_rest():
    ds = load_builtin("blobs", n=300, minority=0.1)
    assert np.bincount(ds.raw["label"]).tolist() == [135, 135, 30]
    # a third or more is balanced: today's blobs
    assert load_builtin("blobs", n=300, minority=0.4).raw.equals(load_builtin("blobs", n=300).raw)
    assert class_counts(300, 0.4, 3) is None and class_counts(301, 0.1, 3) == (136, 135, 30)


def test_the_points_keep_their_shape_when_thinned():
    # XOR stays XOR: class 1 exactly where x1 and x2 share a sign (no noise)
    xor = load_builtin("xor", noise=0.0, minority=0.05).raw
    assert np.array_equal((xor["x1"] * xor["x2"] > 0).astype(int), xor["label"])
    circles = load_builtin("circles", noise=0.0, minority=0.05).raw
    radius = np.hypot(circles["x1"], circles["x2"])
    assert (radius[circles["label"] == 1] <= 0.5).all() and (radius[circles["label"] == 0] >= 0.7).all()


def test_a_tiny_minority_still_has_points_to_learn_from():
    ds = load_builtin("moons", n=20, minority=0.02)
    assert np.bincount(ds.raw["label"]).tolist() == [18, 2]
    assert ds.n_classes == 2


@pytest.mark.parametrize("bad", [0, 1.5, "lots", -0.1, float("nan"), True])
def test_a_bad_minority_is_refused_in_words(bad):
    with pytest.raises(DataError) as err:
        load_builtin("spiral", minority=bad)
    text = str(err.value)
    assert "'minority'" in text and "0.02 to 0.5" in text and repr(bad) in text


def test_only_the_classifying_toy_sets_take_the_knob():
    options = {d["name"]: d["options"] for d in list_builtin()}
    assert {n for n, o in options.items() if "minority" in o} == {*TWO_CLASS, "blobs"}
    for name in ("regression2d", "two_groups", "iris", "nines"):
        with pytest.raises(DataError, match="no parameter 'minority'"):
            load_builtin(name, minority=0.1)
    with pytest.raises(DataError, match="'minority'"):      # the knob is named among the set's parameters
        load_builtin("spiral", radius=2)


def test_nines_is_every_digit_asked_is_it_a_9():
    ds = load_builtin("nines")
    assert ds.class_names == ["not 9", "9"] and ds.task == "classification"
    assert ds.image_shape == (1, 8, 8) and ds.n_features == 64 and len(ds.raw) == 1797
    y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    assert np.bincount(y).tolist() == [1617, 180]
    assert 180 / 1797 == pytest.approx(0.100, abs=0.001)
    # the description states these numbers
    assert all(s in ds.notes[0] for s in ("1,797", "180", "10.0 %", "1,617", "90.0 %"))
    # the same images as the digits set, each 9 labelled "9" and nothing else
    digits = load_builtin("digits")
    assert np.array_equal(ds.raw.drop(columns="is_nine").to_numpy(), digits.raw.drop(columns="digit").to_numpy())
    assert np.array_equal(ds.raw["is_nine"].to_numpy() == "9", digits.raw["digit"].to_numpy() == 9)
    # every split keeps the shares (stratified)
    for split in ("train", "val", "test"):
        assert np.mean(getattr(ds, f"y_{split}") == 1) == pytest.approx(0.1, abs=0.01)


def test_a_network_trains_on_nines():
    import torch

    from core.spec import NetworkSpec, TrainSpec
    from core.training import train

    ds = load_builtin("nines")
    spec = TrainSpec(epochs=15, lr=0.01, optimizer="adam", batch_size=64, seed=0, device="cpu")
    net, result = train(ds, NetworkSpec.dense([32]), spec)
    assert result.epochs == 15
    with torch.no_grad():
        p = net.predict(torch.tensor(ds.X_test)).numpy()
    found = (p.argmax(1) == 1) & (ds.y_test == 1)
    assert found.sum() / (ds.y_test == 1).sum() > 0.8     # it learnt the 9s, not just "not 9"
