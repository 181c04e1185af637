"""Charts of a training run: pure functions, plain arrays in → plotly figure out. No streamlit here.

Every figure is rebuilt on each live update, so they are kept light: per-step series are
decimated to at most MAX_POINTS points and histogram frames to at most MAX_COLUMNS columns.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from .common import CLASS_COLORS

MAX_POINTS = 2000        # points per line of a per-step series
MAX_COLUMNS = 150        # time columns of the weight-distribution heatmap
VALUE_BINS = 40          # weight-value rows of the weight-distribution heatmap

LOSS_COLOR = "#2f6fde"
VAL_COLOR = "#f28e2b"
LR_COLOR = "#7f7f7f"


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


def _layout(fig: go.Figure, height: int) -> go.Figure:
    """Size, margins and legend. No named template: applying one costs ~12 ms a figure, too much for
    charts redrawn twice a second, and st.plotly_chart's own theme styles the chart anyway."""
    fig.update_layout(height=height, margin=dict(l=40, r=20, t=10, b=40), legend=dict(orientation="h", y=-0.2),
                      plot_bgcolor="white", xaxis=dict(gridcolor="#eee"), yaxis=dict(gridcolor="#eee"))
    return fig


def _lr_markers(fig: go.Figure, lr_changes, steps_per_epoch: int) -> None:
    """A dashed vertical line (with a label) where the learning rate was changed."""
    for change in lr_changes or ():
        x = change["step"] / steps_per_epoch
        fig.add_vline(x=x, line=dict(color=LR_COLOR, dash="dash", width=1))
        fig.add_annotation(x=x, y=1, yref="paper", yanchor="bottom", showarrow=False,
                           text=f"lr {change['from']:g} → {change['to']:g}",
                           font=dict(size=10, color=LR_COLOR))


