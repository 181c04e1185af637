"""The Train page's drawing of the network (dashboard/train/live/diagram.py, point.py) through AppTest, on runs
trained in this process: a small dense net on the spiral is drawn neuron by neuron, with a slider over its
recorded frames and one point followed through it; a net too big to draw gets each layer's weight size and
a sentence saying why."""
from __future__ import annotations

import numpy as np

from core.runs import Store
from core.training import decode_network
from dashboard import keys
from tests.helpers_runs import open_page, train_run


def chart(at, name):
    for c in at.get("plotly_chart"):
        if c.proto.id.endswith(keys.train_chart(name)) or keys.train_chart(name) in c.proto.id:
            return c
    return None


def values(z) -> np.ndarray:
    """A trace's array as the browser gets it: plain lists, or plotly's typed array (base64)."""
    if isinstance(z, dict):
        import base64
        data = np.frombuffer(base64.b64decode(z["bdata"]), np.dtype(z["dtype"]))
        shape = [int(n) for n in str(z.get("shape", len(data))).split(",")]
        return data.reshape(shape)
    return np.asarray(z, float)


def spec_of(c) -> dict:
    import json
    return json.loads(c.proto.spec)


def test_a_small_run_is_drawn_neuron_by_neuron(tmp_path, monkeypatch):
    run_id = train_run(tmp_path, hidden=(5, 3), epochs=12)
    with Store(tmp_path) as store:
        frames = store.frames(run_id, "network")
    assert len(frames) >= 2
    at = open_page(tmp_path, monkeypatch, "train", run_id)
    figure = spec_of(chart(at, "network"))
    heatmaps = [t for t in figure["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 2 + 5 + 3 + 2                   # inputs, two hidden layers, the outputs
    last = decode_network(frames[-1][2])
    hidden = [t for t in heatmaps if t["name"].startswith("layer 1 unit")]
    assert np.allclose(values(hidden[0]["z"]), np.round(last.grids[0][0], 4), atol=1e-3)
    assert any("weight x1 → layer 1 unit 1" in text for t in figure["data"] for text in t.get("text", []) or [])
    slider = at.select_slider(key=keys.TRAIN_DIAGRAM_FRAME)
    assert slider.value == len(frames) - 1                   # the newest first
    slider.set_value(0).run()
    assert not at.exception, at.exception
    first = decode_network(frames[0][2])
    hidden = [t for t in spec_of(chart(at, "network"))["data"] if t.get("name") == "layer 1 unit 1"]
    assert np.allclose(values(hidden[0]["z"]), np.round(first.grids[0][0], 4), atol=1e-3)
    # the point followed: its path through the weights of the frame shown and one step on it
    at.number_input(key=keys.TRAIN_POINT_X1).set_value(0.5).run()
    at.number_input(key=keys.TRAIN_POINT_X2).set_value(-0.25).run()
    assert not at.exception, at.exception
    path, step = (t.value for t in at.dataframe)
    assert list(path["layer"]) == ["layer 1"] * 5 + ["layer 2"] * 3 + ["output"] * 2
    w, b = first.weights[0], first.biases[0]
    assert np.allclose(path["weighted sum + bias"][:5], w @ np.array([0.5, -0.25]) + b, atol=1e-5)
    assert np.allclose(path["activation"][:5], np.tanh(w @ np.array([0.5, -0.25]) + b), atol=1e-5)
    assert len(step) == 2 * 5 + 5 + 5 * 3 + 3 + 3 * 2 + 2       # every weight and bias
    assert step["gradient"].abs().sum() > 0


def test_a_big_network_gets_its_layer_sizes_and_says_why(tmp_path, monkeypatch):
    run_id = train_run(tmp_path, hidden=(32, 32), epochs=4)
    with Store(tmp_path) as store:
        assert not store.frames(run_id, "network")          # nothing recorded for it
    at = open_page(tmp_path, monkeypatch, "train", run_id)
    assert chart(at, "network") is None
    assert any("up to 6 hidden layers of 16 units" in c.value and "widest of 32" in c.value for c in at.caption)
    sizes = spec_of(chart(at, "layer_sizes"))
    assert len(sizes["data"]) == 3 and all(len(t["x"]) for t in sizes["data"])
