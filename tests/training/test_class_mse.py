"""mse on one-hot targets for a classifier: the network keeps one logit per class and learns from the squared
gap between its softmax probabilities and the one-hot rows, so a learner can set it beside cross-entropy."""
from __future__ import annotations

import math

import pytest
import torch

from core.data import load_builtin
from core.model import concrete_loss, network_for
from core.spec import NetworkSpec, SpecError, TrainSpec
from core.training import Trainer, chance_loss, make_loss_fn, train

CPU = torch.device("cpu")


class LossLog:
    def __init__(self):
        self.train_loss = []

    def on_epoch(self, trainer, report):
        if "train_loss" in report.metrics:
            self.train_loss.append(report.metrics["train_loss"])


@pytest.fixture(scope="module")
def moons():
    return load_builtin("moons")


def test_mse_is_a_classification_loss_but_mae_and_huber_are_still_refused():
    assert concrete_loss("mse", "classification") == "mse"
    for loss in ("mae", "huber"):
        with pytest.raises(SpecError, match=f"loss: {loss} is for regression; use cross_entropy"):
            concrete_loss(loss, "classification")


def test_onehot_mse_is_the_mean_square_between_softmax_and_one_hot_rows():
    out = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, -1.0]])
    y = torch.tensor([0, 1, 1])
    p = torch.softmax(out, dim=1)
    target = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    per_row = ((p - target) ** 2).mean(1)
    assert torch.allclose(make_loss_fn("mse", None, reduction="none")(out, y), per_row)
    assert float(make_loss_fn("mse", None)(out, y)) == pytest.approx(float(per_row.mean()))
    # class weights weight each row by its class, the mean weighted as cross-entropy's is
    w = torch.tensor([1.0, 3.0])
    assert float(make_loss_fn("mse", w)(out, y)) == pytest.approx(float((per_row * w[y]).sum() / w[y].sum()))
    # regression targets (numbers) keep the plain squared error on the one output
    assert float(make_loss_fn("mse", None)(torch.tensor([[2.0]]), torch.tensor([0.0]))) == pytest.approx(4.0)


def test_chance_level_of_onehot_mse_is_what_a_uniform_guess_scores():
    for k in (2, 3, 10):
        uniform = torch.zeros(1, k)
        assert chance_loss("classification", "mse", k) == pytest.approx(
            float(make_loss_fn("mse", None)(uniform, torch.tensor([0]))))
    assert chance_loss("classification", "cross_entropy", 3) == pytest.approx(math.log(3))


def test_a_classifier_trained_with_mse_on_moons_gets_good_accuracy(moons):
    log = LossLog()
    net, result = train(moons, NetworkSpec.dense([16, 16]), TrainSpec(loss="mse", epochs=120, seed=1),
                        callbacks=[log])
    assert result.status == "finished"
    assert net.n_outputs == 2                                    # one logit per class, as with cross-entropy
    assert result.metrics["test_accuracy"] >= 0.95
    assert log.train_loss[-1] < log.train_loss[0] / 4
    assert result.metrics["val_loss"] < chance_loss("classification", "mse", 2)
    p = net.eval().predict(torch.as_tensor(moons.X_test))
    assert torch.allclose(p.sum(1), torch.ones(len(p)), atol=1e-5)


def test_mse_and_cross_entropy_on_the_same_seed_and_network_both_train_with_different_losses(moons):
    logs = {}
    for loss in ("mse", "cross_entropy"):
        logs[loss] = LossLog()
        _, result = train(moons, NetworkSpec.dense([8]), TrainSpec(loss=loss, epochs=10, seed=3), callbacks=[logs[loss]])
        assert result.status == "finished" and math.isfinite(result.metrics["val_loss"])
    assert logs["mse"].train_loss != pytest.approx(logs["cross_entropy"].train_loss, rel=1e-3)
    assert logs["mse"].train_loss[0] < 0.5 < logs["cross_entropy"].train_loss[0]   # ~0.25 vs ~log 2


def test_the_validation_loss_and_the_fairness_audit_use_onehot_mse():
    ds = load_builtin("biased_loans")
    net = network_for(NetworkSpec.dense([8]), ds, "mse")
    trainer = Trainer(net, ds, TrainSpec(loss="mse", epochs=2, reweigh=True, fairness_penalty="demographic_parity"),
                      device=CPU)
    result = trainer.fit()
    assert result.status == "finished"
    with torch.no_grad():
        out = net.eval()(trainer.X["val"])
    want = make_loss_fn("mse", None)(out, trainer.Y["val"])
    assert result.metrics["val_loss"] == pytest.approx(float(want), rel=1e-5)
    audit = trainer.fair.metrics(out, trainer.Y["val"], "mse")
    losses = [v for k, v in audit.items() if k.startswith("fair/loss/")]
    assert losses and all(0 <= v <= 1 for v in losses)
