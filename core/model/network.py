"""Spec → torch.nn.Module: the modules architecture.py plans, their starting weights, and the Network.

The network body outputs logits (classification) or a standardised value
(regression). `Network` wraps the body with the target's mean and spread so that
`predict` returns probabilities or values in the target's own units.
"""
from __future__ import annotations

import torch
from torch import nn

from ..spec import NetworkSpec
from .architecture import LayerInfo, Part, check_size, concrete_loss, output_units, plan

_ACT = {
    "relu": lambda: nn.ReLU(),
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "sigmoid": lambda: nn.Sigmoid(),
    "tanh": lambda: nn.Tanh(),
    "gelu": lambda: nn.GELU(),
    "linear": None,
}


def _init(module: nn.Module, how: str, activation: str) -> None:
    if how == "default" or not hasattr(module, "weight"):
        return
    w = module.weight
    gain_name = {"leaky_relu": "leaky_relu", "relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid"}.get(activation, "linear")
    with torch.no_grad():
        if how == "uniform":
            nn.init.uniform_(w, -0.5, 0.5)
        elif how == "gaussian":
            nn.init.normal_(w, 0.0, 0.1)
        elif how == "xavier":
            nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain(gain_name, 0.01) if gain_name == "leaky_relu" else nn.init.calculate_gain(gain_name))
        elif how == "he":
            nn.init.kaiming_normal_(w, a=0.01 if activation == "leaky_relu" else 0.0, nonlinearity="leaky_relu" if activation == "leaky_relu" else "relu")
        elif how == "zeros":
            nn.init.zeros_(w)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


_MODULES = {
    "unflatten": lambda shape: nn.Unflatten(1, shape),
    "flatten": lambda: nn.Flatten(),
    "linear": lambda n_in, n_out: nn.Linear(n_in, n_out),
    "conv2d": lambda c_in, c_out, kernel, padding: nn.Conv2d(c_in, c_out, kernel, padding=padding),
    "batchnorm1d": lambda n: nn.BatchNorm1d(n),
    "batchnorm2d": lambda n: nn.BatchNorm2d(n),
    "activation": lambda name: _ACT[name](),
    "dropout": lambda p: nn.Dropout(p),
    "maxpool2d": lambda kernel: nn.MaxPool2d(kernel),
}


def _module(part: Part) -> nn.Module:
    module = _MODULES[part.module](*part.args)
    if part.module in ("linear", "conv2d"):
        _init(module, part.init, part.activation)
    return module


def build_body(spec: NetworkSpec, n_inputs: int, n_outputs: int,
               image_shape: tuple | None = None) -> tuple[nn.Sequential, list[LayerInfo]]:
    """Build the layers of `spec` for inputs of `n_inputs` features (or an image) and
    `n_outputs` output units; returns the module and one LayerInfo per spec layer plus the output.
    The modules are those of architecture.plan, in its order."""
    layout = check_size(plan(spec, n_inputs, n_outputs, image_shape))
    return nn.Sequential(*(_module(p) for p in layout.parts)), layout.layers


class Network(nn.Module):
    """A body plus what turns its raw output into a prediction.

    forward(x) → logits (classification) or a standardised value (regression);
    predict(x) → class probabilities, or values in the target's units.
    """

    def __init__(self, body: nn.Sequential, task: str, n_outputs: int,
                 y_mean: float = 0.0, y_std: float = 1.0):
        super().__init__()
        self.body = body
        self.task = task
        self.n_outputs = n_outputs
        self.register_buffer("y_mean", torch.tensor(float(y_mean)))
        self.register_buffer("y_std", torch.tensor(float(y_std)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        if self.task == "regression":
            return out[:, 0] * self.y_std + self.y_mean
        if self.n_outputs == 1:
            p = torch.sigmoid(out[:, 0])
            return torch.stack([1 - p, p], dim=1)
        return torch.softmax(out, dim=1)


def build_network(spec: NetworkSpec, dataset, loss: str = "auto") -> tuple[Network, list[LayerInfo]]:
    """The network for `dataset` (a core.data.Dataset): sizes, task and target scale taken from it."""
    n_out = output_units(dataset.task, dataset.n_classes, loss)
    body, infos = build_body(spec, dataset.n_features, n_out, dataset.image_shape)
    y_mean, y_std = 0.0, 1.0
    if dataset.task == "regression":
        y_mean = float(dataset.y_train.mean())
        y_std = float(dataset.y_train.std()) or 1.0
    return Network(body, dataset.task, n_out, y_mean, y_std), infos


def network_for(network: NetworkSpec, dataset, loss: str = "auto") -> Network:
    """A run's network, untrained: `network` on `dataset` (a core.data.Dataset), trained with `loss` (a
    TrainSpec's loss: 'auto' or a loss's name, checked against the dataset's task; two-class bce has one
    output unit). Torch's random state sets the starting weights; under `with torch.device("meta")` the
    network has its sizes and no weights. Raises SpecError, naming the field, when the loss or the layers
    do not fit the data."""
    return build_network(network, dataset, concrete_loss(loss, dataset.task))[0]


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def architecture_summary(infos: list[LayerInfo]) -> str:
    """e.g. '2 → dense 8 tanh → dense 8 tanh → 2' style one-liner is built by the UI; this gives a table text."""
    width = max(len(i.name) for i in infos)
    lines = [f"{i.name:<{width}}  {str(i.output_shape):>14}  {i.params:>8,}" for i in infos]
    total = sum(i.params for i in infos)
    return "\n".join(lines + [f"{'total':<{width}}  {'':>14}  {total:>8,}"])
