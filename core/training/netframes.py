"""The 'network' frame: a small dense network on 2-D data as TensorFlow Playground shows it — every weight and
bias, and each neuron's own output over a coarse grid of the plane.

Which networks get it (`diagram_problem` says why not): 2-D inputs, only dense layers (with their activations
and dropout; no batch norm), at most MAX_HIDDEN_LAYERS hidden layers of at most MAX_UNITS units. Any other
network keeps its per-layer weight and gradient norms (logged metrics) as its picture of the insides.

A frame is zlib-compressed bytes: a 4-byte length, a JSON header {"sizes", "acts", "extent", "res", "ranges"},
the weights and biases of each layer in order as float32, then each neuron's grid (every unit after the
inputs, the output units' raw outputs included) as one byte a cell over that neuron's own [low, high] range,
stored as the step from the cell before (mod 256), which compresses well on smooth pictures.

NetworkFrames is the trainer's callback that adds one to a logged epoch's report at most every
FRAME_INTERVAL_S seconds (always at the last epoch) and to the report of a single step.
"""
from __future__ import annotations

import json
import math
import struct
import time
import zlib
from dataclasses import dataclass

import numpy as np

from ..model.trace import dense_layers, layer_outputs
from .frames import boundary_points

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 16
GRID = 20                      # cells a side of each neuron's picture of the plane
FRAME_INTERVAL_S = 0.25        # at most four network frames a second


@dataclass
class NetworkFrame:
    """One decoded frame: per layer its weights [out, in], biases [out] and activation name; per layer the
    grids [out, res, res] of its units' outputs (row = x2 from low to high, column = x1)."""
    sizes: list[int]
    acts: list[str]
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    grids: list[np.ndarray]
    extent: list[tuple[float, float]]
    res: int


def diagram_problem(body, n_features: int) -> str | None:
    """Why this network gets per-layer summaries rather than the diagram; None when it gets the diagram."""
    if n_features != 2:
        return "the diagram draws each neuron over the plane of two inputs; this data has " \
               f"{n_features} input columns"
    layers = dense_layers(body)
    if layers is None:
        return "the diagram draws dense layers only; this network has convolutions or batch norm"
    hidden = [lin.out_features for lin, _ in layers[:-1]]
    if len(hidden) > MAX_HIDDEN_LAYERS or max(hidden, default=0) > MAX_UNITS:
        return (f"the diagram stays readable up to {MAX_HIDDEN_LAYERS} hidden layers of {MAX_UNITS} units; "
                f"this network has {len(hidden)} hidden layer{'s' * (len(hidden) != 1)}, "
                f"the widest of {max(hidden, default=0)} units")
    return None


def encode_network(body, extent, res: int = GRID) -> bytes:
    """The frame of a dense body (see the module's docstring) over `extent` at `res` × `res` cells."""
    import torch
    layers = dense_layers(body)
    grid = torch.as_tensor(boundary_points(extent, res), device=layers[0][0].weight.device)
    with torch.no_grad():
        both = layer_outputs(layers, grid)
        outs = [post for _, post in both[:-1]] + [both[-1][0]]        # the output units: their raw output
        params = torch.cat([t.flatten() for lin, _ in layers for t in (lin.weight, lin.bias)]).float().cpu().numpy()
        values = torch.cat([o.T for o in outs]).float().cpu().numpy()  # [neurons, res²]
    lo, hi = values.min(axis=1), values.max(axis=1)
    span = np.where(hi > lo, hi - lo, 1.0)
    cells = np.clip(np.rint((values - lo[:, None]) / span[:, None] * 255), 0, 255).astype(np.uint8)
    cells = np.diff(cells, axis=1, prepend=np.uint8(0))              # smooth pictures: small steps compress well
    header = json.dumps({"sizes": [layers[0][0].in_features] + [lin.out_features for lin, _ in layers],
                         "acts": [a for _, a in layers], "extent": [list(map(float, e)) for e in extent],
                         "res": res, "ranges": np.stack([lo, hi], 1).round(6).tolist()}).encode()
    return zlib.compress(struct.pack("<I", len(header)) + header + params.astype("<f4").tobytes() + cells.tobytes(), 6)


def decode_network(data: bytes) -> NetworkFrame:
    """A stored 'network' frame's bytes → NetworkFrame."""
    raw = zlib.decompress(data)
    (n,) = struct.unpack("<I", raw[:4])
    head = json.loads(raw[4:4 + n])
    sizes, res = head["sizes"], int(head["res"])
    n_params = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    params = np.frombuffer(raw, "<f4", n_params, 4 + n)
    steps = np.frombuffer(raw, np.uint8, offset=4 + n + 4 * n_params).reshape(-1, res * res)
    cells = np.cumsum(steps, axis=1, dtype=np.uint8).reshape(-1, res, res).astype(np.float32) / 255
    ranges = np.asarray(head["ranges"], np.float32)
    values = ranges[:, :1, None] + cells * (ranges[:, 1:, None] - ranges[:, :1, None])
    weights, biases, grids, at, unit = [], [], [], 0, 0
    for a, b in zip(sizes, sizes[1:]):
        weights.append(params[at:at + a * b].reshape(b, a).copy())
        biases.append(params[at + a * b:at + a * b + b].copy())
        grids.append(values[unit:unit + b])
        at, unit = at + a * b + b, unit + b
    return NetworkFrame(sizes, head["acts"], weights, biases, grids, [tuple(e) for e in head["extent"]], res)


def frame_body(frame: NetworkFrame):
    """The torch body a frame's weights describe: Linear layers with their activations, in eval mode."""
    import torch
    from torch import nn
    acts = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.01), "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
            "gelu": nn.GELU}
    modules = []
    for w, b, act in zip(frame.weights, frame.biases, frame.acts):
        lin = nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        modules += [lin] + ([acts[act]()] if act in acts else [])
    return nn.Sequential(*modules).eval()


class NetworkFrames:
    """Trainer callback: a 'network' frame at most every FRAME_INTERVAL_S (and at the last epoch, and after a
    single step). Put it before the recorder in the callbacks, so its frame travels in the report written."""

    def __init__(self, interval_s: float = FRAME_INTERVAL_S):
        self.interval_s = interval_s
        self._last = -math.inf

    @classmethod
    def for_trainer_of(cls, net, dataset) -> "NetworkFrames | None":
        """The callback when this network on this data gets the diagram, else None (nothing recorded)."""
        return cls() if diagram_problem(net.body, dataset.n_features) is None else None

    def _frame(self, trainer) -> bytes:
        was = trainer.net.training
        trainer.net.eval()
        try:
            return encode_network(trainer.net.body, trainer.grid_extent)
        finally:
            trainer.net.train(was)

    def on_evaluate(self, trainer, report) -> None:
        now = time.perf_counter()
        if trainer.grid_extent is not None and (now - self._last >= self.interval_s
                                                or trainer.epoch >= trainer.spec.epochs):
            self._last = now
            report.frames["network"] = self._frame(trainer)

    def on_steps(self, trainer, report) -> None:
        if "boundary" in report.frames:       # a single step: show what it changed
            report.frames["network"] = self._frame(trainer)
