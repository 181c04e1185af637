"""The Class page's chart as a pure function: a valid plotly figure, a line a run coloured by its setting's
value with one legend entry a value, hover text that names the student and the run as typed."""
from __future__ import annotations

import json

import plotly.graph_objects as go

from dashboard.charts.class_runs import ClassLine, class_curves_figure

LINES = [ClassLine("<b>Ada</b>", "run %{x}", "running", "0.1", [1, 2, 3], [0.9, 0.5, 0.4]),
         ClassLine("Bob", "r2", "finished", "0.01", [1, 2], [0.8, 0.7]),
         ClassLine("Cy", "r3", "finished", "0.1", [1], [0.95])]


def test_the_figure_passes_plotlys_validation():
    for lines in (LINES, []):
        fig = class_curves_figure(lines, "validation loss", "learning rate")
        go.Figure(json.loads(fig.to_json()))                      # raises on any property plotly does not know


def test_a_line_a_run_coloured_by_value_with_one_legend_entry_a_value():
    fig = class_curves_figure(LINES, "validation loss", "learning rate")
    assert [list(t.x) for t in fig.data] == [[1, 2, 3], [1, 2], [1]]
    data = json.loads(fig.to_json())["data"]
    colours = {t["name"]: t["line"]["color"] for t in data}
    assert data[0]["line"]["color"] == data[2]["line"]["color"] != data[1]["line"]["color"]
    assert sorted(t["name"] for t in data if t["showlegend"]) == ["0.01", "0.1"] and len(colours) == 2
    assert data[1]["legendrank"] < data[0]["legendrank"]             # 0.01 before 0.1 in the legend


def test_hover_names_the_student_and_the_run_as_typed():
    hover = json.loads(class_curves_figure(LINES, "validation loss", "learning rate").to_json())["data"][0]
    text = hover["hovertemplate"]
    assert text.startswith("&lt;b&gt;Ada&lt;/b&gt; · run &#37;{x} (running)") and "learning rate: 0.1" in text
    assert "<b>" not in text


def test_no_line_yet_says_so():
    layout = json.loads(class_curves_figure([], "validation loss", "student").to_json())["layout"]
    assert "No run of the class" in layout["annotations"][0]["text"]
