"""core/spec.py: validation messages that name the field, and JSON round trips."""
from __future__ import annotations

import json
import math

import pytest

from core.spec import (ACTIVATIONS, INITS, LAYER_FIELDS, LAYER_RANGES, LAYER_TYPES, TRAIN_RANGES, LayerSpec,
                       NetworkSpec, SpecError, TrainSpec, dumps, loads_network, loads_train)


# ------------------------------------------------------------------ validation: layers
BAD_LAYERS = [
    (LayerSpec(units=0), "units"),
    (LayerSpec(units=-3), "units"),
    (LayerSpec(units=4097), "units"),
    (LayerSpec(units=2.5), "units"),
    (LayerSpec(units=True), "units"),
    (LayerSpec(activation="swish"), "activation"),
    (LayerSpec(init="bogus"), "init"),
    (LayerSpec(dropout=1.0), "dropout"),
    (LayerSpec(dropout=-0.1), "dropout"),
    (LayerSpec(batch_norm="yes"), "batch_norm"),
    (LayerSpec(type="conv3d"), "type"),
    (LayerSpec(type="conv2d", channels=0), "channels"),
    (LayerSpec(type="conv2d", kernel=0), "kernel"),
    (LayerSpec(type="conv2d", padding=6), "padding"),
    (LayerSpec(type="conv2d", activation="swish"), "activation"),
    (LayerSpec(type="maxpool2d", kernel=12), "kernel"),
    (LayerSpec(type="dropout", rate=1.0), "rate"),
]


@pytest.mark.parametrize("layer, field", BAD_LAYERS)
def test_bad_layer_field_raises_spec_error_naming_the_field(layer, field):
    with pytest.raises(SpecError) as e:
        NetworkSpec(layers=[LayerSpec(units=4), layer]).validate()
    msg = str(e.value)
    assert f"layers[1].{field}" in msg, msg


def test_fields_a_layer_type_does_not_use_are_not_validated():
    # a max-pool layer has no units; a nonsense units value must not make it invalid
    NetworkSpec(layers=[LayerSpec(type="maxpool2d", kernel=2, units=0, activation="swish")]).validate()


def test_bad_output_init_names_the_field():
    with pytest.raises(SpecError, match="output_init"):
        NetworkSpec(output_init="bogus").validate()


def test_dense_helper_validates():
    with pytest.raises(SpecError, match=r"layers\[0\]\.units"):
        NetworkSpec.dense([0])
    with pytest.raises(SpecError, match=r"layers\[1\]\.units"):
        NetworkSpec.dense([4, 0])
    with pytest.raises(SpecError, match=r"layers\[0\]\.activation"):
        NetworkSpec.dense([4, 4], "swish")


# ------------------------------------------------------------------ validation: training
BAD_TRAINS = [
    ({"lr": 0}, "lr"),
    ({"lr": -0.1}, "lr"),
    ({"lr": 11}, "lr"),
    ({"lr": float("nan")}, "lr"),
    ({"lr": "0.01"}, "lr"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 1.5}, "batch_size"),
    ({"optimizer": "lbfgs"}, "optimizer"),
    ({"device": "tpu"}, "device"),
    ({"epochs": 0}, "epochs"),
    ({"epochs": 100001}, "epochs"),
    ({"momentum": 1.0}, "momentum"),
    ({"nesterov": 1}, "nesterov"),
    ({"loss": "hinge"}, "loss"),
    ({"l1": -1}, "l1"),
    ({"l2": 2}, "l2"),
    ({"class_weights": "inverse"}, "class_weights"),
    ({"grad_clip": -1.0}, "grad_clip"),
    ({"early_stopping": -1}, "early_stopping"),
    ({"seed": -1}, "seed"),
    ({"seed": 2**32}, "seed"),
    ({"checkpoint_every": 0}, "checkpoint_every"),
    ({"sensitive_bands": [30, 50]}, "sensitive_bands"),
    ({"sensitive_bands": {"age": []}}, "sensitive_bands"),
    ({"sensitive_bands": {"age": ["30"]}}, "sensitive_bands"),
    ({"sensitive_bands": {"age": [float("inf")]}}, "sensitive_bands"),
    ({"sensitive_bands": {"age": list(range(21))}}, "sensitive_bands"),
]


