"""The check's small vocabulary on its own: conditions on values, the settings read from a run's stored specs,
and the words a condition is said in."""
from __future__ import annotations

import pytest

from core.lessons.check import describe, describe_where, meets
from core.lessons.measures import network_setting, show_metric
from core.spec import LayerSpec, NetworkSpec


@pytest.mark.parametrize("value, condition, expected", [
    ("he", "he", True), ("he", "zeros", False),
    (0.01, 0.01, True), (0.010000000001, 0.01, True), (0.02, 0.01, False),
    (True, True, True), (1, True, False),                                  # a flag is not a number
    ("adam", {"in": ["adam", "adamw"]}, True), ("sgd", {"in": ["adam", "adamw"]}, False),
    (5.0, {"min": 2}, True), (1.0, {"min": 2}, False), (0.0005, {"max": 0.001}, True),
    (0.5, {"min": 0.1, "max": 1}, True), (2, {"min": 0.1, "max": 1}, False),
    ("mixed", {"min": 0}, False), (None, {"max": 1}, False), (float("nan"), {"min": 0}, False),
])
def test_a_condition_is_a_value_a_choice_or_a_range(value, condition, expected):
    assert meets(value, condition) is expected


def test_the_network_settings_read_the_hidden_layers():
    deep = NetworkSpec.dense([16] * 8, "sigmoid").to_dict()
    assert network_setting(deep, "activation") == "sigmoid"
    assert network_setting(deep, "init") == "default"
    assert network_setting(deep, "depth") == 8
    assert network_setting(deep, "conv") is False
    mixed = NetworkSpec(layers=[LayerSpec(units=8, init="he", dropout=0.2), LayerSpec(type="dropout", rate=0.5),
                                LayerSpec(units=8, init="zeros")]).to_dict()
    assert network_setting(mixed, "init") == "mixed"
    assert network_setting(mixed, "dropout") == 0.5
    assert network_setting(mixed, "depth") == 2
    cnn = NetworkSpec(layers=[LayerSpec(type="conv2d"), LayerSpec(type="maxpool2d", kernel=2),
                              LayerSpec(type="flatten"), LayerSpec(units=32)]).to_dict()
    assert network_setting(cnn, "conv") is True and network_setting(cnn, "depth") == 2


def test_conditions_are_said_in_words():
    assert describe("lr", {"min": 2}) == "learning rate at least 2"
    assert describe("init", "he") == "initialisation he"
    assert describe("val_accuracy", {"min": 0.9}, metric=True) == "validation accuracy at least 90 %"
    assert describe_where({"where": {"dropout": 0, "l2": 0}}) == "dropout 0 and L2 0"
    assert describe_where({"where_any": [{"dropout": {"min": 0.2}}, {"l2": {"min": 0.001}}]}) == \
        "either dropout at least 0.2, or L2 at least 0.001"
    assert show_metric("val_loss", 0.24912) == "0.249" and show_metric("test_accuracy", None) == "no value"
