"""The Data page's imbalance teaching through AppTest: the "Minority share" slider of the toy sets, the
rows per class with the accuracy of always answering the commonest class, and the `nines` table."""
import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[3]
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def home(tmp_path, monkeypatch):
    import dashboard.state as state

    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    monkeypatch.setattr(state, "PAGES", [p for p in state.PAGES if (ROOT / "pages" / p.file).exists()])
    return tmp_path


def open_data() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.switch_page("../pages/data.py")
    at.run()
    assert not at.exception, at.exception
    return at


def values(array) -> list:
    """A plotly array: a plain list, or a typed array (a dict with base64 data)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def balance_counts(at) -> list[int]:
    """Rows per class in the class balance chart (its bars are stacked by split)."""
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("data_balance"))
    bars = [np.asarray(values(t["y"])) for t in chart["data"] if t["type"] == "bar"]
    return [int(v) for v in sum(bars)]


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_the_minority_slider_thins_class_1_and_says_what_accuracy_then_means(home):
    at = open_data()
    slider = at.slider(key="data_minority_spiral")
    assert slider.label == "Minority share" and slider.value == 0.5
    assert "accuracy lies" in slider.help
    assert "minority" not in at.session_state["dataset_ref"]["params"]      # balanced: today's reference
    assert "Always answering" not in captions(at)
    slider.set_value(0.05).run()
    assert not at.exception, at.exception
    assert at.session_state["dataset_ref"]["params"] == {"n": 400, "noise": 0.1, "minority": 0.05, "seed": 0}
    assert balance_counts(at) == [380, 20]
    text = captions(at)
    assert "0: 380 (95.0%)" in text and "1: 20 (5.0%)" in text
    assert "Always answering **0** would be 95.0% accurate" in text
    at.switch_page("../pages/build.py").run()                          # away and back: the share stays
    at.switch_page("../pages/data.py").run()
    assert at.slider(key="data_minority_spiral").value == 0.05 and balance_counts(at) == [380, 20]
    at.slider(key="data_minority_spiral").set_value(0.5).run()
    assert "minority" not in at.session_state["dataset_ref"]["params"]
    assert balance_counts(at) == [200, 200]


def test_three_blobs_make_the_last_class_rare(home):
    at = open_data()
    at.selectbox(key="data_name_2-D toy sets").set_value("blobs").run()
    at.slider(key="data_minority_blobs").set_value(0.1).run()
    assert at.session_state["dataset_ref"]["params"]["minority"] == 0.1
    assert balance_counts(at) == [180, 180, 40]
    assert "a third up" in at.slider(key="data_minority_blobs").help
    at.slider(key="data_minority_blobs").set_value(0.4).run()          # a third or more: balanced
    assert "minority" not in at.session_state["dataset_ref"]["params"]
    assert balance_counts(at) == [134, 133, 133]


def test_no_minority_slider_where_it_does_not_apply(home):
    at = open_data()
    at.selectbox(key="data_name_2-D toy sets").set_value("regression2d").run()
    assert not [s for s in at.slider if s.label == "Minority share"]


def test_nines_is_described_with_its_shares(home):
    at = open_data()
    at.radio(key="data_group").set_value("Real tables").run()
    at.selectbox(key="data_name_Real tables").set_value("nines").run()
    assert not at.exception, at.exception
    assert at.session_state["dataset_ref"]["name"] == "nines"
    text = captions(at)
    assert "1,797 handwritten digits" in text and "180 nines (10.0 %)" in text and "scikit-learn" in text
    assert "not 9: 1,617 (90.0%)" in text and "9: 180 (10.0%)" in text
    assert "would be 90.0% accurate" in text
    assert balance_counts(at) == [1617, 180]
