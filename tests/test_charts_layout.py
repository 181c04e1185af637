"""Layout of the chart figures, checked on the figure itself (pure functions, no browser): legends
clear of the axis titles, legend swatches that tell entries apart, empty-chart text that fits the
narrowest chart, point labels that do not cover each other, a decision boundary that fills its
column. tests/e2e/test_layout.py measures the same things as drawn in Chromium."""
import numpy as np
import pandas as pd
import pytest

from core.data import load_builtin
from core.evaluate import Curve
from dashboard.charts.common import PLACEHOLDER_CHARS, placeholder_text
from dashboard.charts.labels import label_box, place_labels, text_size
from dashboard.data import charts as data_charts
from dashboard.evaluate import charts as eval_charts
from dashboard.fairness import charts as fair_charts
from dashboard.runs import charts as runs_charts
from dashboard.train import charts as train_charts


def legend_of(fig) -> dict:
    return fig.to_dict()["layout"].get("legend", {})


def legend_is_clear_of_the_plot(fig) -> bool:
    """Where the legend is anchored: against the figure's bottom edge (plotly then grows the bottom
    margin for it, below the x-axis title), or beside / above the plot area. A legend at a negative
    height of the plot area (y=-0.2) is drawn over the x-axis title."""
    legend = legend_of(fig)
    if legend.get("yref") == "container":
        return legend.get("y") == 0 and legend.get("yanchor") == "bottom"
    return legend.get("x", 0) >= 1 or (legend.get("y", 1) >= 1 and legend.get("yanchor") == "bottom")


def curves(n):
    x = np.linspace(0, 1, 20)
    return [Curve("roc", str(k), x, np.sqrt(x), 0.99, x, 0.5) for k in range(n)]


def figures_with_legends():
    spiral = load_builtin("spiral")
    epochs = np.arange(1, 11)
    yield "ROC", eval_charts.roc_curves(curves(10))
    yield "PR", eval_charts.pr_curves(curves(10))
    yield "runs overlay", runs_charts.overlay({"a": pd.DataFrame({"epoch": epochs, "val_loss": epochs * 0.1}),
                                               "b": pd.DataFrame({"epoch": epochs, "val_loss": epochs * 0.2})},
                                              "val_loss")
    yield "class balance", data_charts.class_balance(spiral)
    yield "gradients", train_charts.grad_norm_figure({"layer 1 (dense)": (epochs, epochs * 0.1),
                                                      "layer 2 (dense)": (epochs, epochs * 0.2)})
    yield "boundary", train_charts.boundary_figure(None, [(-1, 1), (-1, 1)], task="classification",
                                                   class_names=["0", "1"], X_train=spiral.X_train,
                                                   y_train=spiral.y_train)


@pytest.mark.parametrize("name,fig", list(figures_with_legends()), ids=lambda v: v if isinstance(v, str) else "")
def test_legends_are_placed_clear_of_the_axis_titles(name, fig):
    assert legend_is_clear_of_the_plot(fig), (name, legend_of(fig))


