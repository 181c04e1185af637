"""core/model.py: building every layer type, parameter counts, optimisers and losses, export."""
from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
import uuid

import numpy as np
import pytest
import torch
from torch import nn

from core.data import load_builtin
from core.export import export_onnx, load_weights, pytorch_source, save_weights
from core.model import build_body, build_network, count_parameters, parameter_table
from core.spec import ACTIVATIONS, INITS, LayerSpec, NetworkSpec, SpecError, TrainSpec
from core.train import Trainer, make_loss_fn, make_optimizer, resolve_loss, seed_everything, train

CPU = torch.device("cpu")


def one_step(net, dataset, spec: TrainSpec = TrainSpec(), n: int = 32):
    """One real optimiser step with the project's optimiser and loss; returns (loss, params before, params after)."""
    X, y = dataset.split("train")
    X = torch.as_tensor(X[:n], dtype=torch.float32)
    if dataset.task == "classification":
        y = torch.as_tensor(y[:n], dtype=torch.int64)
    else:
        y = (torch.as_tensor(y[:n], dtype=torch.float32) - net.y_mean) / net.y_std
    loss_fn = make_loss_fn(resolve_loss(spec, dataset.task), None)
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


# ------------------------------------------------------------------ parameter counts
def test_parameter_table_dense_2_8_8_2():
    infos, total = parameter_table(NetworkSpec.dense([8, 8], "tanh"), 2, 2)
    # Linear(2,8) = 2*8+8 = 24; Linear(8,8) = 8*8+8 = 72; Linear(8,2) = 8*2+2 = 18
    assert [i.params for i in infos] == [24, 72, 18]
    assert total == 114
    assert [i.output_shape for i in infos] == [(8,), (8,), (2,)]
    body, _ = build_body(NetworkSpec.dense([8, 8], "tanh"), 2, 2)
    assert count_parameters(body) == 114


def test_parameter_table_counts_batch_norm():
    spec = NetworkSpec(layers=[LayerSpec(units=8, batch_norm=True), LayerSpec(type="batchnorm")])
    infos, total = parameter_table(spec, 3, 1)
    # Linear(3,8) = 32 + BatchNorm1d(8) = 16; BatchNorm1d(8) = 16; Linear(8,1) = 9
    assert [i.params for i in infos] == [48, 16, 9]
    assert total == 73


def test_cnn_on_digits_parameter_counts(digits):
    spec = NetworkSpec(layers=[
        LayerSpec(type="conv2d", channels=4, kernel=3, padding=1),     # 1*4*3*3 + 4 = 40 → (4, 8, 8)
        LayerSpec(type="maxpool2d", kernel=2),                           # 0 → (4, 4, 4)
        LayerSpec(type="flatten"),                                       # 0 → (64,)
        LayerSpec(type="dense", units=10),                               # 64*10 + 10 = 650
        LayerSpec(type="dropout", rate=0.1),                             # 0
    ])
    net, infos = build_network(spec, digits)                              # output 10*10 + 10 = 110
    assert digits.image_shape == (1, 8, 8)
    assert [i.params for i in infos] == [40, 0, 0, 650, 0, 110]
    assert [i.output_shape for i in infos] == [(4, 8, 8), (4, 4, 4), (64,), (10,), (10,), (10,)]
    assert count_parameters(net) == 800
    infos2, total = parameter_table(spec, digits.n_features, 10, digits.image_shape)
    assert total == 800 and [i.params for i in infos2] == [i.params for i in infos]


def test_conv_without_padding_shrinks_the_map(digits):
    spec = NetworkSpec(layers=[LayerSpec(type="conv2d", channels=3, kernel=5, padding=0, batch_norm=True)])
    infos, total = parameter_table(spec, 64, 10, (1, 8, 8))
    # conv 1*3*25 + 3 = 78, BatchNorm2d(3) = 6 → (3, 4, 4); output Linear(48, 10) = 490
    assert infos[0].output_shape == (3, 4, 4)
    assert [i.params for i in infos] == [84, 490]
    assert total == 574


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


@pytest.mark.parametrize("name, loss", [("iris", "bce"), ("spiral", "mse"), ("spiral", "huber"),
                                        ("regression2d", "cross_entropy"), ("regression2d", "bce")])
def test_loss_that_does_not_fit_the_task_raises_spec_error(name, loss, spiral, iris, regression2d):
    dataset = {"spiral": spiral, "iris": iris, "regression2d": regression2d}[name]
    with pytest.raises(SpecError, match="loss"):
        train(dataset, NetworkSpec.dense([4]), TrainSpec(loss=loss, epochs=1))


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


# ------------------------------------------------------------------ export: standalone PyTorch script
def _import_script(path):
    name = f"glassnet_export_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _assert_script_matches(tmp_path, net, dataset):
    script = tmp_path / "exported_model.py"
    weights = tmp_path / "weights.safetensors"
    script.write_text(pytorch_source(net, dataset.feature_names, dataset.class_names, "test model"))
    save_weights(net, weights, {"note": "test"})
    module = _import_script(script)
    loaded = module.load(str(weights))
    assert not loaded.training
    X = torch.as_tensor(np.concatenate([dataset.X_test, dataset.X_val]))
    net.eval()
    with torch.no_grad():
        expected = net.predict(X)
    got = module.Network.predict(loaded, X)
    assert got.shape == expected.shape
    assert torch.allclose(got, expected, atol=1e-6)
    assert module.TASK == dataset.task
    assert module.FEATURES == list(dataset.feature_names)
    assert module.CLASSES == (list(dataset.class_names) if dataset.class_names else None)
    return script, weights


