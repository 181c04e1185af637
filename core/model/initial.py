"""One layer's starting weights under each initialisation, side by side, for comparing them.

Only the chosen layer is built, on the CPU, with the same module and initialisation code as a run's
network (network.py), so what is shown is what training starts from. A small layer is drawn again
and again, fresh each time, until enough weights are pooled for a histogram to show the shape of
the distribution; a large one is drawn once and its spread measured over every weight, with the
first MAX_SHOWN of them kept to draw (its weights are independent draws, so they are a fair sample).
A layer with more weights than the parameter limit allows is refused before any is made.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .. import limits
from ..limits import exceeded
from ..spec import INITS, NetworkSpec, SpecError
from .architecture import LayerInfo, Part, plan

MIN_POOLED = 2_000     # weights pooled per initialisation at least (a small layer is drawn again)
MAX_DRAWS = 250        # fresh draws of a small layer at most
MAX_SHOWN = 100_000    # weights kept per initialisation for the histogram


@dataclass(frozen=True)
class InitialWeights:
    """The starting weights of one layer under one initialisation."""
    init: str
    values: np.ndarray      # float32: at most MAX_SHOWN of them, pooled over `draws` fresh layers
    std: float              # over every weight drawn
    mean: float
    draws: int


@dataclass(frozen=True)
class LayerInits:
    """One layer's starting weights under each initialisation."""
    layer: str              # its row in the architecture table, e.g. "1. dense 16 relu"
    index: int              # its place among the layers with weights (0 = first hidden layer)
    weight_shape: tuple
    fan_in: int             # inputs each unit sums
    fan_out: int            # units each input feeds
    activation: str
    init: str               # the initialisation the layer is set to
    weights: list[InitialWeights]


def weighted_layers(spec: NetworkSpec, n_inputs: int, n_outputs: int,
                    image_shape: tuple | None = None) -> list[tuple[LayerInfo, Part]]:
    """The layers with a weight matrix or kernel (dense, conv2d, the output), each with its module's plan."""
    layout = plan(spec, n_inputs, n_outputs, image_shape)
    rows = [info for info in layout.layers if info.kind in ("dense", "conv2d", "output")]
    parts = [part for part in layout.parts if part.module in ("linear", "conv2d")]
    return list(zip(rows, parts))


def _shape(part: Part) -> tuple[int, ...]:
    if part.module == "linear":
        n_in, n_out = part.args
        return n_out, n_in
    c_in, c_out, kernel, _padding = part.args
    return c_out, c_in, kernel, kernel


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _draw(part: Part, how: str, draws: int, seed: int) -> InitialWeights:
    """The layer built as a run's network builds it, then started afresh `draws - 1` more times with the
    same initialisation, each draw's weights pooled."""
    import torch

    from .network import _init, _module

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = _module(replace(part, init=how))
        values = [module.weight.detach().reshape(-1).clone()]
        for _ in range(draws - 1):
            if how == "default":
                module.reset_parameters()            # PyTorch's own start is the default
            else:
                _init(module, how, part.activation)
            values.append(module.weight.detach().reshape(-1).clone())
    every = values[0] if draws == 1 else torch.cat(values)
    std, mean = torch.std_mean(every, correction=0)
    return InitialWeights(how, every[:MAX_SHOWN].numpy().copy(), float(std), float(mean), draws)


def initial_weights(spec: NetworkSpec, n_inputs: int, n_outputs: int, image_shape: tuple | None = None, *,
                    layer: int = 0, inits: tuple[str, ...] = INITS, seed: int = 0) -> LayerInits:
    """The starting weights of the `layer`-th layer with weights (0 = the first hidden one; the output
    layer is last) under each initialisation in `inits`, drawn with `seed`. SpecError for a layer that
    is not there, an unknown initialisation, or a layer past the parameter limit."""
    layers = weighted_layers(spec, n_inputs, n_outputs, image_shape)
    if not isinstance(layer, int) or not 0 <= layer < len(layers):
        raise SpecError.about("layer", f": there is no layer {layer!r} with weights; pick 0 to {len(layers) - 1}")
    info, part = layers[layer]
    return layer_initial_weights(part, info.name, layer, inits=inits, seed=seed)


def layer_initial_weights(part: Part, name: str, index: int = 0, *, inits: tuple[str, ...] = INITS,
                          seed: int = 0) -> LayerInits:
    """The starting weights of one planned layer (a linear or conv2d Part, from weighted_layers) called
    `name`, under each initialisation in `inits`; a page can keep them by the Part, which is all they
    depend on. SpecError for an unknown initialisation or a layer past the parameter limit."""
    unknown = [i for i in inits if i not in INITS]
    if unknown:
        raise SpecError.about("init", f": unknown initialisation {unknown[0]!r}; use one of {', '.join(INITS)}")
    shape = _shape(part)
    size = math.prod(shape)
    if size > limits.current().max_parameters:
        raise SpecError.about("layers", ": " + exceeded(
            "max_parameters", f"{name} has {size:,} weights", "use a narrower layer"))
    draws = min(MAX_DRAWS, max(1, math.ceil(MIN_POOLED / size)))
    fan_in, fan_out = _fans(shape)
    return LayerInits(name, index, shape, fan_in, fan_out, part.activation, part.init,
                      [_draw(part, how, draws, seed) for how in inits])
