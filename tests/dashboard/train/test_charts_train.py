"""The Train page's charts: pure functions, synthetic data in → plotly figure out."""
import numpy as np
import pytest

from dashboard.train import charts


def n(values) -> int:
    return len(np.asarray(values)) if values is not None else 0


def by_name(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_loss_figure_has_step_smoothed_train_and_validation_lines_in_epochs():
    steps = np.arange(1, 91)                      # 9 steps an epoch, 10 epochs
    loss = np.linspace(1, 0.1, 90)
    epochs = np.arange(1, 11)
    fig = charts.loss_figure(steps, loss, train_epochs=epochs, train_loss=np.linspace(1, .1, 10),
                             val_epochs=epochs, val_loss=np.linspace(1.1, .2, 10), steps_per_epoch=9, smoothing=0.6)
    assert [t.name for t in fig.data] == ["loss per step", "smoothed", "training loss (per epoch)", "validation loss"]
    raw = by_name(fig, "loss per step")
    assert n(raw.x) == 90 and raw.x[-1] == pytest.approx(10.0)      # step 90 is the end of epoch 10
    assert n(by_name(fig, "validation loss").y) == 10
    assert fig.layout.xaxis.title.text == "epoch"


def test_loss_figure_marks_learning_rate_changes_with_a_vertical_line():
    fig = charts.loss_figure(np.arange(1, 101), np.ones(100), steps_per_epoch=10,
                             lr_changes=[{"step": 50, "from": 0.01, "to": 0.1}])
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1 and lines[0].x0 == pytest.approx(5.0) and lines[0].x1 == pytest.approx(5.0)
    assert any("0.01 → 0.1" in a.text for a in fig.layout.annotations)


def test_loss_figure_decimates_long_runs_and_keeps_the_last_step():
    steps = np.arange(1, 100_001)
    fig = charts.loss_figure(steps, np.random.default_rng(0).random(100_000), steps_per_epoch=100)
    raw = by_name(fig, "loss per step")
    assert n(raw.x) <= charts.MAX_POINTS
    assert raw.x[-1] == pytest.approx(1000.0)


def test_loss_figure_without_data_says_what_will_appear():
    fig = charts.loss_figure([], [], steps_per_epoch=1)
    assert not fig.data
    assert "once training starts" in fig.layout.annotations[0].text


def test_ema_smooths_is_unbiased_at_the_start_and_skips_non_finite_values():
    assert np.allclose(charts.ema([2.0, 2.0, 2.0], 0.9), 2.0)          # bias-corrected: no ramp up from 0
    assert np.allclose(charts.ema([1.0, 3.0], 0.0), [1.0, 3.0])
    v = charts.ema([1.0, np.nan, 1.0], 0.5)
    assert np.isfinite(v).all()
    long = np.random.default_rng(1).random(50_000)
    assert np.std(charts.ema(long, 0.99)[1000:]) < np.std(long) / 5


def test_score_figure_shows_accuracy_in_percent_and_r2_as_is():
    fig = charts.score_figure([1, 2, 3], [0.5, 0.75, 1.0], metric="accuracy")
    assert list(fig.data[0].y) == [50, 75, 100]
    fig = charts.score_figure([1, 2], [0.2, 0.9], metric="r2")
    assert list(fig.data[0].y) == pytest.approx([0.2, 0.9])
    assert "R²" in fig.layout.yaxis.title.text


def test_boundary_heatmap_matches_the_grid_and_overlays_train_and_test_points():
    res = 100
    grid = np.zeros((res, res, 2), np.float32)
    grid[:, :, 1] = np.linspace(0, 1, res)[None, :]            # class 1 more likely to the right
    grid[:, :, 0] = 1 - grid[:, :, 1]
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 0.2]])
    fig = charts.boundary_figure(grid, [(-1, 2), (-3, 3)], task="classification", class_names=["a", "b"],
                                 X_train=X, y_train=np.array([0, 1, 1]), X_test=X[:1], y_test=np.array([0]))
    heat = fig.data[0]
    assert heat.type == "heatmap" and np.asarray(heat.z).shape == (res, res)
    assert n(heat.x) == res and heat.x[0] == -1 and heat.x[-1] == 2 and heat.y[0] == -3 and heat.y[-1] == 3
    names = [t.name for t in fig.data[1:]]
    assert names == ["a (train)", "b (train)", "a (test)"]
    assert n(fig.data[2].x) == 2


