"""core/model/network.py: building every layer type with every activation and initialisation, the network a
spec becomes on a dataset, and the layers that do not fit the data."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from core.model import build_body, build_network, concrete_loss, count_parameters, parameter_table
from core.spec import ACTIVATIONS, INITS, LayerSpec, NetworkSpec, SpecError, TrainSpec
from core.training import make_loss_fn, make_optimizer, seed_everything

CPU = torch.device("cpu")


def one_step(net, dataset, spec: TrainSpec = TrainSpec(), n: int = 32):
    """One real optimiser step with the project's optimiser and loss; returns (loss, params before, params after)."""
    X, y = dataset.split("train")
    X = torch.as_tensor(X[:n], dtype=torch.float32)
    if dataset.task == "classification":
        y = torch.as_tensor(y[:n], dtype=torch.int64)
    else:
        y = (torch.as_tensor(y[:n], dtype=torch.float32) - net.y_mean) / net.y_std
    loss_fn = make_loss_fn(concrete_loss(spec.loss, dataset.task), None)
    opt = make_optimizer(spec, net.parameters(), CPU)
    before = {k: v.detach().clone() for k, v in net.named_parameters()}
    net.train()
    loss = loss_fn(net(X), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    after = {k: v.detach().clone() for k, v in net.named_parameters()}
    return float(loss.detach()), before, after


def linear_weights(net):
    return [m for m in net.body if isinstance(m, (nn.Linear, nn.Conv2d))]

# ------------------------------------------------------------------ every activation × init
@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_and_init_builds_and_takes_a_step(spiral, activation, init):
    seed_everything(0)
    spec = NetworkSpec(layers=[LayerSpec(units=8, activation=activation, init=init),
                               LayerSpec(units=8, activation=activation, init=init)], output_init=init)
    net, infos = build_network(spec, spiral)
    assert [i.kind for i in infos] == ["dense", "dense", "output"]
    if init == "zeros":
        for m in linear_weights(net):
            assert torch.count_nonzero(m.weight) == 0 and torch.count_nonzero(m.bias) == 0
    loss, before, after = one_step(net, spiral)
    assert math.isfinite(loss)
    if init == "zeros":
        # all-zero weights: every logit is 0, so the loss is exactly ln(2) for two classes
        assert loss == pytest.approx(math.log(2), abs=1e-6)
    else:
        unchanged = [k for k in before if torch.equal(before[k], after[k])]
        assert not unchanged, f"parameters did not change after one step: {unchanged}"


@pytest.mark.parametrize("init, check", [
    ("uniform", lambda w: float(w.abs().max()) <= 0.5),
    ("gaussian", lambda w: 0.05 < float(w.std()) < 0.15),
    ("zeros", lambda w: float(w.abs().max()) == 0.0),
])
def test_init_schemes_shape_the_weights(init, check):
    seed_everything(0)
    body, _ = build_body(NetworkSpec(layers=[LayerSpec(units=256, init=init)]), 64, 2)
    lin = body[0]
    assert check(lin.weight.detach())
    assert torch.count_nonzero(lin.bias) == 0


# ------------------------------------------------------------------ every layer type
LAYER_CASES = {
    "dense": ("spiral", [LayerSpec(units=8)]),
    "dense+bn+dropout": ("spiral", [LayerSpec(units=8, batch_norm=True, dropout=0.3)]),
    "dropout": ("spiral", [LayerSpec(units=8), LayerSpec(type="dropout", rate=0.5)]),
    "batchnorm(1d)": ("spiral", [LayerSpec(units=8), LayerSpec(type="batchnorm")]),
    "flatten(table)": ("spiral", [LayerSpec(type="flatten"), LayerSpec(units=8)]),
    "conv2d": ("digits", [LayerSpec(type="conv2d", channels=4)]),
    "conv2d+bn": ("digits", [LayerSpec(type="conv2d", channels=4, batch_norm=True, activation="gelu")]),
    "maxpool2d": ("digits", [LayerSpec(type="maxpool2d", kernel=2)]),
    "conv+pool+flatten+dense": ("digits", [LayerSpec(type="conv2d", channels=4), LayerSpec(type="maxpool2d", kernel=2),
                                           LayerSpec(type="flatten"), LayerSpec(units=8)]),
    "batchnorm(2d)": ("digits", [LayerSpec(type="conv2d", channels=4), LayerSpec(type="batchnorm")]),
}


@pytest.mark.parametrize("case", LAYER_CASES)
def test_every_layer_type_builds_and_takes_a_step(case, spiral, digits):
    name, layers = LAYER_CASES[case]
    dataset = {"spiral": spiral, "digits": digits}[name]
    seed_everything(0)
    spec = NetworkSpec(layers=layers)
    net, infos = build_network(spec, dataset)
    X = torch.as_tensor(dataset.X_train[:16])
    assert net(X).shape == (16, dataset.n_classes)
    probs = net.eval().predict(X)
    assert torch.allclose(probs.sum(1), torch.ones(16), atol=1e-5)
    loss, before, after = one_step(net, dataset)
    assert math.isfinite(loss)
    assert any(not torch.equal(before[k], after[k]) for k in before)
    assert sum(i.params for i in infos) == count_parameters(net.body)
    if name == "digits":
        assert isinstance(net.body[0], nn.Unflatten)


def test_layer_modules_follow_the_spec(spiral):
    spec = NetworkSpec(layers=[LayerSpec(units=8, activation="leaky_relu", batch_norm=True, dropout=0.25),
                               LayerSpec(units=4, activation="linear")])
    net, _ = build_network(spec, spiral)
    kinds = [type(m) for m in net.body]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.LeakyReLU, nn.Dropout, nn.Linear, nn.Linear]
    assert net.body[3].p == 0.25