@pytest.mark.parametrize("kwargs, field", BAD_TRAINS)
def test_bad_train_field_raises_spec_error_naming_the_field(kwargs, field):
    with pytest.raises(SpecError) as e:
        TrainSpec(**kwargs).validate()
    assert str(e.value).startswith(field), str(e.value)
    # the same through the JSON boundary
    with pytest.raises(SpecError) as e2:
        TrainSpec.from_dict(kwargs)
    assert str(e2.value).startswith(field), str(e2.value)


def test_valid_boundaries_are_accepted():
    TrainSpec(lr=10, batch_size=1, epochs=100000, seed=2**32 - 1, momentum=0.0, checkpoint_every=1).validate()
    NetworkSpec(layers=[LayerSpec(units=1), LayerSpec(units=4096, dropout=0.99)]).validate()


def test_integer_lr_from_json_becomes_float():
    spec = TrainSpec.from_dict({"lr": 1})
    assert spec.lr == 1.0 and isinstance(spec.lr, float)


# ------------------------------------------------------------------ validation: JSON
def test_unknown_network_key_is_named():
    with pytest.raises(SpecError, match="hidden"):
        NetworkSpec.from_dict({"layers": [], "hidden": [8]})


def test_unknown_layer_key_is_named_with_its_position():
    with pytest.raises(SpecError) as e:
        NetworkSpec.from_dict({"layers": [{"type": "dense", "units": 4}, {"type": "dense", "neurons": 8}]})
    assert "layers[1]" in str(e.value) and "neurons" in str(e.value)


def test_unknown_train_key_is_named():
    with pytest.raises(SpecError, match="learning_rate"):
        TrainSpec.from_dict({"learning_rate": 0.1})
    with pytest.raises(SpecError, match="learning_rate"):
        loads_train('{"learning_rate": 0.1}')


def test_bad_value_inside_network_json_names_the_field():
    with pytest.raises(SpecError, match=r"layers\[0\]\.activation"):
        loads_network('{"layers": [{"type": "dense", "units": 4, "activation": "swish"}]}')


@pytest.mark.parametrize("text", ["{", "not json", '{"layers": [}', ""])
def test_invalid_json_text_raises_spec_error(text):
    with pytest.raises(SpecError, match="JSON"):
        loads_network(text)
    with pytest.raises(SpecError, match="JSON"):
        loads_train(text)


@pytest.mark.parametrize("text", ["[]", "3", '"layers"', "null"])
def test_json_that_is_not_an_object_raises_spec_error(text):
    with pytest.raises(SpecError):
        loads_network(text)
    with pytest.raises(SpecError):
        loads_train(text)


def test_layers_not_a_list_raises_spec_error():
    with pytest.raises(SpecError, match="layers"):
        NetworkSpec.from_dict({"layers": {"type": "dense"}})
    with pytest.raises(SpecError, match=r"layers\[0\]"):
        NetworkSpec.from_dict({"layers": [8]})


# ------------------------------------------------------------------ round trips
def _rich_network() -> NetworkSpec:
    return NetworkSpec(layers=[
        LayerSpec(type="conv2d", channels=6, kernel=5, padding=2, activation="leaky_relu", init="he", batch_norm=True),
        LayerSpec(type="maxpool2d", kernel=2),
        LayerSpec(type="batchnorm"),
        LayerSpec(type="flatten"),
        LayerSpec(type="dense", units=32, activation="gelu", init="xavier", batch_norm=True, dropout=0.25),
        LayerSpec(type="dropout", rate=0.1),
        LayerSpec(type="dense", units=7, activation="sigmoid", init="zeros"),
    ], output_init="gaussian").validate()


NETWORKS = [
    NetworkSpec(),
    NetworkSpec(layers=[]),
    NetworkSpec.dense([16, 16], "tanh"),
    NetworkSpec.dense([3], "linear", init="uniform"),
    _rich_network(),
]

TRAINS = [
    TrainSpec(),
    TrainSpec(optimizer="momentum", lr=0.5, momentum=0.8, nesterov=True, loss="huber", l1=0.001, l2=0.01,
              class_weights="balanced", batch_size=7, epochs=3, grad_clip=1.5, early_stopping=4, seed=123,
              device="cpu", checkpoint_every=2),
    TrainSpec(optimizer="adamw", lr=10.0, loss="bce", device="cuda", seed=2**32 - 1),
]


@pytest.mark.parametrize("net", NETWORKS, ids=lambda n: f"{len(n.layers)}layers")
def test_network_round_trip(net):
    assert NetworkSpec.from_dict(net.to_dict()) == net
    assert loads_network(dumps(net)) == net
    # the dict survives real JSON text too
    assert NetworkSpec.from_dict(json.loads(json.dumps(net.to_dict()))) == net