def test_boundary_for_many_classes_and_for_regression():
    grid = np.random.default_rng(0).dirichlet([1, 1, 1], size=(50, 50)).astype(np.float32)
    fig = charts.boundary_figure(grid, [(0, 1), (0, 1)], task="classification", class_names=["a", "b", "c"])
    z = np.asarray(fig.data[0].z)
    assert z.shape == (50, 50) and z.min() >= 0 and z.max() < 3       # class index + confidence
    assert (np.floor(z) == grid.argmax(2)).all()
    fig = charts.boundary_figure(np.full((20, 20, 1), 0.5, np.float32), [(0, 1), (0, 1)], task="regression",
                                 X_train=np.zeros((4, 2)), y_train=np.arange(4.0))
    assert np.asarray(fig.data[0].z).shape == (20, 20) and fig.data[1].name == "train points"


def test_boundary_before_training_shows_only_the_points():
    fig = charts.boundary_figure(None, [(0, 1), (0, 1)], task="classification", class_names=["a", "b"],
                                 X_train=np.zeros((3, 2)), y_train=np.array([0, 1, 1]))
    assert [t.type for t in fig.data] == ["scatter", "scatter"]


def test_grad_norm_figure_names_layers_and_uses_a_log_axis():
    norms = {"0:Linear": ([1, 2, 3], [1.0, 0.5, 0.2]), "2:Linear": ([1, 2, 3], [0.1, 0.1, 0.1]),
             "4:Linear": ([1, 2, 3], [2.0, 1.0, 0.5])}
    fig = charts.grad_norm_figure(norms)
    assert [t.name for t in fig.data] == ["layer 1 (dense)", "layer 2 (dense)", "output (dense)"]
    assert fig.layout.yaxis.type == "log"
    assert all(n(t.x) == 3 for t in fig.data)


def test_weight_histograms_are_rebinned_onto_one_axis_over_time():
    frames = [(e, {"min": -e, "max": e, "counts": [1] * 24}) for e in range(1, 301)]   # weights spread out
    epochs, centres, matrix = charts.weight_histogram_matrix(frames, bins=30, max_columns=100)
    assert len(epochs) <= 100 and epochs[-1] == 300 and matrix.shape == (30, len(epochs))
    assert np.allclose(matrix.sum(axis=0), 1)
    assert centres[0] > -300 and centres[-1] < 300
    early = matrix[:, 0]
    assert early[[0, -1]].sum() == 0                 # epoch 1 fills only the middle of the final range
    fig = charts.weights_figure(frames, layer="layer 1")
    assert np.asarray(fig.data[0].z).shape == (charts.VALUE_BINS, charts.MAX_COLUMNS)
    assert not charts.weights_figure([]).data


def test_progress_text_tells_epochs_speed_and_time_left():
    frac, text = charts.progress_text(50, 200, 1000.0, 280)
    assert frac == 0.25
    assert text.startswith("Epoch 50 / 200") and "1,000 samples/s" in text and "about 42 s left" in text
    assert charts.progress_text(0, 10, None, 100) == (0.0, "Epoch 0 / 10")
    assert charts.format_seconds(3700) == "1 h 01 min"


def test_loss_axis_is_not_flattened_by_a_few_wild_steps():
    loss = np.full(1000, 0.5)
    loss[500] = 50.0
    fig = charts.loss_figure(np.arange(1, 1001), loss, val_epochs=[1, 2], val_loss=[0.6, 0.55], steps_per_epoch=10)
    assert fig.layout.yaxis.range[1] < 1
    assert charts.loss_figure(np.arange(1, 1001), loss, steps_per_epoch=10, log_y=True).layout.yaxis.range is None


