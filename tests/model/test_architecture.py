"""core/model/architecture.py: counting a network's parameters by arithmetic, exactly as the built network has them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.model import Part, build_body, build_network, count_parameters, parameter_table, plan
from core.model.network import _module
from core.presets import PRESETS
from core.spec import LayerSpec, NetworkSpec, SpecError

ROOT = Path(__file__).resolve().parents[2]
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
