"""The network as TensorFlow Playground draws it: nodes in columns (inputs, hidden layers, outputs), each
neuron a small picture of its own output over the plane, the edges blue for a positive weight and orange
for a negative one, thicker the larger |weight|. And, for networks too big to draw, each layer's weight size
over training. Pure functions: a decoded 'network' frame (core.training.NetworkFrame) in → plotly figure out.
"""
from __future__ import annotations

import numpy as np

from ._plain import empty_figure, fast_figure, fast_layout, line_trace

POSITIVE, NEGATIVE = "#0877bd", "#f59322"
# a neuron's picture: orange where it outputs its most negative, white at 0, blue at its most positive
NEURON_SCALE = [[0.0, NEGATIVE], [0.5, "#ffffff"], [1.0, POSITIVE]]
WIDTH_BINS = 6           # edges drawn in this many thicknesses a sign (one trace each, not one per edge)
BOX = 0.62               # a neuron's picture, in column widths
ROW_PX = 62              # height of one node's row


def _positions(sizes: list[int]) -> list[np.ndarray]:
    """Each column's node centres (y), the column centred on the tallest."""
    tallest = max(sizes)
    return [np.arange(n, dtype=float) - (n - 1) / 2 + (tallest - 1) / 2 for n in sizes]


def _input_grids(frame) -> np.ndarray:
    """The input nodes' pictures: x1 and x2 themselves over the plane."""
    ((x0, x1), (y0, y1)), r = frame.extent, frame.res
    xs, ys = np.meshgrid(np.linspace(x0, x1, r), np.linspace(y0, y1, r))
    return np.stack([xs, ys])


def _neuron_trace(grid: np.ndarray, cx: float, cy: float, name: str, box: float) -> dict:
    m = float(np.abs(grid).max()) or 1.0
    r = grid.shape[0]
    return {"type": "heatmap", "z": np.round(grid, 4), "x": np.linspace(cx - box / 2, cx + box / 2, r),
            "y": np.linspace(cy - box / 2, cy + box / 2, r), "zmin": -m, "zmax": m, "colorscale": NEURON_SCALE,
            "showscale": False, "name": name, "hovertemplate": name + ": %{z:.3g}<extra></extra>"}


def _edge_traces(frame, ys) -> list[dict]:
    """Every weight as a line from its input node to its unit, binned by sign and size into a few traces;
    plus invisible points in the middle of each edge that name the weight on hover."""
    edges = [(k, i, j, float(w[j, i])) for k, w in enumerate(frame.weights)
             for j in range(w.shape[0]) for i in range(w.shape[1])]
    top = max((abs(e[3]) for e in edges), default=1.0) or 1.0
    traces, mids = [], ([], [], [])
    for sign, color in ((1, POSITIVE), (-1, NEGATIVE)):
        for b in range(WIDTH_BINS):
            x, y = [], []
            for k, i, j, w in edges:
                if (w >= 0) == (sign > 0) and min(int(abs(w) / top * WIDTH_BINS), WIDTH_BINS - 1) == b:
                    x += [k + BOX / 2, k + 1 - BOX / 2, None]
                    y += [ys[k][i], ys[k + 1][j], None]
            if x:
                traces.append({"type": "scatter", "x": x, "y": y, "mode": "lines", "hoverinfo": "skip",
                               "showlegend": False, "line": {"color": color, "width": 0.4 + 1.1 * b},
                               "opacity": 0.35 + 0.1 * b})
    for k, i, j, w in edges:
        mids[0].append(k + 0.5)
        mids[1].append((ys[k][i] + ys[k + 1][j]) / 2)
        mids[2].append(f"weight {_node(k, i, len(frame.sizes))} → {_node(k + 1, j, len(frame.sizes))}: {w:.3g}")
    traces.append({"type": "scatter", "x": mids[0], "y": mids[1], "text": mids[2], "mode": "markers",
                   "marker": {"size": 6, "opacity": 0}, "hovertemplate": "%{text}<extra></extra>", "showlegend": False})
    return traces


def _node(column: int, unit: int, columns: int) -> str:
    if column == 0:
        return f"x{unit + 1}"
    if column == columns - 1:
        return f"output {unit + 1}"
    return f"layer {column} unit {unit + 1}"


def network_figure(frame, *, point: tuple[float, float] | None = None, height: int | None = None):
    """The network of a decoded frame; `point` (x1, x2), when given, is marked on every neuron's picture."""
    sizes, columns = frame.sizes, len(frame.sizes)
    ys = _positions(sizes)
    data = _edge_traces(frame, ys)
    pictures = [_input_grids(frame)] + list(frame.grids)
    marks = ([], [])
    (x0, x1), (y0, y1) = frame.extent
    for k, grids in enumerate(pictures):
        for u, grid in enumerate(grids):
            data.append(_neuron_trace(grid, k, ys[k][u], _node(k, u, columns), BOX))
            if point is not None:
                marks[0].append(k - BOX / 2 + BOX * (point[0] - x0) / ((x1 - x0) or 1))
                marks[1].append(ys[k][u] - BOX / 2 + BOX * (point[1] - y0) / ((y1 - y0) or 1))
    if point is not None:
        data.append({"type": "scatter", "x": marks[0], "y": marks[1], "mode": "markers", "hoverinfo": "skip",
                     "showlegend": False, "marker": {"size": 7, "color": "#111", "symbol": "x-thin",
                                                      "line": {"width": 2, "color": "#111"}}})
    layout = fast_layout(height or max(220, ROW_PX * max(sizes) + 50))
    heads = ["inputs"] + [f"layer {k}" for k in range(1, columns - 1)] + ["output"]
    layout["xaxis"].update(visible=True, showgrid=False, zeroline=False, range=[-0.5, columns - 0.5],
                           tickmode="array", tickvals=list(range(columns)),
                           ticktext=[f"{h}<br>{frame.acts[k - 1] if k else ''}" for k, h in enumerate(heads)],
                           side="top", fixedrange=True)
    layout["yaxis"].update(visible=False, range=[max(sizes) - 0.5, -0.5], fixedrange=True,
                           scaleanchor="x", scaleratio=1)
    layout["margin"] = {"l": 10, "r": 10, "t": 40, "b": 10}
    return fast_figure(data, layout)


def layer_size_figure(norms: dict, names: dict, *, height: int = 300):
    """Each layer's weight size (norm) over epochs: the picture of the insides of a network too big to draw.
    norms: {layer label: (epochs, values)}; names: {label: friendly name}."""
    data = [line_trace(np.asarray(e), np.asarray(v, np.float32), names.get(label, label), {"width": 1.5},
                       "epoch %{x}<br>%{y:.3g}<extra>" + names.get(label, label) + "</extra>")
            for label, (e, v) in norms.items()]
    layout = fast_layout(height)
    if not any(len(t["x"]) for t in data):
        return empty_figure(data, layout, "Each layer's weight size appears here after the first logged epoch")
    layout["xaxis"].update(title={"text": "epoch"}, rangemode="tozero")
    layout["yaxis"].update(title={"text": "weight norm"})
    return fast_figure(data, layout)
