"""Shared look of Glassnet's charts."""
from __future__ import annotations

import html

import plotly.graph_objects as go

# Two classes: blue vs orange, like the Playground; more classes continue with a qualitative palette.
CLASS_COLORS = ["#2f6fde", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
                "#9c755f", "#bab0ac"]


def base_layout(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    fig.update_layout(title=title, height=height, margin=dict(l=40, r=20, t=40 if title else 10, b=40),
                      template="plotly_white", legend=dict(orientation="h", y=-0.2))
    return fig


def plain(text) -> str:
    """User or data text made safe for plotly labels and hover templates: plotly renders a few HTML
    tags in text, and reads '%{…}' in a template as a variable (an invisible space breaks it)."""
    return html.escape(str(text), quote=False).replace("%{", "%\u200b{")
