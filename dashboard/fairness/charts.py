"""Charts of the Fairness page: pure functions, data in, plotly figure out."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.common import CLASS_COLORS, base_layout, plain
from dashboard.charts.labels import place_labels, text_size

GREEN, RED, GREY = "#2e8b57", "#b03a48", "#888888"
PLAIN = {"displayModeBar": False}          # how the page shows every chart: no toolbar


def _whiskers(table: pd.DataFrame, key: str) -> dict:
    v = table[key].to_numpy(float)
    lo, hi = table.get(f"{key}_lo"), table.get(f"{key}_hi")
    if lo is None or hi is None:
        return {}
    lo, hi = lo.to_numpy(float), hi.to_numpy(float)
    return dict(type="data", symmetric=False, array=np.nan_to_num(np.clip(hi - v, 0, None)),
                arrayminus=np.nan_to_num(np.clip(v - lo, 0, None)), color="#222", thickness=1.3, width=5)


def selection_rates(table: pd.DataFrame, favourable: str, overall: float | None = None) -> go.Figure:
    """Share of each group predicted favourable, with its 95 % bootstrap interval as whiskers; small groups
    drawn paler; a dashed line at the rate over all rows."""
    names = [plain(n) for n in table.index]
    small = table["small"].to_numpy(bool) if "small" in table else np.zeros(len(table), bool)
    fig = go.Figure(go.Bar(
        y=names, x=table["selection_rate"], orientation="h", error_x=_whiskers(table, "selection_rate"),
        marker=dict(color=CLASS_COLORS[0], opacity=[0.45 if s else 0.9 for s in small]),
        customdata=np.stack([table["count"].to_numpy(), table.get("selection_rate_lo", table["selection_rate"]),
                             table.get("selection_rate_hi", table["selection_rate"])], axis=1),
        hovertemplate="%{y}: %{x:.1%} predicted " + plain(favourable)
                      + "<br>95% interval %{customdata[1]:.1%}–%{customdata[2]:.1%}<br>%{customdata[0]} rows"
                        "<extra></extra>"))
    if overall is not None and np.isfinite(overall):
        fig.add_vline(x=float(overall), line_dash="dash", line_color="#555",
                      annotation_text=f"all rows {overall:.0%}", annotation_position="top")
    fig.update_xaxes(range=[0, 1.05], tickformat=".0%", title=f"share predicted {plain(favourable)!s}")
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, f"Selection rate per group ('{plain(favourable)}')", height=120 + 36 * len(names))


def error_rates(table: pd.DataFrame) -> go.Figure:
    """True-positive and false-positive rate per group, side by side, with their intervals."""
    names = [plain(n) for n in table.index]
    fig = go.Figure()
    for key, label, color in (("tpr", "TPR (truly favourable, recognised)", CLASS_COLORS[2]),
                              ("fpr", "FPR (not favourable, wrongly favoured)", CLASS_COLORS[3])):
        fig.add_trace(go.Bar(y=names, x=table[key], name=label, orientation="h", marker_color=color,
                             error_x=_whiskers(table, key),
                             hovertemplate="%{y}: %{x:.1%}<extra>" + key.upper() + "</extra>"))
    fig.update_layout(barmode="group")
    fig.update_xaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, "True- and false-positive rates per group", height=150 + 50 * len(names))


def threshold_sweep(sweep: pd.DataFrame, current: float | None = None) -> go.Figure:
    """Accuracy and the demographic parity / equalized odds differences against the global threshold."""
    fig = go.Figure()
    for key, label, color, dash in (("accuracy", "accuracy", CLASS_COLORS[0], None),
                                    ("demographic_parity_difference", "DP difference", CLASS_COLORS[1], None),
                                    ("equalized_odds_difference", "EO difference", CLASS_COLORS[3], "dot")):
        fig.add_trace(go.Scatter(x=sweep["threshold"], y=sweep[key], name=label, mode="lines+markers",
                                 line=dict(color=color, dash=dash), marker=dict(size=5),
                                 hovertemplate="threshold %{x:.2f}: %{y:.3f}<extra>" + label + "</extra>"))
    if current is not None:
        fig.add_vline(x=float(current), line_dash="dash", line_color="#555",
                      annotation_text=f"now {current:.2f}", annotation_position="top")
    fig.update_xaxes(title="decision threshold (all groups)", range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    return base_layout(fig, "Accuracy and disparities as the threshold moves", height=360)


def proxies(table: pd.DataFrame, top: int = 10) -> go.Figure:
    """Mutual information (bits) between each column and the group, largest first."""
    t = table.head(top)
    fig = go.Figure(go.Bar(y=[plain(c) for c in t["column"]], x=t["mutual_information_bits"], orientation="h",
                           marker_color=CLASS_COLORS[4],
                           hovertemplate="%{y}: %{x:.3f} bits<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="mutual information with the group (bits)", rangemode="tozero")
    return base_layout(fig, "Columns that carry the group (possible proxies)", height=120 + 28 * len(t))


def shap_gaps(gaps: pd.DataFrame, top: int = 8, unit: str = "log-odds") -> go.Figure:
    """Mean SHAP value of each column per group (positive pushes towards the favourable label), the
    columns whose push differs most between groups first; `unit` names the values on the axis."""
    t = gaps.head(top)
    groups = [c for c in t.columns if c != "gap"]
    fig = go.Figure()
    for k, g in enumerate(groups):
        fig.add_trace(go.Bar(y=[plain(c) for c in t.index], x=t[g], name=plain(g), orientation="h",
                             marker_color=CLASS_COLORS[k % len(CLASS_COLORS)],
                             hovertemplate="%{y}: %{x:.3f}<extra>" + plain(g) + "</extra>"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=f"mean SHAP value in the group · {plain(unit)}", zeroline=True, zerolinecolor="#999")
    return base_layout(fig, "Where the groups are pushed differently", height=160 + 30 * len(t) * max(1, len(groups)) // 2)


KIND_COLORS = {"original": "#222222", "threshold": CLASS_COLORS[1], "training": CLASS_COLORS[2]}
KIND_LABELS = {"original": "this run", "threshold": "group thresholds", "training": "retrained"}
# The Pareto chart's plot area on the Fairness page (half the width at 1400 px, 420 px high), in pixels:
# where its labels are placed so that none covers another. A little smaller than it is drawn.
PARETO_PLOT_PX = (380.0, 270.0)
LABEL_FONT_PX = 11


def _pareto_front(pts: pd.DataFrame, x: str) -> list:
    """The variants no other beats on both fairness (lower x) and accuracy, fairest first."""
    front, best = [], -np.inf
    for _, r in pts.sort_values([x, "accuracy"], ascending=[True, False]).iterrows():
        if r["accuracy"] > best:
            front.append(r)
            best = r["accuracy"]
    return front


def _ranges(pts: pd.DataFrame, x: str) -> tuple[list[float], list[float]]:
    """Axis ranges with room around the points for their labels."""
    xmax = float(pts[x].max()) if len(pts) else 1.0
    xmax = xmax if np.isfinite(xmax) and xmax > 0 else 1.0
    lo, hi = (float(pts["accuracy"].min()), float(pts["accuracy"].max())) if len(pts) else (0.0, 1.0)
    pad = max(0.12 * (hi - lo), 0.01)
    return [-0.04 * xmax, 1.1 * xmax], [lo - pad, hi + pad]


def _label_points(fig: go.Figure, pts: pd.DataFrame, x: str, xr, yr) -> None:
    """Each variant's name beside its point, moved (with a line to the point) where names would collide."""
    w, h = PARETO_PLOT_PX
    px = [((r[x] - xr[0]) / (xr[1] - xr[0]) * w, (1 - (r["accuracy"] - yr[0]) / (yr[1] - yr[0])) * h)
          for _, r in pts.iterrows()]
    names = [str(n) for n in pts["name"]]
    placed = place_labels(px, [text_size(n, LABEL_FONT_PX) for n in names], w, h)
    for (_, r), name, ((dx, dy), moved) in zip(pts.iterrows(), names, placed):
        fig.add_annotation(x=r[x], y=r["accuracy"], text=plain(name), ax=dx, ay=dy, showarrow=True, arrowhead=0,
                           arrowwidth=1, arrowcolor="#bbbbbb" if moved else "rgba(0,0,0,0)", standoff=7,
                           font=dict(size=LABEL_FONT_PX, color="#555555"))