# ------------------------------------------------------------------ fairness over training
def test_fairness_gaps_figure_draws_each_gap_per_epoch_and_leaves_holes_for_nan():
    epochs = np.arange(1, 6)
    fig = charts.fairness_gaps_figure({
        "demographic_parity_difference": (epochs, [0.4, 0.3, 0.2, 0.15, 0.1]),
        "equalized_odds_difference": (epochs, [0.5, 0.4, np.nan, 0.3, 0.2]),
    })
    assert [t.name for t in fig.data] == ["demographic parity", "equalized odds"]
    dp = by_name(fig, "demographic parity")
    assert list(dp.x) == [1, 2, 3, 4, 5] and np.asarray(dp.y)[-1] == pytest.approx(0.1)
    assert np.isnan(np.asarray(by_name(fig, "equalized odds").y)[2])
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] >= 0.5
    assert "0 = equal" in fig.layout.yaxis.title.text
    empty = charts.fairness_gaps_figure({})
    assert not empty.data and "first evaluated epoch" in empty.layout.annotations[0].text


def test_group_metric_figure_has_one_line_per_group_rates_in_percent():
    groups = {"male": ([1, 2, 3], [0.8, 0.85, 0.9]), "female": ([1, 2, 3], [0.6, 0.7, 0.72])}
    fig = charts.group_metric_figure(groups, metric="accuracy")
    assert [t.name for t in fig.data] == ["female", "male"]
    assert list(by_name(fig, "female").y) == pytest.approx([60, 70, 72])
    assert fig.layout.yaxis.title.text == "accuracy (%)" and list(fig.layout.yaxis.range) == [0, 101]
    loss = charts.group_metric_figure(groups, metric="loss")
    assert list(by_name(loss, "male").y) == pytest.approx([0.8, 0.85, 0.9]) and loss.layout.yaxis.range is None


def test_tradeoff_figure_pairs_accuracy_with_the_parity_gap_by_epoch_and_highlights_the_last():
    # accuracy logged for epochs 1-4, the gap for 2-5 (and NaN at 3): only epochs 2 and 4 pair up
    fig = charts.fairness_tradeoff_figure([1, 2, 3, 4], [0.5, 0.6, 0.7, 0.8], [2, 3, 4, 5], [0.3, np.nan, 0.1, 0.05])
    path, now = fig.data
    assert path.mode == "lines+markers"
    assert list(path.x) == pytest.approx([60, 80]) and list(path.y) == pytest.approx([0.3, 0.1])
    assert list(path.customdata) == [2, 4] and "epoch %{customdata}" in path.hovertemplate
    assert now.name == "now (epoch 4)" and list(now.x) == pytest.approx([80]) and now.marker.size > path.marker.size
    assert "accuracy" in fig.layout.xaxis.title.text and "parity" in fig.layout.yaxis.title.text
    assert not charts.fairness_tradeoff_figure([1], [0.5], [], []).data


