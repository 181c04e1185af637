"""Charts of the Explain page: pure functions, plain arrays in → plotly figure out. No streamlit here.

Colours follow one rule on every chart: red pushes the explained output up, blue pushes it down
(as in shap's own plots); on the beeswarm, red is a high column value and blue a low one.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.common import CLASS_COLORS, base_layout, plain

UP = "#e15759"          # raises the output
DOWN = "#2f6fde"        # lowers the output
NEUTRAL = "#8c8c8c"
PLAIN = {"displayModeBar": False}                           # how the page shows every chart: no toolbar
VALUE_SCALE = [[0.0, DOWN], [0.5, "#b59ad6"], [1.0, UP]]     # low → high column value
SIGNED_OVERLAY = [[0.0, "rgba(47,111,222,1)"], [0.5, "rgba(255,255,255,0)"], [1.0, "rgba(225,87,89,1)"]]
# negative → 0 (transparent) → positive attribution, drawn over a grey image


def _fmt(v: float) -> str:
    return f"{v:+.3g}"


# ----------------------------------------------------------------- global
def importance_bars(importance: dict[str, float], xlabel: str = "mean |SHAP value|", title: str | None = None,
                    max_bars: int = 30) -> go.Figure:
    """Mean |attribution| per column, largest at the top; at most `max_bars` bars (the largest)."""
    items = sorted(importance.items(), key=lambda kv: -kv[1])[:max_bars]
    names = [plain(k) for k, _ in items]
    values = [float(v) for _, v in items]
    fig = go.Figure(go.Bar(x=values, y=names, orientation="h", marker_color=CLASS_COLORS[0],
                           text=[f"{v:.3g}" for v in values], textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{x:.4g}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=plain(xlabel), rangemode="tozero")
    base_layout(fig, title, height=max(220, 26 * len(items) + 90))
    fig.update_layout(margin=dict(l=10, r=40, t=40 if title else 10, b=40))
    return fig


def _swarm_offsets(x: np.ndarray, bins: int = 60, spread: float = 0.38) -> np.ndarray:
    """Vertical offsets that stack dots with nearly equal x side by side (a beeswarm), within ±spread."""
    n = len(x)
    if n == 0:
        return np.zeros(0)
    lo, hi = float(np.min(x)), float(np.max(x))
    width = (hi - lo) / bins or 1.0
    which = np.floor((x - lo) / width).astype(np.int64)
    offsets = np.zeros(n)
    counts = np.bincount(which)
    step = spread / max(1.0, float(counts.max()) / 2)
    for b in np.nonzero(counts > 1)[0]:
        members = np.nonzero(which == b)[0]
        k = np.arange(len(members))
        # 0, +1, -1, +2, -2, … times the step: the densest bin fills the whole ±spread band
        offsets[members] = np.where(k % 2 == 1, (k + 1) // 2, -(k // 2)) * step
    return offsets


def beeswarm(values: np.ndarray, features: list[str], colour: np.ndarray, hover_values=None,
             xlabel: str = "SHAP value", title: str | None = None, max_features: int = 12) -> go.Figure:
    """Every row a dot per column: x = its attribution, colour = the column's value (0 low … 1 high).

    values, colour: [n, p]; colour already normalised per column (NaN: no value scale, drawn grey);
    hover_values: [n, p] texts of the original values for the tooltip. The `max_features` most
    important columns are drawn, the most important at the top."""
    values = np.asarray(values, float)
    colour = np.asarray(colour, float)
    order = np.argsort(-np.abs(values).mean(0), kind="stable")[:max_features] if values.size else []
    xs, ys, cs, texts = [], [], [], []
    for pos, j in enumerate(order):
        x = values[:, j]
        xs.append(x)
        ys.append(pos + _swarm_offsets(x))
        cs.append(np.where(np.isfinite(colour[:, j]), colour[:, j], 0.5))
        name = plain(features[j])
        shown = hover_values[:, j] if hover_values is not None else colour[:, j]
        texts.append([f"{name} = {plain(v)}" for v in shown])
    fig = go.Figure()
    if len(order):
        fig.add_trace(go.Scattergl(
            x=np.concatenate(xs), y=np.concatenate(ys), mode="markers", name="rows",
            marker=dict(size=6, color=np.concatenate(cs), colorscale=VALUE_SCALE, cmin=0, cmax=1, opacity=0.85,
                        colorbar=dict(title=dict(text="column value", side="right"), tickvals=[0, 1],
                                      ticktext=["low", "high"], thickness=12, len=0.8)),
            text=sum(texts, []), hovertemplate="%{text}<br>SHAP %{x:+.4g}<extra></extra>"))
    fig.add_vline(x=0, line=dict(color=NEUTRAL, width=1))
    fig.update_yaxes(tickvals=list(range(len(order))), ticktext=[plain(features[j]) for j in order],
                     autorange="reversed", zeroline=False, showgrid=False)
    fig.update_xaxes(title=plain(xlabel))
    base_layout(fig, title, height=max(260, 38 * len(order) + 100))
    fig.update_layout(showlegend=False, margin=dict(l=10, r=10, t=40 if title else 10, b=40))
    return fig


def dependence(x, shap_values, feature: str, *, categories: list[str] | None = None, colour=None,
               colour_name: str | None = None, colour_categories: list[str] | None = None,
               ylabel: str = "SHAP value", title: str | None = None) -> go.Figure:
    """A column's attribution against its value, each row a dot, optionally coloured by a second column.

    x: the column's values (category indices when `categories` is given: drawn as jittered bands);
    colour: the second column's values (category indices when `colour_categories` is given)."""
    x = np.asarray(x, float)
    y = np.asarray(shap_values, float)
    xx = x
    if categories is not None:
        xx = x + np.random.default_rng(0).uniform(-0.18, 0.18, len(x))
    marker: dict = dict(size=7, opacity=0.8, color=CLASS_COLORS[0])
    hover = f"{plain(feature)} = %{{customdata[0]}}<br>SHAP %{{y:+.4g}}"
    shown_x = [categories[int(v)] if categories is not None else f"{v:.4g}" for v in x]
    custom = [[plain(s)] for s in shown_x]
    if colour is not None and colour_name is not None:
        c = np.asarray(colour, float)
        if colour_categories is not None:
            marker.update(color=[CLASS_COLORS[int(v) % len(CLASS_COLORS)] for v in c])
            shown_c = [colour_categories[int(v)] for v in c]
        else:
            marker.update(color=c, colorscale=VALUE_SCALE,
                          colorbar=dict(title=dict(text=plain(colour_name), side="right"), thickness=12, len=0.8))
            shown_c = [f"{v:.4g}" for v in c]
        custom = [[a, plain(b)] for (a,), b in zip(custom, shown_c)]
        hover += f"<br>{plain(colour_name)} = %{{customdata[1]}}"
    fig = go.Figure(go.Scattergl(x=xx, y=y, mode="markers", marker=marker, customdata=custom, name="rows",
                                 showlegend=False, hovertemplate=hover + "<extra></extra>"))
    if colour_categories is not None and colour is not None:
        for i, name in enumerate(colour_categories):          # a legend of the colour column's categories
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=plain(name),
                                     marker=dict(size=8, color=CLASS_COLORS[i % len(CLASS_COLORS)])))
    fig.add_hline(y=0, line=dict(color=NEUTRAL, width=1))
    if categories is not None:
        fig.update_xaxes(tickvals=list(range(len(categories))), ticktext=[plain(c) for c in categories])
    fig.update_xaxes(title=plain(feature))
    fig.update_yaxes(title=plain(ylabel))
    base_layout(fig, title, height=380)
    fig.update_layout(showlegend=colour_categories is not None and colour is not None)
    return fig


