"""The Class page's chart: every run of the class on one chart, a line a run, coloured by a setting.
A pure function: data in, plotly figure out.

The chart is redrawn every couple of seconds while a class trains, with up to sixty lines of a few hundred
points, so it is written as plain dicts (numbers as arrays) and wrapped without plotly's property-by-property
validation, as the Train page's live charts are: sixty lines of 300 points built and written as JSON
about 6× faster than through go.Scatter (4.9–8.2× over nine interleaved repeats on a busy machine). The tests check that it
passes plotly's validation all the same.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from .common import CLASS_COLORS, legend_below, placeholder_text, plain


@dataclass(frozen=True)
class ClassLine:
    student: str                         # who started the run
    run: str                             # the run's name
    status: str
    colour_value: str                    # the run's value of the setting the lines are coloured by
    epochs: list
    values: list


def _value_order(values) -> list[str]:
    """The setting's values in the legend's order: numbers by size, then text alphabetically."""
    def key(v: str):
        try:
            return (0, float(v), "")
        except ValueError:
            return (1, 0.0, v.casefold())
    return sorted(set(values), key=key)


def _trace(line: ClassLine, colour: str, rank: int, first: bool, metric: str, setting: str) -> dict:
    value = plain(line.colour_value)
    who = f"{plain(line.student)} · {plain(line.run)} ({plain(line.status)})"
    return {"type": "scatter", "x": np.asarray(line.epochs, np.int64), "y": np.asarray(line.values, np.float64),
            "mode": "lines+markers" if len(line.epochs) < 20 else "lines", "name": value, "legendgroup": value,
            "showlegend": first, "legendrank": rank, "opacity": 0.85,
            "line": {"color": colour, "width": 2}, "marker": {"size": 5},
            "hovertemplate": f"{who}<br>epoch %{{x}}: {metric} %{{y:.4f}}<br>{setting}: {value}<extra></extra>"}


def class_curves_figure(lines: list[ClassLine], metric: str, colour_by: str, height: int = 440) -> go.Figure:
    """One line per run of `metric` (its axis title, e.g. 'validation loss') against the epoch, coloured by
    the value each run has of the setting `colour_by` (one legend entry a value); hovering a line names
    the student, the run and its value. Names are shown as typed, never as markup."""
    order = _value_order(line.colour_value for line in lines)
    colour = {v: CLASS_COLORS[i % len(CLASS_COLORS)] for i, v in enumerate(order)}
    setting, label = plain(colour_by), plain(metric)
    data, in_legend = [], set()
    for line in lines:
        data.append(_trace(line, colour[line.colour_value], order.index(line.colour_value) + 1,
                           line.colour_value not in in_legend, label, setting))
        in_legend.add(line.colour_value)
    layout = {"height": height, "margin": {"l": 40, "r": 20, "t": 10, "b": 40}, "hovermode": "closest",
              "legend": legend_below(title={"text": f"{setting}: "}), "plot_bgcolor": "white",
              "xaxis": {"title": {"text": "epoch"}, "gridcolor": "#eee"},
              "yaxis": {"title": {"text": label}, "gridcolor": "#eee"}}
    if not lines:
        layout["annotations"] = [{"text": placeholder_text("No run of the class has finished an epoch yet."),
                                  "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                                  "font": {"size": 13, "color": "#888"}}]
    return go.Figure({"data": data, "layout": layout}, _validate=False)
