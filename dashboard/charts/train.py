"""Charts of a training run: pure functions, plain arrays in → plotly figure out. No streamlit here.

Every figure is rebuilt on each live update, so they are kept light: per-step series are
decimated to at most MAX_POINTS points and histogram frames to at most MAX_COLUMNS columns,
and each figure is written as plain dicts and wrapped without plotly's property validation
(`_figure`): the same JSON as go.Scatter(...) + update_layout(...), at about a tenth of the
server's CPU. tests/test_charts_train.py checks that every figure passes plotly's validation.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sequential

from .common import CLASS_COLORS, legend_below, placeholder_text, plain

MAX_POINTS = 1000        # points per line (about two per pixel of a chart's width): a live chart is sent twice a second
MAX_COLUMNS = 150        # time columns of the weight-distribution heatmap
LEGEND_ROW_PX = 19       # a row of a legend under a chart
VALUE_BINS = 40          # weight-value rows of the weight-distribution heatmap

LOSS_COLOR = "#2f6fde"
VAL_COLOR = "#f28e2b"
LR_COLOR = "#7f7f7f"
VIRIDIS = [[i / (len(sequential.Viridis) - 1), c] for i, c in enumerate(sequential.Viridis)]   # as validation spells it


# ----------------------------------------------------------------- helpers
def ema(values, weight: float) -> np.ndarray:
    """Exponential moving average with bias correction (as TensorBoard's smoothing slider).

    weight 0 returns the values unchanged; 0.99 averages over roughly the last hundred.
    Non-finite values are skipped (they keep the previous average).
    """
    v = np.asarray(values, dtype=np.float64)
    if weight <= 0 or len(v) == 0:
        return v.copy()
    finite = np.isfinite(v)
    if finite.all():
        from scipy.signal import lfilter   # scipy ships with scikit-learn
        acc = lfilter([1 - weight], [1, -weight], v)
        # bias correction 1 - w^k: only the first steps need it (and w^k underflows slowly later)
        k = min(len(v), int(math.ceil(math.log(1e-17) / math.log(weight))) if weight < 1 else len(v))
        acc[:k] /= 1 - weight ** np.arange(1, k + 1)
        return acc
    out = np.empty_like(v)
    acc, norm = 0.0, 0.0
    for i, x in enumerate(v):
        if finite[i]:
            acc = weight * acc + (1 - weight) * x
            norm = weight * norm + (1 - weight)
        out[i] = acc / norm if norm > 0 else np.nan
    return out


def decimate(n: int, limit: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most `limit` evenly spread points of a series of n, always keeping the last."""
    if n <= limit:
        return np.arange(n)
    idx = np.linspace(0, n - 1, limit).round().astype(np.int64)
    return np.unique(idx)


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



# ----------------------------------------------------------------- plain-dict figures
def _figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, not validated property by property (plotly's
    object machinery costs ~10 ms a figure; this ~0.5 ms). The streamlit template is still applied."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _layout(height: int) -> dict:
    """Size, margins and legend. No named template: applying one costs ~12 ms a figure, too much for
    charts redrawn twice a second, and st.plotly_chart's own theme styles the chart anyway."""
    return {"height": height, "margin": {"l": 40, "r": 20, "t": 10, "b": 40},
            "legend": {"orientation": "h", "y": -0.2}, "plot_bgcolor": "white",
            "xaxis": {"gridcolor": "#eee"}, "yaxis": {"gridcolor": "#eee"}}


def _line(x, y, name: str, line: dict, hovertemplate: str, **extra) -> dict:
    return {"type": "scatter", "x": x, "y": y, "name": name, "mode": "lines", "line": line,
            "hovertemplate": hovertemplate, **extra}


def _lr_markers(layout: dict, lr_changes, steps_per_epoch: int) -> None:
    """A dashed vertical line (with a label) where the learning rate was changed."""
    for change in lr_changes or ():
        x = change["step"] / steps_per_epoch
        layout.setdefault("shapes", []).append(
            {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
             "line": {"color": LR_COLOR, "dash": "dash", "width": 1}})
        layout.setdefault("annotations", []).append(
            {"x": x, "y": 1, "yref": "paper", "yanchor": "bottom", "showarrow": False,
             "text": f"lr {change['from']:g} → {change['to']:g}", "font": {"size": 10, "color": LR_COLOR}})


def _empty(data: list[dict], layout: dict, text: str) -> go.Figure:
    layout.setdefault("annotations", []).append(
        {"text": placeholder_text(text), "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False,
         "font": {"size": 13, "color": "#888"}})
    layout["xaxis"]["visible"] = False
    layout["yaxis"]["visible"] = False
    return _figure(data, layout)


# ----------------------------------------------------------------- loss
def loss_figure(step, loss, *, train_epochs=(), train_loss=(), val_epochs=(), val_loss=(),
                steps_per_epoch: int = 1, smoothing: float = 0.8, lr_changes=(), log_y: bool = False,
                height: int = 340) -> go.Figure:
    """Loss against epochs: every step's loss (faint), its smoothed curve, and the per-epoch
    training and validation loss. lr_changes: [{step, from, to}] drawn as vertical lines.

    The x axis is in epochs; step s is drawn at s / steps_per_epoch (the end of epoch e is
    step e * steps_per_epoch).
    """
    data: list[dict] = []
    step, loss = np.asarray(step), np.asarray(loss, dtype=np.float64)
    spe = max(1, int(steps_per_epoch))
    drawn = loss
    if len(step):
        keep = decimate(len(step))
        drawn = loss[keep]
        x = (step[keep] / spe).astype(np.float32)
        data.append(_line(x, drawn.astype(np.float32), "loss per step", {"color": LOSS_COLOR, "width": 1},
                          "epoch %{x:.2f}<br>loss %{y:.4g}<extra>step</extra>", opacity=0.25))
        if smoothing > 0:
            data.append(_line(x, ema(loss, smoothing)[keep].astype(np.float32), "smoothed",
                              {"color": LOSS_COLOR, "width": 2},
                              "epoch %{x:.2f}<br>smoothed %{y:.4g}<extra></extra>"))
    for xs, ys, name, style in ((train_epochs, train_loss, "training loss (per epoch)",
                                 {"color": "#1b3f86", "width": 1.5, "dash": "dot"}),
                                (val_epochs, val_loss, "validation loss", {"color": VAL_COLOR, "width": 2})):
        xs, ys = np.asarray(xs), np.asarray(ys, dtype=np.float64)
        if len(xs):
            keep = decimate(len(xs))
            data.append(_line(xs[keep], ys[keep].astype(np.float32), name, style,
                              "epoch %{x}<br>%{y:.4g}<extra>" + name + "</extra>"))
    layout = _layout(height)
    if not data:
        return _empty(data, layout, "The loss appears here once training starts")
    _lr_markers(layout, lr_changes, spe)
    layout["xaxis"].update(title={"text": "epoch"}, rangemode="tozero")
    layout["yaxis"].update(title={"text": "loss"}, type="log" if log_y else "linear",
                           rangemode="normal" if log_y else "tozero")
    finite = drawn[np.isfinite(drawn)]           # the steps drawn: all of them, up to MAX_POINTS
    if not log_y and len(finite) > 50:
        # a few wild steps should not flatten the curve: the axis ends just above nearly all of them
        tops = [float(np.quantile(finite, 0.99))]
        tops += [float(np.nanmax(np.asarray(v, dtype=np.float64))) for v in (train_loss, val_loss) if len(v)]
        top = max(tops)
        if np.isfinite(top) and top > 0:
            layout["yaxis"]["range"] = [0, top * 1.1]
    layout["margin"]["t"] = 28
    layout["legend"] = {"orientation": "h", "y": -0.25}
    return _figure(data, layout)


def score_figure(epoch: np.ndarray, values: np.ndarray, *, metric: str, height: int = 320) -> go.Figure:
    """Validation accuracy (shown in %) or R² per logged epoch. metric: 'accuracy' or 'r2'."""
    data: list[dict] = []
    epoch, values = np.asarray(epoch), np.asarray(values, dtype=np.float64)
    label = "validation accuracy" if metric == "accuracy" else "validation R²"
    if len(epoch):
        keep = decimate(len(epoch))
        y = values[keep] * (100 if metric == "accuracy" else 1)
        data.append(_line(epoch[keep], y, label, {"color": VAL_COLOR, "width": 2},
                          "epoch %{x}<br>%{y:.3g}" + ("%" if metric == "accuracy" else "") + "<extra></extra>"))
    layout = _layout(height)
    if not len(epoch):
        return _empty(data, layout, f"The {label} appears here after the first logged epoch")
    layout["xaxis"].update(title={"text": "epoch"}, rangemode="tozero")
    if metric == "accuracy":
        layout["yaxis"].update(title={"text": "accuracy (%)"}, range=[0, 101])
    else:
        layout["yaxis"]["title"] = {"text": "R² (1 = perfect)"}
        if np.isfinite(values).any():
            layout["yaxis"]["range"] = [min(0.0, float(np.nanmin(values))) - 0.05, 1.05]
    layout["showlegend"] = False
    return _figure(data, layout)


# ----------------------------------------------------------------- decision boundary
# The plane is drawn to scale (one unit as long on both axes), so it fills its column only when the
# figure is about as tall as the column is wide: the Train page's column is ~283 px wide at 1400 px,
# which leaves a ~240-px plane; its ticks, axis titles and a two-row legend take ~80 px below it.
PLANE_HEIGHT = 320


def _tint(hex_color: str, amount: float) -> str:
    """hex_color mixed with white: amount 0 = white, 1 = the colour."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    mix = lambda c: round(255 - (255 - c) * amount)  # noqa: E731
    return f"rgb({mix(r)},{mix(g)},{mix(b)})"


def boundary_figure(grid: np.ndarray | None, extent, *, task: str, class_names=None,
                    X_train=None, y_train=None, X_test=None, y_test=None,
                    feature_names=("x1", "x2"), groups=None, group_lines=None, favourable: int = 1,
                    group_order=None, height: int = PLANE_HEIGHT) -> go.Figure:
    """The network's prediction over the plane, with the data points on top (the Playground view).

    grid: [R, R, C] from decode_boundary (rows = y from low to high, columns = x), or None
    before the first frame (only the points are drawn). extent: [(x_lo, x_hi), (y_lo, y_hi)].
    Two classes: the probability of the second class, blue → white → orange. More classes:
    the predicted class, paler where the network is unsure. Regression: the predicted value.
    groups: (train groups, test groups), one sensitive-attribute value per point: the points are
    then coloured by group, their shape tells the class. group_lines: a threshold, or one per
    group, on the probability of class `favourable`: each is drawn as the line where the network's
    decision flips for that group (in the group's colour).
    """
    if groups is not None and task != "regression":
        return group_boundary_figure(grid, extent, class_names=class_names, points=(
            (X_train, y_train, groups[0], "train"), (X_test, y_test, groups[1], "test")),
            feature_names=feature_names, lines=group_lines, favourable=favourable, order=group_order, height=height)
    data: list[dict] = []
    classes = list(class_names or [])
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(max(len(classes), 1))]
    _boundary_heat(data, grid, extent, task, classes, colors)
    for X, y, split, symbol in ((X_train, y_train, "train", "circle"), (X_test, y_test, "test", "diamond")):
        if X is None or len(X) == 0:
            continue
        X, y = np.asarray(X), np.asarray(y)
        line = {"color": "white" if split == "train" else "black", "width": 1}
        if task == "regression":
            data.append({"type": "scatter", "x": X[:, 0], "y": X[:, 1], "mode": "markers", "name": f"{split} points",
                         "marker": {"color": y, "colorscale": VIRIDIS, "size": 7, "symbol": symbol, "line": line},
                         "hovertemplate": f"{split}: %{{marker.color:.3g}}<extra></extra>"})
            continue
        for c in np.unique(y):
            m = y == c
            name = plain(classes[int(c)] if int(c) < len(classes) else str(c))
            data.append({"type": "scatter", "x": X[m, 0], "y": X[m, 1], "mode": "markers", "name": f"{name} ({split})",
                         "legendgroup": split,
                         "marker": {"color": colors[int(c) % len(colors)], "size": 7, "symbol": symbol, "line": line},
                         "hovertemplate": f"{split}: {name}<extra></extra>"})
    return _figure(data, _plane_layout(extent, feature_names, height))


GROUP_COLORS = ["#6a3d9a", "#1b9e77", "#d95f02", "#e7298a", "#66a61e", "#a6761d", "#386cb0", "#666666"]
CLASS_SYMBOLS = ["circle", "x", "triangle-up", "square", "star", "diamond", "cross", "pentagon", "hexagon", "bowtie"]



def group_boundary_figure(grid, extent, *, class_names, points, feature_names=("x1", "x2"), lines=None,
                          favourable: int = 1, order=None, height: int = PLANE_HEIGHT) -> go.Figure:
    """The boundary view for data with groups: points coloured by group, shaped by class, and the
    line where each group's decision flips (see boundary_figure). points: (X, y, groups, label)
    per set of points, label naming the set ("train", "test"…); white outline for "train".
    order: the groups in legend order (else sorted)."""
    data: list[dict] = []
    classes = list(class_names or [])
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(max(len(classes), 1))]
    _boundary_heat(data, grid, extent, "classification", classes, colors, opacity=0.45)
    present = {str(g) for _, _, gs, _ in points if gs is not None for g in np.asarray(gs, dtype=object)}
    names = [str(g) for g in order if str(g) in present] if order is not None else sorted(present)
    color_of = {g: GROUP_COLORS[i % len(GROUP_COLORS)] for i, g in enumerate(names)}
    if grid is not None and extent is not None and lines is not None and grid.shape[2] >= 2:
        res = grid.shape[0]
        xs = np.linspace(extent[0][0], extent[0][1], res)
        ys = np.linspace(extent[1][0], extent[1][1], grid.shape[1])
        z = grid[:, :, favourable]
        fav = plain(classes[favourable]) if favourable < len(classes) else str(favourable)
        per_group = isinstance(lines, dict)
        for g, t in (lines.items() if per_group else [("all groups", lines)]):
            t = float(t)
            if not z.min() < t < z.max():
                continue                      # the decision never flips on this plane
            color = color_of.get(str(g), "#222222") if per_group else "#222222"
            data.append({"type": "contour", "x": xs, "y": ys, "z": z, "showscale": False, "hoverinfo": "skip",
                         "contours": {"start": t, "end": t, "size": 1, "coloring": "none"},
                         "line": {"color": color, "width": 3, "dash": "solid" if per_group else "dash"},
                         "name": f"{plain(g)}: P({fav}) = {t:.2f}", "showlegend": True})
    for X, y, gs, split in points:
        if X is None or len(X) == 0 or gs is None:
            continue
        X, y, gs = np.asarray(X), np.asarray(y), np.asarray(gs, dtype=object).astype(str)
        line = {"color": "white" if split == "train" else "black", "width": 1}
        for g in names:
            m = np.flatnonzero(gs == g)
            if not len(m):
                continue
            m = m[np.argsort(y[m], kind="stable")]      # first class first: a legend shows the first marker
            label = plain(g)
            symbols = [CLASS_SYMBOLS[int(c) % len(CLASS_SYMBOLS)] for c in y[m]]
            text = [plain(classes[int(c)]) if int(c) < len(classes) else str(c) for c in y[m]]
            data.append({"type": "scatter", "x": X[m, 0], "y": X[m, 1], "mode": "markers", "name": f"{label} ({split})",
                         "legendgroup": split, "text": text,
                         "marker": {"color": color_of[g], "size": 7 if split == "train" else 8, "symbol": symbols,
                                    "line": line, "opacity": 0.85},
                         # the name, not the template, carries the group: a '%{' in it stays text
                         "hovertemplate": "%{fullData.name}: class %{text}<extra></extra>"})
    for k, cls in enumerate(classes):          # legend entries for the shapes
        data.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": f"class {plain(cls)}",
                     "marker": {"color": "#777777", "size": 8, "symbol": CLASS_SYMBOLS[k % len(CLASS_SYMBOLS)]}})
    return _figure(data, _plane_layout(extent, feature_names, height))


def _plane_layout(extent, feature_names, height: int) -> dict:
    layout = _layout(height)
    if extent is not None:
        layout["xaxis"]["range"] = list(extent[0])
        layout["yaxis"]["range"] = list(extent[1])
    # small ticks and titles close to them: the square plane gets the column's width
    axis = {"showgrid": False, "zeroline": False, "constrain": "domain", "tickfont": {"size": 10}}
    layout["xaxis"].update(title={"text": plain(feature_names[0]), "standoff": 4, "font": {"size": 12}}, **axis)
    layout["yaxis"].update(title={"text": plain(feature_names[1]), "standoff": 2, "font": {"size": 12}}, scaleanchor="x",
                           scaleratio=1, **axis)
    layout["margin"] = {"l": 20, "r": 4, "t": 4, "b": 20}
    layout["legend"] = legend_below(font={"size": 11})
    return layout


def _boundary_heat(data: list, grid, extent, task: str, classes: list, colors: list, opacity: float = 1.0) -> None:
    """The prediction over the plane as a heatmap, appended to `data` (nothing before the first grid)."""
    if grid is not None and extent is not None:
        res = grid.shape[0]
        xs = np.linspace(extent[0][0], extent[0][1], res)
        ys = np.linspace(extent[1][0], extent[1][1], grid.shape[1] if grid.ndim > 1 else res)
        # "best" would re-interpolate every pixel on each redraw
        heat = {"type": "heatmap", "x": xs, "y": ys, "showscale": False, "zsmooth": "fast"}
        if task == "regression":
            heat.update(z=grid[:, :, 0], colorscale=VIRIDIS, zmin=0, zmax=1, opacity=0.55,
                        hovertemplate="x %{x:.2f}, y %{y:.2f}<extra>prediction (scaled 0–1)</extra>")
        elif grid.shape[2] == 2:
            scale = [[0, _tint(colors[0], 0.55)], [0.5, "rgb(255,255,255)"], [1, _tint(colors[1], 0.55)]]
            name = plain(classes[1]) if len(classes) > 1 else "class 1"
            heat.update(z=grid[:, :, 1], colorscale=scale, zmin=0, zmax=1,
                        hovertemplate=f"x %{{x:.2f}}, y %{{y:.2f}}<br>P({name}) = %{{z:.2f}}<extra></extra>")
        else:
            # z = predicted class + confidence (0..1) → each class gets its own band of the colour scale
            k = grid.shape[2]
            pred = grid.argmax(axis=2)
            conf = (grid.max(axis=2) - 1 / k) / (1 - 1 / k)
            z = pred + np.clip(conf, 0, 0.999)
            scale = []
            for c in range(k):
                scale += [[c / k, _tint(colors[c % len(colors)], 0.08)],
                          [(c + 1) / k - 1e-6 if c < k - 1 else 1.0, _tint(colors[c % len(colors)], 0.6)]]
            heat.update(z=z, colorscale=scale, zmin=0, zmax=k, zsmooth=False,
                        hovertemplate="x %{x:.2f}, y %{y:.2f}<extra></extra>")
        if opacity < 1:
            heat["opacity"] = min(opacity, heat.get("opacity", 1.0))
        data.append(heat)


# ----------------------------------------------------------------- inside the network
def grad_norm_figure(norms: dict, *, height: int = 300) -> go.Figure:
    """Gradient size per layer over epochs (log scale). norms: {layer label: (epochs, values)}.

    Vanishing gradients show as a layer's line sinking far below the others; exploding ones as a climb.
    """
    data: list[dict] = []
    names = layer_names(norms)
    for i, label in enumerate(names):
        epochs, values = (np.asarray(a) for a in norms[label])
        keep = decimate(len(epochs))
        data.append(_line(epochs[keep], values[keep].astype(np.float32), names[label],
                          {"width": 1.5, "color": CLASS_COLORS[i % len(CLASS_COLORS)]},
                          "epoch %{x}<br>%{y:.3g}<extra>" + names[label] + "</extra>"))
    layout = _layout(height)
    if not any(len(t["x"]) for t in data):
        return _empty(data, layout, "Gradient sizes appear here after the first logged epoch")
    layout["xaxis"].update(title={"text": "epoch"}, rangemode="tozero")
    layout["yaxis"].update(title={"text": "gradient norm"}, type="log")
    # in a narrow column each layer's entry takes a row under the chart: the chart grows by them, so the
    # lines keep `height` worth of room
    layout["legend"] = legend_below()
    layout["height"] = height + LEGEND_ROW_PX * max(0, len(data) - 1)
    return _figure(data, layout)


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
    layout = _layout(height)
    if not len(epochs):
        return _empty(data, layout, "Weight distributions appear here while the network trains")
    layout["xaxis"]["title"] = {"text": "epoch"}
    layout["yaxis"]["title"] = {"text": "weight value"}
    return _figure(data, layout)


# ----------------------------------------------------------------- fairness over training
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
        data.append(_line(epochs[keep], values[keep].astype(np.float32), label,
                          {"color": FAIR_GAP_COLORS[name], "width": 2},
                          "epoch %{x}<br>largest gap in " + what + ": %{y:.3f}<extra>" + label + "</extra>"))
    layout = _layout(height)
    if not data:
        return _empty(data, layout, "The gaps between groups appear here after the first evaluated epoch")
    layout["xaxis"].update(title={"text": "epoch"}, rangemode="tozero")
    layout["yaxis"].update(title={"text": "gap (0 = equal)"}, range=[0, max(0.1, min(1.0, top * 1.15))])
    layout["legend"] = {"orientation": "h", "y": -0.3}
    return _figure(data, layout)


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
        data.append(_line(epochs[keep], (values[keep] * scale).astype(np.float32), str(group),
                          {"color": CLASS_COLORS[i % len(CLASS_COLORS)], "width": 2},
                          "epoch %{x}<br>%{y:.3g}" + ("%" if scale == 100 else "") + "<extra>" + str(group)
                          + "</extra>"))
    layout = _layout(height)
    if not data:
        return _empty(data, layout, "Each group's numbers appear here after the first evaluated epoch")
    layout["xaxis"].update(title={"text": "epoch"}, rangemode="tozero")
    layout["yaxis"]["title"] = {"text": title}
    if scale == 100:
        layout["yaxis"]["range"] = [0, 101]
    else:
        layout["yaxis"]["rangemode"] = "tozero"
    # the groups' names are short: above the chart, clear of the axis title
    layout["legend"] = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}
    layout["margin"]["t"] = 30
    return _figure(data, layout)


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
    layout = _layout(height)
    if not len(epochs):
        return _empty(data, layout, "Accuracy against fairness appears here after the first evaluated epoch")
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
    return _figure(data, layout)


# ----------------------------------------------------------------- progress
def progress_text(epoch: int, epochs: int, samples_per_second: float | None, n_train: int) -> tuple[float, str]:
    """(fraction done, 'Epoch 120 / 3000 · 4,100 samples/s · about 35 s left')."""
    epochs = max(1, int(epochs))
    frac = min(1.0, max(0.0, epoch / epochs))
    parts = [f"Epoch {epoch:,} / {epochs:,}"]
    if samples_per_second and samples_per_second > 0 and math.isfinite(samples_per_second):
        parts.append(f"{samples_per_second:,.0f} samples/s")
        left = (epochs - epoch) * n_train / samples_per_second
        if epoch < epochs:
            parts.append(f"about {format_seconds(left)} left")
    return frac, " · ".join(parts)


def format_seconds(s: float) -> str:
    s = max(0.0, float(s))
    if s < 60:
        return f"{s:.0f} s"
    if s < 3600:
        return f"{s // 60:.0f} min {s % 60:02.0f} s"
    return f"{s // 3600:.0f} h {(s % 3600) // 60:02.0f} min"