def pixel_maps(panels: list[dict], columns: int = 5) -> go.Figure:
    """Images and per-pixel maps side by side, each panel square.

    Each panel: {"title", "map" (or None), "image" (or None), "signed" (default True)}. A signed map
    is red where a pixel raises the output and blue where it lowers it, transparent near zero so
    the grey image under it shows through, on a scale symmetric around 0 per panel; an unsigned
    map (e.g. mean |SHAP|) is shaded blue from 0 up. A panel with an image and no map is the image."""
    cols = max(1, min(columns, len(panels)))
    rows = -(-len(panels) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[plain(p["title"]) for p in panels],
                        horizontal_spacing=0.03, vertical_spacing=0.12 if rows > 1 else 0.05)
    for k, panel in enumerate(panels):
        r, c = k // cols + 1, k % cols + 1
        image, m = panel.get("image"), panel.get("map")
        if image is not None:
            image = np.asarray(image, float)
            top = float(np.max(image)) or 1.0
            fig.add_trace(go.Heatmap(z=image, colorscale="Greys", zmin=0, zmax=top, showscale=False,
                                     opacity=1.0 if m is None else 0.45, name="image",
                                     hovertemplate="pixel (%{y}, %{x}) = %{z:.3g}<extra></extra>"), row=r, col=c)
        if m is None:
            continue
        m = np.asarray(m, float)
        if panel.get("signed", True):
            lim = float(np.max(np.abs(m))) or 1.0
            fig.add_trace(go.Heatmap(z=m, colorscale=SIGNED_OVERLAY, zmin=-lim, zmax=lim, showscale=False,
                                     name="attribution",
                                     hovertemplate="pixel (%{y}, %{x}): %{z:+.3g}<extra></extra>"), row=r, col=c)
        else:
            fig.add_trace(go.Heatmap(z=m, colorscale="Blues", zmin=0, showscale=False, name="importance",
                                     hovertemplate="pixel (%{y}, %{x}): %{z:.3g}<extra></extra>"), row=r, col=c)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", constrain="domain")
    for k in range(len(panels)):                 # square pixels in every panel
        suffix = "" if k == 0 else str(k + 1)
        fig.layout[f"yaxis{suffix}"].scaleanchor = f"x{suffix}"
    for ann in fig.layout.annotations:
        ann.font.size = 12
    fig.update_layout(height=250 * rows + 40, margin=dict(l=10, r=10, t=40, b=10), template="plotly_white")
    return fig


