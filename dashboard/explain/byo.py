"""Bring your own model: an ONNX model trained anywhere and a CSV of rows it takes; which inputs matter, and
one row from the average output to its own. The model file is only run (onnxruntime), never unpickled."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

from core.analysis import explain as xp
from core.analysis.explain.stored import load_npz
from core.data import DataError, read_csv_bytes
from dashboard import keys
from dashboard.state import choose
from dashboard.text import md_plain as md

from .byo_table import ByoError, byo_default_target, byo_inputs
from .charts import PLAIN, importance_bars, waterfall
from .help import HELP
from .request import rows_slider
from .jobs import as_job, keep_uploads, pending
from .session import cached, peek
from .slow import ask_before_slow, is_slow, progress_bar
from .view import View, view_values


@dataclass
class Uploaded:
    """The model and the table as the model takes them."""
    model_sha: str
    csv_sha: str
    target: str
    X: np.ndarray               # codes (one per column taken by name) or the model's input matrix
    features: list[str]         # the model's inputs, by name
    classes: list | None
    feed: object                # onnx_feed's feed when the model takes columns by name, else None
    left_out: list[str]         # columns the model does not take
    model: object               # core.analysis.explain's Model
    files: tuple = ()           # (model bytes, table bytes): kept in the person's space for a job


def show_byo() -> None:
    """The whole view: uploads, the target and output, the SHAP values, the bars and one row's waterfall."""
    st.markdown("Explain a model trained anywhere — PyTorch, scikit-learn (via skl2onnx), Keras (via tf2onnx) — "
                "without training it here. Upload the model as **ONNX** and a **CSV** of rows it can take. A model "
                "with one input per column (Glassnet's ONNX exports, skl2onnx pipelines) gets the table's columns "
                "by name, text and gaps included; a model with one input matrix gets one column per input, in "
                "the model's order and already prepared the way it expects (scaled, encoded). Add the target "
                "column if you have it. The model file is only run, never unpickled.")
    up = _uploaded()
    if up is None:
        return
    n = len(up.X)
    c1, c2, _ = st.columns(3)
    rows = rows_slider(c1, keys.EXPLAIN_BYO_ROWS, n)
    output = _output(c2, up.model.outputs)
    background = min(xp.DEFAULT_BACKGROUND, n)
    att = _attribution(up, rows, background)
    if att is None:
        return
    view = View(output, up.model.outputs[output], None)
    st.caption(_caption(att, up, rows, background))
    _views(att, up, view, rows)


def _uploaded() -> Uploaded | None:
    """The two uploads and the target, read and checked; None until both are there or after a message."""
    a, b = st.columns(2)
    model_file = a.file_uploader("ONNX model", type=["onnx"], key=keys.EXPLAIN_BYO_MODEL, help=HELP["byo_model"])
    csv_file = b.file_uploader("Rows (CSV)", type=["csv", "txt", "tsv"], key=keys.EXPLAIN_BYO_CSV,
                               help=HELP["byo_csv"])
    if model_file is None or csv_file is None:
        st.caption("Upload both files to see which inputs the model relies on.")
        return None
    csv_bytes = csv_file.getvalue()
    csv_sha = hashlib.sha256(csv_bytes).hexdigest()
    try:
        frame, _ = cached("byo_csv", csv_sha, lambda: read_csv_bytes(csv_bytes, filename=csv_file.name))
    except DataError as e:
        st.error(md(e))
        return None
    model_bytes = model_file.getvalue()
    model_sha = hashlib.sha256(model_bytes).hexdigest()
    target = _target(model_bytes, model_sha, [str(c) for c in frame.columns])
    if target is None:
        return None
    up = _model(model_bytes, model_sha, csv_sha, frame, target)
    if up is not None:
        up.files = (model_bytes, csv_bytes)
    return up


def _target(model_bytes: bytes, model_sha: str, columns: list[str]) -> str | None:
    """The target column picker, starting from the one the model suggests; None after a message."""
    try:
        default = cached("byo_target", (model_sha, tuple(columns)), lambda: byo_default_target(model_bytes, columns))
    except xp.ExplainError as e:
        st.error(md(e))
        return None
    options = ["(none)"] + columns
    choose(keys.EXPLAIN_BYO_TARGET, options, default)
    return st.selectbox("Target column", options, key=keys.EXPLAIN_BYO_TARGET, help=HELP["byo_target"])


def _model(model_bytes: bytes, model_sha: str, csv_sha: str, frame, target: str) -> Uploaded | None:
    """The table as the model takes it and the model, ready to explain; None after a plain message."""
    table_key = (model_sha, csv_sha, target)
    try:
        X, features, classes, feed, left_out = cached(
            "byo_inputs", table_key, lambda: byo_inputs(model_bytes, frame, None if target == "(none)" else target))
        model = cached("byo_model", table_key, lambda: xp.onnx_model(model_bytes, len(features), classes, feed))
    except (ByoError, xp.ExplainError) as e:
        st.error(md(e))
        return None
    except Exception as e:              # onnxruntime's own errors: still a plain message
        st.error(f"That model could not be run ({md(str(e).splitlines()[0][:200])}); export it again with an ONNX "
                 "exporter and try again.")
        return None
    return Uploaded(model_sha, csv_sha, target, X, features, classes, feed, left_out, model)


