"""The ONNX export: the network's predict() composed with the preprocessing it was trained with.

A table's model takes one input per original column, by name, shape [N, 1]: float for numbers, string for text.
Inside the graph, gaps are filled as in training (a number's training median, a text column's most common
value), text becomes one-hot inputs (a value never seen in training: all of its column's inputs 0) and every
input is shifted and scaled with the training statistics, in float64 like core.data. An image model (digits)
keeps one plain tensor input, the raw pixel values, divided by the pixel scale inside.
"""
from __future__ import annotations

import io
import warnings

import numpy as np
import onnx
import torch
from onnx import TensorProto, compose, helper, numpy_helper

OPSET = 20      # RegexFullMatch (text categories) is an opset-20 operator; onnxruntime 1.32 runs it

# What str.strip() removes (every character whose isspace() is true), as an RE2 character class;
# tests/model/test_export.py checks it against Python.
WHITESPACE = "[\\t\\n\\x{b}\\x{c}\\r\\x{1c}-\\x{1f} \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}" \
             "\\x{202f}\\x{205f}\\x{3000}]"


class _Graph:
    """Nodes and constants of a graph under construction; every name it makes starts with `prefix`."""

    def __init__(self, prefix: str):
        self.prefix, self.nodes, self.constants, self._n = prefix, [], [], 0

    def _name(self, hint: str) -> str:
        self._n += 1
        return f"{self.prefix}{hint}_{self._n}"

    def op(self, op_type: str, inputs: list[str], hint: str, **attrs) -> str:
        out = self._name(hint)
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def const(self, value, hint: str) -> str:
        name = self._name(hint)
        self.constants.append(numpy_helper.from_array(np.asarray(value), name))
        return name


def literal_pattern(text: str) -> str:
    """An RE2 pattern that matches exactly `text`: every character written as its code point."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in text)


def stripped_pattern(alternatives: list[str]) -> str:
    """Full-matches any of `alternatives` with any surrounding whitespace (str.strip() semantics)."""
    body = "|".join(literal_pattern(a) for a in alternatives)
    return f"{WHITESPACE}*(?:{body}){WHITESPACE}*"


def _filled(g: _Graph, source: str, fill) -> str:
    """float → float64 with NaN and ±inf replaced by `fill` (a number, or one per column)."""
    value = g.op("Cast", [source], "number", to=TensorProto.DOUBLE)
    gap = g.op("Or", [g.op("IsNaN", [value], "nan"), g.op("IsInf", [value], "inf")], "gap")
    return g.op("Where", [gap, g.const(np.atleast_1d(np.asarray(fill, np.float64)), "fill"), value], "filled")


def _one_hot(g: _Graph, source: str, column: dict, markers: list[str]) -> list[str]:
    """A text input [N, 1] → one float64 [N, 1] per category: 1 where the stripped text is that category;
    a gap (blank or a missing marker) counts as the fill category, an unseen value as none."""
    categories = column["categories"]
    gap_words = [""] + [m for m in markers if m and m not in categories]
    gap = g.op("RegexFullMatch", [source], "gap", pattern=stripped_pattern(gap_words))
    out = []
    for category in categories:
        hit = g.op("RegexFullMatch", [source], "is", pattern=stripped_pattern([category]))
        if category == column["fill"]:
            hit = g.op("Or", [hit, gap], "is_or_gap")
        out.append(g.op("Cast", [hit], "onehot", to=TensorProto.DOUBLE))
    return out


def _scaled(g: _Graph, pieces: list[str], prep: dict, output: str) -> None:
    unscaled = g.op("Concat", pieces, "unscaled", axis=1) if len(pieces) > 1 else pieces[0]
    shifted = g.op("Sub", [unscaled, g.const(np.asarray(prep["offset"], np.float64), "offset")], "shifted")
    scaled = g.op("Div", [shifted, g.const(np.asarray(prep["scale"], np.float64), "scale")], "scaled")
    g.nodes.append(helper.make_node("Cast", [scaled], [output], name=output, to=TensorProto.FLOAT))


def preprocessing_model(prep: dict, image: bool, markers: list[str], internal: str, ir_version: int):
    """The graph from the original columns (or the raw pixels) to the network's inputs, `internal`features."""
    g = _Graph(f"{internal}pre/")
    columns = prep["columns"]
    width = len(prep["offset"])
    if image:
        inputs = [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["rows", width])]
        pieces = [_filled(g, "pixels", [c["fill"] for c in columns])]
    else:
        inputs, pieces = [], []
        for c in columns:
            numeric = c["kind"] == "numeric"
            inputs.append(helper.make_tensor_value_info(
                c["name"], TensorProto.FLOAT if numeric else TensorProto.STRING, ["rows", 1]))
            pieces += [_filled(g, c["name"], c["fill"])] if numeric else _one_hot(g, c["name"], c, markers)
    output = f"{internal}features"
    _scaled(g, pieces, prep, output)
    graph = helper.make_graph(g.nodes, "preprocessing", inputs,
                              [helper.make_tensor_value_info(output, TensorProto.FLOAT, ["rows", width])],
                              initializer=g.constants)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=ir_version)