@pytest.mark.parametrize("layers, match", [
    ([LayerSpec(type="conv2d")], "image"),
    ([LayerSpec(type="maxpool2d")], "image"),
])
def test_image_layers_on_a_table_raise_spec_error(spiral, layers, match):
    with pytest.raises(SpecError, match=match):
        build_network(NetworkSpec(layers=layers), spiral)
    with pytest.raises(SpecError):
        parameter_table(NetworkSpec(layers=layers), 2, 2)


@pytest.mark.parametrize("layers, where", [
    ([LayerSpec(units=8), LayerSpec(type="conv2d")], "layers[1]"),                      # conv after dense
    ([LayerSpec(type="conv2d", kernel=11, padding=0)], "layers[0]"),                    # kernel larger than 8×8
    ([LayerSpec(type="maxpool2d", kernel=2)] * 4, "layers[3]"),                         # 8→4→2→1→ too small
    ([LayerSpec(type="conv2d"), LayerSpec(type="flatten"), LayerSpec(type="maxpool2d")], "layers[2]"),
])
def test_impossible_image_architectures_raise_spec_error(digits, layers, where):
    with pytest.raises(SpecError) as e:
        build_network(NetworkSpec(layers=layers), digits)
    assert str(e.value).startswith(where), str(e.value)


# ------------------------------------------------------------------ the network of a spec, a dataset and a loss
LOSS_OUTPUTS = [("spiral", "auto", 2), ("spiral", "cross_entropy", 2), ("spiral", "bce", 1), ("iris", "auto", 3),
                ("regression2d", "auto", 1), ("regression2d", "huber", 1)]


@pytest.mark.parametrize("name, loss, n_out", LOSS_OUTPUTS, ids=[f"{d}-{l}" for d, l, _ in LOSS_OUTPUTS])
def test_network_for_is_the_network_training_builds(name, loss, n_out, spiral, iris, regression2d):
    """network_for gives, weight for weight, what building with the train spec's resolved loss gives."""
    from core.model import network_for

    dataset = {"spiral": spiral, "iris": iris, "regression2d": regression2d}[name]
    spec = NetworkSpec(layers=[LayerSpec(units=8, batch_norm=True), LayerSpec(units=4, activation="tanh")])
    seed_everything(3)
    net = network_for(spec, dataset, loss)
    seed_everything(3)
    expected, _ = build_network(spec, dataset, concrete_loss(loss, dataset.task))
    assert net.n_outputs == n_out and net.task == dataset.task
    assert net.state_dict().keys() == expected.state_dict().keys()
    for key, value in expected.state_dict().items():
        assert torch.equal(net.state_dict()[key], value), key
    if dataset.task == "regression":
        assert float(net.y_mean) == pytest.approx(float(dataset.y_train.mean()))


@pytest.mark.parametrize("name, loss, words", [
    ("regression2d", "cross_entropy", "loss: cross_entropy is for classification"),
    ("regression2d", "bce", "loss: bce is for classification"),
    ("spiral", "mae", "loss: mae is for regression"),
    ("iris", "bce", "loss: binary cross-entropy needs exactly 2 classes"),
])
def test_network_for_refuses_a_loss_that_does_not_fit_the_data(name, loss, words, spiral, iris, regression2d):
    from core.model import network_for

    dataset = {"spiral": spiral, "iris": iris, "regression2d": regression2d}[name]
    with pytest.raises(SpecError) as e:
        network_for(NetworkSpec.dense([4]), dataset, loss)
    assert str(e.value).startswith(words), str(e.value)


def test_network_for_on_the_meta_device_has_sizes_and_no_weights(digits):
    from core.model import network_for

    spec = NetworkSpec(layers=[LayerSpec(type="conv2d", channels=16), LayerSpec(units=1024, batch_norm=True),
                               LayerSpec(units=1024)])
    with torch.device("meta"):
        net = network_for(spec, digits)
    assert all(p.is_meta for p in net.parameters())
    _, total = parameter_table(spec, digits.n_features, 10, digits.image_shape)
    assert count_parameters(net) == total