def _output(column, outputs: list[str]) -> int:
    """Which of the model's outputs to explain (the second of two: a two-class model's 'yes')."""
    k = len(outputs)
    if k <= 1:
        return 0
    choose(keys.EXPLAIN_BYO_OUTPUT, list(range(k)), k - 1 if k == 2 else 0)
    return column.selectbox("Output to explain", list(range(k)), key=keys.EXPLAIN_BYO_OUTPUT,
                            format_func=lambda j: outputs[j], help=HELP["byo_output"])


def _attribution(up: Uploaded, rows: int, background: int):
    """The SHAP values of the first `rows` rows: kept in the session, else computed with a progress bar when
    quick, or (after asking, when slow) as a job of the server's workers. None when waiting for the user or
    the job, or after an error shown."""
    X, features = up.X, up.features
    method = xp.auto_method(len(features))
    key = (up.model_sha, up.csv_sha, up.target, rows, background, method)
    att = peek("byo_shap", key)
    if att is not None:
        return att
    bg = X[np.sort(np.random.default_rng(0).choice(len(X), background, replace=False))]
    groups = [[j] for j in range(len(features))]
    request = {"model": f"{up.model_sha}.onnx", "table": f"{up.csv_sha}.csv",
               "target": None if up.target == "(none)" else up.target, "rows": rows, "background": background,
               "method": method}
    try:
        if pending("onnx", request) is not None:
            att = _as_job(up, request, lambda: True)
        else:
            seconds = cached("byo_estimate", key, lambda: xp.probe_seconds(
                lambda k: xp.shap_values(up.model, X[:k], bg, features, groups, method), rows))
            if is_slow(seconds):
                att = _as_job(up, request, lambda: ask_before_slow(seconds, "This explanation",
                                                                   keys.EXPLAIN_BYO_COMPUTE))
            else:
                att = _in_page(up, X[:rows], bg, groups, method)
    except Exception as e:           # the model failed on these rows: a plain message, never a traceback
        st.error(f"The model could not be explained: {md(str(e).splitlines()[0][:300])}")
        return None
    return None if att is None else cached("byo_shap", key, lambda: att)


def _in_page(up: Uploaded, X, bg, groups, method: str):
    bar, update = progress_bar(f"Computing SHAP values of {len(X):,} rows…")
    try:
        att = xp.shap_values(up.model, X, bg, up.features, groups, method, progress=update)
    finally:
        bar.empty()
    att.settings.update(split="uploaded")
    return att


def _as_job(up: Uploaded, request: dict, ask):
    """The job explaining the uploaded model; its files are kept in the person's space when it is asked for."""
    def ask_and_keep() -> bool:
        go = ask()
        if go:
            keep_uploads(up.files)
        return go
    return as_job("onnx", request, f"SHAP values of {request['rows']:,} rows", keys.EXPLAIN_BYO_COMPUTE, load_npz,
                  ask_and_keep)


def _caption(att, up: Uploaded, rows: int, background: int) -> str:
    """How the values were made, and what the output names rest on."""
    model, classes = up.model, up.classes
    return (f"Method: **{xp.METHODS[att.method].label}** · background: {background} rows of your table · "
            f"{rows:,} rows explained · computed in {att.seconds:.2f} s. The model's own output is explained "
            "as it comes out (a probability, if that is what it returns)."
            + (" The outputs are named after the target's classes in sorted order, as scikit-learn orders "
               "them; a model that orders its classes otherwise has the names, not the numbers, wrong."
               if classes and len(classes) == len(model.outputs) and not model.names_from_model else "")
            + (" The output names come from the model's own metadata." if model.names_from_model else "")
            + (f" Columns the model does not take are left out: {md(', '.join(up.left_out))}."
               if up.left_out else ""))


def _views(att, up: Uploaded, view: View, rows: int) -> None:
    """Which inputs matter (bars) beside one row's waterfall."""
    values, base, fx = view_values(att, view)
    X, feed = up.X, up.feed
    importance = dict(zip(att.features, np.abs(values).mean(0)))
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Which inputs matter**")
        st.plotly_chart(importance_bars(importance, f"mean |SHAP value| · {view.label}"), width="stretch",
                        config=PLAIN, key=keys.EXPLAIN_BYO_BARS)
    with right:
        st.markdown("**One row, from the average output to its own**")
        key = keys.EXPLAIN_BYO_ROW
        st.session_state[key] = int(min(max(0, st.session_state.get(key, 0)), rows - 1))
        r = st.number_input("Row (counting from 0)", 0, rows - 1, key=key, step=1, help=HELP["byo_row"])
        items = [(f"{c} = {feed.shown(j, X[r, j]) if feed else f'{X[r, j]:.4g}'}", float(values[r, j]))
                 for j, c in enumerate(att.features)]
        st.plotly_chart(waterfall(base, items, float(fx[r]), view.label), width="stretch", config=PLAIN,
                        key=keys.EXPLAIN_BYO_WATERFALL)
