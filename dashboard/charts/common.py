"""Shared look of Glassnet's charts."""
from __future__ import annotations

import copy
import re
import textwrap

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.text import plot_plain as plain  # noqa: F401  (the charts import it from here)

# Two classes: blue vs orange, like the Playground; more classes continue with a qualitative palette.
CLASS_COLORS = ["#2f6fde", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
                "#9c755f", "#bab0ac"]
# Points coloured by their group (a sensitive column's value) take these colours, and then their class
# is told by the marker's shape.
GROUP_COLORS = ["#6a3d9a", "#1b9e77", "#d95f02", "#e7298a", "#66a61e", "#a6761d", "#386cb0", "#666666"]
CLASS_SYMBOLS = ["circle", "x", "triangle-up", "square", "star", "diamond", "cross", "pentagon", "hexagon", "bowtie"]

# The narrowest a chart gets on a page (a third of the Train page's right-hand side at 1400 px: ~200 px)
# holds about 36 characters of 13 px text; lines are kept shorter than that.
PLACEHOLDER_CHARS = 32


def legend_below(**extra) -> dict:
    """A horizontal legend at the foot of the whole figure. Placed against the figure's bottom edge
    (not below the plot area at a guessed distance), it makes plotly grow the bottom margin for it,
    so it sits under the x-axis title, never over it, however many rows it wraps into."""
    return dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left", **extra)


# The charts' template, built once. Naming it per figure (template="plotly_white") makes plotly build a
# validated copy of the whole template for every figure: about 20 ms each, most of a small chart's cost.
# This is that same copy, made once; its keys in the order the figure's JSON has always had them.
TEMPLATE = copy.deepcopy(pio.templates["plotly_white"])


def use_template(fig: go.Figure) -> go.Figure:
    """Give the figure the charts' template, as plotly gives every new figure its default one: the
    template is already valid, so it is stored without being validated again (its JSON is copied)."""
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = TEMPLATE
    finally:
        layout._validate = fig._validate
    return fig


def base_layout(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    fig.update_layout(title=title, height=height, margin=dict(l=40, r=20, t=40 if title else 10, b=40),
                      legend=legend_below())
    return use_template(fig)


def _balanced(clause: str, width: int) -> list[str]:
    """A clause in as few lines of at most `width` characters as it needs, of about equal length."""
    lines = textwrap.wrap(clause, width)
    for w in range(-(-len(clause) // len(lines)), width):
        even = textwrap.wrap(clause, w)
        if len(even) == len(lines):
            return even
    return lines


def placeholder_text(text: str, width: int = PLACEHOLDER_CHARS) -> str:
    """What an empty chart says, in lines short enough for the narrowest chart: a new line before
    'once', 'after' or 'while' ('… appears here / after the first epoch'), longer parts split evenly."""
    clauses = re.split(r" (?=(?:once|after|while) )", text)
    return "<br>".join(line for clause in clauses for line in _balanced(clause, width))