def test_every_figure_is_what_plotly_validation_would_make_of_it():
    """The figures are written as plain dicts and not validated when built (for speed): check that
    plotly accepts every property and would produce exactly the same JSON."""
    import json

    import plotly.graph_objects as go

    rng = np.random.default_rng(0)
    e = np.arange(1, 31)
    X = rng.normal(size=(40, 2))
    figs = [
        charts.loss_figure(np.arange(1, 301), rng.random(300), train_epochs=e, train_loss=rng.random(30),
                           val_epochs=e, val_loss=rng.random(30), steps_per_epoch=10,
                           lr_changes=[{"step": 100, "from": 0.01, "to": 0.1}]),
        charts.loss_figure(np.arange(1, 301), rng.random(300), steps_per_epoch=10, log_y=True, smoothing=0),
        charts.loss_figure([], []),
        charts.score_figure(e, rng.random(30), metric="accuracy"),
        charts.score_figure(e, rng.random(30), metric="r2"),
        charts.boundary_figure(rng.dirichlet([1, 1], size=(30, 30)).astype(np.float32), [(0, 1), (0, 1)],
                               task="classification", class_names=["a", "b"], X_train=X, y_train=rng.integers(0, 2, 40),
                               X_test=X[:5], y_test=np.zeros(5, int)),
        charts.boundary_figure(rng.dirichlet([1, 1, 1], size=(30, 30)).astype(np.float32), [(0, 1), (0, 1)],
                               task="classification", class_names=["a", "b", "c"]),
        charts.boundary_figure(np.full((20, 20, 1), .5, np.float32), [(0, 1), (0, 1)], task="regression",
                               X_train=X, y_train=rng.random(40)),
        charts.grad_norm_figure({"0:Linear": (e, rng.random(30)), "2:Linear": (e, rng.random(30))}),
        charts.grad_norm_figure({}),
        charts.weights_figure([(i, {"min": -i, "max": i, "counts": [1] * 24}) for i in range(1, 40)], layer="l1"),
        charts.fairness_gaps_figure({"demographic_parity_difference": (e, rng.random(30)),
                                     "equal_opportunity_difference": (e, rng.random(30))}),
        charts.group_metric_figure({"a": (e, rng.random(30)), "b": (e, rng.random(30))}, metric="selection_rate"),
        charts.fairness_tradeoff_figure(e, rng.random(30), e, rng.random(30)),
        # the decision boundary by group: a global line, a line per group, none (out of range), no grid yet
        charts.boundary_figure(rng.dirichlet([1, 1], size=(30, 30)).astype(np.float32), [(0, 1), (0, 1)],
                               task="classification", class_names=["a", "b"], X_train=X, y_train=rng.integers(0, 2, 40),
                               X_test=X[:5], y_test=np.zeros(5, int), groups=(rng.choice(["f", "m"], 40), ["f"] * 5),
                               group_lines=0.5),
        charts.group_boundary_figure(_ramp(30), [(0, 1), (0, 1)], class_names=["a", "<b>c"],
                                     points=[(X, rng.integers(0, 2, 40), rng.choice(["<i>g", "h", "k"], 40), "test")],
                                     lines={"<i>g": 0.3, "h": 0.6, "k": 2.0}),
        charts.group_boundary_figure(rng.dirichlet([1, 1, 1], size=(30, 30)).astype(np.float32), [(0, 1), (0, 1)],
                                     class_names=["a", "b", "c"], points=[(X, rng.integers(0, 3, 40),
                                                                           rng.choice(["x", "y"], 40), "train")],
                                     lines=0.4, favourable=2),
        charts.group_boundary_figure(None, None, class_names=["a", "b"], points=[(X, np.zeros(40, int), ["g"] * 40,
                                                                                  "train")], lines=0.5),
    ]
    assert len(contours(figs[-4])) == 1 and len(contours(figs[-3])) == 2     # the line figures do draw lines
    for fig in figs:
        validated = go.Figure(fig.to_plotly_json())          # raises on any property plotly does not know
        assert json.loads(fig.to_json()) == json.loads(validated.to_json())
    # the data page's scatter by group is built from plotly's validated objects: its traces survive too
    from core.data import load_builtin
    from dashboard.data.charts import scatter_2d
    tg = load_builtin("two_groups", n=100)
    fig = scatter_2d(tg, groups=tg.raw["group"].to_numpy(), group_title="group")
    assert json.loads(fig.to_json())["data"] == json.loads(go.Figure(fig.to_plotly_json()).to_json())["data"]


