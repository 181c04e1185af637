"""The shape of a network before it exists: the modules a NetworkSpec becomes, each layer's output
shape and its parameter count, worked out by arithmetic.

Nothing here allocates a weight or imports torch, so the Build page can count a network of
64 layers × 4,096 units (a billion parameters) as it is typed. build_body (network.py) builds exactly
the modules of the plan, so the counts here are the real network's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import limits
from ..limits import exceeded
from ..spec import LayerSpec, NetworkSpec, SpecError


@dataclass(frozen=True)
class Part:
    """One torch module to build: its kind, its constructor's arguments and, for weighted modules,
    how its weights start."""
    module: str          # unflatten, flatten, linear, conv2d, batchnorm1d, batchnorm2d, activation, dropout, maxpool2d
    args: tuple = ()
    init: str = "default"
    activation: str = "linear"

    @property
    def params(self) -> int:
        """The module's learnable numbers: weights and biases (batch norm: a scale and a shift per channel)."""
        if self.module == "linear":
            n_in, n_out = self.args
            return n_in * n_out + n_out
        if self.module == "conv2d":
            c_in, c_out, kernel, _padding = self.args
            return c_in * c_out * kernel * kernel + c_out
        if self.module in ("batchnorm1d", "batchnorm2d"):
            return 2 * self.args[0]
        return 0


@dataclass
class LayerInfo:
    """One row of the architecture table."""
    index: int
    name: str
    kind: str
    output_shape: tuple
    params: int


@dataclass
class Plan:
    """The modules in order, and one LayerInfo per spec layer plus the output layer."""
    parts: list[Part] = field(default_factory=list)
    layers: list[LayerInfo] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(i.params for i in self.layers)


def concrete_loss(loss: str, task: str) -> str:
    """The loss a TrainSpec's `loss` ('auto' or a loss's name) means for `task`: 'auto' is mse for a
    regression target and cross-entropy for classes. mse fits both (for classes: between the softmax
    probabilities and the one-hot target); another task's loss raises SpecError."""
    if loss == "auto":
        return "mse" if task == "regression" else "cross_entropy"
    if task == "regression" and loss in ("cross_entropy", "bce"):
        raise SpecError.about("loss", f": {loss} is for classification; use mse, mae or huber for a regression target")
    if task == "classification" and loss in ("mae", "huber"):
        raise SpecError.about("loss", f": {loss} is for regression; use cross_entropy (or bce for two classes, "
                                      "or mse on one-hot targets)")
    return loss


def output_units(task: str, n_classes: int, loss: str) -> int:
    """How many output units the network needs for this task and loss."""
    if task == "regression":
        return 1
    if loss == "bce":
        if n_classes != 2:
            raise SpecError.about("loss", f": binary cross-entropy needs exactly 2 classes (this data has {n_classes}); "
                                           "use cross_entropy")
        return 1
    return n_classes


def _flat(shape: tuple) -> tuple[list[Part], tuple]:
    if len(shape) == 3:
        return [Part("flatten")], (shape[0] * shape[1] * shape[2],)
    return [], shape


def _activation(name: str) -> list[Part]:
    return [] if name == "linear" else [Part("activation", (name,))]


def _dense(layer: LayerSpec, shape: tuple, index: int) -> tuple[list[Part], tuple]:
    parts, shape = _flat(shape)
    parts.append(Part("linear", (shape[0], layer.units), layer.init, layer.activation))
    if layer.batch_norm:
        parts.append(Part("batchnorm1d", (layer.units,)))
    parts += _activation(layer.activation)
    if layer.dropout:
        parts.append(Part("dropout", (layer.dropout,)))
    return parts, (layer.units,)


