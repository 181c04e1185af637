"""Charts of the Evaluate page: pure functions, data in, plotly figure out."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.common import CLASS_COLORS, base_layout, plain, use_template


def confusion_matrix(confusion: np.ndarray, class_names: list[str], title: str | None = None) -> go.Figure:
    """Rows: the true class; columns: the predicted class; each cell shows the count and the row's share."""
    cm = np.asarray(confusion)
    names = [plain(c) for c in class_names]
    totals = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, totals, out=np.zeros(cm.shape, dtype=float), where=totals > 0)
    small = len(names) <= 6
    text = [[f"{cm[i, j]}<br>{share[i, j]:.0%}" if small else str(cm[i, j]) for j in range(len(names))]
            for i in range(len(names))]
    fig = go.Figure(go.Heatmap(
        z=share.tolist(), x=names, y=names, text=text, texttemplate="%{text}", textfont=dict(size=15 if small else 11), colorscale="Blues", zmin=0, zmax=1,
        showscale=False, xgap=2, ygap=2,
        customdata=cm.tolist(), hovertemplate="true %{y}, predicted %{x}: %{customdata} rows (%{z:.0%} of the true class)"
                                     "<extra></extra>"))
    fig.update_xaxes(title="predicted class", type="category", side="bottom")
    fig.update_yaxes(title="true class", type="category", autorange="reversed")
    side = min(560, max(320, 44 * len(names) + 120))
    base_layout(fig, title, height=side)
    fig.update_layout(margin=dict(l=60, r=20, t=40 if title else 10, b=50))
    return fig


def _curve_figure(curves, kind: str) -> go.Figure:
    fig = go.Figure()
    if kind == "roc":
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="random guess",
                                 line=dict(color="#999", dash="dot", width=1), hoverinfo="skip"))
    for i, c in enumerate(curves):
        label = f"class {plain(c.label)}"
        name = f"{label} (AUC {c.auc:.3f})" if kind == "roc" else f"{label} (AP {c.auc:.3f})"
        shape = "hv" if kind == "roc" else "vh"
        fig.add_trace(go.Scatter(x=c.x, y=c.y, mode="lines", name=name, line=dict(color=CLASS_COLORS[i % 10], shape=shape),
                                 hovertemplate=("false-positive rate %{x:.2f}, true-positive rate %{y:.2f}"
                                                if kind == "roc" else "recall %{x:.2f}, precision %{y:.2f}")
                                 + f"<extra>{label}</extra>"))
    if kind == "roc":
        fig.update_xaxes(title="false-positive rate (wrongly flagged)", range=[0, 1])
        fig.update_yaxes(title="true-positive rate (recall)", range=[0, 1.02])
    else:
        fig.update_xaxes(title="recall (share of the class found)", range=[0, 1])
        fig.update_yaxes(title="precision (flags that are right)", range=[0, 1.02])
    return fig


def roc_curves(curves, title: str | None = "ROC curve", point: tuple[float, float] | None = None) -> go.Figure:
    """ROC curves (one per class against the rest); `point` marks the chosen threshold (binary tasks)."""
    fig = _curve_figure(curves, "roc")
    if point is not None:
        fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="your threshold",
                                 marker=dict(size=11, color="#e15759", line=dict(color="white", width=1.5))))
    return base_layout(fig, title, height=_curves_height(fig))


def _curves_height(fig: go.Figure) -> int:
    """Taller with more curves: the legend below takes a row per two entries, and the curves keep their room."""
    entries = sum(1 for t in fig.data if t.showlegend is not False)
    return 340 + 22 * max(2, -(-entries // 2))


def pr_curves(curves, title: str | None = "Precision–recall curve", point: tuple[float, float] | None = None) -> go.Figure:
    """Precision–recall curves; the dotted line of each class is what random guessing would give."""
    fig = _curve_figure(curves, "pr")
    if len(curves) == 1:
        fig.add_hline(y=curves[0].baseline, line=dict(color="#999", dash="dot", width=1),
                      annotation_text="random guess", annotation_position="bottom right")
    if point is not None:
        fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="your threshold",
                                 marker=dict(size=11, color="#e15759", line=dict(color="white", width=1.5))))
    return base_layout(fig, title, height=_curves_height(fig))


def predicted_vs_actual(y_true, y_pred, target: str = "target", title: str | None = None) -> go.Figure:
    """Each row as a dot; on the dashed y = x line the prediction is exact."""
    y, p = np.asarray(y_true, float), np.asarray(y_pred, float)
    lo, hi = float(min(y.min(), p.min())), float(max(y.max(), p.max()))
    pad = (hi - lo) * 0.03 or 1.0
    fig = go.Figure([
        go.Scatter(x=[lo - pad, hi + pad], y=[lo - pad, hi + pad], mode="lines", name="perfect (y = x)",
                   line=dict(color="#999", dash="dash", width=1), hoverinfo="skip"),
        go.Scatter(x=y, y=p, mode="markers", name="rows", marker=dict(color=CLASS_COLORS[0], size=7, opacity=0.7),
                   hovertemplate="actual %{x:.4g}, predicted %{y:.4g}<extra></extra>"),
    ])
    fig.update_xaxes(title=f"actual {plain(target)}", range=[lo - pad, hi + pad])
    fig.update_yaxes(title=f"predicted {plain(target)}", range=[lo - pad, hi + pad])
    return base_layout(fig, title, height=400)


def residuals(y_true, y_pred, target: str = "target", title: str | None = None) -> go.Figure:
    """Residual (actual − predicted) against the prediction; a good model scatters evenly around 0."""
    y, p = np.asarray(y_true, float), np.asarray(y_pred, float)
    fig = go.Figure(go.Scatter(x=p, y=y - p, mode="markers", name="rows",
                               marker=dict(color=CLASS_COLORS[1], size=7, opacity=0.7),
                               hovertemplate="predicted %{x:.4g}, actual − predicted %{y:.4g}<extra></extra>"))
    fig.add_hline(y=0, line=dict(color="#999", dash="dash", width=1))
    fig.update_xaxes(title=f"predicted {plain(target)}")
    fig.update_yaxes(title="actual − predicted")
    return base_layout(fig, title, height=400)


def image_grid(images: np.ndarray, captions: list[str], columns: int = 6) -> go.Figure:
    """Small grey-scale images (e.g. 8×8 digits) in a grid of `columns` columns, each titled by its caption."""
    n = len(images)
    cols = max(1, columns)            # a full row's width even for a few images: every image the same size
    rows = max(1, -(-n // cols))
    height = 170 * rows + 30
    # room for a caption between two rows of images, as a share of the plot's height (any number of rows)
    spacing = min(0.12, 40 / (height - 40)) if rows > 1 else 0.05
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[plain(c) for c in captions],
                        horizontal_spacing=0.02, vertical_spacing=spacing)
    vmax = float(np.max(images)) if n else 1.0
    for k, img in enumerate(images):
        fig.add_trace(go.Heatmap(z=img, colorscale="Greys", zmin=0, zmax=vmax or 1.0, showscale=False,
                                 hovertemplate="pixel (%{y}, %{x}) = %{z}<extra></extra>"),
                      row=k // cols + 1, col=k % cols + 1)
    fig.update_xaxes(visible=False, scaleanchor=None)
    fig.update_yaxes(visible=False, autorange="reversed")
    for ann in fig.layout.annotations:
        ann.font.size = 12
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10))
    return use_template(fig)