# ----------------------------------------------------------------- decision boundary by group
def _ramp(res: int = 60, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """A two-class grid whose P(class 1) rises from lo (left) to hi (right)."""
    grid = np.zeros((res, res, 2), np.float32)
    grid[:, :, 1] = np.linspace(lo, hi, res)[None, :]
    grid[:, :, 0] = 1 - grid[:, :, 1]
    return grid


GX = np.array([[0.1, 0.1], [0.9, 0.9], [0.5, 0.2], [0.2, 0.8], [0.7, 0.3]])
GY = np.array([0, 1, 1, 0, 1])
GG = np.array(["A", "B", "A", "B", "B"])


def _grouped(lines=None, grid="ramp", groups=(GG, GG[:2]), **kw):
    return charts.boundary_figure(_ramp() if isinstance(grid, str) else grid, [(0, 1), (0, 1)], task="classification",
                                  class_names=["no", "yes"], X_train=GX, y_train=GY, X_test=GX[:2], y_test=GY[:2],
                                  groups=groups, group_lines=lines, **kw)


def contours(fig) -> list:
    return [t for t in fig.data if t.type == "contour"]


def test_boundary_by_group_colours_points_by_group_and_shapes_them_by_class():
    fig = _grouped()
    assert fig.data[0].type == "heatmap" and not contours(fig)          # no lines asked for
    a, b = by_name(fig, "A (train)"), by_name(fig, "B (train)")
    assert n(a.x) == 2 and n(b.x) == 3
    # a group's points come first class first (a legend shows a trace's first marker), else in order
    assert list(a.x) == [0.1, 0.5] and list(b.y) == [0.8, 0.9, 0.3]
    assert a.marker.color != b.marker.color and {a.marker.color, b.marker.color} <= set(charts.GROUP_COLORS)
    # shape per point by its class: A holds classes 0, 1; B holds 1, 0, 1
    assert list(a.marker.symbol) == [charts.CLASS_SYMBOLS[0], charts.CLASS_SYMBOLS[1]]
    assert list(b.marker.symbol) == [charts.CLASS_SYMBOLS[0], charts.CLASS_SYMBOLS[1], charts.CLASS_SYMBOLS[1]]
    assert charts.CLASS_SYMBOLS[0] != charts.CLASS_SYMBOLS[1]
    assert list(a.text) == ["no", "yes"]
    # the test points keep their group's colour; a white outline marks training points, black test ones
    ta, tb = by_name(fig, "A (test)"), by_name(fig, "B (test)")
    assert ta.marker.color == a.marker.color and tb.marker.color == b.marker.color
    assert n(ta.x) == 1 and n(tb.x) == 1
    assert a.marker.line.color == "white" and ta.marker.line.color == "black"
    # legend-only entries name the shapes
    legend = {t.name: t for t in fig.data if (t.name or "").startswith("class ")}
    assert list(legend) == ["class no", "class yes"]
    assert legend["class no"].marker.symbol == charts.CLASS_SYMBOLS[0]
    assert legend["class yes"].marker.symbol == charts.CLASS_SYMBOLS[1]
    assert all(list(t.x) == [None] for t in legend.values())
    # no group-less per-class traces as in the plain view
    assert not any(t.name in ("no (train)", "yes (train)") for t in fig.data)


def test_boundary_by_group_with_a_global_threshold_draws_one_dashed_line_at_that_level():
    fig = _grouped(0.5)
    (line,) = contours(fig)
    assert line.contours.start == pytest.approx(0.5) and line.contours.end == pytest.approx(0.5)
    assert line.contours.coloring == "none" and line.line.dash == "dash"
    assert line.name == "all groups: P(yes) = 0.50"
    assert np.asarray(line.z) == pytest.approx(_ramp()[:, :, 1])     # P(favourable) over the plane
    assert n(line.x) == 60 and line.x[0] == 0 and line.x[-1] == 1
    # the favourable class picks the probability the line is drawn on
    (other,) = contours(_grouped(0.3, favourable=0))
    assert np.asarray(other.z) == pytest.approx(_ramp()[:, :, 0]) and other.name == "all groups: P(no) = 0.30"


def test_boundary_by_group_with_a_threshold_per_group_draws_each_in_its_groups_colour():
    fig = _grouped({"A": 0.3, "B": 0.7})
    lines = {t.name: t for t in contours(fig)}
    assert set(lines) == {"A: P(yes) = 0.30", "B: P(yes) = 0.70"}
    la, lb = lines["A: P(yes) = 0.30"], lines["B: P(yes) = 0.70"]
    assert la.contours.start == la.contours.end == pytest.approx(0.3)
    assert lb.contours.start == lb.contours.end == pytest.approx(0.7)
    assert la.line.color == by_name(fig, "A (train)").marker.color
    assert lb.line.color == by_name(fig, "B (train)").marker.color
    assert la.line.color != lb.line.color and la.line.dash == "solid"


def test_a_threshold_the_probabilities_never_reach_draws_no_line():
    grid = _ramp(lo=0.2, hi=0.8)
    assert not contours(_grouped(0.9, grid=grid))
    assert not contours(_grouped(0.1, grid=grid))
    assert not contours(_grouped(0.2, grid=grid))                       # the edge: the decision never flips
    lines = contours(_grouped({"A": 0.95, "B": 0.6}, grid=grid))
    assert [t.name for t in lines] == ["B: P(yes) = 0.60"]
    assert not contours(_grouped(0.5, grid=None))                       # before the first grid: points only
    assert not contours(charts.boundary_figure(None, None, task="classification", class_names=["no", "yes"],
                                               X_train=GX, y_train=GY, groups=(GG, None), group_lines=0.5))


def test_group_and_class_names_are_escaped_in_the_boundary_by_group():
    groups = np.array(["<b>x", "B", "<b>x", "B", "B"])
    fig = charts.group_boundary_figure(_ramp(), [(0, 1), (0, 1)], class_names=["<i>no", "yes"],
                                       points=[(GX, GY, groups, "test")], lines={"<b>x": 0.4, "B": 0.6})
    names = [t.name for t in fig.data]
    assert "&lt;b&gt;x (test)" in names and "B (test)" in names
    assert "class &lt;i&gt;no" in names
    assert "&lt;b&gt;x: P(yes) = 0.40" in names
    assert not any("<b>" in (t.name or "") or "<i>" in (t.name or "") for t in fig.data)
    trace = by_name(fig, "&lt;b&gt;x (test)")
    assert "<b>" not in trace.hovertemplate and "&lt;i&gt;no" in list(trace.text)
    # the escaped group keeps its own colour, shared by its line
    assert by_name(fig, "&lt;b&gt;x: P(yes) = 0.40").line.color == trace.marker.color
    # a name that looks like a hover variable stays text: its '%' is an entity plotly shows as '%'
    fig = charts.boundary_figure(_ramp(), [(0, 1), (0, 1)], task="classification", class_names=["a", "%{z}"],
                                 X_train=GX, y_train=np.array([0, 1, 1, 0, 1]))
    assert "%{z}" not in fig.data[0].hovertemplate.replace("%{z:.2f}", "")
    assert "&#37;{z}" in fig.data[0].hovertemplate


def test_boundary_by_group_is_ignored_for_regression():
    fig = charts.boundary_figure(np.full((20, 20, 1), 0.5, np.float32), [(0, 1), (0, 1)], task="regression",
                                 X_train=GX, y_train=np.arange(5.0), groups=(GG, None), group_lines=0.5)
    assert [t.name for t in fig.data[1:]] == ["train points"]


def test_scatter_2d_by_group_has_one_trace_per_group_shaped_by_class():
    from core.data import load_builtin
    from dashboard.data.charts import scatter_2d
    ds = load_builtin("two_groups", n=300)
    plain_fig = scatter_2d(ds)
    assert not any(t.name.startswith("group ") for t in plain_fig.data)
    fig = scatter_2d(ds, groups=ds.raw["group"].to_numpy(), group_title="group")
    groups = [t for t in fig.data if t.name.startswith("group ")]
    assert [t.name for t in groups] == ["group A", "group B"]
    raw = ds.raw["group"].astype(str).to_numpy()
    assert [n(t.x) for t in groups] == [int((raw == "A").sum()), int((raw == "B").sum())]
    assert sum(n(t.x) for t in groups) == 300
    assert groups[0].marker.color != groups[1].marker.color
    labels = ds.raw["label"].astype(str).to_numpy()
    for t, g in zip(groups, ["A", "B"]):
        rows = np.flatnonzero(raw == g)
        rows = rows[np.argsort([ds.class_names.index(c) for c in labels[rows]], kind="stable")]   # first class first
        expected = [charts.CLASS_SYMBOLS[ds.class_names.index(c)] for c in labels[rows]]
        assert list(t.marker.symbol) == expected and t.marker.symbol[0] == charts.CLASS_SYMBOLS[0]
        assert list(t.x) == pytest.approx(ds.raw["x1"].to_numpy()[rows])
    assert [t.name for t in fig.data if t.name.startswith("class ")] == ["class 0", "class 1"]
    # group and column names are escaped
    raw_odd = ds.raw.assign(group=np.where(raw == "A", "<b>A", "B"))
    odd = scatter_2d(ds, groups=raw_odd["group"].to_numpy(), group_title="group")
    assert [t.name for t in odd.data if t.name.startswith("group ")] == ["group &lt;b&gt;A", "group B"]
