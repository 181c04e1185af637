"""The loss over training (every step, smoothed, per epoch, validation; learning-rate changes marked)
and the validation score. Pure functions: arrays in → plotly figure out."""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ._plain import VAL_COLOR, decimate, empty_figure, fast_figure, fast_layout, line_trace

LOSS_COLOR = "#2f6fde"
LR_COLOR = "#7f7f7f"
MARK_COLOR = "#c62828"


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


def _diagnosis_markers(layout: dict, marks) -> None:
    """A dotted red line, labelled at its foot, at each epoch a diagnosis points at (e.g. where divergence began)."""
    for mark in marks or ():
        layout.setdefault("shapes", []).append(
            {"type": "line", "x0": mark["epoch"], "x1": mark["epoch"], "xref": "x", "y0": 0, "y1": 1,
             "yref": "y domain", "line": {"color": MARK_COLOR, "dash": "dot", "width": 2}})
        layout.setdefault("annotations", []).append(
            {"x": mark["epoch"], "y": 0.02, "yref": "y domain", "xanchor": "left", "showarrow": False,
             "text": mark["text"], "font": {"size": 11, "color": MARK_COLOR}})


def loss_figure(step, loss, *, train_epochs=(), train_loss=(), val_epochs=(), val_loss=(),
                steps_per_epoch: int = 1, smoothing: float = 0.8, lr_changes=(), log_y: bool = False,
                height: int = 340, marks=()) -> go.Figure:
    """Loss against epochs: every step's loss (faint), its smoothed curve, and the per-epoch
    training and validation loss. lr_changes: [{step, from, to}] drawn as vertical lines; marks: [{epoch,
    text}] the epochs a diagnosis points at.

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
        data.append(line_trace(x, drawn.astype(np.float32), "loss per step", {"color": LOSS_COLOR, "width": 1},
                          "epoch %{x:.2f}<br>loss %{y:.4g}<extra>step</extra>", opacity=0.25))
        if smoothing > 0:
            data.append(line_trace(x, ema(loss, smoothing)[keep].astype(np.float32), "smoothed",
                              {"color": LOSS_COLOR, "width": 2},
                              "epoch %{x:.2f}<br>smoothed %{y:.4g}<extra></extra>"))
    for xs, ys, name, style in ((train_epochs, train_loss, "training loss (per epoch)",
                                 {"color": "#1b3f86", "width": 1.5, "dash": "dot"}),
                                (val_epochs, val_loss, "validation loss", {"color": VAL_COLOR, "width": 2})):
        xs, ys = np.asarray(xs), np.asarray(ys, dtype=np.float64)
        if len(xs):
            keep = decimate(len(xs))
            data.append(line_trace(xs[keep], ys[keep].astype(np.float32), name, style,
                              "epoch %{x}<br>%{y:.4g}<extra>" + name + "</extra>"))
    layout = fast_layout(height)
    if not data:
        return empty_figure(data, layout, "The loss appears here once training starts")
    _lr_markers(layout, lr_changes, spe)
    _diagnosis_markers(layout, marks)
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
    return fast_figure(data, layout)


def score_figure(epoch: np.ndarray, values: np.ndarray, *, metric: str, height: int = 320) -> go.Figure:
    """Validation accuracy (shown in %) or R² per logged epoch. metric: 'accuracy' or 'r2'."""
    data: list[dict] = []
    epoch, values = np.asarray(epoch), np.asarray(values, dtype=np.float64)
    label = "validation accuracy" if metric == "accuracy" else "validation R²"
    if len(epoch):
        keep = decimate(len(epoch))
        y = values[keep] * (100 if metric == "accuracy" else 1)
        data.append(line_trace(epoch[keep], y, label, {"color": VAL_COLOR, "width": 2},
                          "epoch %{x}<br>%{y:.3g}" + ("%" if metric == "accuracy" else "") + "<extra></extra>"))
    layout = fast_layout(height)
    if not len(epoch):
        return empty_figure(data, layout, f"The {label} appears here after the first logged epoch")
    layout["xaxis"].update(title={"text": "epoch"}, rangemode="tozero")
    if metric == "accuracy":
        layout["yaxis"].update(title={"text": "accuracy (%)"}, range=[0, 101])
    else:
        layout["yaxis"]["title"] = {"text": "R² (1 = perfect)"}
        if np.isfinite(values).any():
            layout["yaxis"]["range"] = [min(0.0, float(np.nanmin(values))) - 0.05, 1.05]
    layout["showlegend"] = False
    return fast_figure(data, layout)
