"""The Build page's starting weights: the histograms chart (one per initialisation, one x axis, named with
its spread) and the page that shows it for the layer picked."""
import base64
import json
import math
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.model import initial_weights
from core.spec import INITS, NetworkSpec
from dashboard.build import INIT_EFFECTS, INIT_LABELS, init_histograms

ROOT = Path(__file__).resolve().parents[3]
APP = str(ROOT / "dashboard" / "app.py")


def values(array) -> np.ndarray:
    """A plotly array: a plain list, or a typed array (a dict with base64 data)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array, dtype=float)


def titles(figure: dict) -> list[str]:
    return [a["text"] for a in figure["layout"]["annotations"]]


def test_one_histogram_per_initialisation_on_one_x_axis():
    fan_in = 64
    inits = initial_weights(NetworkSpec.dense([32], "relu"), fan_in, 2)
    figure = json.loads(init_histograms(inits, INIT_LABELS).to_json())
    bars = figure["data"]
    assert len(bars) == len(INITS) and all(b["type"] == "bar" for b in bars)
    # every subplot's x axis has the same range
    ranges = {tuple(v["range"]) for k, v in figure["layout"].items() if k.startswith("xaxis")}
    assert len(ranges) == 1
    names = titles(figure)
    assert len(names) == len(INITS)
    for init, name in zip(INITS, names):
        assert name.startswith(INIT_LABELS[init] + " · std ")
    # zeros: one bar, at 0, holding every weight
    zeros = bars[INITS.index("zeros")]
    x, y = values(zeros["x"]), values(zeros["y"])
    assert np.count_nonzero(y) == 1 and x[np.flatnonzero(y)[0]] == pytest.approx(0, abs=1e-12)
    assert y.sum() == pytest.approx(100)
    # He: the spread in its title is √(2/fan-in)
    he = names[INITS.index("he")]
    assert float(he.split("std ")[1].split()[0]) == pytest.approx(math.sqrt(2 / fan_in), rel=0.05)
    # the layer's own initialisation (default) is named and coloured apart
    assert names[0].endswith("(this layer)") and bars[0]["marker"]["color"] != bars[1]["marker"]["color"]


def test_every_initialisation_has_its_name_and_its_effect():
    assert set(INIT_LABELS) == set(INIT_EFFECTS) == set(INITS)
    assert "symmetry never breaks" in INIT_EFFECTS["zeros"] and "ReLU" in INIT_EFFECTS["he"]


@pytest.fixture
def home(tmp_path, monkeypatch):
    import dashboard.state as state

    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    monkeypatch.setattr(state, "PAGES", [p for p in state.PAGES if (ROOT / "pages" / p.file).exists()])
    return tmp_path


def inits_chart(at) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith("build_inits")).proto.spec)


def test_the_build_page_shows_the_starting_weights_of_the_layer_picked(home):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["network"] = NetworkSpec.dense([16, 8], "relu", init="he").to_dict()
    at.switch_page("../pages/build.py")
    at.run()
    assert not at.exception, at.exception
    picker = at.selectbox(key="build_init_layer")
    assert picker.options == ["1. dense 16 relu", "2. dense 8 relu", "output (2)"] and picker.value == 0
    figure = inits_chart(at)
    assert len(figure["data"]) == len(INITS)
    assert titles(figure)[INITS.index("he")].endswith("(this layer)")
    assert any(c.value.startswith("1\\. dense 16 relu: fan-in 2 (") for c in at.caption)
    explained = "\n".join(e.value for e in at.markdown)
    assert "symmetry never breaks" in explained and "Xavier / Glorot" in explained
    picker.set_value(1).run()
    assert not at.exception, at.exception
    he = titles(inits_chart(at))[INITS.index("he")]
    assert float(he.split("std ")[1].split()[0]) == pytest.approx(math.sqrt(2 / 16), rel=0.1)
    assert any(c.value.startswith("2\\. dense 8 relu: fan-in 16 (") for c in at.caption)


def build_page_with(home, monkeypatch, network: NetworkSpec, seed: int) -> AppTest:
    from dashboard import keys
    monkeypatch.setenv("GLASSNET_HOME", str(home))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[keys.NETWORK] = network.to_dict()
    at.session_state[keys.TRAIN_SPEC] = {"seed": seed}
    at.run()
    at.switch_page("../pages/build.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_build_page_draws_a_small_network_as_a_run_starts_it(tmp_path, monkeypatch):
    """The drawing holds the very weights a run with the session's seed starts from; a big network gets none."""
    from core.data import load_builtin
    from core.model import network_for
    from core.training import seed_everything
    from dashboard import keys
    at = build_page_with(tmp_path, monkeypatch, NetworkSpec.dense([4, 3], "tanh"), 7)
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    figure = next(f for k, f in charts.items() if keys.BUILD_START_NETWORK in k)
    hover = [t for t in figure["data"] if t.get("text")][0]["text"]
    seed_everything(7)
    net = network_for(NetworkSpec.dense([4, 3], "tanh"), load_builtin("spiral"))
    w = net.body[0].weight.detach()
    assert f"weight x2 → layer 1 unit 3: {float(w[2, 1]):.3g}" in hover
    assert len([t for t in figure["data"] if t["type"] == "heatmap"]) == 2 + 4 + 3 + 2
    at = build_page_with(tmp_path, monkeypatch, NetworkSpec.dense([64], "relu"), 7)
    assert not any(keys.BUILD_START_NETWORK in c.proto.id for c in at.get("plotly_chart"))
