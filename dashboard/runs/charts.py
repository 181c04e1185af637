"""Charts of the Runs page: pure functions, data in, plotly figure out."""
from __future__ import annotations

import plotly.graph_objects as go

from dashboard.charts.common import CLASS_COLORS, base_layout, plain

METRIC_LABELS = {"val_loss": "validation loss", "val_accuracy": "validation accuracy", "val_r2": "validation R²"}


def overlay(curves: dict[str, "object"], metric: str, title: str | None = None) -> go.Figure:
    """One line per run of `metric` against the epoch. curves: run label → DataFrame with epoch and metric columns."""
    fig = go.Figure()
    label = METRIC_LABELS.get(metric, metric)
    for i, (name, df) in enumerate(curves.items()):
        if metric not in df or df[metric].notna().sum() == 0:
            continue
        d = df[["epoch", metric]].dropna()
        safe = plain(name)
        fig.add_trace(go.Scatter(x=d["epoch"], y=d[metric], mode="lines+markers" if len(d) < 30 else "lines",
                                 name=safe, line=dict(color=CLASS_COLORS[i % len(CLASS_COLORS)], width=2),
                                 marker=dict(size=5),
                                 hovertemplate=f"epoch %{{x}}: {label} %{{y:.4f}}<extra>{safe}</extra>"))
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title=label)
    return base_layout(fig, title or label, height=380)
