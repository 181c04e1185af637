"""dashboard/train/checks.py: a spec's error named by the setting it is about (its `field`), as the
Train page shows it above Start."""
from __future__ import annotations

import pytest

from core.spec import SpecError, TrainSpec
from dashboard.train.checks import named
from dashboard.train.wording import FIELD_LABELS


def spec_error(**train) -> SpecError:
    with pytest.raises(SpecError) as e:
        TrainSpec.from_dict(train)
    return e.value


@pytest.mark.parametrize("train, said", [
    ({"lr": 0.0}, "**Learning rate**: the learning rate must be a number above 0 and at most 10 (got 0.0); try 0.01"),
    ({"optimizer": "lbfgs"}, "**Optimiser**: unknown optimiser 'lbfgs'; use one of"),
    ({"optimizer": "momentum", "momentum": 0.0, "nesterov": True}, "**Nesterov** needs a momentum above 0"),
    ({"device": "tpu"}, "**Device**: unknown device 'tpu'"),
    ({"fairness_lambda": 500}, "**Penalty weight λ** must be a weight from 0 to 100 (got 500); try 0.3"),
    # a value with a colon in it: the whole sentence stays, the setting is named once
    ({"batch_size": "a: b"}, "**Batch size** must be a whole number from 1 to 65536 (got 'a: b')"),
    ({"class_weights": "lr: x"}, "**Class weights**: use one of none, balanced (got 'lr: x')"),
    ({"resample": "smote"}, "**Resampling**: use one of none, over, under (got 'smote')"),
])
def test_a_settings_error_names_the_setting_by_its_label(train, said):
    assert named(spec_error(**train)).startswith(said)


def test_every_labelled_settings_error_is_named_by_its_label():
    bad = {"optimizer": "x", "lr": 0, "momentum": 2.0, "nesterov": 1, "loss": "x", "l1": 2.0, "l2": 2.0,
           "class_weights": "x", "resample": "x", "batch_size": 0, "epochs": 0, "grad_clip": -1.0, "early_stopping": -1, "seed": -1,
           "device": "x", "sensitive": 3, "reweigh": 1, "fairness_penalty": "x", "fairness_lambda": -1.0}
    assert set(bad) == set(FIELD_LABELS)
    for field, value in bad.items():
        assert named(spec_error(**{field: value})).startswith(f"**{FIELD_LABELS[field]}**"), field


def test_an_error_that_names_no_setting_is_said_as_it_is():
    error = spec_error(learning_rate=0.1)
    assert error.field is None and named(error) == str(error)
    layer_error = SpecError.in_layer(1, ": max-pool works on images; put it after a conv2d layer")
    assert named(layer_error) == str(layer_error)


def test_resampling_a_regression_target_is_a_named_problem_before_start():
    from core.data import load_builtin
    from dashboard.train.checks import check_settings
    regression, classes = load_builtin("regression2d"), load_builtin("moons")
    problems = check_settings({**TrainSpec(resample="over").to_dict()}, regression)
    assert any(p.startswith("**Resampling**: over-sampling balances the classes") for p in problems)
    assert check_settings({**TrainSpec(resample="over").to_dict()}, classes) == []