def _empty(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=13, color="#888"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


# ----------------------------------------------------------------- loss
def loss_figure(step, loss, *, train_epochs=(), train_loss=(), val_epochs=(), val_loss=(),
                steps_per_epoch: int = 1, smoothing: float = 0.8, lr_changes=(), log_y: bool = False,
                height: int = 340) -> go.Figure:
    """Loss against epochs: every step's loss (faint), its smoothed curve, and the per-epoch
    training and validation loss. lr_changes: [{step, from, to}] drawn as vertical lines.

    The x axis is in epochs; step s is drawn at s / steps_per_epoch (the end of epoch e is
    step e * steps_per_epoch).
    """
    fig = go.Figure()
    step, loss = np.asarray(step), np.asarray(loss, dtype=np.float64)
    spe = max(1, int(steps_per_epoch))
    if len(step):
        keep = decimate(len(step))
        x = (step[keep] / spe).astype(np.float32)
        fig.add_trace(go.Scatter(x=x, y=loss[keep].astype(np.float32), name="loss per step", mode="lines",
                                 line=dict(color=LOSS_COLOR, width=1), opacity=0.25,
                                 hovertemplate="epoch %{x:.2f}<br>loss %{y:.4g}<extra>step</extra>"))
        if smoothing > 0:
            fig.add_trace(go.Scatter(x=x, y=ema(loss, smoothing)[keep].astype(np.float32), name="smoothed", mode="lines",
                                     line=dict(color=LOSS_COLOR, width=2),
                                     hovertemplate="epoch %{x:.2f}<br>smoothed %{y:.4g}<extra></extra>"))
    for xs, ys, name, style in ((train_epochs, train_loss, "training loss (per epoch)",
                                 dict(color="#1b3f86", width=1.5, dash="dot")),
                                (val_epochs, val_loss, "validation loss", dict(color=VAL_COLOR, width=2))):
        xs, ys = np.asarray(xs), np.asarray(ys, dtype=np.float64)
        if len(xs):
            keep = decimate(len(xs))
            fig.add_trace(go.Scatter(x=xs[keep], y=ys[keep].astype(np.float32), name=name, mode="lines", line=style,
                                     hovertemplate="epoch %{x}<br>%{y:.4g}<extra>" + name + "</extra>"))
    _layout(fig, height)
    if not fig.data:
        return _empty(fig, "The loss appears here once training starts")
    _lr_markers(fig, lr_changes, spe)
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    fig.update_yaxes(title_text="loss", type="log" if log_y else "linear", rangemode="normal" if log_y else "tozero")
    finite = loss[np.isfinite(loss)]
    if not log_y and len(finite) > 50:
        # a few wild steps should not flatten the curve: the axis ends just above nearly all of them
        tops = [float(np.quantile(finite, 0.99))]
        tops += [float(np.nanmax(np.asarray(v, dtype=np.float64))) for v in (train_loss, val_loss) if len(v)]
        top = max(tops)
        if np.isfinite(top) and top > 0:
            fig.update_yaxes(range=[0, top * 1.1])
    fig.update_layout(margin=dict(t=28), legend=dict(orientation="h", y=-0.25))
    return fig


def score_figure(epoch: np.ndarray, values: np.ndarray, *, metric: str, height: int = 320) -> go.Figure:
    """Validation accuracy (shown in %) or R² per logged epoch. metric: 'accuracy' or 'r2'."""
    fig = go.Figure()
    epoch, values = np.asarray(epoch), np.asarray(values, dtype=np.float64)
    label = "validation accuracy" if metric == "accuracy" else "validation R²"
    if len(epoch):
        keep = decimate(len(epoch))
        y = values[keep] * (100 if metric == "accuracy" else 1)
        fig.add_trace(go.Scatter(x=epoch[keep], y=y, name=label, mode="lines",
                                 line=dict(color=VAL_COLOR, width=2),
                                 hovertemplate="epoch %{x}<br>%{y:.3g}" + ("%" if metric == "accuracy" else "")
                                 + "<extra></extra>"))
    _layout(fig, height)
    if not len(epoch):
        return _empty(fig, f"The {label} appears here after the first logged epoch")
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    if metric == "accuracy":
        fig.update_yaxes(title_text="accuracy (%)", range=[0, 101])
    else:
        fig.update_yaxes(title_text="R² (1 = perfect)", range=[min(0.0, float(np.nanmin(values))) - 0.05, 1.05]
                         if np.isfinite(values).any() else None)
    fig.update_layout(showlegend=False, margin=dict(t=10))
    return fig


# ----------------------------------------------------------------- decision boundary
def _tint(hex_color: str, amount: float) -> str:
    """hex_color mixed with white: amount 0 = white, 1 = the colour."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    mix = lambda c: round(255 - (255 - c) * amount)  # noqa: E731
    return f"rgb({mix(r)},{mix(g)},{mix(b)})"


def boundary_figure(grid: np.ndarray | None, extent, *, task: str, class_names=None,
                    X_train=None, y_train=None, X_test=None, y_test=None,
                    feature_names=("x1", "x2"), height: int = 420) -> go.Figure:
    """The network's prediction over the plane, with the data points on top (the Playground view).

    grid: [R, R, C] from decode_boundary (rows = y from low to high, columns = x), or None
    before the first frame (only the points are drawn). extent: [(x_lo, x_hi), (y_lo, y_hi)].
    Two classes: the probability of the second class, blue → white → orange. More classes:
    the predicted class, paler where the network is unsure. Regression: the predicted value.
    """
    fig = go.Figure()
    classes = list(class_names or [])
    colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(max(len(classes), 1))]
    if grid is not None and extent is not None:
        res = grid.shape[0]
        xs = np.linspace(extent[0][0], extent[0][1], res)
        ys = np.linspace(extent[1][0], extent[1][1], grid.shape[1] if grid.ndim > 1 else res)
        common = dict(x=xs, y=ys, showscale=False, zsmooth="fast")   # "best" re-interpolates every pixel on each redraw
        if task == "regression":
            fig.add_trace(go.Heatmap(z=grid[:, :, 0], colorscale="Viridis", zmin=0, zmax=1, opacity=0.55,
                                     hovertemplate="x %{x:.2f}, y %{y:.2f}<extra>prediction (scaled 0–1)</extra>",
                                     **common))
        elif grid.shape[2] == 2:
            scale = [[0, _tint(colors[0], 0.55)], [0.5, "rgb(255,255,255)"], [1, _tint(colors[1], 0.55)]]
            name = classes[1] if len(classes) > 1 else "class 1"
            fig.add_trace(go.Heatmap(z=grid[:, :, 1], colorscale=scale, zmin=0, zmax=1,
                                     hovertemplate=f"x %{{x:.2f}}, y %{{y:.2f}}<br>P({name}) = %{{z:.2f}}<extra></extra>",
                                     **common))
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
            common["zsmooth"] = False
            fig.add_trace(go.Heatmap(z=z, colorscale=scale, zmin=0, zmax=k,
                                     hovertemplate="x %{x:.2f}, y %{y:.2f}<extra></extra>", **common))
    for X, y, split, symbol in ((X_train, y_train, "train", "circle"), (X_test, y_test, "test", "diamond")):
        if X is None or len(X) == 0:
            continue
        X, y = np.asarray(X), np.asarray(y)
        line = dict(color="white" if split == "train" else "black", width=1)
        if task == "regression":
            fig.add_trace(go.Scatter(x=X[:, 0], y=X[:, 1], mode="markers", name=f"{split} points",
                                     marker=dict(color=y, colorscale="Viridis", size=7, symbol=symbol, line=line),
                                     hovertemplate=f"{split}: %{{marker.color:.3g}}<extra></extra>"))
            continue
        for c in np.unique(y):
            m = y == c
            name = classes[int(c)] if int(c) < len(classes) else str(c)
            fig.add_trace(go.Scatter(x=X[m, 0], y=X[m, 1], mode="markers", name=f"{name} ({split})",
                                     legendgroup=split,
                                     marker=dict(color=colors[int(c) % len(colors)], size=7, symbol=symbol, line=line),
                                     hovertemplate=f"{split}: {name}<extra></extra>"))
    _layout(fig, height)
    if extent is not None:
        fig.update_xaxes(range=list(extent[0]))
        fig.update_yaxes(range=list(extent[1]))
    fig.update_xaxes(title_text=feature_names[0], showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(title_text=feature_names[1], showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1,
                     constrain="domain")
    fig.update_layout(margin=dict(l=30, r=10, t=10, b=30), legend=dict(orientation="h", y=-0.12, font=dict(size=11)))
    return fig


# ----------------------------------------------------------------- inside the network
def grad_norm_figure(norms: dict, *, height: int = 300) -> go.Figure:
    """Gradient size per layer over epochs (log scale). norms: {layer label: (epochs, values)}.

    Vanishing gradients show as a layer's line sinking far below the others; exploding ones as a climb.
    """
    fig = go.Figure()
    names = layer_names(norms)
    for i, label in enumerate(names):
        epochs, values = (np.asarray(a) for a in norms[label])
        keep = decimate(len(epochs))
        fig.add_trace(go.Scatter(x=epochs[keep], y=values[keep].astype(np.float32), name=names[label],
                                 mode="lines", line=dict(width=1.5, color=CLASS_COLORS[i % len(CLASS_COLORS)]),
                                 hovertemplate="epoch %{x}<br>%{y:.3g}<extra>" + names[label] + "</extra>"))
    _layout(fig, height)
    if not any(len(t.x) for t in fig.data):
        return _empty(fig, "Gradient sizes appear here after the first logged epoch")
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    fig.update_yaxes(title_text="gradient norm", type="log")
    fig.update_layout(legend=dict(orientation="h", y=-0.3))
    return fig


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
    out = np.zeros((bins, len(frames)))
    for j, (_, f) in enumerate(frames):
        counts = np.asarray(f["counts"], dtype=np.float64)
        width = (f["max"] - f["min"]) / len(counts)
        centres = f["min"] + (np.arange(len(counts)) + 0.5) * width
        h, _ = np.histogram(centres, bins=edges, weights=counts)
        total = h.sum()
        out[:, j] = h / total if total > 0 else h
    return np.array([e for e, _ in frames]), (edges[:-1] + edges[1:]) / 2, out


def weights_figure(frames, *, layer: str = "", height: int = 300) -> go.Figure:
    """How one layer's weights are spread over time: epochs across, weight values up,
    darker = more weights there. frames: [(epoch, {"min", "max", "counts"})]."""
    fig = go.Figure()
    epochs, centres, matrix = weight_histogram_matrix(frames)
    if len(epochs):
        # a share of weights per cell; the colour saturates early so thin tails stay visible
        top = float(np.quantile(matrix, 0.98)) or 1.0
        fig.add_trace(go.Heatmap(x=epochs, y=centres.astype(np.float32), z=matrix.astype(np.float32),
                                 colorscale=[[0, "#ffffff"], [0.15, "#c6dbef"], [0.5, "#4292c6"], [1, "#08306b"]],
                                 zmin=0, zmax=top, showscale=False,
                                 hovertemplate="epoch %{x}<br>weight ≈ %{y:.3g}<br>%{z:.1%} of weights"
                                               "<extra>" + layer + "</extra>"))
    _layout(fig, height)
    if not len(epochs):
        return _empty(fig, "Weight distributions appear here while the network trains")
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="weight value")
    fig.update_layout(margin=dict(t=10))
    return fig


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