def pareto(points: pd.DataFrame, x: str, x_label: str) -> go.Figure:
    """Accuracy against a disparity, one point per variant (name, kind, accuracy, x); the best trade-offs
    (no other variant both fairer and more accurate) joined by a line. Every point carries its name,
    placed where it covers no other name."""
    fig = go.Figure()
    pts = points.dropna(subset=[x, "accuracy"]).reset_index(drop=True)
    front = _pareto_front(pts, x)
    if len(front) > 1:
        fig.add_trace(go.Scatter(x=[r[x] for r in front], y=[r["accuracy"] for r in front], mode="lines",
                                 line=dict(color="#bbbbbb", dash="dot"), name="best trade-offs", hoverinfo="skip",
                                 legendrank=len(KIND_LABELS) + 1))
    for kind in ("threshold", "training", "original"):     # this run last: its open diamond stays on top
        sub = pts[pts["kind"] == kind]
        if not len(sub):
            continue
        marker = (dict(size=15, color=KIND_COLORS[kind], symbol="diamond-open", line=dict(width=2.5))
                  if kind == "original" else dict(size=11, color=KIND_COLORS[kind], symbol="circle"))
        fig.add_trace(go.Scatter(
            x=sub[x], y=sub["accuracy"], mode="markers", name=KIND_LABELS[kind], text=[plain(n) for n in sub["name"]],
            marker=marker, legendrank=list(KIND_LABELS).index(kind) + 1,
            hovertemplate="%{text}<br>" + x_label + " %{x:.3f}<br>accuracy %{y:.1%}<extra></extra>"))
    xr, yr = _ranges(pts, x)
    _label_points(fig, pts, x, xr, yr)
    fig.update_xaxes(title=f"{x_label} (lower is fairer)", range=xr)
    fig.update_yaxes(title="accuracy", tickformat=".0%", range=yr)
    return base_layout(fig, "Fairness against accuracy, one point per variant", height=420)
