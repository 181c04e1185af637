"""core/analysis/dense.py: a convolutional network for small images re-expressed with dense layers gives the
same outputs, and anything it does not know is left alone."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from core.analysis import dense
from core.model import build_body
from core.presets import get_preset
from core.spec import LayerSpec, NetworkSpec


def randomised(body: nn.Sequential) -> nn.Sequential:
    """Batch-norm statistics and biases far from their initial values, as after training."""
    torch.manual_seed(3)
    for m in body.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.2, 3)
            m.weight.data.uniform_(0.5, 2)
            m.bias.data.uniform_(-1, 1)
        elif isinstance(m, (nn.Conv2d, nn.Linear)):
            m.bias.data.uniform_(-0.5, 0.5)
    return body.eval()


def cnn(image_shape, batch_norm: bool = False, pool: int = 2) -> nn.Sequential:
    layers = [LayerSpec(type="conv2d", channels=4, kernel=3, padding=1, activation="relu",
                        batch_norm=batch_norm).to_dict(),
              LayerSpec(type="maxpool2d", kernel=pool).to_dict(),
              LayerSpec(type="conv2d", channels=6, kernel=2, padding=0, activation="tanh").to_dict(),
              {"type": "dense", "units": 8, "activation": "relu"}]
    spec = NetworkSpec.from_dict({"layers": layers})
    n = image_shape[0] * image_shape[1] * image_shape[2]
    return randomised(build_body(spec, n, 3, image_shape)[0])


@pytest.mark.parametrize("body", [
    pytest.param(lambda: randomised(build_body(get_preset("small_cnn").network(), 64, 10, (1, 8, 8))[0]),
                 id="small_cnn on digits"),
    pytest.param(lambda: cnn((1, 8, 8), batch_norm=True), id="conv + batch norm"),
    pytest.param(lambda: cnn((2, 7, 9), pool=2), id="odd sizes: the pool drops the last row and column"),
    pytest.param(lambda: cnn((1, 9, 9), pool=3), id="3x3 pool"),
])
def test_the_dense_copy_computes_the_same_function(body):
    body = body()
    flat = dense.densify(body)
    assert flat is not None
    assert not any(isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.BatchNorm2d)) for m in flat.modules())
    assert isinstance(flat[0], nn.Linear)                           # walks can treat the first layer as linear
    n_in = flat[0].in_features
    x = torch.rand(300, n_in) * 2
    with torch.no_grad():
        torch.testing.assert_close(flat(x), body(x), rtol=1e-4, atol=1e-4)


def test_networks_it_cannot_copy_are_left_alone():
    mlp = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    assert dense.densify(mlp) is None                               # nothing to gain without convolutions
    strided = nn.Sequential(nn.Unflatten(1, (1, 6, 6)), nn.Conv2d(1, 2, 3), nn.ReLU(),
                            nn.MaxPool2d(2, stride=1), nn.Flatten(), nn.Linear(32, 2))
    assert dense.densify(strided) is None                           # overlapping pool windows
    big = nn.Sequential(nn.Unflatten(1, (3, 64, 64)), nn.Conv2d(3, 16, 3, padding=1), nn.Flatten())
    assert dense.densify(big) is None                               # a dense matrix of 12,288 x 65,536