def _padded(lo: float, hi: float, share: float = 0.18) -> list[float]:
    """An axis range around [lo, hi] with room for the bars' value labels."""
    span = (hi - lo) or max(abs(hi), 1.0)
    return [lo - share * span, hi + share * span]


# ----------------------------------------------------------------- one row
def waterfall(base: float, contributions: list[tuple[str, float]], prediction: float, xlabel: str,
              title: str | None = None, max_items: int = 10) -> go.Figure:
    """From the base value (the average output) through each column's push to this row's output.

    contributions: (label, value) per column, e.g. ("age = 31", +0.42); the largest |value| come
    first and the rest are summed into one "other columns" step. A gap left by a non-additive
    method is shown as its own step, so the last bar is always the model's real output."""
    items = sorted(contributions, key=lambda kv: -abs(kv[1]))
    shown = items[:max_items]
    rest = items[max_items:]
    if rest:
        shown.append((f"{len(rest)} other columns", float(sum(v for _, v in rest))))
    gap = float(prediction - base - sum(v for _, v in items))
    if abs(gap) > 1e-6 * max(1.0, abs(prediction)):
        shown.append(("not accounted for by this method", gap))
    labels = ["average output (base)"] + [plain(k) for k, _ in shown] + ["this row's output"]
    values = [float(base)] + [float(v) for _, v in shown] + [float(prediction)]
    text = [f"{base:.3g}"] + [_fmt(v) for _, v in shown] + [f"{prediction:.3g}"]
    fig = go.Figure(go.Waterfall(
        orientation="h", y=labels, x=values, measure=["absolute"] + ["relative"] * len(shown) + ["total"],
        text=text, textposition="outside", cliponaxis=False,
        increasing=dict(marker=dict(color=UP)), decreasing=dict(marker=dict(color=DOWN)),
        totals=dict(marker=dict(color=NEUTRAL)), connector=dict(line=dict(color="#bbbbbb", width=1)),
        hovertemplate="%{y}: %{text}<extra></extra>"))
    running = np.cumsum([float(base)] + [float(v) for _, v in shown])
    fig.update_yaxes(autorange="reversed", type="category")
    # the axis spans the walk, not 0 … base: small pushes on a large base stay visible
    fig.update_xaxes(title=plain(xlabel), range=_padded(float(min(running.min(), prediction)),
                                                 float(max(running.max(), prediction))))
    base_layout(fig, title, height=max(260, 30 * len(labels) + 90))
    fig.update_layout(showlegend=False, margin=dict(l=10, r=40, t=40 if title else 10, b=40))
    return fig


