"""Inside the network while it learns: each layer's gradient size and how its weights spread over
time. Pure functions: logged numbers in → plotly figure out."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.common import CLASS_COLORS, legend_below

from ._plain import LEGEND_ROW_PX, decimate, empty_figure, fast_figure, fast_layout, line_trace

MAX_COLUMNS = 150        # time columns of the weight-distribution heatmap
VALUE_BINS = 40          # weight-value rows of the weight-distribution heatmap


def layer_names(labels) -> dict[str, str]:
    """Friendly names for the trainer's layer labels ('0:Linear', '2:Linear', '4:Linear').

    Layers are numbered in order; the last weighted layer is the output layer.
    """
    def index(label: str) -> int:
        head = label.split(":", 1)[0]
        return int(head) if head.isdigit() else 0
    ordered = sorted(set(labels), key=index)
    names = {}
    for k, label in enumerate(ordered):
        kind = label.split(":", 1)[-1].replace("Linear", "dense").replace("Conv2d", "conv")
        names[label] = f"output ({kind})" if k == len(ordered) - 1 and k > 0 else f"layer {k + 1} ({kind})"
    return names



def grad_norm_figure(norms: dict, *, height: int = 300) -> go.Figure:
    """Gradient size per layer over epochs (log scale). norms: {layer label: (epochs, values)}.

    Vanishing gradients show as a layer's line sinking far below the others; exploding ones as a climb.
    """
    data: list[dict] = []
    names = layer_names(norms)
    for i, label in enumerate(names):
        epochs, values = (np.asarray(a) for a in norms[label])
        keep = decimate(len(epochs))
        data.append(line_trace(epochs[keep], values[keep].astype(np.float32), names[label],
                          {"width": 1.5, "color": CLASS_COLORS[i % len(CLASS_COLORS)]},
                          "epoch %{x}<br>%{y:.3g}<extra>" + names[label] + "</extra>"))
    layout = fast_layout(height)
    if not any(len(t["x"]) for t in data):
        return empty_figure(data, layout, "Gradient sizes appear here after the first logged epoch")
    layout["xaxis"].update(title={"text": "epoch"}, rangemode="tozero")
    layout["yaxis"].update(title={"text": "gradient norm"}, type="log")
    # in a narrow column each layer's entry takes a row under the chart: the chart grows by them, so the
    # lines keep `height` worth of room
    layout["legend"] = legend_below()
    layout["height"] = height + LEGEND_ROW_PX * max(0, len(data) - 1)
    return fast_figure(data, layout)


def weight_histogram_matrix(frames, *, bins: int = VALUE_BINS, max_columns: int = MAX_COLUMNS):
    """Re-bin per-frame histograms onto one common value axis.

    frames: [(epoch, {"min", "max", "counts"})] in time order. Returns (epochs, bin centres,
    matrix [bins, columns] of the share of weights in each bin), at most max_columns columns.
    """
    if not frames:
        return np.array([]), np.array([]), np.zeros((bins, 0))
    frames = [frames[i] for i in decimate(len(frames), max_columns)]
    lo = min(f["min"] for _, f in frames)
    hi = max(f["max"] for _, f in frames)
    if hi <= lo:
        hi = lo + 1e-6
    edges = np.linspace(lo, hi, bins + 1)
    # every frame's bin centres at once, each counted into the common bin it falls in (as np.histogram
    # would: edges[i] <= centre < edges[i + 1], the last bin closed) — one bincount for all frames
    counts = [np.asarray(f["counts"], dtype=np.float64) for _, f in frames]
    sizes = np.array([len(c) for c in counts])
    widths = np.array([(f["max"] - f["min"]) / max(1, len(c)) for (_, f), c in zip(frames, counts)])
    mins = np.array([f["min"] for _, f in frames], dtype=np.float64)
    frame = np.repeat(np.arange(len(frames)), sizes)
    position = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 0.5
    centres = mins[frame] + position * widths[frame]
    row = np.clip(np.searchsorted(edges, centres, side="right") - 1, 0, bins - 1)
    out = np.bincount(frame * bins + row, weights=np.concatenate(counts) if len(counts) else None,
                      minlength=len(frames) * bins).reshape(len(frames), bins)
    totals = out.sum(axis=1, keepdims=True)
    out = np.divide(out, totals, out=out, where=totals > 0)
    return np.array([e for e, _ in frames]), (edges[:-1] + edges[1:]) / 2, out.T


def weights_figure(frames, *, layer: str = "", height: int = 300) -> go.Figure:
    """How one layer's weights are spread over time: epochs across, weight values up,
    darker = more weights there. frames: [(epoch, {"min", "max", "counts"})]."""
    data: list[dict] = []
    epochs, centres, matrix = weight_histogram_matrix(frames)
    if len(epochs):
        # a share of weights per cell; the colour saturates early so thin tails stay visible
        top = float(np.quantile(matrix, 0.98)) or 1.0
        data.append({"type": "heatmap", "x": epochs, "y": centres.astype(np.float32), "z": matrix.astype(np.float32),
                     "colorscale": [[0, "#ffffff"], [0.15, "#c6dbef"], [0.5, "#4292c6"], [1, "#08306b"]],
                     "zmin": 0, "zmax": top, "showscale": False,
                     "hovertemplate": "epoch %{x}<br>weight ≈ %{y:.3g}<br>%{z:.1%} of weights"
                                      "<extra>" + layer + "</extra>"})
    layout = fast_layout(height)
    if not len(epochs):
        return empty_figure(data, layout, "Weight distributions appear here while the network trains")
    layout["xaxis"]["title"] = {"text": "epoch"}
    layout["yaxis"]["title"] = {"text": "weight value"}
    return fast_figure(data, layout)
