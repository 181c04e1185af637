"""The Class page through Streamlit's AppTest on a real class workspace: the teacher sees every student's runs
on one chart and in the leaderboard; a student, and personal mode, are told the page is the teacher's; the
page's menu entry is checked in a real browser (tests/e2e/test_class_page.py)."""
from __future__ import annotations

import base64
import json

import numpy as np

import pytest
from streamlit.testing.v1 import AppTest

from core.runs import Store, class_keys, join, token_for
from tests.helpers_runs import APP, shown, train_run


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    monkeypatch.setenv("GLASSNET_MODE", "class")
    monkeypatch.setenv("GLASSNET_STANDBY", "0")
    return tmp_path


@pytest.fixture
def klass(home):
    """(tokens of Ada and <b>Bob</b> (students) and Ms L (teacher), the run each student trained, the workspace)."""
    with Store(home) as store:
        keys = class_keys(home)
        people = {"Ada": join(store, "Ada", keys.code), "Bob": join(store, "<b>Bob</b>", keys.code),
                  "Teacher": join(store, "Ms L", keys.teacher_key)}
        tokens = {name: token_for(store, p) for name, p in people.items()}
    runs = {}
    for name, optimizer in (("Ada", "adam"), ("Bob", "sgd")):
        runs[name] = train_run(home, epochs=8, optimizer=optimizer, name=f"{name}'s spiral")
        with Store(home) as store:
            store.update_run(runs[name], owner=people[name].id)
    return tokens, runs, home


def class_page(token: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if token:
        at.query_params["who"] = token
    at.run()
    at.switch_page("../pages/class.py").run()
    assert not at.exception, at.exception
    return at


def chart(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def points(values) -> list:
    """A trace's x or y as numbers (plotly writes arrays as base64 with their dtype)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_the_teacher_sees_every_students_run_on_the_chart_and_the_board(klass):
    tokens, runs, home = klass
    at = class_page(tokens["Teacher"])
    traces = chart(at)["data"]
    hovers = " ".join(t["hovertemplate"] for t in traces)
    assert len(traces) == 2
    assert "Ada · Ada's spiral" in hovers and "&lt;b&gt;Bob&lt;/b&gt; · Bob's spiral" in hovers
    with Store(home) as store:
        logged = {store.metrics(r, ["val_loss"])["epoch"].tolist()[-1] for r in runs.values()}
    assert logged == {8} and all(points(t["x"])[-1] == 8 and len(points(t["x"])) >= 2 for t in traces)
    board = at.dataframe[0].value
    assert sorted(board["student"]) == ["<b>Bob</b>", "Ada"]
    assert set(board["status"]) == {"finished"} and list(board["rank"]) == [1, 2]
    assert board["best"].iloc[0] >= board["best"].iloc[1]
    assert list(board["optimiser"]) and "data" not in board.columns               # what differs, and once…
    assert "Every run: data spiral · hidden layers 8 · activation tanh" in " ".join(shown(c.value) for c in at.caption)

    at.selectbox(key="class.colour").set_value("optimiser").run()
    assert sorted(t["name"] for t in chart(at)["data"]) == ["adam", "sgd"]
    at.radio(key="class.metric").set_value("score").run()
    assert chart(at)["layout"]["yaxis"]["title"]["text"] == "validation accuracy"


@pytest.mark.parametrize("who", ["Ada", None])
def test_anyone_but_the_teacher_is_told_the_page_is_the_teachers(klass, monkeypatch, who):
    tokens, _, _ = klass
    if who is None:
        monkeypatch.setenv("GLASSNET_MODE", "personal")
    at = class_page(tokens[who] if who else None)
    said = " ".join(shown(i.value) for i in at.info)
    assert ("for the teacher" in said) if who else ("make class" in said)
    assert not at.get("plotly_chart") and not at.dataframe
    assert "Bob" not in " ".join(shown(m.value) for m in at.markdown)
