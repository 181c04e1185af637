"""The diagnoses on real short training runs: each failure provoked, and a healthy run on which it stays quiet."""
from __future__ import annotations

import pytest
import torch

from core.data import load_builtin, load_csv

from tests.helpers_diagnose import findings, imbalanced_csv, trained


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("diagnose")


@pytest.fixture(scope="module")
def moons():
    return load_builtin("moons", n=300, noise=0.1)


@pytest.fixture(scope="module")
def healthy(home, moons):
    """A small ReLU net that learns the moons to about 100 %."""
    return findings(home, trained(home, moons, epochs=40), moons)


def test_a_healthy_run_has_no_diagnosis(healthy):
    assert healthy == {}


def test_zeros_initialisation_is_symmetry(home, moons, healthy):
    found = findings(home, trained(home, moons, init="zeros", activation="sigmoid", epochs=20), moons)
    assert "symmetry" in found, found
    d = found["symmetry"]
    assert "Initialisation" in d.fix and d.numbers["spread"] <= 1e-4 and d.chart == "weights"
    assert "symmetry" not in healthy


def test_relu_switched_off_by_negative_biases_is_dead_relu(home, moons, healthy):
    def negative_biases(net):
        with torch.no_grad():
            net.body[0].bias.fill_(-10.0)
    found = findings(home, trained(home, moons, prepare=negative_biases, epochs=15), moons)
    assert "dead_relu" in found, found
    assert found["dead_relu"].numbers["layers"]["1:ReLU"] >= 0.5
    assert "dead_relu" not in healthy


def test_deep_sigmoid_net_has_vanishing_gradients(home, moons, healthy):
    found = findings(home, trained(home, moons, hidden=(16,) * 8, activation="sigmoid", optimizer="sgd",
                                   lr=0.1, epochs=10), moons)
    assert "vanishing_gradients" in found, found
    assert found["vanishing_gradients"].numbers["ratio"] <= 1e-3
    assert "vanishing_gradients" not in healthy


def test_scaled_initialisation_has_exploding_gradients(home, moons, healthy):
    def scaled(net):
        with torch.no_grad():
            for p in net.parameters():
                if p.dim() > 1:
                    p.mul_(4.0)
    found = findings(home, trained(home, moons, hidden=(16,) * 6, activation="linear", optimizer="sgd", lr=1e-4,
                                   prepare=scaled, epochs=10), moons)
    assert "exploding_gradients" in found, found
    assert found["exploding_gradients"].numbers["largest"] >= 100
    assert "exploding_gradients" not in healthy


def test_a_learning_rate_raised_mid_run_is_divergence(home, moons, healthy):
    def raise_lr(trainer):                  # as a person raising it on the Train page at epoch 20
        return "run", (50.0 if trainer.epoch >= 20 else None)
    found = findings(home, trained(home, moons, epochs=40, control=raise_lr), moons)
    assert "divergence" in found, found
    d = found["divergence"]
    assert "raised from 0.03 to 50" in d.evidence and d.epochs[0] >= 20 and d.chart == "loss"
    assert "divergence" not in healthy


def test_a_tiny_learning_rate_is_lr_too_low(home, moons, healthy):
    found = findings(home, trained(home, moons, lr=1e-6, epochs=40), moons)
    assert list(found) == ["lr_too_low"], found
    assert "lr_too_low" not in healthy


def test_a_big_net_on_few_noisy_rows_overfits(home, healthy):
    few = load_builtin("moons", n=60, noise=0.5)
    found = findings(home, trained(home, few, hidden=(128, 128), lr=0.01, epochs=200), few)
    assert "overfitting" in found, found
    assert "Early stopping" in found["overfitting"].fix
    assert "overfitting" not in healthy


def test_a_net_too_small_underfits(home, healthy):
    spiral = load_builtin("spiral")
    found = findings(home, trained(home, spiral, hidden=(2,), activation="tanh", lr=0.05, epochs=60), spiral)
    assert "underfitting" in found, found
    assert found["underfitting"].numbers["accuracy"] < 0.8
    assert "underfitting" not in healthy


def test_a_rare_class_given_up_is_imbalance(home, healthy):
    ds = load_csv(imbalanced_csv(), target="label", home=home)
    found = findings(home, trained(home, ds, activation="tanh", epochs=20), ds)
    assert "imbalance" in found, found
    assert "balanced" in found["imbalance"].fix and found["imbalance"].numbers["min_recall"] <= 0.3
    assert "--resample over" in found["imbalance"].fix          # both remedies the product has are named
    weighted = findings(home, trained(home, ds, activation="tanh", epochs=20, options={"class_weights": "balanced"}), ds)
    assert "imbalance" not in weighted, weighted
    assert "imbalance" not in healthy