def test_curve_charts_grow_with_their_legend_so_the_curves_keep_their_room():
    few, many = eval_charts.roc_curves(curves(1)), eval_charts.roc_curves(curves(10))
    rows = -(-len(many.data) // 2)                          # two legend entries a row, ~22 px each
    assert many.layout.height - few.layout.height >= 22 * (rows - 2)
    assert len(eval_charts.pr_curves(curves(1)).layout.yaxis.title.text) <= 34   # fits a 200-px plot's height


def test_gradient_chart_grows_by_its_legend_rows_so_the_lines_keep_their_room():
    epochs = np.arange(1, 11)
    two = train_charts.grad_norm_figure({f"layer {k} (dense)": (epochs, epochs * 0.1) for k in (1, 2)}, height=280)
    five = train_charts.grad_norm_figure({f"layer {k} (dense)": (epochs, epochs * 0.1) for k in range(1, 6)},
                                         height=280)
    assert five.layout.height - two.layout.height >= 3 * 19      # a row per entry in a ~210-px column


def swatch(trace) -> str:
    """The colour plotly draws a legend entry's swatch with: a bar's first colour (the marker's opacity is
    not applied to the swatch — seen in Chromium), a scatter marker's colour."""
    color = trace.marker.color
    return str(color if isinstance(color, str) else list(color)[0])


def test_class_balance_legend_swatches_tell_the_splits_apart():
    fig = data_charts.class_balance(load_builtin("spiral"))
    entries = [t for t in fig.data if t.showlegend is not False]
    assert [t.name for t in entries] == ["training", "validation", "test"]
    assert len({swatch(t) for t in entries}) == 3
    # every bar still belongs to its split's entry: hiding a split in the legend hides its bars
    assert {t.legendgroup for t in fig.data if t.type == "bar"} == {"train", "val", "test"}


EMPTY = {
    "loss": lambda: train_charts.loss_figure([], []),
    "accuracy": lambda: train_charts.score_figure([], [], metric="accuracy"),
    "R²": lambda: train_charts.score_figure([], [], metric="r2"),
    "gradients": lambda: train_charts.grad_norm_figure({}),
    "weights": lambda: train_charts.weights_figure([]),
    "fairness gaps": lambda: train_charts.fairness_gaps_figure({}),
    "per group": lambda: train_charts.group_metric_figure({}),
    "trade-off": lambda: train_charts.fairness_tradeoff_figure([], [], [], []),
}


@pytest.mark.parametrize("name", list(EMPTY))
def test_empty_chart_text_fits_the_narrowest_chart(name):
    (note,) = EMPTY[name]().layout.annotations
    lines = note.text.split("<br>")
    # 13 px text: 32 characters take ~170 px of the narrowest chart's ~200
    assert all(len(line) <= PLACEHOLDER_CHARS for line in lines), lines
    assert len(lines) <= 4
    assert " ".join(lines).endswith("epoch") or " ".join(lines).endswith(("starts", "trains"))


def test_placeholder_text_breaks_before_the_when_and_keeps_every_word():
    text = "The validation accuracy appears here after the first logged epoch"
    lines = placeholder_text(text).split("<br>")
    assert lines[-1] == "after the first logged epoch"
    assert " ".join(lines) == text


def test_labels_of_points_that_lie_together_are_moved_apart_and_stay_in_the_plot():
    points = [(100.0, 100.0), (100.0, 100.0), (104.0, 98.0), (300.0, 50.0), (370.0, 20.0)]
    sizes = [text_size(t, 11) for t in ("this run", "DP penalty λ=0", "reweighed", "equalized odds thresholds",
                                       "demographic parity thresholds")]
    placed = place_labels(points, sizes, 380, 270)
    boxes = [label_box(p, offset, s) for p, (offset, _), s in zip(points, placed, sizes)]
    for i, a in enumerate(boxes):
        assert a.inside(380, 270), (i, a)
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
        for j, p in enumerate(points):               # no label covers a point
            assert not a.overlaps(label_box(p, (0, 0), (10, 10)), gap=0), (i, j)
    assert placed[0][0] != placed[1][0]                    # two names at one spot go to different sides


def test_pareto_names_every_point_without_two_names_on_one_spot():
    points = pd.DataFrame([
        {"name": "this run", "kind": "original", "accuracy": 0.86, "dp": 0.42},
        {"name": "DP penalty λ=0", "kind": "training", "accuracy": 0.86, "dp": 0.42},
        {"name": "demographic parity thresholds", "kind": "threshold", "accuracy": 0.80, "dp": 0.07},
        {"name": "equal opportunity thresholds", "kind": "threshold", "accuracy": 0.85, "dp": 0.27},
        {"name": "equalized odds thresholds", "kind": "threshold", "accuracy": 0.849, "dp": 0.268},
    ])
    fig = fair_charts.pareto(points, "dp", "DP difference")
    notes = {a.text: a for a in fig.layout.annotations}
    assert set(notes) == set(points["name"])
    # each name's box, from its point's place in the plot area the chart assumes and the name's offset
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    w, h = fair_charts.PARETO_PLOT_PX
    boxes = [label_box(((a.x - x0) / (x1 - x0) * w, (1 - (a.y - y0) / (y1 - y0)) * h), (a.ax, a.ay),
                       text_size(a.text, a.font.size)) for a in notes.values()]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    # this run's marker is drawn last, open, so a variant on the same spot still shows through
    assert fig.data[-1].name == "this run" and fig.data[-1].marker.symbol == "diamond-open"


def test_the_decision_boundary_figure_is_as_tall_as_its_square_plane_needs():
    """The plane is square; in the Train page's ~283-px column it is ~250 px wide. Below it: ticks and an axis
    title (~40 px) and a two-row legend (~50 px). Any more height is white space around the plane."""
    fig = train_charts.boundary_figure(None, [(-1, 1), (-1, 1)], task="classification", class_names=["0", "1"])
    m = fig.layout.margin
    side = 283 - m.l - m.r - 25                                        # minus the y axis's ticks and title
    assert fig.layout.height <= side + m.t + m.b + 40 + 50 + 10
    assert fig.layout.height >= side * 0.9 + m.t + m.b + 40           # and not squeezed
