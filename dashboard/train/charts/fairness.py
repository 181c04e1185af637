"""Fairness over training: the gaps between groups, one metric per group, and the path between accuracy
and fairness, per evaluated epoch. Pure functions: logged numbers in → plotly figure out."""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.common import CLASS_COLORS, plain

from ._plain import VAL_COLOR, decimate, empty_figure, fast_figure, fast_layout, line_trace

# The gaps between groups the trainer measures each evaluated epoch: name → (label, what it compares)
FAIR_GAP_LABELS = {
    "demographic_parity_difference": ("demographic parity", "the share predicted favourable"),
    "equalized_odds_difference": ("equalized odds", "the true- or false-positive rate"),
    "equal_opportunity_difference": ("equal opportunity", "the true-positive rate"),
}
FAIR_GAP_COLORS = {"demographic_parity_difference": "#e15759", "equalized_odds_difference": "#7f3c8d",
                   "equal_opportunity_difference": "#59a14f"}
GROUP_METRICS = {"accuracy": ("accuracy (%)", 100), "selection_rate": ("predicted favourable (%)", 100),
                 "loss": ("loss", 1), "tpr": ("true-positive rate (%)", 100), "fpr": ("false-positive rate (%)", 100)}


def fairness_gaps_figure(gaps: dict, *, height: int = 280) -> go.Figure:
    """The gaps between groups per evaluated epoch: 0 = every group treated alike, 1 = as unequal as
    can be. gaps: {'demographic_parity_difference' | 'equalized_odds_difference' |
    'equal_opportunity_difference': (epochs, values)}; NaN (fewer than two groups) leaves a hole."""
    data: list[dict] = []
    top = 0.0
    for name, (label, what) in FAIR_GAP_LABELS.items():
        if name not in gaps:
            continue
        epochs, values = np.asarray(gaps[name][0]), np.asarray(gaps[name][1], dtype=np.float64)
        if not len(epochs):
            continue
        keep = decimate(len(epochs))
        if np.isfinite(values).any():
            top = max(top, float(np.nanmax(values)))
        data.append(line_trace(epochs[keep], values[keep].astype(np.float32), label,
                          {"color": FAIR_GAP_COLORS[name], "width": 2},
                          "epoch %{x}<br>largest gap in " + what + ": %{y:.3f}<extra>" + label + "</extra>"))
    layout = fast_layout(height)
    if not data:
        return empty_figure(data, layout, "The gaps between groups appear here after the first evaluated epoch")
    layout["xaxis"].update(title={"text": "epoch"}, rangemode="tozero")
    layout["yaxis"].update(title={"text": "gap (0 = equal)"}, range=[0, max(0.1, min(1.0, top * 1.15))])
    layout["legend"] = {"orientation": "h", "y": -0.3}
    return fast_figure(data, layout)


def group_metric_figure(groups: dict, *, metric: str = "accuracy", height: int = 280) -> go.Figure:
    """One line per group of a per-group metric over the evaluated epochs.
    groups: {group: (epochs, values)}; metric: a key of GROUP_METRICS (rates are drawn in %)."""
    title, scale = GROUP_METRICS.get(metric, (metric, 1))
    data: list[dict] = []
    for i, group in enumerate(sorted(groups)):
        epochs, values = np.asarray(groups[group][0]), np.asarray(groups[group][1], dtype=np.float64)
        if not len(epochs):
            continue
        keep = decimate(len(epochs))
        name = plain(group)
        data.append(line_trace(epochs[keep], (values[keep] * scale).astype(np.float32), name,
                          {"color": CLASS_COLORS[i % len(CLASS_COLORS)], "width": 2},
                          "epoch %{x}<br>%{y:.3g}" + ("%" if scale == 100 else "") + "<extra>" + name + "</extra>"))
    layout = fast_layout(height)
    if not data:
        return empty_figure(data, layout, "Each group's numbers appear here after the first evaluated epoch")
    layout["xaxis"].update(title={"text": "epoch"}, rangemode="tozero")
    layout["yaxis"]["title"] = {"text": title}
    if scale == 100:
        layout["yaxis"]["range"] = [0, 101]
    else:
        layout["yaxis"]["rangemode"] = "tozero"
    # the groups' names are short: above the chart, clear of the axis title
    layout["legend"] = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}
    layout["margin"]["t"] = 30
    return fast_figure(data, layout)


def _by_epoch(epochs, values) -> dict:
    """{epoch: value}, the last value logged for an epoch winning."""
    return dict(zip(np.asarray(epochs).tolist(), np.asarray(values, dtype=np.float64).tolist()))


def fairness_tradeoff_figure(acc_epochs, accuracy, gap_epochs, gap, *, height: int = 280) -> go.Figure:
    """The path training takes between accuracy and fairness: one point per evaluated epoch at
    (validation accuracy in %, demographic parity difference), joined in epoch order; the latest
    epoch is highlighted. Better is down (fairer) and to the right (more accurate)."""
    acc, dpd = _by_epoch(acc_epochs, accuracy), _by_epoch(gap_epochs, gap)
    epochs = np.array(sorted(e for e in acc if e in dpd and math.isfinite(acc[e]) and math.isfinite(dpd[e])),
                      dtype=np.int64)
    data: list[dict] = []
    layout = fast_layout(height)
    if not len(epochs):
        return empty_figure(data, layout, "Accuracy against fairness appears here after the first evaluated epoch")
    epochs = epochs[decimate(len(epochs))]
    x = np.array([acc[e] for e in epochs.tolist()]) * 100
    y = np.array([dpd[e] for e in epochs.tolist()])
    hover = "epoch %{customdata}<br>accuracy %{x:.1f}%<br>demographic parity gap %{y:.3f}"
    data.append({"type": "scatter", "x": x.astype(np.float32), "y": y.astype(np.float32), "customdata": epochs,
                 "name": "each evaluated epoch", "mode": "lines+markers",
                 "line": {"color": "#9bb7e0", "width": 1},
                 "marker": {"size": 5, "color": epochs, "colorscale": [[0, "#c6dbef"], [1, "#08306b"]],
                            "showscale": False},
                 "hovertemplate": hover + "<extra></extra>"})
    data.append({"type": "scatter", "x": x[-1:].astype(np.float32), "y": y[-1:].astype(np.float32),
                 "customdata": epochs[-1:], "name": f"now (epoch {int(epochs[-1]):,})", "mode": "markers",
                 "marker": {"size": 13, "color": VAL_COLOR, "symbol": "star", "line": {"color": "black", "width": 1}},
                 "hovertemplate": hover + "<extra>latest</extra>"})
    layout["xaxis"].update(title={"text": "validation accuracy (%) →"})
    layout["yaxis"].update(title={"text": "demographic parity gap ↓"}, rangemode="tozero")
    layout["legend"] = {"orientation": "h", "y": -0.3}
    return fast_figure(data, layout)