def _conv(layer: LayerSpec, shape: tuple, index: int) -> tuple[list[Part], tuple]:
    if len(shape) != 3:
        raise SpecError.in_layer(index, ": a conv2d layer cannot follow a flattened (dense) layer; move it before the "
                                        "dense layers")
    c, h, w = shape
    h2, w2 = h + 2 * layer.padding - layer.kernel + 1, w + 2 * layer.padding - layer.kernel + 1
    if h2 < 1 or w2 < 1:
        raise SpecError.in_layer(index, f": kernel {layer.kernel} is larger than the {h}×{w} input; use a smaller kernel "
                                        "or more padding")
    parts = [Part("conv2d", (c, layer.channels, layer.kernel, layer.padding), layer.init, layer.activation)]
    if layer.batch_norm:
        parts.append(Part("batchnorm2d", (layer.channels,)))
    return parts + _activation(layer.activation), (layer.channels, h2, w2)


def _pool(layer: LayerSpec, shape: tuple, index: int) -> tuple[list[Part], tuple]:
    if len(shape) != 3:
        raise SpecError.in_layer(index, ": max-pool works on images; put it after a conv2d layer")
    c, h, w = shape
    if h < layer.kernel or w < layer.kernel:
        raise SpecError.in_layer(index, f": pool size {layer.kernel} is larger than the {h}×{w} feature map; use a "
                                        "smaller pool or fewer pools")
    return [Part("maxpool2d", (layer.kernel,))], (c, h // layer.kernel, w // layer.kernel)


def _batchnorm(layer: LayerSpec, shape: tuple, index: int) -> tuple[list[Part], tuple]:
    return [Part("batchnorm2d" if len(shape) == 3 else "batchnorm1d", (shape[0],))], shape


_LAYERS = {
    "dense": _dense,
    "conv2d": _conv,
    "maxpool2d": _pool,
    "flatten": lambda layer, shape, index: _flat(shape),
    "dropout": lambda layer, shape, index: ([Part("dropout", (layer.rate,))], shape),
    "batchnorm": _batchnorm,
}


def plan(spec: NetworkSpec, n_inputs: int, n_outputs: int, image_shape: tuple | None = None) -> Plan:
    """The modules of `spec` for inputs of `n_inputs` features (or an image) and `n_outputs` output
    units. Raises SpecError, naming the layer, when the layers do not fit together or the data."""
    spec.validate()
    result = Plan()
    if spec.uses_images:
        if image_shape is None:
            raise SpecError.about("layers", ": conv2d and max-pool layers need image data (e.g. digits); use dense "
                                            "layers for tables")
        shape: tuple = tuple(image_shape)
        result.parts.append(Part("unflatten", (shape,)))
    else:
        shape = (n_inputs,)
    for i, layer in enumerate(spec.layers):
        parts, shape = _LAYERS[layer.type](layer, shape, i)
        result.parts += parts
        result.layers.append(LayerInfo(i, f"{i + 1}. {layer.describe()}", layer.type, shape,
                                       sum(p.params for p in parts)))
    parts, shape = _flat(shape)
    out = Part("linear", (shape[0], n_outputs), spec.output_init, "linear")
    result.parts += parts + [out]
    result.layers.append(LayerInfo(len(spec.layers), f"output ({n_outputs})", "output", (n_outputs,), out.params))
    return result


def check_size(layout: Plan) -> Plan:
    """`layout`, if its network is within the parameter limit; else a SpecError about its layers that names
    the count and the limit. build_body checks every network this way before making a weight."""
    if layout.total > limits.current().max_parameters:
        raise SpecError.about("layers", ": " + exceeded(
            "max_parameters", f"the network has {layout.total:,} parameters",
            "use fewer or narrower layers, or a max-pool layer before the dense ones"))
    return layout


def parameter_table(spec: NetworkSpec, n_inputs: int, n_outputs: int, image_shape=None) -> tuple[list[LayerInfo], int]:
    """Per-layer rows (name, output shape, parameters) and the total, without building the network."""
    result = plan(spec, n_inputs, n_outputs, image_shape)
    return result.layers, result.total
