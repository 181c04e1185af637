"""The Build page's layer boxes take exactly the numbers a spec accepts: their bounds are read from the spec's
table of ranges. The table is changed here for the test, so boxes with bounds of their own would fail it."""
from __future__ import annotations

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest

from core.spec import LAYER_RANGES, LayerSpec, NetworkSpec
from dashboard import keys
from tests.helpers_runs import APP


@pytest.mark.parametrize("layer, expected", [
    (LayerSpec(type="conv2d", channels=8, kernel=3, padding=1),
     {"Filters": "channels", "Kernel size": "kernel", "Padding": "padding"}),
    (LayerSpec(type="maxpool2d", kernel=2), {"Window (pixels)": "kernel"}),
    (LayerSpec(units=16), {"Neurons": "units"}),
])
def test_every_layer_box_is_bounded_by_the_spec_ranges(tmp_path, monkeypatch, layer, expected):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    for field in expected.values():           # narrower by one at each end: still holding the layer's values
        rule = LAYER_RANGES[field]
        monkeypatch.setitem(LAYER_RANGES, field, dataclasses.replace(rule, low=rule.low + 1, high=rule.high - 1))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[keys.NETWORK] = NetworkSpec(layers=[layer]).to_dict()        # the open layer's boxes show
    at.run()
    at.switch_page("../pages/build.py").run()
    assert not at.exception, at.exception
    boxes = {box.label: box for box in at.number_input}
    for label, field in expected.items():
        rule = LAYER_RANGES[field]
        assert (boxes[label].min, boxes[label].max) == (rule.low, rule.high), label
