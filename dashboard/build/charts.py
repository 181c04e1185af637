"""Pictures of a network's architecture, and of how its weights start.

Small all-dense networks are drawn neuron by neuron, with every weight as an edge
(blue positive, orange negative, thicker = larger, like TensorFlow Playground);
larger ones, and convolutional ones, as a row of blocks. One layer's starting weights under
each initialisation are histograms side by side on one x axis. Pure functions: plain data in
(layer rows with .name/.kind/.output_shape/.params, optional weight matrices, a LayerInits), figure out.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.common import CLASS_COLORS, base_layout, plain

MAX_NEURONS = 12       # units per column drawn neuron by neuron
MAX_COLUMNS = 6        # hidden + output layers drawn neuron by neuron
POSITIVE, NEGATIVE = CLASS_COLORS[0], CLASS_COLORS[1]
PASS_THROUGH = ("dropout", "batchnorm", "flatten")


def neuron_columns(n_inputs: int, infos) -> list[int] | None:
    """Units per column (inputs, each dense layer, output) when the net is small enough to draw
    neuron by neuron; None when it has convolutions or is too big."""
    if any(i.kind in ("conv2d", "maxpool2d") for i in infos):
        return None
    columns = [n_inputs] + [int(i.output_shape[0]) for i in infos if i.kind in ("dense", "output")]
    if len(columns) - 1 > MAX_COLUMNS or max(columns) > MAX_NEURONS:
        return None
    return columns


def _positions(units: int) -> np.ndarray:
    return (np.arange(units) - (units - 1) / 2.0)[::-1]


def neuron_diagram(columns: list[int], weights: list[np.ndarray] | None = None,
                   input_names: list[str] | None = None, output_names: list[str] | None = None,
                   column_labels: list[str] | None = None, height: int = 420) -> go.Figure:
    """Neurons as dots in columns, connections as lines. weights[k] has shape (columns[k+1], columns[k])."""
    fig = go.Figure()
    xs = list(range(len(columns)))
    # Edges: bucketed by sign and strength so a few traces carry them all.
    buckets: dict[tuple[bool, int], tuple[list, list]] = {}
    for k in range(len(columns) - 1):
        w = weights[k] if weights is not None else np.ones((columns[k + 1], columns[k]))
        scale = float(np.abs(w).max()) or 1.0
        y_from, y_to = _positions(columns[k]), _positions(columns[k + 1])
        for j in range(columns[k + 1]):
            for i in range(columns[k]):
                value = float(w[j, i])
                level = min(3, int(4 * abs(value) / scale))
                xl, yl = buckets.setdefault((value >= 0, level), ([], []))
                xl += [xs[k], xs[k + 1], None]
                yl += [y_from[i], y_to[j], None]
    for (positive, level), (xl, yl) in sorted(buckets.items()):
        color = POSITIVE if positive else NEGATIVE
        if weights is None:
            color = "#b0b7c3"
        fig.add_trace(go.Scatter(x=xl, y=yl, mode="lines", hoverinfo="skip", showlegend=False,
                                 line=dict(color=color, width=0.6 + 1.2 * level), opacity=0.35 + 0.15 * level))
    labels = column_labels or (["inputs"] + [f"layer {k}" for k in range(1, len(columns) - 1)] + ["output"])
    for k, units in enumerate(columns):
        ys = _positions(units)
        if k == 0 and input_names:
            names = [plain(n) for n in input_names]
        elif k == len(columns) - 1 and output_names:
            names = [plain(n) for n in output_names]
        else:
            names = [f"neuron {j + 1}" for j in range(units)]
        text = names if k in (0, len(columns) - 1) and (input_names if k == 0 else output_names) else None
        fig.add_trace(go.Scatter(
            x=[xs[k]] * units, y=ys, mode="markers+text" if text else "markers", showlegend=False,
            text=text, textposition="middle left" if k == 0 else "middle right", textfont=dict(size=11),
            marker=dict(size=22, color="white", line=dict(width=2, color="#444")),
            hovertext=[f"{plain(labels[k])}: {n}" for n in names], hoverinfo="text",
        ))
    top = (max(columns) - 1) / 2.0 + 0.9
    for k, label in enumerate(labels):
        fig.add_annotation(x=xs[k], y=top, text=plain(label), showarrow=False, font=dict(size=12))
    fig.update_xaxes(visible=False, range=[-0.9, len(columns) - 0.1])
    fig.update_yaxes(visible=False, range=[-top, top + 0.3])
    return base_layout(fig, height=height)


FILLS = {"input": "#eef2f8", "dense": "#dbe6fb", "conv2d": "#fde6cf", "maxpool2d": "#fdf1e4", "output": "#e2f0dd"}


def block_diagram(n_inputs, infos, input_shape=None) -> go.Figure:
    """One bar per layer, top to bottom, as wide as the layer is big (log scale), with its output
    shape and parameter count. Three traces whatever the depth (boxes, names, details): the browser
    redraws a few hundred SVG nodes per edit instead of one group per box and per label."""
    rows = [("inputs", tuple(input_shape) if input_shape else (n_inputs,), 0, "input")]
    rows += [(i.name, tuple(i.output_shape), int(i.params), i.kind) for i in infos]
    sizes = np.array([int(np.prod(r[1])) for r in rows], dtype=float)
    half = 0.08 + 0.22 * np.log1p(sizes) / np.log1p(sizes.max())
    ys = [-k for k in range(len(rows))]
    details = ["×".join(str(s) for s in shape) + (f"  ·  {params:,} params" if kind != "input" else " inputs")
               for _, shape, params, kind in rows]
    fig = go.Figure([
        go.Bar(orientation="h", y=ys, x=2 * half, base=0.32 - half, width=0.76, showlegend=False,
               marker=dict(color=[FILLS.get(r[3], "#f1f1f1") for r in rows], line=dict(color="#667", width=1)),
               hoverinfo="text", hovertext=[f"{plain(r[0])}: output {'×'.join(map(str, r[1]))}" for r in rows]),
        go.Scatter(x=[0.32] * len(rows), y=ys, mode="text", text=[plain(r[0]) for r in rows], showlegend=False,
                   textfont=dict(size=12), hoverinfo="skip"),
        go.Scatter(x=[0.66] * len(rows), y=ys, mode="text", text=details, textposition="middle right",
                   showlegend=False, textfont=dict(size=11, color="#444"), hoverinfo="skip"),
    ])
    fig.update_xaxes(visible=False, range=[0, 1])
    fig.update_yaxes(visible=False, range=[-len(rows) + 0.4, 0.6])
    return base_layout(fig, height=60 + 42 * len(rows))


def init_histograms(inits, labels: dict[str, str] | None = None, bins: int = 41, columns: int = 3) -> go.Figure:
    """One histogram per initialisation of a layer's starting weights (`inits`, a core.model.LayerInits),
    small multiples on one shared x axis, each titled with its name and spread (std); the layer's own
    initialisation is drawn in the second colour. Bars are shares of the weights (%); `bins` is made odd
    so that one bar is centred on 0."""
    bins += 1 - bins % 2
    weights = list(inits.weights)
    reach = max((float(np.abs(w.values).max()) for w in weights if w.values.size), default=0.0) or 1.0
    edges = np.linspace(-reach, reach, bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    rows = max(1, -(-len(weights) // columns))
    titles = [f"{plain((labels or {}).get(w.init, w.init))} · std {w.std:.3g}"
              + (" (this layer)" if w.init == inits.init else "") for w in weights]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, shared_xaxes="all",
                        horizontal_spacing=0.06, vertical_spacing=0.16)
    for k, w in enumerate(weights):
        counts, _ = np.histogram(w.values, bins=edges)
        share = 100.0 * counts / max(1, w.values.size)
        color = CLASS_COLORS[1] if w.init == inits.init else CLASS_COLORS[0]
        fig.add_trace(go.Bar(x=centres, y=share, width=edges[1] - edges[0], name=titles[k], showlegend=False,
                             marker=dict(color=color, line=dict(width=0)),
                             hovertemplate="weights near %{x:.3g}: %{y:.1f} %<extra>" + titles[k] + "</extra>"),
                      row=k // columns + 1, col=k % columns + 1)
    fig.update_xaxes(range=[-reach * 1.02, reach * 1.02], zeroline=False)
    fig.update_xaxes(title="starting weight", row=rows)
    fig.update_yaxes(title="% of weights", col=1, rangemode="tozero")
    fig.update_layout(bargap=0)
    base_layout(fig, height=80 + 190 * rows)
    fig.update_layout(margin=dict(t=40))
    return fig
