"""Why the network decided what it decided: SHAP and LIME in the user's own columns.

Every method explains one unit (core.analysis.units): the log-odds of each class, or the predicted
value in the target's units, so the pages, the audit report and the command line show the same
numbers for the same rows. Attributions are per original column (a one-hot encoded column is one player).

  RunExplainer                   a stored run at a checkpoint: SHAP of a split or of given rows, drift
                                 over checkpoints, LIME; results cached in the run's folder      run.py
  shap_values, METHODS, Method,  SHAP by method: ours in torch (exact, sampling, pixels) or shap's
  auto_method, column_groups,    explainers (shap_explainers.py); the players (original columns)
  background_rows,               and the background rows
  DEFAULT_BACKGROUND, EXACT_LIMIT                                                                methods.py
  Attribution                    values per row, column and output; its cache file              attribution.py
  Model, model_of, onnx_model    what is explained: a network in its unit, or an uploaded ONNX
                                 model in its own output                                         model.py
  session_of, column_inputs,     an uploaded ONNX model that takes one input per column: its
  table_codes                    session, its inputs, a table's codes and the feed decoding them onnx_feed.py
  lime_row, lime_explainer,      LIME weights of one row, and their spread over seeds
  lime_stability, LimeResult,
  LIME_SAMPLES                                                                                   lime_weights.py
  agreement, ranks_over_time     SHAP against LIME on a row; ranks across checkpoints            agreement.py
  probe_seconds, torch_threads   the time a request will take; torch's threads meanwhile         running.py
  ExplainError                   what cannot be explained, and why                               errors.py
Inside: the cached results' names (everything that changes a result, and the version; cache.py).

No streamlit here; shap, lime and onnxruntime are imported when first needed.
"""
from .agreement import agreement, ranks_over_time
from .attribution import Attribution
from .errors import ExplainError
from .lime_weights import LIME_SAMPLES, LimeResult, lime_explainer, lime_row, lime_stability
from .methods import (DEFAULT_BACKGROUND, EXACT_LIMIT, METHODS, Method, auto_method, background_rows, column_groups,
                      shap_values)
from .model import Model, model_of, onnx_model
from .onnx_feed import column_inputs, session_of, table_codes
from .run import RunExplainer
from .running import probe_seconds, torch_threads

__all__ = [
    "DEFAULT_BACKGROUND", "EXACT_LIMIT", "LIME_SAMPLES", "METHODS", "Attribution", "ExplainError", "LimeResult",
    "Method", "Model", "RunExplainer", "agreement", "auto_method", "background_rows", "column_groups",
    "column_inputs", "lime_explainer", "lime_row", "lime_stability", "model_of", "onnx_model", "probe_seconds",
    "ranks_over_time", "session_of", "shap_values", "table_codes", "torch_threads",
]
