"""An uploaded ONNX model is loaded and run in its own process within bounds: a file over max_onnx_bytes is
refused before it is parsed, and a model that runs longer than onnx_seconds (a Loop with a huge trip count)
is stopped with a message that says so; the server process stays free."""
from __future__ import annotations

import dataclasses
import multiprocessing

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from core import limits
from core.analysis.explain import ExplainError, onnx_model


def _model(trip_count: int) -> bytes:
    """Y = X[:, :1] + (a counter a Loop adds 1 to, `trip_count` times), for X [N, 2] floats."""
    body = helper.make_graph(
        [helper.make_node("Add", ["acc_in", "one"], ["acc_out"]),
         helper.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_in", TensorProto.FLOAT, [])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [])],
        [helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])])
    nodes = [
        helper.make_node("Constant", [], ["trips"], value=helper.make_tensor("t", TensorProto.INT64, [], [trip_count])),
        helper.make_node("Constant", [], ["cond"], value=helper.make_tensor("c", TensorProto.BOOL, [], [True])),
        helper.make_node("Constant", [], ["zero"], value=helper.make_tensor("z", TensorProto.FLOAT, [], [0.0])),
        helper.make_node("Loop", ["trips", "cond", "zero"], ["count"], body=body),
        helper.make_node("Constant", [], ["starts"], value=helper.make_tensor("s", TensorProto.INT64, [1], [0])),
        helper.make_node("Constant", [], ["ends"], value=helper.make_tensor("e", TensorProto.INT64, [1], [1])),
        helper.make_node("Constant", [], ["axes"], value=helper.make_tensor("a", TensorProto.INT64, [1], [1])),
        helper.make_node("Slice", ["X", "starts", "ends", "axes"], ["first"]),
        helper.make_node("Add", ["first", "count"], ["Y"]),
    ]
    graph = helper.make_graph(nodes, "looping", [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 2])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model.SerializeToString()


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, onnx_seconds=3))


def test_a_short_loop_runs_and_answers(quick):
    model = onnx_model(_model(3), 2)
    out = model.fn(__import__("torch").zeros((2, 2)))
    assert np.allclose(out.numpy().ravel(), 3.0)


def test_a_model_that_loops_too_long_is_stopped_with_a_message(quick):
    running = {p.pid for p in multiprocessing.active_children()}
    with pytest.raises(ExplainError) as e:
        onnx_model(_model(10**15), 2)
    said = str(e.value)
    assert "took longer than 3 s to predict one batch" in said and "loop or allocate without bound" in said
    assert "GLASSNET_ONNX_SECONDS" in said
    # the loop was not left to run: the process that ran the model is gone (it never ends on its own)
    left = [p for p in multiprocessing.active_children() if p.pid not in running]
    assert not left, f"the model's process is still running: {left}"


def test_a_model_file_over_the_size_limit_is_refused_before_it_is_parsed(monkeypatch):
    data = _model(3)
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, max_onnx_bytes=len(data) - 1))
    with pytest.raises(ExplainError) as e:
        onnx_model(data, 2)
    assert f"The model file is {len(data):,} bytes" in str(e.value) and "GLASSNET_MAX_ONNX_BYTES" in str(e.value)
