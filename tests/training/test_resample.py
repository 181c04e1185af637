"""Resampling a classifier's training rows ('over', 'under'): class counts after it, the other splits left
alone, the same rows for the same seed, a clear refusal for regression, and the counts in the run's record."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.data import load_builtin
from core.model import network_for
from core.runs import Store
from core.spec import NetworkSpec, SpecError, TrainSpec, loads_train
from core.training import StoreRecorder, Trainer, resample_dataset, resampled_rows

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def cancer():
    return load_builtin("breast_cancer")          # 148 malignant / 251 benign training rows


def counts(ds) -> list[int]:
    return np.bincount(ds.y_train, minlength=ds.n_classes).tolist()


def test_over_and_under_sampling_give_every_class_the_majority_or_minority_count(cancer):
    lo, hi = sorted(counts(cancer))
    assert lo < hi
    over, record = resample_dataset(cancer, TrainSpec(resample="over"))
    assert counts(over) == [hi, hi]
    assert record == {"how": "over", "before": dict(zip(cancer.class_names, counts(cancer))),
                      "after": dict(zip(cancer.class_names, [hi, hi]))}
    under, record = resample_dataset(cancer, TrainSpec(resample="under"))
    assert counts(under) == [lo, lo] and record["after"] == dict(zip(cancer.class_names, [lo, lo]))
    # every original row is kept by oversampling; undersampling keeps the minority whole and draws no row twice
    assert set(over.idx_train) == set(cancer.idx_train)
    assert len(set(under.idx_train)) == len(under.idx_train)
    rare = int(np.argmin(counts(cancer)))
    assert set(under.idx_train[under.y_train == rare]) == set(cancer.idx_train[cancer.y_train == rare])
    # the inputs follow their rows
    where = {int(r): i for i, r in enumerate(cancer.idx_train)}
    assert np.array_equal(over.X_train, cancer.X_train[[where[int(r)] for r in over.idx_train]])
    assert resample_dataset(cancer, TrainSpec())[0] is cancer


def test_three_classes_are_brought_to_one_count():
    y = np.array([0] * 50 + [1] * 7 + [2] * 20)
    assert np.bincount(y[resampled_rows(y, 3, "over", 0)]).tolist() == [50, 50, 50]
    assert np.bincount(y[resampled_rows(y, 3, "under", 0)]).tolist() == [7, 7, 7]


def test_validation_and_test_rows_are_untouched(cancer):
    for how in ("over", "under"):
        ds, _ = resample_dataset(cancer, TrainSpec(resample=how))
        for split in ("val", "test"):
            assert np.array_equal(ds.split(split)[0], cancer.split(split)[0])
            assert np.array_equal(ds.split(split)[1], cancer.split(split)[1])
            assert np.array_equal(ds.indices(split), cancer.indices(split))


def test_the_same_seed_draws_the_same_rows_and_another_seed_others(cancer):
    for how in ("over", "under"):
        a = resample_dataset(cancer, TrainSpec(resample=how, seed=4))[0].idx_train
        b = resample_dataset(cancer, TrainSpec(resample=how, seed=4))[0].idx_train
        c = resample_dataset(cancer, TrainSpec(resample=how, seed=5))[0].idx_train
        assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_resampling_a_regression_target_is_refused_naming_the_setting():
    ds = load_builtin("regression2d")
    net = network_for(NetworkSpec.dense([4]), ds)
    with pytest.raises(SpecError, match="resample: over-sampling balances the classes.*set it to none") as e:
        Trainer(net, ds, TrainSpec(resample="over", epochs=1), device=CPU)
    assert e.value.field == "resample"
    with pytest.raises(SpecError, match="resample: use one of none, over, under"):
        TrainSpec(resample="smote").validate()


def test_older_specs_without_the_field_still_load_and_new_ones_round_trip():
    old = {k: v for k, v in TrainSpec().to_dict().items() if k != "resample"}
    assert loads_train(json.dumps(old)).resample == "none"
    assert loads_train(json.dumps(TrainSpec(resample="under").to_dict())).resample == "under"


def test_the_trainer_learns_from_the_resampled_rows_and_the_run_records_the_counts(cancer, tmp_path):
    store = Store(tmp_path)
    spec = TrainSpec(resample="over", epochs=2)
    run_id = store.create_run(dataset=cancer.ref.to_dict(), network=NetworkSpec.dense([4]).to_dict(),
                              train=spec.to_dict(), name="over")
    trainer = Trainer(network_for(NetworkSpec.dense([4]), cancer), cancer, spec, device=CPU,
                      callbacks=[StoreRecorder(store, run_id)])
    assert len(trainer.X["train"]) == 2 * max(counts(cancer))
    assert len(trainer.X["val"]) == len(cancer.X_val) and len(trainer.X["test"]) == len(cancer.X_test)
    assert trainer.fit().status == "finished"
    want = {"how": "over", "before": dict(zip(cancer.class_names, counts(cancer))),
            "after": dict.fromkeys(cancer.class_names, max(counts(cancer)))}
    assert store.get_run(run_id).summary["resampled"] == want
    start = [e for e in store.events(run_id) if e["kind"] == "start"]
    assert start and start[0]["detail"]["resampled"] == want
    store.close()


def test_the_row_count_after_resampling_is_known_before_drawing(cancer):
    from core.training import resampled_size
    for how in ("none", "over", "under"):
        ds, _ = resample_dataset(cancer, TrainSpec(resample=how))
        assert resampled_size(cancer.y_train, cancer.n_classes, how) == len(ds.y_train)


def test_undersampled_2d_data_keeps_the_boundary_grid_of_all_its_training_rows():
    """The decision-boundary grid spans the training rows as they come, not the fewer rows undersampling keeps."""
    import dataclasses
    from core.training import boundary_extent
    moons = load_builtin("moons")
    keep = np.concatenate([np.flatnonzero(moons.y_train == 0), np.flatnonzero(moons.y_train == 1)[:20]])
    lopsided = dataclasses.replace(moons, X_train=moons.X_train[keep], y_train=moons.y_train[keep],
                                   idx_train=moons.idx_train[keep])
    trainer = Trainer(network_for(NetworkSpec.dense([4]), lopsided), lopsided, TrainSpec(resample="under", seed=1),
                      device=CPU)
    assert len(trainer.X["train"]) == 40
    assert trainer.grid_extent == boundary_extent(lopsided.X_train)
    assert boundary_extent(trainer.X["train"].numpy()) != trainer.grid_extent
