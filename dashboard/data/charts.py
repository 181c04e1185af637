"""The Data page's pictures of a dataset: 2-D scatter, digit images, class balance / target histogram.

Pure functions: a core.data.Dataset in, a plotly figure out. Names that come from the
user (columns, class labels) are escaped, so plotly shows them as text.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.common import CLASS_COLORS, CLASS_SYMBOLS, GROUP_COLORS, base_layout, plain

SPLIT_LABELS = {"train": "training", "val": "validation", "test": "test"}
SPLIT_SYMBOLS = {"train": "circle", "val": "diamond-open", "test": "x"}
SPLIT_SHADES = {"train": 1.0, "val": 0.65, "test": 0.4}     # the class balance bars: training rows darkest


def _split_of_rows(dataset) -> np.ndarray:
    split = np.empty(len(dataset.raw), dtype=object)
    for name in ("train", "val", "test"):
        split[getattr(dataset, f"idx_{name}")] = name
    return split


def _targets(dataset) -> np.ndarray:
    """The target of every raw row, as class ids (classification) or numbers (regression)."""
    y = np.empty(len(dataset.raw), dtype=np.float64)
    for name in ("train", "val", "test"):
        y[getattr(dataset, f"idx_{name}")] = getattr(dataset, f"y_{name}")
    return y


def scatter_2d(dataset, height: int = 460, groups=None, group_title: str = "", group_order=None) -> go.Figure:
    """The points of a 2-D dataset in their own units: colour = class (or value), marker = split.
    With `groups` (a classification set's group of every raw row, e.g. from a sensitive column):
    colour = group, marker = class; `group_order` lists the groups in legend order (else sorted)."""
    x_name, y_name = dataset.original_columns[:2]
    xs = dataset.raw[x_name].to_numpy(dtype=np.float64)
    ys = dataset.raw[y_name].to_numpy(dtype=np.float64)
    split = _split_of_rows(dataset)
    target = _targets(dataset)
    fig = go.Figure()
    if groups is not None and dataset.task == "classification":
        _points_by_group(fig, dataset, xs, ys, split, target, groups, group_title, group_order)
    else:
        _points_by_class(fig, dataset, xs, ys, split, target)
    fig.update_xaxes(title=plain(x_name), zeroline=False)
    fig.update_yaxes(title=plain(y_name), zeroline=False, scaleanchor="x", scaleratio=1)
    return base_layout(fig, height=height)


def _points_by_group(fig, dataset, xs, ys, split, target, groups, group_title, group_order) -> None:
    """Colour = the row's group, marker = its class; legend entries for the groups, then the shapes."""
    groups = np.asarray(groups, dtype=object).astype(str)
    for i, g in enumerate(group_order or sorted(set(groups))):
        # the group's rows, first class first: a legend shows a trace's first marker
        mask = np.flatnonzero(groups == g)
        mask = mask[np.argsort(target[mask], kind="stable")]
        fig.add_trace(go.Scatter(
            x=xs[mask], y=ys[mask], mode="markers", name=f"{plain(group_title)} {plain(g)}".strip(),
            marker=dict(color=GROUP_COLORS[i % len(GROUP_COLORS)], size=7, opacity=0.8,
                        symbol=[CLASS_SYMBOLS[int(k) % len(CLASS_SYMBOLS)] for k in target[mask]]),
            customdata=np.column_stack([[plain(dataset.class_names[int(k)]) for k in target[mask]], split[mask]]),
            hovertemplate="(%{x:.2f}, %{y:.2f}) class %{customdata[0]}, %{customdata[1]}"
                          "<extra>%{fullData.name}</extra>",
        ))
    for k, cls in enumerate(dataset.class_names):   # legend entries for the marker shapes
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"class {plain(cls)}",
                                 marker=dict(color="#777", size=8, symbol=CLASS_SYMBOLS[k % len(CLASS_SYMBOLS)])))


