"""Spec → torch.nn.Module and parameter counts (exports are in core.export).

The network body outputs logits (classification) or a standardised value
(regression). `Network` wraps the body with the target's mean and spread so that
`predict` returns probabilities or values in the target's own units.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .spec import LayerSpec, NetworkSpec, SpecError

_ACT = {
    "relu": lambda: nn.ReLU(),
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "sigmoid": lambda: nn.Sigmoid(),
    "tanh": lambda: nn.Tanh(),
    "gelu": lambda: nn.GELU(),
    "linear": None,
}


@dataclass
class LayerInfo:
    """One row of the architecture table."""
    index: int
    name: str
    kind: str
    output_shape: tuple
    params: int


def output_units(task: str, n_classes: int, loss: str) -> int:
    """How many output units the network needs for this task and loss."""
    if task == "regression":
        return 1
    if loss == "bce":
        if n_classes != 2:
            raise SpecError(f"loss: binary cross-entropy needs exactly 2 classes (this data has {n_classes}); use cross_entropy")
        return 1
    return n_classes


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


def build_body(spec: NetworkSpec, n_inputs: int, n_outputs: int,
               image_shape: tuple | None = None) -> tuple[nn.Sequential, list[LayerInfo]]:
    """Build the layers of `spec` for inputs of `n_inputs` features (or an image) and
    `n_outputs` output units; returns the module and one LayerInfo per spec layer plus the output."""
    spec.validate()
    modules: list[nn.Module] = []
    infos: list[LayerInfo] = []
    if spec.uses_images:
        if image_shape is None:
            raise SpecError("layers: conv2d and max-pool layers need image data (e.g. digits); use dense layers for tables")
        modules.append(nn.Unflatten(1, tuple(image_shape)))
        shape: tuple = tuple(image_shape)
    else:
        shape = (n_inputs,)

    def flat() -> None:
        nonlocal shape
        if len(shape) == 3:
            modules.append(nn.Flatten())
            shape = (shape[0] * shape[1] * shape[2],)

    for i, layer in enumerate(spec.layers):
        start = len(modules)
        where = f"layers[{i}]"
        if layer.type == "dense":
            flat()
            lin = nn.Linear(shape[0], layer.units)
            _init(lin, layer.init, layer.activation)
            modules.append(lin)
            if layer.batch_norm:
                modules.append(nn.BatchNorm1d(layer.units))
            act = _ACT[layer.activation]
            if act:
                modules.append(act())
            if layer.dropout:
                modules.append(nn.Dropout(layer.dropout))
            shape = (layer.units,)
        elif layer.type == "conv2d":
            if len(shape) != 3:
                raise SpecError(f"{where}: a conv2d layer cannot follow a flattened (dense) layer; move it before the dense layers")
            c, h, w = shape
            h2, w2 = h + 2 * layer.padding - layer.kernel + 1, w + 2 * layer.padding - layer.kernel + 1
            if h2 < 1 or w2 < 1:
                raise SpecError(f"{where}: kernel {layer.kernel} is larger than the {h}×{w} input; use a smaller kernel or more padding")
            conv = nn.Conv2d(c, layer.channels, layer.kernel, padding=layer.padding)
            _init(conv, layer.init, layer.activation)
            modules.append(conv)
            if layer.batch_norm:
                modules.append(nn.BatchNorm2d(layer.channels))
            act = _ACT[layer.activation]
            if act:
                modules.append(act())
            shape = (layer.channels, h2, w2)
        elif layer.type == "maxpool2d":
            if len(shape) != 3:
                raise SpecError(f"{where}: max-pool works on images; put it after a conv2d layer")
            c, h, w = shape
            if h < layer.kernel or w < layer.kernel:
                raise SpecError(f"{where}: pool size {layer.kernel} is larger than the {h}×{w} feature map; use a smaller pool or fewer pools")
            modules.append(nn.MaxPool2d(layer.kernel))
            shape = (c, h // layer.kernel, w // layer.kernel)
        elif layer.type == "flatten":
            flat()
        elif layer.type == "dropout":
            modules.append(nn.Dropout(layer.rate))
        elif layer.type == "batchnorm":
            modules.append(nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0]))
        params = sum(p.numel() for m in modules[start:] for p in m.parameters())
        infos.append(LayerInfo(i, f"{i + 1}. {layer.describe()}", layer.type, shape, params))
    flat()
    out = nn.Linear(shape[0], n_outputs)
    _init(out, spec.output_init, "linear")
    modules.append(out)
    infos.append(LayerInfo(len(spec.layers), f"output ({n_outputs})", "output", (n_outputs,),
                           sum(p.numel() for p in out.parameters())))
    return nn.Sequential(*modules), infos


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


def parameter_table(spec: NetworkSpec, n_inputs: int, n_outputs: int, image_shape=None) -> tuple[list[LayerInfo], int]:
    """Per-layer parameter counts and the total, without a dataset."""
    body, infos = build_body(spec, n_inputs, n_outputs, image_shape)
    return infos, sum(p.numel() for p in body.parameters())


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def architecture_summary(infos: list[LayerInfo]) -> str:
    """e.g. '2 → dense 8 tanh → dense 8 tanh → 2' style one-liner is built by the UI; this gives a table text."""
    width = max(len(i.name) for i in infos)
    lines = [f"{i.name:<{width}}  {str(i.output_shape):>14}  {i.params:>8,}" for i in infos]
    total = sum(i.params for i in infos)
    return "\n".join(lines + [f"{'total':<{width}}  {'':>14}  {total:>8,}"])
