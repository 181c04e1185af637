"""What is explained: a network (or an uploaded ONNX model) as a batched function on model inputs, with
what its outputs mean.

A Glassnet network is explained in one unit (core.analysis.units): the log-odds of each class,
log(p / (1 - p)), whatever the head (a 2-logit softmax and a 1-logit sigmoid give the same numbers),
or the predicted value in the target's units for regression. Not probabilities: Shapley values of a
softmax are badly approximated by every fast method. An ONNX model is explained in its own output.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import dense, shapley, units
from .errors import ExplainError
from .onnx_feed import session_of

LINEAR_FIRST_WIDTH = 4      # a first layer up to this many units per input is walked as running sums


@dataclass
class Model:
    """A batched function on model inputs plus what its outputs mean."""

    fn: Callable                    # torch [m, d] float32 → [m, k]; a shapley.LinearFirst where possible
    outputs: list[str]              # one name per output column
    space: str                      # units.LOG_ODDS, units.VALUE or units.OUTPUT (an ONNX model's own output)
    net: object = None              # the torch module (for shap's gradient explainers), if any
    proba: Callable | None = None   # numpy [m, d] → probabilities [m, classes] or values [m] (for LIME)
    names_from_model: bool = False  # output names read from the model file itself

    def __call__(self, x):
        return self.fn(x)

    def explained(self, x: np.ndarray) -> np.ndarray:
        """The explained outputs of numpy rows [m, d] → [m, k], in the explanations' unit (for LIME)."""
        import torch
        with torch.inference_mode():
            return self.fn(torch.as_tensor(np.asarray(x, np.float32))).double().numpy()


def _fused(body):
    """An inference copy of a Sequential body: batch norm folded into the layer before it, dropout gone,
    activations in place. (shap's DeepExplainer gets the original network: it refuses in-place ReLUs.)"""
    import torch
    from torch import nn
    mods: list = []
    for m in body:
        if isinstance(m, nn.BatchNorm1d) and mods and isinstance(mods[-1], nn.Linear):
            mods[-1] = torch.nn.utils.fusion.fuse_linear_bn_eval(mods[-1], m)
        elif isinstance(m, nn.Dropout):
            continue
        elif isinstance(m, nn.ReLU):                 # in place: no new tensor per layer (a fifth of the time)
            mods.append(nn.ReLU(inplace=True))
        elif isinstance(m, nn.LeakyReLU):
            mods.append(nn.LeakyReLU(m.negative_slope, inplace=True))
        else:
            mods.append(copy.deepcopy(m))
    return nn.Sequential(*mods).eval()


def model_of(net, class_names: list[str] | None) -> Model:
    """The explained view of a core.model.Network: the log-odds of each class (core.analysis.units), or the
    value in the target's units."""
    import torch
    net = copy.deepcopy(net).eval()
    body = _fused(net.body)
    body = dense.densify(body) or body           # convolutions of small images as dense layers: faster
    if net.task == "regression":
        scale, shift = float(net.y_std), float(net.y_mean)

        def head(h):
            return h * scale + shift
        space = units.VALUE
    else:
        head = units.LogOdds()
        space = units.LOG_ODDS
    fn: Callable = torch.nn.Sequential(body, head) if space == units.LOG_ODDS else (lambda x: head(body(x)))
    first = body[0] if len(body) else None
    # walks as running sums of the first layer pay off while that layer is narrow; a wide one (a dense
    # convolution: 64 pixels → 512 units) is faster as one matrix product per batch
    if isinstance(first, torch.nn.Linear) and first.out_features <= LINEAR_FIRST_WIDTH * first.in_features:
        rest = body[1:]
        fn = shapley.LinearFirst(first.weight, first.bias, torch.nn.Sequential(*rest, head)
                                 if space == units.LOG_ODDS else (lambda h: head(rest(h))))

    def proba(x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return net.predict(torch.as_tensor(np.asarray(x, np.float32))).numpy()
    return Model(fn, units.output_names(space, class_names), space, net, proba)


def onnx_model(data: bytes, n_features: int, class_names: list[str] | None = None, feed=None) -> Model:
    """An uploaded ONNX model (never unpickled: ONNX is a protobuf graph) as a Model.

    It takes one input matrix, or with `feed` (onnx_feed.table_codes) one input per column, by name.
    Its first output is explained as it is; class probabilities if it returns one column per class."""
    import torch
    session = session_of(data)
    inputs = session.get_inputs()
    if feed is None and len(inputs) != 1:
        raise ExplainError(f"The model takes {len(inputs)} inputs; Glassnet explains models with one input matrix, "
                           "or with one input per column named after the table's columns.")
    name = inputs[0].name
    shape = inputs[0].shape
    if feed is None and (len(shape) != 2 or (isinstance(shape[1], int) and shape[1] != n_features)):
        raise ExplainError(f"The model expects inputs of shape {shape}, but the table has {n_features} feature "
                           "columns; upload the CSV the model was trained on, without the target column.")

    def run(x: np.ndarray) -> np.ndarray:
        given = feed(x) if feed is not None else {name: np.asarray(x, np.float32)}
        out = np.asarray(session.run(None, given)[0], np.float64)
        return out.reshape(len(x), -1)
    try:
        probe = run(np.zeros((2, n_features), np.float32))
    except ExplainError:                          # a limit: its own message
        raise
    except Exception as exc:
        raise ExplainError(f"The model failed on a test row ({str(exc).splitlines()[0][:200]}); check that it "
                           "takes a float matrix with one row per example.") from None
    k = probe.shape[1]
    stored = stored_class_names(session)
    if stored and len(stored) == k:              # a Glassnet export says its output order
        class_names = stored
    outputs = [f"output {c!r}" for c in class_names] if class_names and len(class_names) == k else \
        [f"output {i}" for i in range(k)]

    def fn(x):
        return torch.as_tensor(run(x.numpy()))

    def proba(x):
        out = run(x)
        if k == 1 and class_names and len(class_names) == 2:     # one column: the second class's probability
            return np.column_stack([1 - out[:, 0], out[:, 0]])
        return out[:, 0] if k == 1 else out
    return Model(fn, outputs, units.OUTPUT, None, proba, names_from_model=bool(stored and len(stored) == k))


def stored_class_names(session) -> list[str] | None:
    """The class names a Glassnet ONNX export keeps in its metadata, in output order (else None)."""
    try:
        raw = session.get_modelmeta().custom_metadata_map.get("glassnet.class_names")
        names = json.loads(raw) if raw else None
    except (ValueError, AttributeError):
        return None
    return [str(n) for n in names] if isinstance(names, list) else None