def _points_by_class(fig, dataset, xs, ys, split, target) -> None:
    """Colour = the row's class (or value), marker = its split; legend entries for the splits' shapes."""
    symbols = [SPLIT_SYMBOLS[s] for s in split]
    if dataset.task == "classification":
        for k, cls in enumerate(dataset.class_names):
            mask = target == k
            fig.add_trace(go.Scatter(
                x=xs[mask], y=ys[mask], mode="markers", name=f"class {plain(cls)}",
                marker=dict(color=CLASS_COLORS[k % len(CLASS_COLORS)], size=7, opacity=0.8,
                            symbol=[s for s, m in zip(symbols, mask) if m], line=dict(width=0.5, color="white")),
                customdata=split[mask], hovertemplate="(%{x:.2f}, %{y:.2f}) %{customdata}<extra>%{fullData.name}</extra>",
            ))
    else:
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=plain(dataset.target), showlegend=False,
            marker=dict(color=target, colorscale="RdBu", reversescale=True, size=7, symbol=symbols,
                        colorbar=dict(title=plain(dataset.target), thickness=12)),
            customdata=np.column_stack([target, split]),
            hovertemplate="(%{x:.2f}, %{y:.2f}) value %{customdata[0]:.3f}, %{customdata[1]}<extra></extra>",
        ))
    for name, symbol in SPLIT_SYMBOLS.items():   # legend entries for the marker shapes
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{SPLIT_LABELS[name]} rows",
                                 marker=dict(color="#777", size=8, symbol=symbol)))


def image_grid(dataset, count: int = 24, columns: int = 8) -> go.Figure:
    """The first `count` training images, each titled with its label."""
    channels, h, w = dataset.image_shape
    n = min(count, len(dataset.X_train))
    rows = max(1, -(-n // columns))
    titles = [f"{plain(dataset.class_names[int(c)])}" if dataset.class_names else "" for c in dataset.y_train[:n]]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.01,
                        vertical_spacing=0.06)
    images = dataset.X_train[:n].reshape(n, channels, h, w)[:, 0]
    for i in range(n):
        fig.add_trace(go.Heatmap(z=images[i][::-1], colorscale="Greys", showscale=False, zmin=0, zmax=1,
                                 hovertemplate="pixel (%{x}, %{y}) = %{z:.2f}<extra></extra>"),
                      row=i // columns + 1, col=i % columns + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    base_layout(fig, height=110 * rows + 50)
    fig.update_layout(margin=dict(t=30))
    return fig


def class_balance(dataset, height: int = 300) -> go.Figure:
    """Rows per class, stacked by split (classification); a histogram of the target (regression)."""
    fig = go.Figure()
    if dataset.task == "classification":
        names = [plain(c) for c in dataset.class_names]
        for split, shade in SPLIT_SHADES.items():
            y = getattr(dataset, f"y_{split}")
            counts = np.bincount(y.astype(np.int64), minlength=len(names))
            # colour = class, shade = split; the legend explains the shades with grey swatches of its own
            # (a bar's own swatch would show the first class's colour for every split)
            fig.add_trace(go.Bar(x=names, y=counts, name=SPLIT_LABELS[split], legendgroup=split, showlegend=False,
                                 marker=dict(color=[CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(len(names))],
                                             opacity=shade),
                                 hovertemplate="%{x}: %{y} " + SPLIT_LABELS[split] + " rows<extra></extra>"))
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=SPLIT_LABELS[split], legendgroup=split,
                                     marker=dict(symbol="square", size=12, color=f"rgba(85, 85, 85, {shade})"),
                                     hoverinfo="skip"))
        fig.update_layout(barmode="stack", legend=dict(traceorder="normal"))
        fig.update_xaxes(title=plain(dataset.target), type="category")
        fig.update_yaxes(title="rows")
    else:
        y = np.concatenate([dataset.y_train, dataset.y_val, dataset.y_test]).astype(np.float64)
        fig.add_trace(go.Histogram(x=y, nbinsx=30, marker_color=CLASS_COLORS[0], name=plain(dataset.target)))
        fig.update_xaxes(title=plain(dataset.target))
        fig.update_yaxes(title="rows")
    return base_layout(fig, height=height)
