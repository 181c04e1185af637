"""Figures written as plain dicts: what every live chart of a run is built with. No streamlit here.

Every figure is rebuilt on each live update, so they are kept light: per-step series are decimated to
at most MAX_POINTS points, and each figure is written as plain dicts and wrapped without plotly's
property validation (fast_figure): the same JSON as go.Scatter(...) + update_layout(...), at about a
tenth of the server's CPU. tests/dashboard/train/test_charts_train.py checks that every figure passes
plotly's validation.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.common import placeholder_text

MAX_POINTS = 1000        # points per line (about two per pixel of a chart's width): a live chart is sent twice a second
LEGEND_ROW_PX = 19       # a row of a legend under a chart
VAL_COLOR = "#f28e2b"    # validation numbers, and the latest epoch


def decimate(n: int, limit: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most `limit` evenly spread points of a series of n, always keeping the last."""
    if n <= limit:
        return np.arange(n)
    idx = np.linspace(0, n - 1, limit).round().astype(np.int64)
    return np.unique(idx)


def fast_figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, not validated property by property (plotly's
    object machinery costs ~10 ms a figure; this ~0.5 ms). The streamlit template is still applied."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def fast_layout(height: int) -> dict:
    """Size, margins and legend. No named template: applying one costs ~12 ms a figure, too much for
    charts redrawn twice a second, and st.plotly_chart's own theme styles the chart anyway."""
    return {"height": height, "margin": {"l": 40, "r": 20, "t": 10, "b": 40},
            "legend": {"orientation": "h", "y": -0.2}, "plot_bgcolor": "white",
            "xaxis": {"gridcolor": "#eee"}, "yaxis": {"gridcolor": "#eee"}}


def line_trace(x, y, name: str, line: dict, hovertemplate: str, **extra) -> dict:
    """A line's trace as a plain dict."""
    return {"type": "scatter", "x": x, "y": y, "name": name, "mode": "lines", "line": line,
            "hovertemplate": hovertemplate, **extra}


def empty_figure(data: list[dict], layout: dict, text: str) -> go.Figure:
    """No data yet: the axes hidden and `text` in the middle, in lines that fit the narrowest chart."""
    layout.setdefault("annotations", []).append(
        {"text": placeholder_text(text), "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False,
         "font": {"size": 13, "color": "#888"}})
    layout["xaxis"]["visible"] = False
    layout["yaxis"]["visible"] = False
    return fast_figure(data, layout)
