"""A network past the parameter limit is counted and shown on Build, and Train will not start it."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.runs import Store
from core.spec import NetworkSpec
from dashboard import keys

APP = str(Path(__file__).resolve().parents[3] / "dashboard" / "app.py")
HUGE = NetworkSpec.dense([4096] * 8, "relu").to_dict()        # about 117 million parameters


def _page(home, monkeypatch, page: str) -> AppTest:
    monkeypatch.setenv("GLASSNET_HOME", str(home))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[keys.NETWORK] = HUGE
    at.run()
    at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_build_counts_a_network_past_the_limit_and_says_it_will_not_train(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch, "build")
    shown = [e.value.replace("\\", "") for e in at.error]       # as the page's Markdown renders it
    assert any("GLASSNET_MAX_PARAMETERS" in text and "will not start" in text for text in shown)
    assert any(m.label == "Parameters to learn" and int(m.value.replace(",", "")) > 100_000_000 for m in at.metric)


def test_train_refuses_to_start_a_network_past_the_limit(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch, "train")
    assert any("GLASSNET_MAX_PARAMETERS" in e.value.replace("\\", "") for e in at.error)
    assert at.button(key="train.start").disabled
    assert not Store(tmp_path).list_runs()
