"""The Train page's charts: pure functions, a run's logged numbers in → plotly figure out. No streamlit.

Public surface:
    loss_figure, score_figure, ema       the loss (steps, smoothed, per epoch, validation) and the score
    boundary_figure, group_boundary_figure, PLANE_HEIGHT   the decision boundary over the 2-D plane, the
                                          points by class or by group (the Fairness page draws it too)
    grad_norm_figure, weights_figure, weight_histogram_matrix, layer_names   inside the network
    fairness_gaps_figure, group_metric_figure, fairness_tradeoff_figure      fairness over training
    progress_text, format_seconds        the progress line
    MAX_POINTS, MAX_COLUMNS, VALUE_BINS  how much a live chart draws at most
    CLASS_SYMBOLS, GROUP_COLORS          the marks of the points coloured by group (dashboard/charts/common.py)
"""
from dashboard.charts.common import CLASS_SYMBOLS, GROUP_COLORS

from ._plain import MAX_POINTS
from .boundary import PLANE_HEIGHT, boundary_figure, group_boundary_figure
from .fairness import fairness_gaps_figure, fairness_tradeoff_figure, group_metric_figure
from .insides import MAX_COLUMNS, VALUE_BINS, grad_norm_figure, layer_names, weight_histogram_matrix, weights_figure
from .loss import ema, loss_figure, score_figure
from .progress import format_seconds, progress_text

__all__ = ["CLASS_SYMBOLS", "GROUP_COLORS", "MAX_COLUMNS", "MAX_POINTS", "PLANE_HEIGHT", "VALUE_BINS",
           "boundary_figure", "ema", "fairness_gaps_figure", "fairness_tradeoff_figure", "format_seconds",
           "grad_norm_figure", "group_boundary_figure", "group_metric_figure", "layer_names", "loss_figure",
           "progress_text", "score_figure", "weight_histogram_matrix", "weights_figure"]
