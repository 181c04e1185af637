"""core/architecture.py: counting a network's parameters by arithmetic, exactly as the built network has them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.architecture import Part, parameter_table, plan
from core.model import _module, build_body, count_parameters
from core.presets import PRESETS
from core.spec import LayerSpec, NetworkSpec, SpecError

ROOT = Path(__file__).resolve().parents[1]
IMAGE = (1, 8, 8)

# (layers, image data?) covering every layer type, each option that adds parameters, and the
# shapes flattening and pooling give the layers after them
CASES = {
    "dense": ([LayerSpec(units=8)], False),
    "dense+bn+dropout": ([LayerSpec(units=8, batch_norm=True, dropout=0.3), LayerSpec(units=3, activation="linear")], False),
    "batchnorm(1d)+dropout": ([LayerSpec(units=5), LayerSpec(type="batchnorm"), LayerSpec(type="dropout")], False),
    "flatten(table)": ([LayerSpec(type="flatten"), LayerSpec(units=8)], False),
    "no hidden layers": ([], False),
    "conv": ([LayerSpec(type="conv2d", channels=4)], True),
    "conv+bn, no padding": ([LayerSpec(type="conv2d", channels=3, kernel=5, padding=0, batch_norm=True)], True),
    "conv+pool+conv+pool+dense": ([LayerSpec(type="conv2d", channels=4), LayerSpec(type="maxpool2d", kernel=2),
                                   LayerSpec(type="conv2d", channels=6, kernel=3, padding=2),
                                   LayerSpec(type="maxpool2d", kernel=3), LayerSpec(units=7, batch_norm=True)], True),
    "batchnorm(2d)+flatten+dense": ([LayerSpec(type="conv2d", channels=4), LayerSpec(type="batchnorm"),
                                     LayerSpec(type="flatten"), LayerSpec(type="batchnorm"), LayerSpec(units=6)], True),
}


@pytest.mark.parametrize("case", CASES)
def test_counts_equal_the_built_networks(case):
    layers, image = CASES[case]
    spec = NetworkSpec(layers=layers)
    n_in, n_out = (64, 10) if image else (2, 3)
    infos, total = parameter_table(spec, n_in, n_out, IMAGE if image else None)
    body, built_infos = build_body(spec, n_in, n_out, IMAGE if image else None)
    assert total == count_parameters(body)
    assert [i.params for i in infos] == [i.params for i in built_infos]
    # every planned module has exactly the parameters of the torch module made from it
    for part in plan(spec, n_in, n_out, IMAGE if image else None).parts:
        assert part.params == count_parameters(_module(part)), part


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.key)
def test_counts_equal_the_built_networks_for_every_preset(preset):
    image = IMAGE if preset.needs == "images" else None
    n_in = 64 if image else 2
    infos, total = parameter_table(preset.network(), n_in, 10, image)
    body, _ = build_body(preset.network(), n_in, 10, image)
    assert total == count_parameters(body)


def test_layer_rows_carry_output_shapes_and_counts():
    spec = NetworkSpec(layers=[LayerSpec(type="conv2d", channels=4, kernel=3, padding=1),
                               LayerSpec(type="maxpool2d", kernel=2), LayerSpec(type="flatten"),
                               LayerSpec(units=10), LayerSpec(type="dropout", rate=0.1)])
    infos, total = parameter_table(spec, 64, 10, IMAGE)
    assert [i.output_shape for i in infos] == [(4, 8, 8), (4, 4, 4), (64,), (10,), (10,), (10,)]
    assert [i.params for i in infos] == [1 * 4 * 9 + 4, 0, 0, 64 * 10 + 10, 0, 10 * 10 + 10]
    assert total == 800
    assert Part("batchnorm2d", (4,)).params == 8 and Part("maxpool2d", (2,)).params == 0


@pytest.mark.parametrize("layers, image, where", [
    ([LayerSpec(type="conv2d")], None, "layers: conv2d and max-pool layers need image data"),
    ([LayerSpec(units=8), LayerSpec(type="conv2d")], IMAGE, "layers[1]: a conv2d layer cannot follow"),
    ([LayerSpec(type="conv2d", kernel=11, padding=0)], IMAGE, "layers[0]: kernel 11 is larger than the 8×8 input"),
    ([LayerSpec(type="maxpool2d", kernel=2)] * 4, IMAGE, "layers[3]: pool size 2 is larger than the 1×1"),
])
def test_layers_that_do_not_fit_are_named_without_building_anything(layers, image, where):
    with pytest.raises(SpecError) as e:
        plan(NetworkSpec(layers=layers), 64, 10, image)
    assert str(e.value).startswith(where), str(e.value)


HUGE = """
import json, resource, sys
from core.model import parameter_table
from core.spec import LayerSpec, NetworkSpec

spec = NetworkSpec(layers=[LayerSpec(units=4096, batch_norm=True) for _ in range(64)])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
infos, total = parameter_table(spec, 784, 10)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"total": total, "rows": len(infos), "peak_growth_bytes": (after - before) * 1024}))
"""


def test_counting_a_billion_parameters_allocates_no_weights():
    """64 dense layers of 4,096 units: 4.3 GB of float32 weights if they were made. The count takes
    a fresh process's peak memory up by a few megabytes at most."""
    out = subprocess.run([sys.executable, "-c", HUGE], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    dense = 784 * 4096 + 4096 + 63 * (4096 * 4096 + 4096)
    assert result["total"] == dense + 64 * 2 * 4096 + 4096 * 10 + 10
    assert result["rows"] == 65
    weights_bytes = 4 * result["total"]
    assert result["peak_growth_bytes"] < weights_bytes / 100, result
