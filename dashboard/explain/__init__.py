"""The Explain page: why does a trained network decide what it decides? SHAP and LIME per original column,
for the whole model, for one row (what if?), over training, and for a model brought as ONNX.

The heavy work is core.explain's; here it is asked for, shown with a progress bar, and kept in the session
so a rerun never recomputes it (session.py).

Public surface:
    EXPLAINABLE                           the run statuses that can be explained
    explainer_picker(runs) -> (explainer, View) | None   run, weights and class; None after saying why not
    open_explainer(store, run, checkpoint) -> explainer | None      (the Fairness page's SHAP gap uses it)
    unit_note(dataset)                    how to read the explained unit (log-odds)
    settings(explainer) -> Request        the SHAP method, rows and background
    attribution(explainer, request) -> Attribution | None   kept, cached or computed (asking first when slow)
    attribution_caption(att), grouped_message(att)         how they were made; text columns explained as one
    rows_of(explainer, request) -> Rows   the explained rows: truth, predictions, values
    show_global(explainer, att, view, rows)    which columns (or pixels) matter, beeswarm, dependence
    show_row(explainer, att, view, rows, request)   one row: what if, SHAP waterfall, LIME, their agreement
    show_drift(explainer, store)          the columns' importance rank at every saved checkpoint
    show_byo()                            an uploaded ONNX model and CSV
    plain helpers (no session): view_for, view_values, row_order, agreement_verdict, drift_sentence,
        drift_movers, byo_table, ByoError
    charts: importance_bars, beeswarm, dependence, pixel_maps, waterfall, lime_bars, bump_chart
            (pure: arrays in, a plotly figure out)
"""
from .agreement import agreement_verdict
from .attribution import attribution, attribution_caption, grouped_message
from .byo import show_byo
from .byo_table import ByoError, byo_table
from .charts import beeswarm, bump_chart, dependence, importance_bars, lime_bars, pixel_maps, waterfall
from .drift import drift_movers, drift_sentence, show_drift
from .one_row import show_row
from .request import settings
from .row_picker import row_order
from .rows import rows_of
from .run_picker import EXPLAINABLE, explainer_picker, open_explainer
from .view import unit_note, view_for, view_values
from .whole_model import show_global

__all__ = ["EXPLAINABLE", "ByoError", "agreement_verdict", "attribution", "attribution_caption", "beeswarm",
           "bump_chart", "byo_table", "dependence", "drift_movers", "drift_sentence", "explainer_picker",
           "grouped_message", "importance_bars", "lime_bars", "open_explainer", "pixel_maps", "row_order",
           "rows_of", "settings", "show_byo", "show_drift", "show_global", "show_row", "unit_note", "view_for",
           "view_values", "waterfall"]