@pytest.mark.parametrize("train", TRAINS, ids=["default", "everything", "adamw"])
def test_train_round_trip(train):
    train.validate()
    assert TrainSpec.from_dict(train.to_dict()) == train
    assert loads_train(dumps(train)) == train
    assert set(train.to_dict()) == set(TrainSpec.__dataclass_fields__)


def test_combined_file_round_trip():
    net, train = _rich_network(), TRAINS[1]
    text = json.dumps({"network": net.to_dict(), "train": train.to_dict()})
    assert loads_network(text) == net
    assert loads_train(text) == train


def test_round_trip_changes_nothing_a_second_time():
    net = _rich_network()
    once = dumps(loads_network(dumps(net)))
    assert once == dumps(net)


# ------------------------------------------------------------------ LayerSpec.to_dict
@pytest.mark.parametrize("kind", LAYER_TYPES)
def test_layer_to_dict_carries_only_its_type_fields(kind):
    d = LayerSpec(type=kind).to_dict()
    assert set(d) == {"type", *LAYER_FIELDS[kind]}
    assert d["type"] == kind


def test_layer_to_dict_values():
    assert LayerSpec(type="maxpool2d", kernel=3).to_dict() == {"type": "maxpool2d", "kernel": 3}
    assert LayerSpec(type="flatten").to_dict() == {"type": "flatten"}
    assert LayerSpec(type="dropout", rate=0.3).to_dict() == {"type": "dropout", "rate": 0.3}
    assert LayerSpec(units=5, activation="tanh").to_dict() == {
        "type": "dense", "units": 5, "activation": "tanh", "init": "default", "batch_norm": False, "dropout": 0.0}
    conv = LayerSpec(type="conv2d", channels=3, kernel=5, padding=0).to_dict()
    assert "units" not in conv and "dropout" not in conv and "rate" not in conv
    assert conv["channels"] == 3 and conv["kernel"] == 5 and conv["padding"] == 0


def test_every_activation_and_init_is_accepted():
    for act in ACTIVATIONS:
        for init in INITS:
            NetworkSpec(layers=[LayerSpec(units=2, activation=act, init=init)], output_init=init).validate()


def test_uses_images():
    assert not NetworkSpec.dense([4]).uses_images
    assert NetworkSpec(layers=[LayerSpec(type="conv2d")]).uses_images
    assert NetworkSpec(layers=[LayerSpec(type="maxpool2d")]).uses_images


# ------------------------------------------------------------------ errors carry the field they name
@pytest.mark.parametrize("kwargs, field", BAD_TRAINS)
def test_each_train_fields_error_carries_the_field(kwargs, field):
    for make in (lambda: TrainSpec(**kwargs).validate(), lambda: TrainSpec.from_dict(kwargs)):
        with pytest.raises(SpecError) as e:
            make()
        assert e.value.field == field and e.value.layer is None
        assert str(e.value) == field + e.value.detail            # the message: the field, then what is wrong


def test_nesterov_without_momentum_is_an_error_of_nesterov():
    with pytest.raises(SpecError) as e:
        TrainSpec(optimizer="momentum", momentum=0.0, nesterov=True).validate()
    assert e.value.field == "nesterov" and e.value.detail.startswith(" needs a momentum above 0")


@pytest.mark.parametrize("layer, field", BAD_LAYERS)
def test_each_layer_fields_error_carries_the_field_and_the_layer(layer, field):
    with pytest.raises(SpecError) as e:
        NetworkSpec(layers=[LayerSpec(units=4), layer]).validate()
    assert e.value.field == f"layers[1].{field}"
    assert (e.value.layer, e.value.layer_field) == (1, field)
    assert str(e.value) == e.value.field + e.value.detail
    # the same layer read from JSON
    with pytest.raises(SpecError) as e2:
        NetworkSpec.from_dict({"layers": [{"type": "dense", "units": 4}, layer.to_dict()]})
    assert (e2.value.field, e2.value.layer, e2.value.layer_field) == (f"layers[1].{field}", 1, field)


