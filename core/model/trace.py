"""One input followed through a dense network: each layer's pre-activation (the weighted sum plus the bias) and
activation, for the weights as they are. Pure functions on a torch body (nn.Sequential) and a batch.

The diagram's networks are dense: Linear layers, each followed by at most one activation, and dropout (which
does nothing outside training). dense_layers reads a body as [(Linear, activation name)]; any other module
(a convolution, batch norm) makes it None.
"""
from __future__ import annotations

ACTIVATIONS = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "GELU": "gelu"}


def dense_layers(body) -> list[tuple] | None:
    """[(Linear, activation name)] of a body made only of dense layers, activations and dropout; None otherwise."""
    layers: list[list] = []
    for module in body:
        kind = type(module).__name__
        if kind == "Linear":
            layers.append([module, "linear"])
        elif kind in ACTIVATIONS and layers and layers[-1][1] == "linear":
            layers[-1][1] = ACTIVATIONS[kind]
        elif kind != "Dropout":
            return None
    return [tuple(pair) for pair in layers]


def _activation(name: str):
    import torch.nn.functional as F
    return {"relu": F.relu, "leaky_relu": lambda t: F.leaky_relu(t, 0.01), "sigmoid": lambda t: t.sigmoid(),
            "tanh": lambda t: t.tanh(), "gelu": F.gelu, "linear": lambda t: t}[name]


def layer_outputs(layers, x) -> list[tuple]:
    """Each layer's (pre-activation, activation) for the inputs x [rows, features], layers as dense_layers gives."""
    out = []
    for lin, act in layers:
        pre = lin(x)
        x = _activation(act)(pre)
        out.append((pre, x))
    return out


def forward_trace(body, x) -> list[dict]:
    """Layer by layer for the inputs x (a [rows, features] array or tensor): {"activation", "pre", "post"}, the
    values as numpy arrays [rows, units]. The last layer's post is the network's raw output (logits)."""
    import torch
    layers = dense_layers(body)
    if layers is None:
        raise ValueError("only a network of dense layers can be followed layer by layer")
    x = torch.as_tensor(x, dtype=torch.float32, device=layers[0][0].weight.device)
    with torch.no_grad():
        return [{"activation": act, "pre": pre.cpu().numpy(), "post": post.cpu().numpy()}
                for (_, act), (pre, post) in zip(layers, layer_outputs(layers, x))]
