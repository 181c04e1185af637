"""core/training/optim.py and the settings the loop applies: every optimiser and loss trains, losses that do not
fit the task are refused, L1/L2, balanced class weights and gradient clipping do what they say."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from core.data import load_builtin
from core.model import build_network, concrete_loss, network_for
from core.spec import LOSSES, NetworkSpec, SpecError, TrainSpec
from core.training import Trainer, make_loss_fn, make_optimizer, seed_everything, train

CPU = torch.device("cpu")


def linear_weights(net):
    return [m for m in net.body if isinstance(m, (nn.Linear, nn.Conv2d))]


# ------------------------------------------------------------------ optimisers
class LossLog:
    def __init__(self):
        self.train_loss, self.val_loss = [], []

    def on_epoch(self, trainer, report):
        self.train_loss.append(report.metrics.get("train_loss"))
        self.val_loss.append(report.metrics.get("val_loss"))


OPTIMISERS = [("sgd", False), ("momentum", False), ("momentum", True), ("adagrad", False), ("rmsprop", False),
              ("adam", False), ("adamw", False)]


@pytest.mark.parametrize("optimizer, nesterov", OPTIMISERS, ids=[f"{o}{'-nesterov' if n else ''}" for o, n in OPTIMISERS])
def test_every_optimiser_trains(spiral, optimizer, nesterov):
    log = LossLog()
    net, result = train(spiral, NetworkSpec.dense([16]), TrainSpec(optimizer=optimizer, nesterov=nesterov, epochs=8),
                        callbacks=[log])
    assert result.status == "finished" and result.epochs == 8
    assert len(log.train_loss) >= 2 and all(math.isfinite(v) for v in log.train_loss + log.val_loss)
    assert log.train_loss[-1] < log.train_loss[0]
    assert all(math.isfinite(v) for v in result.metrics.values())


def test_make_optimizer_settings():
    params = [nn.Parameter(torch.zeros(2, 2))]
    opt = make_optimizer(TrainSpec(optimizer="sgd", lr=0.3, l2=0.01), params, CPU)
    assert type(opt) is torch.optim.SGD
    g = opt.param_groups[0]
    assert (g["lr"], g["momentum"], g["weight_decay"]) == (0.3, 0, 0.01)
    g = make_optimizer(TrainSpec(optimizer="momentum", momentum=0.5, nesterov=True), params, CPU).param_groups[0]
    assert (g["momentum"], g["nesterov"]) == (0.5, True)
    for name, cls in [("adagrad", torch.optim.Adagrad), ("rmsprop", torch.optim.RMSprop),
                      ("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW)]:
        opt = make_optimizer(TrainSpec(optimizer=name, lr=0.02, l2=0.003), params, CPU)
        assert type(opt) is cls
        assert opt.param_groups[0]["lr"] == 0.02 and opt.param_groups[0]["weight_decay"] == 0.003


def test_momentum_setting_applies_only_to_the_momentum_optimiser():
    """TrainSpec.momentum is documented as "for 'momentum' (SGD with momentum)": RMSprop stays plain."""
    params = [nn.Parameter(torch.zeros(2, 2))]
    g = make_optimizer(TrainSpec(optimizer="rmsprop", momentum=0.5), params, CPU).param_groups[0]
    assert g["momentum"] == 0
    g = make_optimizer(TrainSpec(optimizer="momentum", momentum=0.5), params, CPU).param_groups[0]
    assert g["momentum"] == 0.5


# ------------------------------------------------------------------ losses
LOSS_CASES = [("spiral", "cross_entropy", 2), ("spiral", "bce", 1), ("spiral", "auto", 2),
              ("regression2d", "mse", 1), ("regression2d", "mae", 1), ("regression2d", "huber", 1),
              ("regression2d", "auto", 1), ("diabetes", "mse", 1)]


@pytest.mark.parametrize("name, loss, n_out", LOSS_CASES, ids=[f"{d}-{l}" for d, l, _ in LOSS_CASES])
def test_every_loss_trains(name, loss, n_out, spiral, regression2d, diabetes):
    dataset = {"spiral": spiral, "regression2d": regression2d, "diabetes": diabetes}[name]
    log = LossLog()
    net, result = train(dataset, NetworkSpec.dense([16]), TrainSpec(loss=loss, epochs=8), callbacks=[log])
    assert result.status == "finished"
    assert net.n_outputs == n_out
    assert all(math.isfinite(v) for v in log.train_loss + log.val_loss)
    assert log.train_loss[-1] < log.train_loss[0]
    key = "test_accuracy" if dataset.task == "classification" else "test_r2"
    assert math.isfinite(result.metrics[key])
    if dataset.task == "classification":
        p = net.eval().predict(torch.as_tensor(dataset.X_test))
        assert p.shape == (len(dataset.X_test), 2)
        assert torch.allclose(p.sum(1), torch.ones(len(p)), atol=1e-5)


def test_loss_functions_compute_what_they_say():
    out = torch.tensor([[0.5], [2.0], [-1.0]])
    y = torch.tensor([0.0, 0.0, 0.0])
    assert float(make_loss_fn("mse", None)(out, y)) == pytest.approx((0.25 + 4 + 1) / 3)
    assert float(make_loss_fn("mae", None)(out, y)) == pytest.approx((0.5 + 2 + 1) / 3)
    # huber (delta 1): 0.5*0.25, 2-0.5, 1-0.5
    assert float(make_loss_fn("huber", None)(out, y)) == pytest.approx((0.125 + 1.5 + 0.5) / 3)
    logits = torch.tensor([[0.0], [0.0]])
    assert float(make_loss_fn("bce", None)(logits, torch.tensor([0, 1]))) == pytest.approx(math.log(2))


@pytest.mark.parametrize("name, loss", [("iris", "bce"), ("spiral", "mae"), ("spiral", "huber"),
                                        ("regression2d", "cross_entropy"), ("regression2d", "bce")])
def test_loss_that_does_not_fit_the_task_raises_spec_error(name, loss, spiral, iris, regression2d):
    dataset = {"spiral": spiral, "iris": iris, "regression2d": regression2d}[name]
    with pytest.raises(SpecError, match="loss"):
        train(dataset, NetworkSpec.dense([4]), TrainSpec(loss=loss, epochs=1))


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("loss", LOSSES)
def test_the_output_layers_loss_is_the_trainers_loss(loss, task, spiral, regression2d):
    """The loss the model package builds for is the loss the trainer trains with, or the same refusal."""
    dataset = spiral if task == "classification" else regression2d
    net = network_for(NetworkSpec.dense([4]), dataset)
    try:
        expected = concrete_loss(loss, task)
    except SpecError as e:
        with pytest.raises(SpecError, match=f"^{re.escape(str(e))}$"):
            Trainer(net, dataset, TrainSpec(loss=loss, epochs=1), device=CPU)
    else:
        assert Trainer(net, dataset, TrainSpec(loss=loss, epochs=1), device=CPU).loss_name == expected


# ------------------------------------------------------------------ regularisation options
def _weight_abs_sum(net):
    return sum(float(m.weight.detach().abs().sum()) for m in linear_weights(net))


def _weight_sq_sum(net):
    return sum(float((m.weight.detach() ** 2).sum()) for m in linear_weights(net))


def test_l1_shrinks_weights(spiral):
    base, r0 = train(spiral, NetworkSpec.dense([16]), TrainSpec(epochs=20))
    l1, r1 = train(spiral, NetworkSpec.dense([16]), TrainSpec(epochs=20, l1=0.01))
    assert r0.status == r1.status == "finished"
    assert _weight_abs_sum(l1) < 0.8 * _weight_abs_sum(base)


def test_l2_shrinks_weights(spiral):
    base, r0 = train(spiral, NetworkSpec.dense([16]), TrainSpec(optimizer="sgd", lr=0.1, epochs=20))
    l2, r2 = train(spiral, NetworkSpec.dense([16]), TrainSpec(optimizer="sgd", lr=0.1, epochs=20, l2=0.1))
    assert r0.status == r2.status == "finished"
    assert _weight_sq_sum(l2) < 0.8 * _weight_sq_sum(base)


def test_balanced_class_weights(spiral):
    ds = load_builtin("breast_cancer")
    counts = np.bincount(ds.y_train, minlength=2)
    assert counts[0] != counts[1]
    seed_everything(0)
    net, _ = build_network(NetworkSpec.dense([8]), ds)
    trainer = Trainer(net, ds, TrainSpec(class_weights="balanced", epochs=3), device=CPU)
    expected = len(ds.y_train) / (2 * counts)
    assert np.allclose(trainer.loss_fn.weight.numpy(), expected)
    assert trainer.fit().status == "finished"
    # with bce too (pos_weight), and 'none' leaves the loss unweighted
    _, r = train(ds, NetworkSpec.dense([8]), TrainSpec(class_weights="balanced", loss="bce", epochs=3))
    assert r.status == "finished" and all(math.isfinite(v) for v in r.metrics.values())
    seed_everything(0)
    plain = Trainer(build_network(NetworkSpec.dense([8]), ds)[0], ds, TrainSpec(epochs=1), device=CPU)
    assert plain.loss_fn.weight is None


def test_grad_clip_bounds_every_step(spiral):
    """SGD with lr 1 and gradients clipped to norm 0.001: the weights move at most 0.001 per step."""
    seed_everything(0)
    net, _ = build_network(NetworkSpec.dense([16]), spiral)
    start = torch.cat([p.detach().flatten().clone() for p in net.parameters()])
    spec = TrainSpec(optimizer="sgd", lr=1.0, grad_clip=0.001, epochs=1)
    result = Trainer(net, spiral, spec, device=CPU).fit()
    end = torch.cat([p.detach().flatten() for p in net.parameters()])
    assert result.status == "finished" and result.steps == math.ceil(len(spiral.X_train) / 32)
    moved = float((end - start).norm())
    assert 0 < moved <= result.steps * 0.001 * (1 + 1e-4)
    # without clipping the same run moves far more
    seed_everything(0)
    net2, _ = build_network(NetworkSpec.dense([16]), spiral)
    start2 = torch.cat([p.detach().flatten().clone() for p in net2.parameters()])
    Trainer(net2, spiral, TrainSpec(optimizer="sgd", lr=1.0, epochs=1), device=CPU).fit()
    assert float((torch.cat([p.detach().flatten() for p in net2.parameters()]) - start2).norm()) > 10 * moved


def test_an_unknown_optimiser_is_a_spec_error_about_the_optimizer_field():
    import torch

    from core.spec import SpecError, TrainSpec
    from core.training.optim import make_optimizer
    spec = TrainSpec()
    spec.optimizer = "nesterov-adam"            # set past validation, as a stored spec from elsewhere could be
    with pytest.raises(SpecError) as e:
        make_optimizer(spec, torch.nn.Linear(2, 2).parameters(), torch.device("cpu"))
    assert e.value.field == "optimizer" and "adamw" in str(e.value)