@pytest.mark.parametrize("make, field, layer", [
    (lambda: NetworkSpec(output_init="bogus").validate(), "output_init", None),
    (lambda: NetworkSpec(layers=[LayerSpec()] * 65).validate(), "layers", None),
    (lambda: NetworkSpec.from_dict({"layers": {"type": "dense"}}), "layers", None),
    (lambda: NetworkSpec.from_dict({"layers": [8]}), "layers[0]", 0),
    (lambda: NetworkSpec.from_dict({"layers": [{}, {"neurons": 8}]}), "layers[1]", 1),
    (lambda: NetworkSpec(layers=[LayerSpec(), "dense"]).validate(), "layers[1]", 1),
])
def test_errors_about_the_network_or_a_whole_layer_carry_it(make, field, layer):
    with pytest.raises(SpecError) as e:
        make()
    assert (e.value.field, e.value.layer) == (field, layer)
    assert e.value.layer_field == ""


@pytest.mark.parametrize("make", [
    lambda: loads_network("{"), lambda: loads_train("not json"), lambda: NetworkSpec.from_dict([]),
    lambda: TrainSpec.from_dict({"learning_rate": 0.1}), lambda: NetworkSpec.from_dict({"hidden": [8]}),
])
def test_errors_about_no_single_field_carry_none(make):
    with pytest.raises(SpecError) as e:
        make()
    assert e.value.field is None and e.value.layer is None and e.value.detail == str(e.value)


def test_a_network_that_does_not_fit_the_data_names_the_layer_or_the_loss():
    from core.model import output_units, parameter_table
    spec = NetworkSpec(layers=[LayerSpec(units=4), LayerSpec(type="conv2d")])
    with pytest.raises(SpecError) as e:
        parameter_table(spec, 64, 10, (1, 8, 8))                  # a conv layer after a dense one
    assert (e.value.field, e.value.layer, e.value.layer_field) == ("layers[1]", 1, "")
    with pytest.raises(SpecError) as e:
        parameter_table(NetworkSpec(layers=[LayerSpec(type="conv2d")]), 2, 2)    # images wanted, a table given
    assert e.value.field == "layers" and e.value.layer is None
    with pytest.raises(SpecError) as e:
        output_units("classification", 3, "bce")
    assert e.value.field == "loss" and e.value.detail.startswith(": binary cross-entropy needs exactly 2")


# ------------------------------------------------------------------ one table of number ranges
def probes(rule) -> list:
    """Values at and around a range's ends (a finite stand-in for a range open above), a fraction, NaN
    and a boolean."""
    high = rule.high if math.isfinite(rule.high) else 10**9
    return [rule.low, rule.low - 1, rule.low + 0.5, high, high + 1, high - 0.5, float("nan"), True]


@pytest.mark.parametrize("field", sorted(TRAIN_RANGES))
def test_the_training_spec_takes_exactly_what_its_range_table_says(field):
    extra = {"optimizer": "momentum"} if field == "momentum" else {}
    for value in probes(TRAIN_RANGES[field]):
        try:
            TrainSpec.from_dict({**extra, field: value})
            took = True
        except SpecError as e:
            assert e.field == field
            took = False
        assert took == TRAIN_RANGES[field].accepts(value), (field, value)


@pytest.mark.parametrize("field", sorted(LAYER_RANGES))
def test_a_layer_takes_exactly_what_its_range_table_says(field):
    kind = {"units": "dense", "dropout": "dense", "rate": "dropout"}.get(field, "conv2d")
    for value in probes(LAYER_RANGES[field]):
        try:
            LayerSpec(type=kind, **{field: value}).validate()
            took = True
        except SpecError as e:
            assert e.field == f"layer.{field}"
            took = False
        assert took == LAYER_RANGES[field].accepts(value), (field, value)


@pytest.mark.parametrize("lr", [0, -0.1, 11, float("nan"), float("inf"), "0.01", True, None])
def test_a_running_runs_learning_rate_follows_the_specs_rule(tmp_path, lr):
    """Changing the learning rate while a run trains refuses what a new run's spec refuses, with the same
    error (the one rule in core/spec.py), and writes nothing."""
    from core.runs import executor as jobs
    from core.runs import Store
    store = Store(tmp_path)
    run_id = store.create_run(name="r", dataset={}, network={}, train={}, status="running")
    with pytest.raises(SpecError) as from_spec:
        TrainSpec(lr=lr).validate()
    with pytest.raises(SpecError) as from_jobs:
        jobs.set_lr(store, run_id, lr)
    assert from_jobs.value.field == "lr" and str(from_jobs.value) == str(from_spec.value)
    assert store.get_run(run_id).lr_request is None
    jobs.set_lr(store, run_id, 10)                 # the top of the range is allowed in both
    assert store.get_run(run_id).lr_request == 10.0
    store.close()
