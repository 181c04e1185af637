"""The ONNX export: the network's predict() with the preprocessing it was trained with, as one model that
takes the original columns, its inputs and outputs described in its metadata and doc string.
The graph itself is composed in onnx_graph.py.
"""
from __future__ import annotations

import json
from pathlib import Path

from .missing import MISSING_MARKERS


def _input_notes(dataset) -> tuple[list[dict], str]:
    """The inputs as metadata entries, and in words."""
    columns = dataset.preprocessing()["columns"]
    if dataset.image_shape is not None:
        c, h, w = dataset.image_shape
        return ([{"name": "pixels", "type": "float", "shape": ["rows", len(columns)],
                  "columns": [col["name"] for col in columns]}],
                f"one plain tensor 'pixels' [N, {len(columns)}] float: the raw pixel values of an image of {h}x{w} "
                f"pixels, row by row (the dataset's columns {columns[0]['name']} … {columns[-1]['name']}), scaled inside; "
                "NaN pixels are filled with the training median")
    entries = [{"name": col["name"], "type": "float" if col["kind"] == "numeric" else "string", "shape": ["rows", 1],
                "fill": col["fill"], "categories": col["categories"]} for col in columns]
    words = ("one input per original column, by name, each [N, 1]: numbers as float (true/false columns as 1/0; "
             "NaN or ±inf is a gap, filled with the training median), text as string (surrounding spaces are "
             "ignored; an empty string or a missing marker such as 'NA' or '?' is a gap, filled with the column's "
             "most common training value; a value not seen in training sets all of its column's one-hot inputs to 0)")
    return entries, words


def _output_notes(dataset, names: dict) -> tuple[list[dict], str]:
    if dataset.task == "classification":
        k = len(dataset.class_names)
        entries = [{"name": names["probabilities"], "type": "float", "shape": ["rows", k],
                    "meaning": "the probability of each class, in the order of glassnet.class_names"},
                   {"name": names["prediction"], "type": "string", "shape": ["rows"],
                    "meaning": "the most probable class's name"}]
    else:
        entries = [{"name": names["prediction"], "type": "float", "shape": ["rows"],
                    "meaning": "the predicted value in the target's units"}]
    shape = {e["name"]: ", ".join("N" if d == "rows" else str(d) for d in e["shape"]) for e in entries}
    return entries, "; ".join(f"{e['name']!r} [{shape[e['name']]}] {e['type']}: {e['meaning']}" for e in entries)


def export_onnx(net, path: Path, dataset, metadata: dict | None = None) -> None:
    """The network with `dataset`'s preprocessing as one ONNX model (see onnx_graph.py). The inputs, the
    outputs, the class names and `metadata` are stored as metadata properties 'glassnet.<key>' (JSON text)."""
    import onnx

    from .onnx_graph import composed_model
    model, names = composed_model(net, dataset, list(MISSING_MARKERS))
    inputs, input_words = _input_notes(dataset)
    outputs, output_words = _output_notes(dataset, names)
    model.producer_name, model.producer_version = "Glassnet", "1"
    model.doc_string = (f"A Glassnet network with its preprocessing. Inputs: {input_words}. "
                        f"Outputs: {output_words}.")
    props = {"input_form": "pixels" if dataset.image_shape is not None else "columns", "inputs": inputs,
             "outputs": outputs, "class_names": list(dataset.class_names) if dataset.class_names else None,
             "target": dataset.target, "features": list(dataset.feature_names), **(metadata or {})}
    del model.metadata_props[:]
    for key, value in props.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = f"glassnet.{key}", json.dumps(value)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
