"""One layer's starting weights under each initialisation (core.model.initial_weights): the same weights a
run's network starts from, each initialisation's spread as its rule says, and no layer past the limit made."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from core import limits
from core.model import build_body, initial_weights, weighted_layers
from core.model.initial import MIN_POOLED
from core.spec import INITS, LayerSpec, NetworkSpec, SpecError


def test_every_initialisation_the_app_offers_is_drawn_for_the_chosen_layer():
    spec = NetworkSpec.dense([64, 32], "relu")
    inits = initial_weights(spec, 64, 3, layer=1)
    assert [w.init for w in inits.weights] == list(INITS)
    assert inits.layer == "2. dense 32 relu" and inits.weight_shape == (32, 64)
    assert (inits.fan_in, inits.fan_out) == (64, 32) and inits.activation == "relu" and inits.init == "default"
    assert all(w.values.dtype == np.float32 and w.values.size == 2048 and w.draws == 1 for w in inits.weights)


def test_the_spreads_follow_each_rule():
    fan_in, fan_out = 128, 64
    inits = initial_weights(NetworkSpec.dense([fan_out], "relu"), fan_in, 2)
    std = {w.init: w.std for w in inits.weights}
    assert std["zeros"] == 0.0 and np.all(inits.weights[-1].values == 0)
    assert std["he"] == pytest.approx(math.sqrt(2 / fan_in), rel=0.05)
    assert std["xavier"] == pytest.approx(math.sqrt(2) * math.sqrt(2 / (fan_in + fan_out)), rel=0.05)   # ReLU gain
    assert std["default"] == pytest.approx(1 / math.sqrt(3 * fan_in), rel=0.05)
    assert std["uniform"] == pytest.approx(1 / math.sqrt(12), rel=0.05)
    assert std["gaussian"] == pytest.approx(0.1, rel=0.05)
    tanh = initial_weights(NetworkSpec.dense([fan_out], "tanh"), fan_in, 2)
    xavier = next(w for w in tanh.weights if w.init == "xavier")
    assert xavier.std == pytest.approx(5 / 3 * math.sqrt(2 / (fan_in + fan_out)), rel=0.05)              # tanh gain


def test_they_are_the_weights_a_network_of_that_spec_starts_from():
    spec = NetworkSpec(layers=[LayerSpec(units=16, activation="tanh", init="xavier")])
    inits = initial_weights(spec, 64, 2, inits=("xavier",), seed=7)
    assert inits.weights[0].draws == math.ceil(MIN_POOLED / 1024) > 1
    torch.manual_seed(7)
    body, _ = build_body(spec, 64, 2)
    first = body[0].weight.detach().reshape(-1).numpy()
    assert np.array_equal(inits.weights[0].values[:first.size], first)
    second = inits.weights[0].values[first.size:2 * first.size]        # a fresh draw, not a copy
    assert second.size == first.size and not np.array_equal(second, first)
    assert np.abs(second).max() <= 5 / 3 * math.sqrt(6 / (64 + 16)) + 1e-6                # Xavier's bound, tanh


def test_the_same_seed_draws_the_same_weights_and_leaves_the_global_generator_alone():
    spec = NetworkSpec.dense([8], "relu")
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    a = initial_weights(spec, 2, 2, seed=1)
    assert torch.equal(torch.rand(3), before)
    b = initial_weights(spec, 2, 2, seed=1)
    assert all(np.array_equal(x.values, y.values) for x, y in zip(a.weights, b.weights))


def test_conv_and_output_layers_have_their_fans():
    spec = NetworkSpec(layers=[LayerSpec(type="conv2d", channels=4, kernel=3, padding=1),
                               LayerSpec(type="flatten"), LayerSpec(units=10)])
    rows = weighted_layers(spec, 64, 10, (1, 8, 8))
    assert [info.kind for info, _ in rows] == ["conv2d", "dense", "output"]
    conv = initial_weights(spec, 64, 10, (1, 8, 8), layer=0, inits=("he",))
    assert conv.weight_shape == (4, 1, 3, 3) and (conv.fan_in, conv.fan_out) == (9, 36)
    out = initial_weights(spec, 64, 10, (1, 8, 8), layer=2, inits=("zeros",))
    assert out.weight_shape == (10, 10) and out.layer == "output (10)"


def test_a_big_layer_is_drawn_once_and_only_a_sample_is_kept():
    inits = initial_weights(NetworkSpec.dense([1024], "relu"), 512, 2, inits=("he",))
    he = inits.weights[0]
    assert he.draws == 1 and he.values.size == 100_000
    assert he.std == pytest.approx(math.sqrt(2 / 512), rel=0.02)


def test_a_layer_past_the_parameter_limit_is_refused_before_it_is_made(monkeypatch):
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, max_parameters=1_000))
    with pytest.raises(SpecError) as err:
        initial_weights(NetworkSpec.dense([64], "relu"), 64, 2)
    assert "4,096 weights" in str(err.value) and "1,000" in str(err.value)


@pytest.mark.parametrize("kwargs, words", [({"layer": 5}, "no layer 5"), ({"inits": ("ones",)}, "'ones'")])
def test_a_bad_request_names_the_problem(kwargs, words):
    with pytest.raises(SpecError, match=words):
        initial_weights(NetworkSpec.dense([8]), 2, 2, **kwargs)