def test_exported_script_matches_dense_net_with_batch_norm_and_dropout(tmp_path, spiral):
    spec = NetworkSpec(layers=[
        LayerSpec(units=16, activation="leaky_relu", batch_norm=True, dropout=0.3),
        LayerSpec(type="dropout", rate=0.2),
        LayerSpec(units=8, activation="gelu"),
        LayerSpec(type="batchnorm"),
        LayerSpec(units=8, activation="sigmoid", init="xavier"),
    ])
    net, result = train(spiral, spec, TrainSpec(epochs=8))
    assert result.status == "finished"
    # batch norm has learned running statistics: the export must carry them
    assert not torch.allclose(net.body[1].running_mean, torch.zeros(16))
    script, weights = _assert_script_matches(tmp_path, net, spiral)
    # the script also runs on its own and reports the parameter count
    out = subprocess.run([sys.executable, str(script), str(weights)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == str(count_parameters(net))


def test_exported_script_matches_cnn_on_digits(tmp_path, digits):
    spec = NetworkSpec(layers=[LayerSpec(type="conv2d", channels=4, batch_norm=True),
                               LayerSpec(type="maxpool2d", kernel=2),
                               LayerSpec(type="flatten"),
                               LayerSpec(units=16, activation="tanh", dropout=0.2)])
    net, result = train(digits, spec, TrainSpec(epochs=2))
    assert result.status == "finished"
    _assert_script_matches(tmp_path, net, digits)


def test_exported_script_matches_regression_in_target_units(tmp_path, diabetes):
    net, result = train(diabetes, NetworkSpec.dense([16]), TrainSpec(epochs=4))
    assert float(net.y_mean) > 50          # the target is in its own units, not standardised
    _assert_script_matches(tmp_path, net, diabetes)


def test_saved_weights_load_back(tmp_path, spiral):
    net, _ = train(spiral, NetworkSpec(layers=[LayerSpec(units=8, batch_norm=True)]), TrainSpec(epochs=4))
    save_weights(net, tmp_path / "w.safetensors")
    seed_everything(123)
    fresh, _ = build_network(NetworkSpec(layers=[LayerSpec(units=8, batch_norm=True)]), spiral)
    X = torch.as_tensor(spiral.X_test)
    assert not torch.allclose(fresh.eval().predict(X), net.eval().predict(X))
    load_weights(fresh, tmp_path / "w.safetensors")
    assert torch.equal(fresh.eval().predict(X), net.eval().predict(X))


# ------------------------------------------------------------------ export: ONNX
ONNX_CASES = {
    "spiral-probabilities": ("spiral", NetworkSpec.dense([16, 8], "tanh"), "auto"),
    "spiral-bce": ("spiral", NetworkSpec(layers=[LayerSpec(units=8, batch_norm=True, dropout=0.2)]), "bce"),
    "digits-cnn": ("digits", NetworkSpec(layers=[LayerSpec(type="conv2d", channels=4), LayerSpec(type="maxpool2d", kernel=2),
                                                 LayerSpec(units=16)]), "auto"),
    "regression2d": ("regression2d", NetworkSpec.dense([16], "gelu"), "auto"),
    "diabetes": ("diabetes", NetworkSpec.dense([16]), "huber"),
}


@pytest.mark.parametrize("case", ONNX_CASES)
def test_onnx_export_takes_the_original_columns_and_matches_predict(tmp_path, case, spiral, digits, regression2d,
                                                                     diabetes):
    import onnxruntime as ort
    name, spec, loss = ONNX_CASES[case]
    dataset = {"spiral": spiral, "digits": digits, "regression2d": regression2d, "diabetes": diabetes}[name]
    net, result = train(dataset, spec, TrainSpec(epochs=3, loss=loss))
    assert result.status == "finished"
    net.train()                               # export must switch to eval itself (dropout off) and restore the mode
    path = tmp_path / "model.onnx"
    export_onnx(net, path, dataset)
    assert net.training
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rows = dataset.raw.iloc[np.concatenate([dataset.idx_test, dataset.idx_val])]
    if dataset.image_shape is not None:       # an image keeps one tensor: the raw pixel values, scaled inside
        assert [i.name for i in session.get_inputs()] == ["pixels"]
        feeds = {"pixels": rows[dataset.original_columns].to_numpy(np.float32)}
        assert feeds["pixels"].max() > 1      # raw values 0..16, not the scaled inputs
    else:
        assert [i.name for i in session.get_inputs()] == dataset.original_columns
        feeds = {c: rows[[c]].to_numpy(np.float32) for c in dataset.original_columns}
    X = np.concatenate([dataset.X_test, dataset.X_val]).astype(np.float32)
    got = session.run(None, feeds)
    net.eval()
    with torch.no_grad():
        expected = net.predict(torch.as_tensor(X)).numpy()
    if dataset.task == "classification":
        assert got[0].shape == (len(X), dataset.n_classes)
        np.testing.assert_allclose(got[0], expected, rtol=0, atol=1e-5)
        assert list(got[1]) == [dataset.class_names[i] for i in expected.argmax(axis=1)]
    else:
        assert [o.name for o in session.get_outputs()] == ["prediction"] and got[0].shape == (len(X),)
        # values are in the target's units (diabetes: ~25..350), so allow float32 rounding relative to size
        np.testing.assert_allclose(got[0], expected, rtol=1e-6, atol=1e-5)
