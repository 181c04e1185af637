"""`python -m core export`: each format written and readable."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tests.cli.cli_process import cli


@pytest.mark.parametrize("fmt", ["pytorch", "onnx", "safetensors", "spec"])
def test_export_writes_a_non_empty_file(fmt, trained, cli_home, tmp_path):
    _, out = trained
    dest = tmp_path / f"model.{fmt}"
    proc = cli("export", "--run", out["run_id"], "--format", fmt, "--out", dest, home=cli_home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert dest.is_file() and dest.stat().st_size > 0
    if fmt == "spec":
        data = json.loads(dest.read_text())
        assert set(data) == {"network", "train", "dataset"}
        assert [l["units"] for l in data["network"]["layers"]] == [16, 16]
        assert data["train"]["epochs"] == 200 and data["dataset"]["name"] == "spiral"
    elif fmt == "pytorch":
        compile(dest.read_text(), str(dest), "exec")
    elif fmt == "onnx":
        import onnxruntime as ort
        session = ort.InferenceSession(str(dest), providers=["CPUExecutionProvider"])
        p, labels = session.run(None, {"x1": np.zeros((3, 1), np.float32), "x2": np.zeros((3, 1), np.float32)})
        assert p.shape == (3, 2) and labels.shape == (3,)
    else:
        from safetensors.torch import load_file
        tensors = load_file(str(dest))
        assert "body.0.weight" in tensors and not any(k.startswith("optim.") for k in tensors)

