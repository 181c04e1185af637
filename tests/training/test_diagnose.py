"""core/training/diagnose.py: when a run has diverged (beyond a NaN loss), why, and what to change — on numbers,
and on real runs both ways: a learning rate of 10 diverges, the defaults and the presets do not."""
from __future__ import annotations

import math

import pytest

from core.data import load_builtin
from core.presets import get_preset
from core.spec import NetworkSpec, TrainSpec
from core.training import DivergenceWatch, calmer_lr, chance_loss, train, update_size
from core.training.diagnose import PATIENCE


def watch(**kw) -> DivergenceWatch:
    return DivergenceWatch(math.log(2), {"0:Linear": 2.0}, kw.pop("optimizer", "adam"), kw.pop("lr", 10.0))


def feed(w: DivergenceWatch, epochs: list[dict], first: float = 0.7):
    """Feed logged epochs {loss, peak, grad, weight, out}; returns the first verdict (or None)."""
    for i, e in enumerate(epochs):
        steps = ([first] if i == 0 else []) + [e["loss"], e.get("peak", e["loss"])]
        metrics = {"train_loss": e["loss"], "grad_norm/0:Linear": e.get("grad", 0.5),
                   "weight_norm/0:Linear": e.get("weight", 2.0), "output_max": e.get("out", 5.0),
                   "output_spread": e.get("spread", 0.0 if e.get("grad", 0.5) == 0 else 3.0)}
        verdict = w.update(4 * (i + 1), steps, metrics, last=e.get("last", False))
        if verdict is not None:
            return verdict
    return None


# ------------------------------------------------------------------ on numbers
def test_a_loss_that_blew_up_and_stays_up_is_divergence_once_it_lasts():
    high = {"loss": 2.1, "peak": 500.0}
    assert feed(watch(), [high] * (PATIENCE - 1)) is None            # not yet: it may come back
    verdict = feed(watch(), [high] * PATIENCE)
    assert verdict is not None and verdict.causes == ("loss",) and verdict.epoch == 4 * PATIENCE
    assert "jumped to 500" in verdict.message and "has not come back" in verdict.message
    assert "Lower the learning rate (now 10; try 0.01)" in verdict.message


def test_a_loss_that_blew_up_and_came_back_is_not_divergence():
    epochs = [{"loss": 300.0, "peak": 4000.0}] * (PATIENCE - 1) + [{"loss": 0.2}] * 20
    assert feed(watch(), epochs) is None


def test_every_gradient_zero_while_the_loss_is_high_is_a_dead_network():
    verdict = feed(watch(), [{"loss": 0.71, "grad": 0.0}] * PATIENCE)
    assert verdict is not None and verdict.causes == ("dead",)
    assert "every gradient is exactly zero" in verdict.message and "dead ReLUs" in verdict.message
    # a network that learnt its task perfectly may see zero gradients too: not a problem
    assert feed(watch(), [{"loss": 0.0, "grad": 0.0}] * 10) is None


def test_a_zero_gradient_on_one_batch_is_not_a_dead_network_while_the_outputs_still_differ():
    # a batch of four rows can miss the few units still alive: the network still answers rows differently
    assert feed(watch(), [{"loss": 0.62, "grad": 0.0, "spread": 1.7}] * (3 * PATIENCE)) is None


def test_learning_rate_0_05_at_batch_4_on_the_spiral_is_slow_not_diverged():
    # a few ReLUs die and accuracy suffers, but the network still learns: no verdict of divergence
    spec = TrainSpec(optimizer="adam", lr=0.05, batch_size=4, epochs=40, seed=1, device="cpu")
    _, result = train(load_builtin("spiral"), NetworkSpec(), spec)
    assert result.status == "finished", result.message


def test_exploded_weights_and_saturated_outputs_are_named():
    verdict = feed(watch(), [{"loss": 0.6, "peak": 0.7, "weight": 300.0, "out": 3e5}] * PATIENCE)
    assert verdict.causes == ("weights", "outputs")
    assert "150× their starting size" in verdict.message and "outputs reached 300,000" in verdict.message


def test_a_loss_rising_far_above_its_best_is_divergence_without_any_spike():
    epochs = [{"loss": 0.3}] + [{"loss": 1.5}] * PATIENCE
    verdict = feed(watch(), epochs)
    assert verdict is not None and verdict.causes == ("rising",)


def test_the_last_logged_epoch_decides_without_waiting():
    verdict = feed(watch(), [{"loss": 2.0, "peak": 100.0, "last": True}])
    assert verdict is not None and verdict.epoch == 4


def test_a_nan_loss_diverges_at_once():
    verdict = watch(lr=3.0, optimizer="sgd").update(7, [0.7, float("nan")], {})
    assert verdict.causes == ("nan",) and "became NaN by epoch 7" in verdict.message
    assert "now 3; try 0.1" in verdict.message


def test_healthy_noise_never_trips_it():
    # a hard problem: the loss hovers near where it started, with step losses twice the mean at worst
    epochs = [{"loss": 0.65 - 0.001 * i, "peak": 1.4, "weight": 2.0 + i, "out": 20.0} for i in range(200)]
    assert feed(watch(), epochs) is None


def test_advice_and_chance_level():
    assert calmer_lr("sgd", 10) == 0.1 and calmer_lr("adam", 10) == 0.01 and calmer_lr("sgd", 0.5) == 0.05
    assert chance_loss("classification", "cross_entropy", 10) == pytest.approx(math.log(10))
    assert chance_loss("regression", "mse", 0) == 1.0


def test_update_size_is_the_norm_of_the_change_relative_to_the_weights():
    import torch
    before = [torch.tensor([3.0, 0.0]), torch.tensor([[0.0, 4.0]])]
    after = [torch.tensor([3.0, 0.3]), torch.tensor([[0.4, 4.0]])]
    moved = update_size(before, after)
    assert moved["weights"] == pytest.approx(5.0) and moved["update"] == pytest.approx(0.5)
    assert moved["relative"] == pytest.approx(0.1)


# ------------------------------------------------------------------ on real runs
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("dataset", ["spiral", "moons"])
def test_learning_rate_10_diverges_with_the_cause_and_the_fix(dataset, optimizer):
    ds = load_builtin(dataset)
    _, result = train(ds, NetworkSpec(), TrainSpec(optimizer=optimizer, lr=10.0))
    assert result.status == "diverged", result
    assert result.epochs < 100                        # stopped once it was clear, not trained to the end
    assert "Lower the learning rate (now 10; try" in result.message
    assert any(cause in result.message for cause in ("every gradient is exactly zero", "jumped to",
                                                       "their starting size", "outputs reached"))
    assert result.metrics and all(map(math.isfinite, result.metrics.values()))   # still scored: no NaN


HEALTHY = [("defaults", ds) for ds in ("spiral", "moons", "circles", "xor", "blobs", "regression2d", "iris",
                                       "breast_cancer", "diabetes")] + \
          [("playground", "spiral"), ("binary_sigmoid", "spiral"), ("deep_relu", "xor"), ("wide_tanh", "circles"),
           ("regularised", "german_credit"), ("regressor", "diabetes")]


@pytest.mark.parametrize("preset,dataset", HEALTHY, ids=[f"{p}-{d}" for p, d in HEALTHY])
def test_healthy_runs_finish(preset, dataset):
    ds = load_builtin(dataset)
    if preset == "defaults":
        network, spec = NetworkSpec(), TrainSpec()
    else:
        network, spec = get_preset(preset).network(), get_preset(preset).train_spec()
    _, result = train(ds, network, spec)
    assert result.status == "finished", result.message
