"""Text a person typed or uploaded — a run's name, a file's name, a column's name, its groups and classes —
reaches every page as literal text: never as Markdown or HTML, never as a plotly template field."""
import json
import re

import numpy as np
import pandas as pd
import pytest

from dashboard.text import md_plain, plot_plain
from tests.helpers_runs import open_page

RUN = "[click](javascript:alert(1)) ![x](http://h/x.png) <b>bold</b> %{x} **bold**"
COLUMN = "<b>col</b> %{y} [c](javascript:alert(2))"          # a numeric input column
GROUP_COLUMN = "<i>grp</i> **g**"                              # the sensitive column
GROUPS = ["<img src=x onerror=alert(3)> %{y}", "[g](javascript:alert(4))"]
CLASSES = ["<b>yes</b> %{x}", "no ![n](http://h/n.png)"]
FILE = "<b>file</b> [f](javascript:alert(5)).csv"

# What user text would look like had it reached the page as markup (none of it is the app's own text).
RAW_MARKDOWN = ["](javascript:", "![x](", "![n](", "<b>bold", "<b>col", "<b>yes", "<b>file", "<img", "<i>grp",
                "**bold**", "**g**"]
RAW_PLOTLY = ["<b>bold", "<b>col", "<b>yes", "<b>file", "<img", "<i>grp", "%{x} **bold", "%{y} [c]", "%{x}</",
              "%{y}<", "<b>yes</b> %{x}"]


def hostile_run(home) -> str:
    """One run in the workspace `home` on an uploaded CSV whose names are all Markdown, HTML and template
    fields; returns its id."""
    from core.data import load_csv
    from core.model import build_network, concrete_loss
    from core.runs import Store
    from core.spec import NetworkSpec, TrainSpec
    from core.training import StoreRecorder, Trainer, seed_everything

    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame({"x": rng.normal(size=n), COLUMN: rng.normal(size=n),
                          GROUP_COLUMN: [GROUPS[i % 2] for i in range(n)]})
    frame["label"] = np.where(frame["x"] + frame[COLUMN] + rng.normal(scale=0.3, size=n) > 0, CLASSES[0], CLASSES[1])
    with Store(home) as store:
        ds = load_csv(frame.to_csv(index=False).encode(), target="label", filename=FILE, home=home,
                      sensitive=[GROUP_COLUMN])
        network = NetworkSpec.dense([8], "relu")
        spec = TrainSpec(epochs=3, batch_size=32, seed=0, device="cpu")
        seed_everything(0)
        net, _ = build_network(network, ds, concrete_loss(spec.loss, ds.task))
        run_id = store.create_run(name=RUN, dataset=ds.ref.to_dict(), network=network.to_dict(),
                                  train=spec.to_dict(), status="queued")
        Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
    return run_id


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    home = tmp_path_factory.mktemp("user-text")
    return home, hostile_run(home)


def markdown_texts(at) -> list[str]:
    """Everything the page hands Streamlit's Markdown: text elements, alerts, and the widgets' labels."""
    out = []
    for kind in ("markdown", "caption", "info", "error", "warning", "success", "title", "header", "subheader",
                 "toast", "exception"):
        out += [str(e.value) for e in at.get(kind)]
    for kind in ("selectbox", "multiselect", "radio", "toggle", "checkbox", "text_input", "number_input",
                 "slider", "select_slider", "button"):
        out += [str(getattr(w, "label", "")) for w in at.get(kind)]
    out += [str(e.proto.label) for e in at.get("expandable")] + [str(t.label) for t in at.get("tab")]
    out += [str(m.label) for m in at.get("metric")]
    for radio in at.get("radio"):       # a radio's options are Markdown too
        out += [str(o) for o in radio.options]
    return out


def plotly_strings(at) -> list[str]:
    """Every string in every chart's figure JSON."""
    found = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return found


def unescaped(text: str) -> str:
    """The Markdown text without its backslash-escaped punctuation: what is left can still act as markup."""
    return re.sub(r"\\[!-/:-@\[-`{-~]", "", text)


def assert_literal(at, *, shown_md=(), shown_plot=()):
    texts, strings = markdown_texts(at), plotly_strings(at)
    for text in texts:
        for raw in RAW_MARKDOWN:
            assert raw not in unescaped(text), f"user text reached Markdown as markup: {text!r}"
    for s in strings:
        for raw in RAW_PLOTLY:
            assert raw not in s, f"user text reached a chart as HTML or a template field: {s!r}"
    for name in shown_md:
        assert any(md_plain(name) in t for t in texts), f"{name!r} is not shown (escaped) on the page"
    for name in shown_plot:
        assert any(plot_plain(name) in s for s in strings), f"{name!r} is not shown (escaped) in a chart"
    return texts, strings


def test_runs_page_shows_names_literally(hostile, monkeypatch):
    home, run_id = hostile
    at = open_page(home, monkeypatch, "runs", run_id)
    assert_literal(at, shown_plot=[RUN])
    assert at.get("plotly_chart"), "the compared run's curves are drawn"


def test_train_page_shows_names_literally(hostile, monkeypatch):
    home, run_id = hostile
    at = open_page(home, monkeypatch, "train", run_id)
    assert_literal(at, shown_md=[RUN, FILE])


def test_evaluate_page_shows_names_literally(hostile, monkeypatch):
    home, run_id = hostile
    at = open_page(home, monkeypatch, "evaluate", run_id)
    assert_literal(at, shown_md=[CLASSES[1]], shown_plot=CLASSES)


def test_fairness_page_shows_names_literally(hostile, monkeypatch):
    home, run_id = hostile
    at = open_page(home, monkeypatch, "fairness", run_id, state={"fa_sensitive": [GROUP_COLUMN]})
    assert_literal(at, shown_md=[FILE, GROUP_COLUMN], shown_plot=GROUPS)


def test_explain_page_shows_names_literally(hostile, monkeypatch):
    home, run_id = hostile
    at = open_page(home, monkeypatch, "explain", run_id)
    assert_literal(at, shown_md=[FILE], shown_plot=[COLUMN])


def test_plot_plain_keeps_template_fields_and_tags_out():
    text = plot_plain(RUN)
    assert "<" not in text and ">" not in text and "%{" not in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text and "&#37;{x}" in text
    assert plot_plain("a & b") == "a &amp; b"
