"""A classifier trained with mse on one-hot targets still has one logit per class, so its exports — the
standalone PyTorch script with safetensors weights, and ONNX — predict the classes it predicts."""
from __future__ import annotations

import importlib.util
import uuid

import numpy as np
import pytest
import torch

from core.data import load_builtin
from core.model import export_onnx, load_weights, network_for, pytorch_source, save_weights
from core.spec import NetworkSpec, TrainSpec
from core.training import train


@pytest.fixture(scope="module")
def trained():
    ds = load_builtin("moons")
    net, result = train(ds, NetworkSpec.dense([16, 16]), TrainSpec(loss="mse", epochs=40, seed=2))
    assert result.status == "finished" and result.metrics["test_accuracy"] > 0.8
    return ds, net.eval()


def rows(ds) -> np.ndarray:
    return np.concatenate([ds.X_test, ds.X_val]).astype(np.float32)


def expected(net, ds) -> np.ndarray:
    with torch.no_grad():
        return net.predict(torch.as_tensor(rows(ds))).numpy()


def test_the_pytorch_script_and_its_safetensors_predict_the_same_classes(trained, tmp_path):
    ds, net = trained
    script, weights = tmp_path / "model.py", tmp_path / "weights.safetensors"
    script.write_text(pytorch_source(net, ds.feature_names, ds.class_names, "mse classifier"))
    save_weights(net, weights, {"note": "mse"})
    spec = importlib.util.spec_from_file_location(f"glassnet_mse_{uuid.uuid4().hex}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    got = module.Network.predict(module.load(str(weights)), torch.as_tensor(rows(ds))).numpy()
    want = expected(net, ds)
    assert got.shape == (len(want), 2)
    assert (got.argmax(1) == want.argmax(1)).all()
    np.testing.assert_allclose(got, want, atol=1e-6)
    # the weights load back into the network the run rebuilds for this loss
    again = network_for(NetworkSpec.dense([16, 16]), ds, "mse")
    load_weights(again, weights)
    np.testing.assert_allclose(expected(again.eval(), ds), want, atol=1e-6)


def test_onnx_predicts_the_same_classes(trained, tmp_path):
    import onnxruntime as ort
    ds, net = trained
    path = tmp_path / "model.onnx"
    export_onnx(net, path, ds)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    raw = ds.raw.iloc[np.concatenate([ds.idx_test, ds.idx_val])]
    probs, labels = session.run(None, {c: raw[[c]].to_numpy(np.float32) for c in ds.original_columns})
    want = expected(net, ds)
    np.testing.assert_allclose(probs, want, atol=1e-5)
    assert list(labels) == [ds.class_names[i] for i in want.argmax(1)]
