"""The app in class mode (GLASSNET_MODE=class) through Streamlit's AppTest: the Join form before any page,
each student's Runs page listing only their runs, another person's run by URL, a changed token, and no
server path in what a class member reads."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.runs import Store, class_keys, join, scoped, token_for
from core.runs.workspace import FULL
from dashboard.text import md_plain
from tests.helpers_runs import APP, shown


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    monkeypatch.setenv("GLASSNET_MODE", "class")
    return tmp_path


@pytest.fixture
def klass(home):
    """Ada and Bob (students) and the teacher, each with a finished run of their own; their tokens."""
    with Store(home) as store:
        keys = class_keys(home)
        people = {"Ada": join(store, "Ada", keys.code), "Bob": join(store, "Bob", keys.code),
                  "Teacher": join(store, "Teacher", keys.teacher_key)}
        runs = {name: scoped(store, p).create_run(name=f"{name}'s run", dataset={"kind": "builtin", "name": "spiral"},
                                                  network={}, train={}, status="finished")
                for name, p in people.items()}
        tokens = {name: token_for(store, p) for name, p in people.items()}
    return tokens, runs


def app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def param(at, name: str):
    """The URL's query parameter `name` as the app left it (None without one)."""
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title")
             for e in getattr(at, kind)]
    return " ".join(shown(p) for p in parts)


def runs_page(at) -> AppTest:
    at.switch_page("../pages/runs.py").run()
    assert not at.exception, at.exception
    return at


def test_the_join_form_stands_in_for_every_page_until_joined(home):
    at = app({"code": class_keys(home).code})
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Join the class"]
    assert "Latest runs" not in texts(at)
    assert at.text_input(key="join_code").value == class_keys(home).code        # filled in from the join link
    at.text_input(key="join_name").input("Ada")            # a form's boxes are sent with its button
    at.button[0].click().run()
    assert not at.exception, at.exception
    token = param(at, "who")
    with Store(home) as store:
        from core.runs import person_for
        assert person_for(store, token).name == "Ada"
    assert "code" not in at.query_params
    assert [t.value for t in at.title] == ["Glassnet"] and "Signed in as" in texts(at)


def test_a_wrong_code_is_refused_with_the_fix(home):
    at = app()
    at.text_input(key="join_name").input("Ada")
    at.text_input(key="join_code").input("NOPE-NOPE")
    at.button[0].click().run()
    assert "not this class's code" in shown(at.error[0].value)
    assert "who" not in at.query_params and [t.value for t in at.title] == ["Join the class"]


def test_a_students_runs_page_lists_only_their_runs(klass):
    tokens, runs = klass
    for name in ("Ada", "Bob"):
        at = runs_page(app({"who": tokens[name]}))
        assert list(at.dataframe[0].value["name"]) == [f"{name}'s run"]
        assert "by" not in at.dataframe[0].value.columns
        assert at.caption[0].value.startswith("Every run you started.")
    at = runs_page(app({"who": tokens["Teacher"]}))
    table = at.dataframe[0].value
    assert dict(zip(table["name"], table["by"])) == {"Ada's run": "Ada", "Bob's run": "Bob", "Teacher's run": "Teacher"}
    assert at.caption[0].value.startswith("Every run of the class.")


def test_another_persons_run_by_url_says_whose_it_is(klass):
    tokens, runs = klass
    at = app({"who": tokens["Ada"], "run": runs["Bob"]})
    assert not at.exception, at.exception
    assert any("This run belongs to someone else" in w.value for w in at.warning)
    assert "Bob" not in texts(at)
    runs_page(at)
    assert at.selectbox(key="runs_manage").value == runs["Ada"]
    assert param(at, "run") != runs["Bob"]


def test_a_changed_token_shows_the_join_form_again(klass):
    tokens, _ = klass
    pid, sig = tokens["Ada"].split(".")
    at = app({"who": f"{pid}.{'0' if sig[0] != '0' else '1'}{sig[1:]}"})
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Join the class"]
    assert "sign-in was refused" in shown(at.warning[0].value)


def test_the_token_comes_back_into_the_url_after_a_page_switch(klass):
    tokens, _ = klass
    at = app({"who": tokens["Ada"]})
    at.query_params.clear()                     # a page link drops the address's query
    at.switch_page("../pages/runs.py").run()
    assert param(at, "who") == tokens["Ada"]
    assert list(at.dataframe[0].value["name"]) == ["Ada's run"]


def test_no_server_path_reaches_a_class_member(klass, home):
    tokens, runs = klass
    with Store(home) as store:
        store.update_run(runs["Ada"], status="failed", error=FULL.format(home=home))
    at = app({"who": tokens["Ada"], "run": runs["Ada"]})
    assert str(home) not in texts(at)                         # the home page names no workspace folder
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    shown_text = texts(at)
    assert "no space left on the device that holds the workspace" in shown_text
    assert str(home) not in shown_text


def test_a_display_name_shows_as_typed_never_as_markup(home):
    name = "**Ada** <b>x</b> [me](http://e.x)"
    with Store(home) as store:
        token = token_for(store, join(store, name, class_keys(home).code))
    at = app({"who": token})
    caption = at.sidebar.caption[0].value
    assert f"Signed in as **{md_plain(name)}**" in caption
    assert "**Ada**" not in caption and "<b>" not in caption and "](http" not in caption


CSV = ("age,income,label\n" + "".join(f"{20 + i % 40},{1000 + 37 * i % 500},{'yes' if i % 2 else 'no'}\n"
                                        for i in range(60))).encode()


def data_page(token: str) -> AppTest:
    at = app({"who": token})
    at.switch_page("../pages/data.py").run()
    assert not at.exception, at.exception
    return at


def test_a_students_uploads_are_theirs_alone(klass, home):
    tokens, _ = klass
    at = data_page(tokens["Ada"])
    at.radio(key="data_source").set_value("Upload a CSV").run()
    at.file_uploader(key="data_upload").set_value(("ada.csv", CSV, "text/csv")).run()
    assert not at.exception, at.exception
    assert at.session_state["dataset_ref"]["name"] == "ada.csv"
    assert not (home / "datasets").exists()                        # kept in Ada's own space, not the workspace's
    for who, listed in (("Ada", True), ("Bob", False), ("Teacher", False)):
        at = data_page(tokens[who])
        at.radio(key="data_source").set_value("Your uploads").run()
        if listed:
            assert [o.split(" · ")[0] for o in at.selectbox(key="data_saved_upload").options] == ["ada.csv"]
        else:
            assert "No CSV files have been uploaded" in at.info[0].value


def test_an_unknown_mode_admits_nobody_and_names_the_fix(home, monkeypatch):
    monkeypatch.setenv("GLASSNET_MODE", "clas")
    at = app()
    assert not at.exception, at.exception
    assert "set it to personal or class" in shown(at.error[0].value) and "clas" in shown(at.error[0].value)
    assert not at.title                                  # no page, no Join form


def test_the_teacher_joins_with_the_key_and_sees_the_whole_class(klass, home):
    at = app()
    at.text_input(key="join_name").input("Ms L")
    at.text_input(key="join_key").input(class_keys(home).teacher_key.lower())
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "every run of the class" in at.sidebar.caption[0].value
    runs_page(at)
    assert set(at.dataframe[0].value["by"]) == {"Ada", "Bob", "Teacher"}
