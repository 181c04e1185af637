"""The Data page through AppTest: widgets → st.session_state["dataset_ref"] → what is shown."""
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[3]
APP = str(ROOT / "dashboard" / "app.py")
HTML_NAME = "<script>alert(1)</script>"


@pytest.fixture
def home(tmp_path, monkeypatch):
    import dashboard.state as state

    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    # Only pages whose scripts exist are registered, so these tests depend only on the pages they test.
    monkeypatch.setattr(state, "PAGES", [p for p in state.PAGES if (ROOT / "pages" / p.file).exists()])
    return tmp_path


def open_data(ref: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if ref is not None:
        at.session_state["dataset_ref"] = ref
    at.switch_page("../pages/data.py")
    at.run()
    assert not at.exception, at.exception
    return at


def plain(text: str) -> str:
    """Markdown-escaped text as the reader sees it."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out)


def errors(at) -> list[str]:
    return [plain(e.value) for e in at.error]


def chart(at, key: str) -> dict:
    import json
    for c in at.get("plotly_chart"):
        if c.proto.id.endswith(key):
            return json.loads(c.proto.spec)
    found = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    raise AssertionError(f"no chart {key!r} among {len(found)}")


def size(values) -> int:
    """Number of values in a plotly array (plain list, or typed-array dict with base64 data)."""
    if isinstance(values, dict):
        import base64

        import numpy as np
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).size
    return len(values)


def good_csv(n: int = 60, first: str = "age") -> bytes:
    lines = [f"{first},income,city,label"]
    for i in range(n):
        lines.append(f"{20 + i % 40},{1000 + 37 * i % 500},{'north' if i % 3 else 'south'},{'yes' if i % 2 else 'no'}")
    return ("\n".join(lines) + "\n").encode()


def upload(at, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="data_upload").set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def test_opens_on_the_spiral_with_a_scatter_and_a_link_to_build(home):
    at = open_data()
    assert at.title[0].value == "Data"
    ref = at.session_state["dataset_ref"]
    assert ref["kind"] == "builtin" and ref["name"] == "spiral"
    scatter = chart(at, "data_scatter")
    classes = [t for t in scatter["data"] if t["name"].startswith("class ")]
    assert len(classes) == 2 and sum(size(t["x"]) for t in classes) == 400
    assert {t["name"] for t in scatter["data"]} >= {"training rows", "validation rows", "test rows"}
    assert not at.error
    links = at.get("page_link")
    assert any("build" in l.proto.label.lower() for l in links)


def test_choosing_moons_and_moving_the_noise_slider_update_the_dataset(home):
    at = open_data()
    at.selectbox(key="data_name_2-D toy sets").set_value("moons").run()
    ref = at.session_state["dataset_ref"]
    assert ref["name"] == "moons" and ref["params"] == {"n": 400, "noise": 0.15, "seed": 0}
    at.slider(key="data_noise_moons").set_value(0.5).run()
    at.slider(key="data_n_moons").set_value(200).run()
    at.number_input(key="data_seed_moons").set_value(7).run()
    assert at.session_state["dataset_ref"]["params"] == {"n": 200, "noise": 0.5, "seed": 7}
    scatter = chart(at, "data_scatter")
    assert sum(size(t["x"]) for t in scatter["data"] if t["name"].startswith("class ")) == 200


def test_blobs_classes_and_preprocessing_choices(home):
    at = open_data()
    at.selectbox(key="data_name_2-D toy sets").set_value("blobs").run()
    at.radio(key="data_classes_blobs").set_value(2).run()
    assert at.session_state["dataset_ref"]["params"]["classes"] == 2
    balance = chart(at, "data_balance")
    assert len(balance["data"][0]["x"]) == 2          # one bar per class
    at.radio(key="data_scaling").set_value("minmax").run()
    at.slider(key="data_test").set_value(0.3).run()
    at.number_input(key="data_split_seed").set_value(3).run()
    pp = at.session_state["dataset_ref"]["preprocess"]
    assert pp == {"scaling": "minmax", "val_fraction": 0.15, "test_fraction": 0.3, "split_seed": 3}
    rows = [m.value for m in at.metric if m.label.endswith("rows")]
    assert rows == ["220", "60", "120"]


def test_digits_show_images_and_tables_show_rows_and_columns(home):
    at = open_data()
    at.radio(key="data_group").set_value("Images").run()
    assert at.session_state["dataset_ref"]["name"] == "digits"
    grid = chart(at, "data_images")
    assert sum(t["type"] == "heatmap" for t in grid["data"]) == 24
    at.radio(key="data_group").set_value("Real tables").run()
    at.selectbox(key="data_name_Real tables").set_value("diabetes").run()
    assert at.session_state["dataset_ref"]["name"] == "diabetes"
    assert len(at.dataframe) == 2                      # rows and the column summary
    assert chart(at, "data_balance")["data"][0]["type"] == "histogram"


def test_biased_loans_bias_knob(home):
    at = open_data()
    at.radio(key="data_group").set_value("Fairness").run()
    at.selectbox(key="data_name_Fairness").set_value("biased_loans").run()
    at.slider(key="data_bias_biased_loans").set_value(0.9).run()
    ref = at.session_state["dataset_ref"]
    assert ref["name"] == "biased_loans" and ref["params"]["bias"] == 0.9
    assert any("sensitive: sex" in m.value for m in at.markdown)


def test_the_choice_survives_leaving_the_page(home):
    at = open_data()
    at.selectbox(key="data_name_2-D toy sets").set_value("xor").run()
    at.slider(key="data_noise_xor").set_value(0.4).run()
    at.switch_page("../pages/home.py").run()
    at.switch_page("../pages/data.py").run()
    assert at.selectbox(key="data_name_2-D toy sets").value == "xor"
    assert at.slider(key="data_noise_xor").value == 0.4
    assert at.session_state["dataset_ref"]["params"]["noise"] == 0.4


def test_a_bad_csv_shows_an_error_and_keeps_the_previous_dataset(home):
    at = open_data()
    at.selectbox(key="data_name_2-D toy sets").set_value("moons").run()
    before = at.session_state["dataset_ref"]
    at.radio(key="data_source").set_value("Upload a CSV").run()
    assert "current dataset stays" in at.info[0].value
    upload(at, "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert any("does not look like a CSV" in e and "has not changed" in e for e in errors(at))
    assert at.session_state["dataset_ref"] == before
    assert chart(at, "data_scatter")                  # the moons are still shown
    upload(at, "ragged.csv", b"a,b,c\n1,2,3\n4,5\n")
    assert any("Line 3" in e and "fields" in e for e in errors(at))
    assert at.session_state["dataset_ref"] == before


def test_a_csv_that_cannot_be_split_shows_the_fix_and_its_columns(home):
    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    before = at.session_state["dataset_ref"]
    upload(at, "tiny.csv", good_csv(n=8))
    assert any("at least 20" in e for e in errors(at))
    assert at.session_state["dataset_ref"] == before
    summary = at.dataframe[0].value
    assert list(summary["name"]) == ["age", "income", "city", "label"]


def test_a_good_csv_with_target_task_sensitive_and_dropped_columns(home):
    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    upload(at, "people.csv", good_csv())
    assert not at.error
    ref = at.session_state["dataset_ref"]
    assert ref["kind"] == "csv" and ref["name"] == "people.csv" and ref["params"]["target"] == "label"
    assert (home / "datasets" / f"{ref['sha256']}.csv").read_bytes() == good_csv()
    digest = ref["sha256"][:16]
    at.selectbox(key=f"data_target_{digest}").set_value("income").run()
    assert at.session_state["dataset_ref"]["params"]["target"] == "income"
    assert any(m.value.startswith("Regression") for m in at.markdown)
    at.radio(key=f"data_task_{digest}").set_value("classification").run()
    assert at.session_state["dataset_ref"]["params"]["task"] == "classification"
    at.selectbox(key=f"data_target_{digest}").set_value("label").run()
    at.radio(key=f"data_task_{digest}").set_value("auto").run()
    at.multiselect(key=f"data_sensitive_{digest}_label").set_value(["city"]).run()
    at.multiselect(key=f"data_drop_{digest}_label").set_value(["income"]).run()
    params = at.session_state["dataset_ref"]["params"]
    assert params == {"target": "label", "task": None, "sensitive": ["city"], "drop": ["income"]}
    assert next(m for m in at.metric if m.label == "Inputs").value == "3"   # age + city one-hot (2)
    assert not at.error and not at.exception


def test_html_in_column_names_is_shown_as_text(home):
    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    upload(at, "<b>evil</b>.csv", good_csv(first=HTML_NAME))
    assert not at.error
    assert HTML_NAME in list(at.dataframe[0].value.columns)        # the rows table keeps it verbatim
    assert HTML_NAME in list(at.dataframe[1].value["name"])         # and so does the column summary
    for element in list(at.markdown) + list(at.caption) + list(at.subheader) + list(at.info):
        assert not getattr(element.proto, "allow_html", False)
        assert "<script>" not in element.value or "\\<script\\>" in element.value
    assert any(plain(s.value) == "<b>evil</b>.csv" for s in at.subheader)


def test_html_column_names_in_errors_are_escaped(home):
    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    data = f"{HTML_NAME},label\n" + "".join(f"x{i},{i % 2}\n" for i in range(30))   # an id-like only feature
    upload(at, "ids.csv", data.encode())
    assert at.error, "expected an error: no usable feature"
    assert all("<script>" not in e.value for e in at.error)
    assert any(HTML_NAME in e for e in errors(at))


def test_coming_back_keeps_an_uploaded_csv_in_use(home):
    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    upload(at, "people.csv", good_csv())
    ref = at.session_state["dataset_ref"]
    at.switch_page("../pages/home.py").run()
    at.switch_page("../pages/data.py").run()
    assert not at.exception and not at.error
    assert at.session_state["dataset_ref"] == ref
    assert at.radio(key="data_source").value == "Your uploads"        # reopened where it can be changed
    assert at.selectbox(key="data_saved_upload").value == ref["sha256"]
    assert at.selectbox(key=f"data_target_{ref['sha256'][:16]}").value == "label"
    at.radio(key="data_source").set_value("Upload a CSV").run()
    assert "people.csv" in plain(at.info[0].value) and "Your uploads" in at.info[0].value


# ---------------------------------------------------------------- earlier uploads

def people_csv(n: int = 60) -> bytes:
    """Like good_csv but with a different content, so it is a second upload."""
    lines = ["height,weight,sport"]
    for i in range(n):
        lines.append(f"{150 + i % 45},{50 + 7 * i % 40},{'run' if i % 3 else 'swim'}")
    return ("\n".join(lines) + "\n").encode()


def fresh_session(ref: dict | None = None) -> AppTest:
    """A new browser session on the same workspace (nothing carried over but the files)."""
    return open_data(ref)


def test_your_uploads_lists_earlier_files_newest_first_with_their_size(home):
    at = open_data()
    at.radio(key="data_source").set_value("Your uploads").run()
    assert "No CSV files have been uploaded" in at.info[0].value
    at.radio(key="data_source").set_value("Upload a CSV").run()
    upload(at, "people.csv", good_csv())
    first = at.session_state["dataset_ref"]["sha256"]
    upload(at, "sports.csv", people_csv())
    second = at.session_state["dataset_ref"]["sha256"]

    at = fresh_session()
    assert at.session_state["dataset_ref"]["kind"] == "builtin"
    at.radio(key="data_source").set_value("Your uploads").run()
    box = at.selectbox(key="data_saved_upload")
    assert box.value is None                                   # nothing changes until a file is chosen
    assert at.session_state["dataset_ref"]["name"] == "spiral"
    assert [o.split(" · ")[0] for o in box.options] == ["sports.csv", "people.csv"]
    assert "60 rows × 4 columns" in box.options[1]
    assert re.search(r" · \d{1,2} \w{3}, \d\d:\d\d$", box.options[1])        # when it was uploaded
    assert box.proto.help
    box.set_value(first).run()                                 # choosing one puts it in use
    assert at.session_state["dataset_ref"]["sha256"] == first != second
    assert any("people.csv: 60 rows × 4 columns" in plain(c.value) and "uploaded" in c.value for c in at.caption)


def test_an_earlier_upload_reopens_with_its_last_settings_and_can_change_target(home):
    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    upload(at, "people.csv", good_csv())
    sha = at.session_state["dataset_ref"]["sha256"]
    key = sha[:16]
    at.multiselect(key=f"data_sensitive_{key}_label").set_value(["city"]).run()
    at.slider(key="data_test").set_value(0.3).run()
    at.number_input(key="data_split_seed").set_value(4).run()

    at = fresh_session()                                          # a later visit: no upload in the session
    at.radio(key="data_source").set_value("Your uploads").run()
    at.selectbox(key="data_saved_upload").set_value(sha).run()
    assert not at.exception and not at.error
    ref = at.session_state["dataset_ref"]
    assert ref["kind"] == "csv" and ref["sha256"] == sha and ref["name"] == "people.csv"
    assert ref["params"] == {"target": "label", "task": None, "sensitive": ["city"], "drop": []}
    assert ref["preprocess"] == {"scaling": "standard", "val_fraction": 0.15, "test_fraction": 0.3, "split_seed": 4}
    assert at.selectbox(key=f"data_target_{key}").value == "label"            # pre-filled controls
    assert at.multiselect(key=f"data_sensitive_{key}_label").value == ["city"]
    assert at.slider(key="data_test").value == 0.3
    assert any(plain(s.value) == "people.csv" for s in at.subheader)
    assert any("target **label**" in m.value for m in at.markdown)
    for widget in (at.selectbox(key=f"data_target_{key}"), at.radio(key=f"data_task_{key}"),
                   at.multiselect(key=f"data_drop_{key}_label"), at.selectbox(key="data_saved_upload")):
        assert widget.proto.help

    at.selectbox(key=f"data_target_{key}").set_value("income").run()           # change it without re-uploading
    assert not at.error
    ref = at.session_state["dataset_ref"]
    assert ref["params"]["target"] == "income" and ref["sha256"] == sha
    assert any(m.value.startswith("Regression") and "target **income**" in m.value for m in at.markdown)

    at = fresh_session()                                          # and that is remembered for the next visit
    at.radio(key="data_source").set_value("Your uploads").run()
    at.selectbox(key="data_saved_upload").set_value(sha).run()
    assert at.session_state["dataset_ref"]["params"]["target"] == "income"


def test_a_kept_file_that_went_missing_gives_an_inline_message(home):
    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    upload(at, "people.csv", good_csv())
    sha = at.session_state["dataset_ref"]["sha256"]
    (home / "datasets" / f"{sha}.csv").unlink()

    at = fresh_session()
    at.selectbox(key="data_name_2-D toy sets").set_value("moons").run()
    before = at.session_state["dataset_ref"]
    at.radio(key="data_source").set_value("Your uploads").run()
    box = at.selectbox(key="data_saved_upload")
    assert "cannot be opened" in box.options[0]
    box.set_value(sha).run()
    assert not at.exception
    assert any("no longer in the workspace" in e and "upload the file again" in e and "has not changed" in e
               for e in errors(at))
    assert at.session_state["dataset_ref"] == before

    at.button(key="data_remove_ask").click().run()              # and it can be taken off the list
    at.button(key="data_remove_yes").click().run()
    assert not at.exception
    assert "No CSV files have been uploaded" in at.info[0].value
    assert not (home / "datasets" / f"{sha}.json").exists()


def test_a_kept_file_that_changed_on_disk_is_refused_inline(home):
    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    upload(at, "people.csv", good_csv())
    sha = at.session_state["dataset_ref"]["sha256"]
    (home / "datasets" / f"{sha}.csv").write_bytes(good_csv() + b"99,1,north,yes\n")

    at = fresh_session()
    at.radio(key="data_source").set_value("Your uploads").run()
    at.selectbox(key="data_saved_upload").set_value(sha).run()
    assert not at.exception
    assert any("has changed since it was uploaded" in e for e in errors(at))
    assert at.session_state["dataset_ref"]["name"] == "spiral"


def test_removing_an_upload_asks_first_and_falls_back_when_it_was_in_use(home):
    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    upload(at, "people.csv", good_csv())
    upload(at, "sports.csv", people_csv())
    sha = at.session_state["dataset_ref"]["sha256"]
    at.switch_page("../pages/home.py").run()
    at.switch_page("../pages/data.py").run()
    assert at.selectbox(key="data_saved_upload").value == sha

    at.button(key="data_remove_ask").click().run()
    assert any("Remove sports.csv" in plain(w.value) for w in at.warning)
    at.button(key="data_remove_no").click().run()                # keep it: nothing happens
    assert (home / "datasets" / f"{sha}.csv").exists() and not at.warning

    at.button(key="data_remove_ask").click().run()
    assert at.button(key="data_remove_yes").proto.help and at.button(key="data_remove_no").proto.help
    at.button(key="data_remove_yes").click().run()
    assert not at.exception and not at.error
    assert not (home / "datasets" / f"{sha}.csv").exists()
    assert any("Removed sports.csv" in plain(s.value) and "Spiral" in s.value for s in at.success)
    assert at.session_state["dataset_ref"]["name"] == "spiral"
    box = at.selectbox(key="data_saved_upload")
    assert [o.split(" · ")[0] for o in box.options] == ["people.csv"] and box.value is None


def group_traces(scatter: dict) -> dict:
    return {t["name"]: t for t in scatter["data"] if t["name"].startswith("group ")}


def test_two_groups_can_colour_the_scatter_by_group(home):
    at = open_data()
    at.radio(key="data_group").set_value("Fairness").run()
    at.selectbox(key="data_name_Fairness").set_value("two_groups").run()
    assert not at.exception, at.exception
    ref = at.session_state["dataset_ref"]
    assert ref["name"] == "two_groups" and ref["params"]["bias"] == 0.5
    assert "group B" in at.slider(key="data_bias_two_groups").label
    toggle = at.toggle(key="data_by_group")
    assert toggle.value is False and "group" in toggle.label and toggle.help
    before = chart(at, "data_scatter")
    assert not group_traces(before)                                     # by class, split by split
    assert {t["name"] for t in before["data"]} >= {"class 0", "class 1", "training rows"}
    toggle.set_value(True).run()
    assert not at.exception, at.exception
    after = chart(at, "data_scatter")
    groups = group_traces(after)
    assert list(groups) == ["group A", "group B"]
    assert sum(size(t["x"]) for t in groups.values()) == 400           # every row, once
    assert groups["group A"]["marker"]["color"] != groups["group B"]["marker"]["color"]
    assert all(len(set(t["marker"]["symbol"])) == 2 for t in groups.values())   # both classes in each group
    assert [t["name"] for t in after["data"] if t["name"].startswith("class ")] == ["class 0", "class 1"]
    assert not any(t["name"] == "training rows" for t in after["data"])
    assert any("the colour is its group" in plain(c.value) for c in at.caption)
    # off again: back to colours by class
    at.toggle(key="data_by_group").set_value(False).run()
    assert not group_traces(chart(at, "data_scatter"))


def test_2d_data_without_a_sensitive_column_has_no_group_toggle(home):
    at = open_data()
    at.selectbox(key="data_name_2-D toy sets").set_value("moons").run()
    assert not at.exception, at.exception
    assert "data_by_group" not in [t.key for t in at.toggle]
    assert not group_traces(chart(at, "data_scatter"))
    # a table with a sensitive column is not 2-D: no scatter and no toggle either
    at.radio(key="data_group").set_value("Fairness").run()
    at.selectbox(key="data_name_Fairness").set_value("biased_loans").run()
    assert not at.exception, at.exception
    assert "data_by_group" not in [t.key for t in at.toggle]
    assert not any(c.proto.id.endswith("data_scatter") for c in at.get("plotly_chart"))


def test_a_numeric_sensitive_column_colours_the_scatter_in_bands(home):
    # an uploaded plane whose sensitive column 'age' (left out of the inputs) has 40 values: four
    # bands, not forty colours
    lines = ["x1,x2,age,label"]
    for i in range(120):
        lines.append(f"{(i % 11) / 5 - 1:.2f},{(i % 7) / 3 - 1:.2f},{20 + i % 40},{'yes' if i % 3 else 'no'}")
    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    upload(at, "plane.csv", ("\n".join(lines) + "\n").encode())
    digest = at.session_state["dataset_ref"]["sha256"][:16]
    at.multiselect(key=f"data_sensitive_{digest}_label").set_value(["age"]).run()
    assert "data_by_group" not in [t.key for t in at.toggle]           # age is an input too: 3 inputs
    at.multiselect(key=f"data_drop_{digest}_label").set_value(["age"]).run()   # audited, not an input
    at.toggle(key="data_by_group").set_value(True).run()
    assert not at.exception and not at.error, at.exception
    bands = [t for t in chart(at, "data_scatter")["data"] if t["name"].startswith("age ")]
    names = [t["name"] for t in bands]                                # in band order; '<' escaped for plotly
    assert len(names) == 4 and names[0].startswith("age &lt; ") and names[-1].startswith("age ≥ "), names
    assert sum(size(t["x"]) for t in bands) == 120


def test_pages_name_a_builtin_set_by_its_label_and_an_upload_by_its_escaped_file_name(home):
    from core.data import load_builtin, load_csv
    from dashboard.widgets import dataset_title
    assert dataset_title(load_builtin("two_groups")) == "Two groups \\(2\\-D\\, synthetic\\)"
    upload = load_csv(good_csv(), target="label", filename="*new* [x](y).csv", home=home)
    title = dataset_title(upload)
    assert title.replace("\\", "") == "*new* [x](y).csv" and "\\*new\\*" in title and "\\[x\\]" in title


def test_an_upload_a_run_trains_on_stays_until_the_run_stops(home, store, wait_for):
    from core.runs import executor as jobs
    from core.spec import NetworkSpec, TrainSpec

    at = open_data()
    at.radio(key="data_source").set_value("Upload a CSV").run()
    upload(at, "people.csv", good_csv())
    ref = at.session_state["dataset_ref"]
    run_id = jobs.submit(store, dataset=ref, network=NetworkSpec.dense([8]), train=TrainSpec(epochs=100_000),
                         name="long")
    wait_for(lambda: store.get_run(run_id).status == "running", 120, what="the run to start training")
    at.switch_page("../pages/home.py").run()
    at.switch_page("../pages/data.py").run()
    assert at.selectbox(key="data_saved_upload").value == ref["sha256"]

    at.button(key="data_remove_ask").click().run()
    assert any("1 run was trained on it" in plain(w.value) for w in at.warning)
    at.button(key="data_remove_yes").click().run()
    assert any("training now" in e and "stop that run" in e for e in errors(at))
    assert (home / "datasets" / f"{ref['sha256']}.csv").exists()
    assert at.session_state["dataset_ref"] == ref

    jobs.stop(store, run_id)
    wait_for(lambda: not store.get_run(run_id).active, 60, what="the run to stop")
    at.button(key="data_remove_ask").click().run()
    at.button(key="data_remove_yes").click().run()
    assert not (home / "datasets" / f"{ref['sha256']}.csv").exists()
    assert any("Removed people.csv" in plain(s.value) for s in at.success)
    assert store.get_run(run_id).status == "stopped"           # the run stays listed
