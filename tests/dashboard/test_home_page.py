"""Page behaviour through Streamlit's AppTest (widgets → state → what is shown)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    return tmp_path


def test_home_page_explains_the_workflow_and_invites_a_first_run(home):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Glassnet"
    headings = " ".join(m.value for m in at.markdown)
    for step in ("Data", "Build", "Train", "Evaluate", "Explain", "Fairness"):
        assert step in headings
    assert "No runs yet" in at.info[0].value


def test_home_page_without_runs_sends_a_browser_user_to_the_data_page_first(home):
    at = AppTest.from_file(APP, default_timeout=30).run()
    hint = at.info[0].value
    assert "Data" in hint and "command line" not in hint and "python -m core" not in hint
    links = [(link.proto.label, link.proto.page) for link in at.get("page_link")]
    # the flow's own links, then the hint's link to the Data page
    assert links[-1] == ("Start with the data →", "data")
    assert any("python -m core train" in c.value for c in at.caption)   # the command line, second


def test_home_page_leads_to_the_lessons_and_the_races(home):
    at = AppTest.from_file(APP, default_timeout=30).run()
    links = {link.proto.page: link.proto.label for link in at.get("page_link")}
    assert links.get("lessons") == "Open the lessons" and links.get("race") == "Start a race"


def test_home_page_lists_runs_from_the_workspace(home):
    from core.runs import Store
    store = Store(home)
    run_id = store.create_run(name="<b>my run</b>", dataset={"name": "spiral"}, network={}, train={},
                              status="finished")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["name"]) == ["<b>my run</b>"]      # kept verbatim, shown as text
    assert list(table["status"]) == ["finished"]
    assert store.get_run(run_id).status == "finished"
