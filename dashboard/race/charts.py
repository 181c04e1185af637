"""The race's chart: every run's training and validation loss (and validation accuracy for classifiers) on
one figure. Pure: curves in, plotly figure out; no streamlit.

A run keeps one colour for all its lines: validation solid, training dashed. The legend lists each run once
(its validation line; clicking it hides the run's every line through the legend group).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.common import CLASS_COLORS, base_layout, plain, placeholder_text

RACE_COLORS = CLASS_COLORS


def race_color(index: int) -> str:
    return RACE_COLORS[index % len(RACE_COLORS)]


def _line(df: pd.DataFrame, column: str, label: str, colour: str, dash: str, first: bool, what: str) -> go.Scatter:
    rows = df[["epoch", column]].dropna() if column in df else pd.DataFrame(columns=["epoch", column])
    return go.Scatter(x=rows["epoch"].to_numpy(), y=rows[column].to_numpy(dtype=float), mode="lines",
                      name=plain(label), legendgroup=plain(label), showlegend=first,
                      line=dict(color=colour, dash=dash, width=2 if dash == "solid" else 1.5),
                      hovertemplate=f"{plain(label)}<br>{what}: %{{y:.4g}}<br>epoch %{{x}}<extra></extra>")


def race_figure(curves: list[tuple[str, pd.DataFrame]], classifier: bool, height: int = 420,
                log_loss: bool = False) -> go.Figure:
    """The race's curves: `curves` is (label, DataFrame with epoch, train_loss, val_loss[, val_accuracy]) of
    each run in the race's order. Loss on the left (validation solid, training dashed), validation accuracy on
    the right for classifiers."""
    cols = 2 if classifier else 1
    fig = make_subplots(rows=1, cols=cols, horizontal_spacing=0.09,
                        subplot_titles=("Loss (solid: validation, dashed: training)",
                                        "Validation accuracy")[:cols])
    for i, (label, df) in enumerate(curves):
        colour = race_color(i)
        fig.add_trace(_line(df, "val_loss", label, colour, "solid", True, "validation loss"), row=1, col=1)
        fig.add_trace(_line(df, "train_loss", label, colour, "dash", False, "training loss"), row=1, col=1)
        if classifier:
            fig.add_trace(_line(df, "val_accuracy", label, colour, "solid", False, "validation accuracy"),
                          row=1, col=2)
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="loss", type="log" if log_loss else "linear", row=1, col=1)
    if classifier:
        fig.update_yaxes(title_text="accuracy", tickformat=".0%", row=1, col=2)
    base_layout(fig, height=height)
    fig.update_layout(margin=dict(l=50, r=20, t=40, b=40), hovermode="closest")
    if not any(len(df) for _, df in curves):
        fig.add_annotation(text=placeholder_text("The curves appear here as the runs log their first epochs."),
                           xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False)
    return fig