def network_model(net, n_inputs: int, internal: str):
    """torch.onnx's graph of net.predict (eval mode, then the mode restored), its names under `internal`network/."""
    from ..network import Network

    class Predictor(torch.nn.Module):
        def __init__(self, inner: Network):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return self.inner.predict(x)

    was_training = net.training
    net.eval()
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(Predictor(net).cpu(), (torch.zeros(2, n_inputs),), buffer, dynamo=False,
                              input_names=["features"], output_names=["prediction"],
                              dynamic_axes={"features": {0: "rows"}, "prediction": {0: "rows"}},
                              opset_version=OPSET)
    finally:
        net.train(was_training)
    return compose.add_prefix(onnx.load_from_string(buffer.getvalue()), f"{internal}network/")


def output_names(task: str, taken: list[str]) -> dict[str, str]:
    """The outputs' names: 'probabilities' and 'prediction' (classification) or 'prediction', with '_'
    appended while a column already has the name."""
    def free(name):
        while name in taken:
            name += "_"
        return name
    wanted = ["probabilities", "prediction"] if task == "classification" else ["prediction"]
    return {w: free(w) for w in wanted}


def postprocessing_model(task: str, class_names, names: dict, internal: str, ir_version: int):
    """network/prediction → the probabilities and the most probable class's name, or the predicted value."""
    source = f"{internal}network/prediction"
    g = _Graph(f"{internal}post/")
    if task == "classification":
        k = len(class_names)
        inputs = [helper.make_tensor_value_info(source, TensorProto.FLOAT, ["rows", k])]
        best = g.op("ArgMax", [source], "best", axis=1, keepdims=0)
        labels = g.const(np.asarray([str(c) for c in class_names], dtype=object), "classes")
        g.nodes += [helper.make_node("Identity", [source], [names["probabilities"]]),
                    helper.make_node("Gather", [labels, best], [names["prediction"]], axis=0)]
        outputs = [helper.make_tensor_value_info(names["probabilities"], TensorProto.FLOAT, ["rows", k]),
                   helper.make_tensor_value_info(names["prediction"], TensorProto.STRING, ["rows"])]
    else:
        inputs = [helper.make_tensor_value_info(source, TensorProto.FLOAT, ["rows"])]
        g.nodes.append(helper.make_node("Identity", [source], [names["prediction"]]))
        outputs = [helper.make_tensor_value_info(names["prediction"], TensorProto.FLOAT, ["rows"])]
    graph = helper.make_graph(g.nodes, "outputs", inputs, outputs, initializer=g.constants)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=ir_version)


def free_prefix(names: list[str]) -> str:
    """A prefix for the graph's own names that no column name starts with."""
    prefix, n = "glassnet/", 0
    while any(name.startswith(prefix) for name in names):
        n += 1
        prefix = f"glassnet{n}/"
    return prefix


def composed_model(net, dataset, markers: list[str]) -> tuple[onnx.ModelProto, dict]:
    """Preprocessing ∘ network ∘ outputs as one model, and the output names it uses."""
    prep = dataset.preprocessing()
    image = dataset.image_shape is not None
    taken = ["pixels"] if image else [c["name"] for c in prep["columns"]]
    internal = free_prefix(taken)
    network = network_model(net, dataset.n_features, internal)
    pre = preprocessing_model(prep, image, markers, internal, network.ir_version)
    model = compose.merge_models(pre, network, io_map=[(f"{internal}features", f"{internal}network/features")])
    names = output_names(dataset.task, taken)
    post = postprocessing_model(dataset.task, dataset.class_names, names, internal, network.ir_version)
    source = f"{internal}network/prediction"
    return compose.merge_models(model, post, io_map=[(source, source)]), names
