"""The Class page's chart: every run of the class on one chart, a line a run, coloured by a setting.
A pure function: data in, plotly figure out."""
from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from .common import CLASS_COLORS, base_layout, legend_below, placeholder_text, plain


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


def class_curves_figure(lines: list[ClassLine], metric: str, colour_by: str, height: int = 440) -> go.Figure:
    """One line per run of `metric` (its axis title, e.g. 'validation loss') against the epoch, coloured by
    the value each run has of the setting `colour_by` (one legend entry a value); hovering a line names
    the student, the run and its value. Names are shown as typed, never as markup."""
    fig = go.Figure()
    order = _value_order(line.colour_value for line in lines)
    colour = {v: CLASS_COLORS[i % len(CLASS_COLORS)] for i, v in enumerate(order)}
    in_legend: set[str] = set()
    setting = plain(colour_by)
    for line in lines:
        value = plain(line.colour_value)
        who = f"{plain(line.student)} · {plain(line.run)} ({plain(line.status)})"
        fig.add_trace(go.Scatter(
            x=line.epochs, y=line.values, mode="lines+markers" if len(line.epochs) < 20 else "lines",
            name=value, legendgroup=value, showlegend=line.colour_value not in in_legend,
            legendrank=order.index(line.colour_value) + 1,
            line=dict(color=colour[line.colour_value], width=2), marker=dict(size=5), opacity=0.85,
            hovertemplate=f"{who}<br>epoch %{{x}}: {plain(metric)} %{{y:.4f}}<br>{setting}: {value}<extra></extra>"))
        in_legend.add(line.colour_value)
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title=plain(metric))
    if not lines:
        fig.add_annotation(text=placeholder_text("No run of the class has finished an epoch yet."),
                           showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    base_layout(fig, None, height=height)
    fig.update_layout(legend=legend_below(title=dict(text=f"{setting}: ")), hovermode="closest")
    return fig