def lime_bars(labels: list[str], weights, errors=None, xlabel: str = "LIME weight", title: str | None = None,
              max_bars: int = 10) -> go.Figure:
    """LIME's weight per column (labelled by its rule, e.g. "age <= 30"), largest |weight| at the top;
    `errors` (the spread over seeds) draws error bars."""
    w = np.asarray(weights, float)
    order = np.argsort(-np.abs(w), kind="stable")[:max_bars]
    err = None if errors is None else np.asarray(errors, float)[order]
    fig = go.Figure(go.Bar(
        x=w[order], y=[plain(labels[j]) for j in order], orientation="h",
        marker_color=[UP if w[j] > 0 else DOWN for j in order],
        error_x=dict(type="data", array=err, color="#333", thickness=1.5, width=4) if err is not None else None,
        text=[_fmt(w[j]) for j in order], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:+.4g}<extra></extra>"))
    fig.add_vline(x=0, line=dict(color=NEUTRAL, width=1))
    fig.update_yaxes(autorange="reversed", type="category")
    shown = w[order] if len(order) else np.zeros(1)
    reach = np.abs(shown) + (err if err is not None else 0)
    lo = float(min(0.0, (shown - (err if err is not None else 0)).min()))
    hi = float(max(0.0, (shown + (err if err is not None else 0)).max()))
    fig.update_xaxes(title=plain(xlabel), range=_padded(lo, hi, 0.25) if reach.max() > 0 else None)
    base_layout(fig, title, height=max(260, 30 * len(order) + 90))
    fig.update_layout(showlegend=False, margin=dict(l=10, r=40, t=40 if title else 10, b=40))
    return fig


# ----------------------------------------------------------------- over training
def bump_chart(epochs: list[int], ranks: dict[str, list[int]], top: int = 8, title: str | None = None) -> go.Figure:
    """Each column's importance rank (1 = most important) at each saved epoch; the `top` columns of the
    last epoch are drawn, each line labelled at its end."""
    final = sorted(ranks, key=lambda c: ranks[c][-1])[:top]
    fig = go.Figure()
    for i, name in enumerate(final):
        colour = CLASS_COLORS[i % len(CLASS_COLORS)]
        safe = plain(name)
        fig.add_trace(go.Scatter(x=list(epochs), y=ranks[name], mode="lines+markers", name=safe,
                                 line=dict(color=colour, width=3), marker=dict(size=9),
                                 hovertemplate=f"epoch %{{x}}: {safe} ranked %{{y}}<extra></extra>"))
        fig.add_annotation(x=epochs[-1], y=ranks[name][-1], text=safe, showarrow=False, xanchor="left",
                           xshift=10, font=dict(color=colour, size=12))
    worst = max((max(ranks[c]) for c in final), default=1)
    fig.update_yaxes(title="importance rank (1 = most important)", dtick=1, range=[worst + 0.5, 0.5])
    fig.update_xaxes(title="epoch", tickvals=list(epochs))
    base_layout(fig, title, height=max(320, 34 * min(worst, 20) + 120))
    fig.update_layout(showlegend=False, margin=dict(l=40, r=160, t=40 if title else 10, b=40))
    return fig
