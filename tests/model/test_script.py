"""core/model/export/script.py: the standalone PyTorch script rebuilds the network and predicts as it does."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import uuid

import numpy as np
import torch

from core.model import count_parameters, pytorch_source, save_weights
from core.spec import LayerSpec, NetworkSpec, TrainSpec
from core.training import train


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
