"""The model package as a whole: the names other modules import from it, counting without torch, no UI, no pickle."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PUBLIC = ["LayerInfo", "MISSING_MARKERS", "Network", "Part", "Plan", "build_body", "build_network", "concrete_loss",
          "count_parameters", "export_onnx", "load_checkpoint", "load_weights", "model_state", "network_for",
          "output_units", "parameter_table", "plan", "pytorch_source", "save_weights", "state_tensors"]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_names_import_from_core_model(name):
    import core.model

    assert getattr(core.model, name) is not None
    assert name in core.model.__all__


def test_an_unknown_name_is_an_attribute_error():
    import core.model

    with pytest.raises(AttributeError, match="no_such_thing"):
        core.model.no_such_thing


COUNTING = """
import json, sys
from core.model import concrete_loss, output_units, parameter_table, plan, load_checkpoint
import core.runs
from core.spec import NetworkSpec
_, total = parameter_table(NetworkSpec.dense([8, 8]), 2, output_units("classification", 2, concrete_loss("bce", "classification")))
before = sorted(m for m in ("torch", "onnx") if m in sys.modules)
from core.model import network_for
print(json.dumps({"total": total, "before": before, "after": "torch" in sys.modules}))
"""


def test_counting_and_loading_a_run_module_import_no_torch():
    """The Build and Runs pages count parameters without the seconds torch takes to import; the network's
    names bring torch in when first used."""
    out = subprocess.run([sys.executable, "-c", COUNTING], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"total": 2 * 8 + 8 + 8 * 8 + 8 + 8 * 1 + 1, "before": [], "after": True}


def test_core_model_does_not_import_streamlit_or_unpickle():
    sources = sorted((ROOT / "core" / "model").rglob("*.py"))
    assert len(sources) >= 8
    for path in sources:
        source = path.read_text()
        assert "streamlit" not in source, path
        for unpickling in ("import pickle", "pickle.load", "torch.load(", "weights_only"):
            assert unpickling not in source, (path, unpickling)
