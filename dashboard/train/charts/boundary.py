"""The decision boundary: what the network predicts over the plane of 2-D data, the points on top,
coloured by class or by group (with the line where each group's decision flips). Pure functions:
arrays in → plotly figure out."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sequential

from dashboard.charts.common import CLASS_COLORS, CLASS_SYMBOLS, GROUP_COLORS, legend_below, plain

from ._plain import fast_figure, fast_layout

VIRIDIS = [[i / (len(sequential.Viridis) - 1), c] for i, c in enumerate(sequential.Viridis)]   # as validation spells it

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
    return fast_figure(data, _plane_layout(extent, feature_names, height))




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
    return fast_figure(data, _plane_layout(extent, feature_names, height))


def _plane_layout(extent, feature_names, height: int) -> dict:
    layout = fast_layout(height)
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
