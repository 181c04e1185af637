"""The Explain page's pieces: which run and output, the SHAP request, and the four views
(whole model, one row, drift over training, bring your own model).

The page script (pages/explain.py) calls these top to bottom. The heavy work is core.explain's;
here it is only asked for, shown with a progress bar, and kept in the session so a rerun (a
widget move) never recomputes it. core.explain also caches SHAP values in the run's folder, so a
second visit — even after a restart — is instant.

The plain functions at the top need no Streamlit session and are tested directly.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core import explain as xp
from core.data import DataError
from core.spec import SpecError
from core.runs import StoreError
from dashboard.charts import explain as charts
from dashboard.state import choose, session_cache
from dashboard.text import md_plain as md
from dashboard.widgets import HELP

EXPLAINABLE = ("finished", "stopped", "interrupted")
SLOW_S = 3.0                  # a request estimated above this asks before it starts
DEFAULT_ROWS = 200
MAX_ROWS = 2000
LIME_SEEDS = 5
DRIFT_ROWS, DRIFT_BACKGROUND = 200, 50
SPLITS = {"test": "test", "val": "validation", "train": "training"}
CHART = {"displayModeBar": False}
AUTO_LABEL = "Automatic (exact, sampling or pixels)"


# =====================================================================================
# Plain helpers (no Streamlit session needed)
# =====================================================================================


@dataclass(frozen=True)
class View:
    """One explained output in the user's words: which column of the attributions, and its unit.

    Every class has its own output, the log-odds of that class (core.units), whatever the network's
    head; a regression's one output is the predicted value in the target's units."""

    index: int                  # output column in the Attribution
    label: str                  # what the numbers are, e.g. "log-odds of 'good'"
    class_index: int | None     # the class (for LIME), None for regression / unknown outputs


def view_for(dataset, outputs: list[str], class_index: int | None) -> View:
    """The View of a run's class (or its single regression output)."""
    if dataset.task == "regression" or class_index is None:
        return View(0, f"predicted {dataset.target}", None)
    return View(class_index, outputs[class_index], class_index)


def unit_note(dataset) -> str:
    """A sentence on how to read the unit, after the page's "explaining the network's …"."""
    if dataset.task == "regression":
        return ""
    return (". Log-odds are log(p / (1 − p)) of the class's probability p: 0 is even odds, every +1 multiplies "
            "the odds by e ≈ 2.7, and a value of 2 means p ≈ 88 %. Every chart here, the Fairness page and the "
            "audit report use this unit.")


def view_values(att, view: View) -> tuple[np.ndarray, float, np.ndarray]:
    """(values [n, p], base, outputs [n]) of one View."""
    return att.of(view.index), float(att.base[view.index]), att.fx[:, view.index]


def value_texts(frame: pd.DataFrame) -> np.ndarray:
    """The cells of original rows as short texts (numbers to 4 significant digits), [n, p]."""
    out = np.empty(frame.shape, dtype=object)
    for j, col in enumerate(frame.columns):
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out[:, j] = ["missing" if pd.isna(v) else f"{float(v):.4g}" for v in s]
        else:
            out[:, j] = ["missing" if pd.isna(v) else str(v) for v in s]
    return out


def normalised(codes: np.ndarray, kinds: list) -> np.ndarray:
    """Each column's values scaled to 0 (low) … 1 (high) for colouring: numbers between their 5th
    and 95th percentile, text columns by category index. NaN where a column has one value only."""
    codes = np.asarray(codes, float)
    out = np.full(codes.shape, np.nan)
    for j, cats in enumerate(kinds):
        v = codes[:, j]
        if cats is not None:
            if len(cats) > 1:
                out[:, j] = v / (len(cats) - 1)
            continue
        lo, hi = np.nanpercentile(v, 5), np.nanpercentile(v, 95)
        if hi <= lo:
            lo, hi = np.nanmin(v), np.nanmax(v)
        if hi > lo:
            out[:, j] = np.clip((v - lo) / (hi - lo), 0, 1)
    return out


ROW_LISTS = {
    "all": "All rows, in table order",
    "mistakes": "Most confident mistakes",
    "unsure": "Least confident",
    "errors": "Largest errors",
}


def row_lists(task: str) -> list[str]:
    return ["all", "mistakes", "unsure"] if task == "classification" else ["all", "errors"]


def row_order(kind: str, y_true, proba=None, predicted=None) -> np.ndarray:
    """Positions of the explained rows in a list's order (mistakes: wrong rows only)."""
    y = np.asarray(y_true)
    if kind == "mistakes":
        p = np.asarray(proba)
        wrong = np.nonzero(p.argmax(1) != y)[0]
        return wrong[np.argsort(-p[wrong].max(1), kind="stable")]
    if kind == "unsure":
        return np.argsort(np.asarray(proba).max(1), kind="stable")
    if kind == "errors":
        return np.argsort(-np.abs(y.astype(float) - np.asarray(predicted, float)), kind="stable")
    return np.arange(len(y))


def agreement_verdict(agree: dict, lime_score: float) -> tuple[bool, str]:
    """(they agree?, a sentence in plain words) for explain.agreement's result. The direction is counted
    over the columns in either top list, and the sentence says so with both counts."""
    k = agree["top_k"]
    rho, overlap, signs = agree["spearman"], agree["top_k_overlap"], agree["sign_agreement"]
    shared = round(overlap * k)
    union, same = agree["union"], agree["same_sign"]
    fit = ("LIME's straight-line fit around this row is poor"
           if lime_score < 0.3 else "LIME's fit around this row is fair" if lime_score < 0.6
           else "LIME's fit around this row is good")
    problems = []
    if overlap < 0.6:
        problems.append(f"they share only {shared} of their top {k} columns")
    if np.isfinite(signs) and signs < 0.8:
        problems.append(f"they push {union - same} of the {union} columns in either top {k} in opposite "
                        f"directions ({1 - signs:.0%})")
    if np.isfinite(rho) and rho < 0.5:
        problems.append(f"they rank the columns differently (rank correlation {rho:.2f})")
    if problems:
        return False, ("**SHAP and LIME disagree on this row:** " + "; ".join(problems) + ". "
                       f"{fit} (R² = {lime_score:.2f}). SHAP's values add up exactly to the network's output; "
                       "LIME's come from a simple model fitted to random variations of the row, so when the two "
                       "differ, trust SHAP for what the network computes and read LIME as a rough local summary.")
    return True, (f"**SHAP and LIME broadly agree on this row:** {shared} of the top {k} columns are the same"
                  + (f", and they push {same} of the {union} columns in either top {k} the same way ({signs:.0%})"
                     if np.isfinite(signs) else "")
                  + f". {fit} (R² = {lime_score:.2f}).")


def drift_sentence(drift: list[dict]) -> str:
    """One sentence on when the network started relying on its (finally) most important column."""
    if not drift:
        return ""
    ranks = xp.ranks_over_time(drift)
    epochs = [d["epoch"] for d in drift]
    top = next(iter(drift[-1]["importance"]))
    r = ranks[top]
    if len(epochs) < 2:
        return f"At epoch {epochs[0]}, the network relied most on **{md(top)}**."
    if all(x == 1 for x in r):
        return (f"The network relied most on **{md(top)}** at every saved checkpoint, "
                f"from epoch {epochs[0]} to epoch {epochs[-1]}.")
    near = 3 if len(ranks) > 4 else 1
    start = next(i for i in range(len(r)) if all(x <= near for x in r[i:]))
    if start == 0:
        return (f"**{md(top)}** was among the most important columns from the first saved checkpoint "
                f"(epoch {epochs[0]}) and ended as the most important one.")
    place = "the top 3" if near == 3 else "the top"
    return (f"The network started relying on **{md(top)}** at epoch {epochs[start]}: it rose from rank "
            f"{r[start - 1]} (epoch {epochs[start - 1]}) into {place}, and ended as the most important column.")


def drift_movers(drift: list[dict]) -> str:
    """A sentence on the columns whose rank changed most between the first and the last checkpoint."""
    if len(drift) < 2:
        return ""
    ranks = xp.ranks_over_time(drift)
    first, last = drift[0]["epoch"], drift[-1]["epoch"]
    change = {c: r[0] - r[-1] for c, r in ranks.items()}          # > 0: moved up
    up = max(change, key=lambda c: change[c])
    down = min(change, key=lambda c: change[c])
    parts = []
    if change[up] >= 2:
        parts.append(f"**{md(up)}** rose the most, from rank {ranks[up][0]} to {ranks[up][-1]}")
    if change[down] <= -2:
        parts.append(f"**{md(down)}** fell the most, from rank {ranks[down][0]} to {ranks[down][-1]}")
    if not parts:
        return f"Between epoch {first} and epoch {last} no column moved more than one place."
    return f"Between epoch {first} and epoch {last}, " + "; ".join(parts) + "."


class ByoError(ValueError):
    """An uploaded table that cannot feed an uploaded model; the message says why and what to do."""


def byo_table(frame: pd.DataFrame, target: str | None) -> tuple[np.ndarray, list[str], list[str] | None]:
    """(inputs [n, p] float32, input column names, class names or None) of an uploaded table.

    Every column but the target is a model input and must hold numbers only."""
    features = [c for c in frame.columns if c != target]
    if not features:
        raise ByoError("The table has no columns besides the target; the model needs at least one input column.")
    numeric = pd.api.types.is_numeric_dtype
    text = [c for c in features if not (numeric(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))]
    if text:
        names = ", ".join(f"'{c}'" for c in text[:8]) + (f" and {len(text) - 8} more" if len(text) > 8 else "")
        raise ByoError(f"The model's inputs must be numbers, but {names} hold{'s' if len(text) == 1 else ''} text. "
                       "Encode them as numbers exactly as the model was trained on them (for example one 0/1 "
                       "column per category), or pick that column as the target.")
    X = frame[features].astype(float).to_numpy()
    holes = [c for c, bad in zip(features, np.isnan(X).any(0)) if bad]
    if holes:
        names = ", ".join(f"'{c}'" for c in holes[:8]) + (f" and {len(holes) - 8} more" if len(holes) > 8 else "")
        raise ByoError(f"{names} ha{'s' if len(holes) == 1 else 've'} empty cells; fill them (as the model's "
                       "training did) or remove those rows, then upload the table again.")
    return X.astype(np.float32), [str(c) for c in features], byo_classes(frame, target)


def byo_classes(frame: pd.DataFrame, target: str | None) -> list[str] | None:
    """The target's classes in sorted order (as scikit-learn orders them), or None."""
    if target is None:
        return None
    y = frame[target].dropna()
    if not 1 < y.nunique() <= 50:
        return None
    numeric = pd.api.types.is_numeric_dtype(y)
    uniq = sorted(y.unique(), key=float if numeric else str)
    return [f"{float(v):g}" if numeric else str(v) for v in uniq]


def byo_default_target(model_bytes: bytes, columns: list[str]) -> str:
    """The target to offer first: the one a Glassnet export names, else the last column the model does not
    take by name (a model with one input matrix takes none by name), else '(none)'."""
    import json

    from core import onnx_feed
    session = onnx_feed.session_of(model_bytes)
    try:
        stored = json.loads(session.get_modelmeta().custom_metadata_map.get("glassnet.target") or "null")
    except ValueError:
        stored = None
    taken = [i.name for i in onnx_feed.column_inputs(session, columns) or []]
    free = [c for c in columns if c not in taken]
    if len(columns) < 2 or not free:
        return "(none)"
    return stored if stored in free else free[-1]


def byo_inputs(model_bytes: bytes, frame: pd.DataFrame, target: str | None):
    """(codes or inputs, input names, classes, feed, columns left out) of a table for an uploaded model: its
    original columns by name when the model takes one input per column, else byo_table's matrix (feed None)."""
    from core import onnx_feed
    columns = [str(c) for c in frame.columns if c != target]
    inputs = onnx_feed.column_inputs(onnx_feed.session_of(model_bytes), columns)
    if inputs is None:
        return (*byo_table(frame, target), None, [])
    X, feed = onnx_feed.table_codes(frame, inputs)
    names = [i.name for i in inputs]
    classes = byo_classes(frame, target) if target not in names else None     # an input is not what it predicts
    return X, names, classes, feed, [c for c in columns if c not in names]


# =====================================================================================
# Session cache, runs, settings
# =====================================================================================


def cached(kind: str, key, compute):
    """compute()'s result kept in this session (the page's 16 most recently used results)."""
    return session_cache("_xp_cache", kind, key, compute, keep=16)


def peek(kind: str, key):
    return st.session_state.get("_xp_cache", {}).get((kind, key))


@st.cache_resource(show_spinner="Loading the network…", max_entries=16)
def _explainer(home: str, run_id: str, checkpoint, updated: float, _store):
    return xp.RunExplainer.open(_store, run_id, checkpoint)


def open_explainer(store, run, checkpoint):
    """The run's RunExplainer at a checkpoint, or None after showing why it cannot be explained."""
    try:
        ex = _explainer(str(store.home), run.id, checkpoint, run.updated, store)
        # while runs train, their workers hold the cores: one torch thread explains faster than two
        ex.threads = 1 if any(r.active for r in store.list_runs()) else None
        return ex
    except (StoreError, DataError, SpecError, ValueError, OSError, RuntimeError) as e:
        st.error(f"This run cannot be explained: {e}")
        st.caption("Try the other weights, or pick another run.")
        return None


def checkpoint_options(store, run_id: str) -> dict:
    """checkpoint → label: the last and best weights, then every saved epoch."""
    points = store.checkpoints(run_id)
    epochs = sorted({c["epoch"] for c in points if c["kind"] == "epoch"})
    best = [c["epoch"] for c in points if c["kind"] == "best"]
    out = {"last": f"Last epoch ({epochs[-1]})" if epochs else "Last epoch"}
    if best:
        out["best"] = f"Best epoch ({best[0]}, lowest validation loss)"
    for e in epochs[:-1]:
        out[e] = f"Epoch {e}"
    return out


@dataclass(frozen=True)
class Request:
    method: str          # a METHODS key (never "auto" here)
    split: str
    rows: int
    background: int

    def key(self, ex) -> tuple:
        return (ex.run_id, str(ex.checkpoint), ex.loaded.epoch, self.method, self.split, self.rows, self.background)


def method_options(n_columns: int, has_net: bool = True, image: bool = False) -> list[str]:
    keys = ["auto"] + list(xp.METHODS)
    if n_columns > xp.EXACT_LIMIT:
        keys = [k for k in keys if k not in ("exact", "shap_exact")]
    if not image:                                 # one round of walks fits many small players, not tables
        keys = [k for k in keys if k != "pixels"]
    if not has_net:
        keys = [k for k in keys if k not in ("deep", "gradient")]
    return keys


def method_label(key: str) -> str:
    return AUTO_LABEL if key == "auto" else xp.METHODS[key].label


def settings(ex) -> Request:
    """The SHAP request's widgets (method, rows, background); returns the request."""
    ds = ex.dataset
    n_cols = len(ds.original_columns)
    image = ds.image_shape is not None
    methods = method_options(n_cols, image=image)
    choose("xp_method", methods, "auto")
    choose("xp_split", list(SPLITS), "test")
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    method = c1.selectbox("SHAP method", methods, key="xp_method", format_func=method_label,
                          help=HELP["explain_method"] + "\n\n" + "\n\n".join(
                              f"**{xp.METHODS[k].label}** — {xp.METHODS[k].help}" for k in methods if k != "auto"))
    resolved = xp.auto_method(n_cols, image) if method == "auto" else method
    split = c2.selectbox("Rows from", list(SPLITS), key="xp_split", format_func=lambda s: f"{SPLITS[s]} rows",
                         help=HELP["explain_split"])
    n_split = len(ds.split(split)[0])
    n_train = len(ds.X_train)
    st.session_state["xp_rows"] = int(min(max(1, st.session_state.get("xp_rows", DEFAULT_ROWS)), n_split, MAX_ROWS))
    top = min(n_split, MAX_ROWS)
    if top > 1:
        rows = c3.slider("Rows to explain", 1, top, key="xp_rows", help=HELP["explain_rows"])
    else:
        rows = 1
    bg_top = min(300, n_train)
    st.session_state["xp_background"] = int(min(max(1, st.session_state.get("xp_background", xp.DEFAULT_BACKGROUND)),
                                                bg_top))
    if bg_top > 1:
        background = c4.slider("Background rows", 1, bg_top, key="xp_background", help=HELP["explain_background"])
    else:
        background = bg_top
    st.caption(f"**{xp.METHODS[resolved].label}:** {xp.METHODS[resolved].help}")
    return Request(resolved, split, int(rows), int(background))


def _progress_bar(text: str):
    """A progress bar and a callback feeding it (at most ~10 updates a second)."""
    bar = st.progress(0.0, text=text)
    last = [0.0]

    def update(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] > 0.1 or fraction >= 1.0:
            last[0] = now
            bar.progress(float(min(1.0, max(0.0, fraction))), text=text)
    return bar, update


def _ask_before_slow(seconds: float, what: str, key: str) -> bool:
    """True when the work may start: it is quick, or the user pressed the button under the estimate."""
    if seconds <= SLOW_S:
        return True
    box = st.empty()
    with box.container():
        st.warning(f"{what} will take about **{seconds:,.0f} s** on this machine. Lower **Rows to explain** or "
                   "**Background rows** above, or pick a faster method — or start it now.", icon=":material/timer:")
        go = st.button(f"Compute (about {seconds:,.0f} s)", key=key, type="primary", icon=":material/play_arrow:",
                       help=HELP["explain_compute"])
    if go:
        box.empty()
    return go


def attribution(ex, req: Request):
    """The SHAP values of the request: from this session, from the run's cache, or computed now with a
    progress bar (after asking, when slow). None when waiting for the user or after an error shown."""
    key = req.key(ex)
    att = peek("shap", key)
    if att is None:
        kwargs = dict(method=req.method, split=req.split, limit=req.rows, background=req.background)
        bar = None
        try:
            att = ex.shap(**kwargs, cached_only=True)
            if att is None:
                ids, X = ex.rows(req.split, req.rows)
                seconds = cached("estimate", key, lambda: xp.probe_seconds(
                    lambda k: ex.shap_rows(X[:k], req.method, background=req.background),
                    req.rows))
                if not _ask_before_slow(seconds, "This explanation", "xp_compute"):
                    return None
                bar, update = _progress_bar(f"Computing SHAP values of {req.rows:,} rows "
                                            f"({xp.METHODS[req.method].label})… click anything else to cancel.")
                att = ex.shap(**kwargs, progress=update)
                bar.empty()
        except Exception as e:            # shap's explainers raise many types; never show a traceback
            if bar is not None:
                bar.empty()
            st.error(f"{xp.METHODS[req.method].label} could not explain this network: {e}")
            st.caption("Try Shapley sampling or the automatic method: they work for every network.")
            return None
        cached("shap", key, lambda: att)
    return att


def attribution_caption(att, fresh: bool | None = None) -> str:
    s = att.settings
    parts = [f"Method: **{xp.METHODS[att.method].label}** ({att.algorithm})",
             f"background: {s.get('background')} training rows",
             f"{len(att.rows):,} {SPLITS.get(s.get('split', 'test'), 'test')} rows explained",
             f"computed in {att.seconds:.2f} s"]
    err = att.estimated_error()
    if err is not None:
        parts.append(f"estimated error ≈ {err:.1%}")
    if xp.METHODS[att.method].additive:
        parts.append(f"base + sum matches the output to {att.additivity_max_error:.1e}")
    return " · ".join(parts) + (". Results are kept: coming back to them is instant. Long computations show a "
                                "progress bar; clicking anything else cancels them.")


def grouped_message(att) -> str | None:
    """Which text columns were one-hot encoded into several model inputs and explained as one."""
    if not att.grouped:
        return None
    parts = [f"**{md(c)}** ({len(inputs)} inputs)" for c, inputs in att.grouped.items()]
    return ("Text columns reach the network as one 0/1 input per category (one-hot). Each is explained as "
            "**one column** here — its value is the effect of all its inputs together: " + ", ".join(parts) + ".")


# =====================================================================================
# Row data shared by the views
# =====================================================================================


@dataclass
class Rows:
    ids: np.ndarray             # row numbers in dataset.raw
    X: np.ndarray               # model inputs
    y: np.ndarray               # true class ids / values
    proba: np.ndarray | None    # [n, classes]
    predicted: np.ndarray       # class ids / values
    codes: np.ndarray           # one number per original column (LIME's form)
    texts: np.ndarray           # [n, p] original values as text


def rows_of(ex, att, req: Request) -> Rows:
    def compute():
        ds = ex.dataset
        ids, X = ex.rows(req.split, req.rows)
        y = ds.split(req.split)[1][:req.rows]
        out = np.asarray(ex.model.proba(X))
        frame = ds.raw.iloc[ids][list(ds.original_columns)]
        codes = ds.codes(frame)
        if ds.task == "classification":
            return Rows(ids, X, y, out, out.argmax(1), codes, value_texts(frame))
        return Rows(ids, X, y, None, out.reshape(-1), codes, value_texts(frame))
    return cached("rows", req.key(ex), compute)


def image_of(dataset, values) -> np.ndarray | None:
    """A row's pixels (or a per-pixel map) as an image [h, w], for image datasets."""
    shape = dataset.image_shape
    if shape is None or np.size(values) != shape[1] * shape[2]:
        return None
    return np.asarray(values, float).reshape(shape[1], shape[2])


# =====================================================================================
# Whole model
# =====================================================================================


def show_global(ex, att, view: View, rows: Rows) -> None:
    ds = ex.dataset
    values, base, _ = view_values(att, view)
    importance = dict(zip(att.features, np.abs(values).mean(0)))
    if (image := image_of(ds, list(importance.values()))) is not None:
        st.subheader("Which pixels matter")
        mean_img = image_of(ds, rows.codes.mean(0))
        signed = image_of(ds, values.mean(0))
        st.plotly_chart(charts.pixel_maps([
            {"title": "the average image", "image": mean_img},
            {"title": f"mean |SHAP| · {view.label}", "map": image, "signed": False},
            {"title": f"average SHAP · {view.label} (red raises it)", "map": signed, "image": mean_img},
        ], columns=3), width="stretch", config=CHART, key="xp_global_pixels")
        st.caption(f"Each square is a pixel; the explained output is the {md(view.label)}. Middle: dark blue pixels "
                   "move it the most on average, in either direction. Right, over the average image: red pixels "
                   "raise it on average, blue pixels lower it. Open **One row** to see a single digit's map.")
        return
    st.subheader("Which columns matter")
    many = len(importance) > 30
    st.plotly_chart(charts.importance_bars(importance, f"mean |SHAP value| · {view.label}"), width="stretch",
                    config=CHART, key="xp_global_bars")
    st.caption("How much each column moves the network's output on average, in either direction (the mean of "
               "the absolute SHAP values over the explained rows)."
               + (" Only the 30 most important columns are drawn." if many else ""))
    kinds = ds.column_kinds()
    kind_list = [kinds[c] for c in att.features]
    st.subheader("Every row, every column")
    st.plotly_chart(charts.beeswarm(values, att.features, normalised(rows.codes, kind_list), rows.texts,
                                    xlabel=f"SHAP value · {view.label}"),
                    width="stretch", config=CHART, key="xp_global_swarm")
    st.caption("Each dot is one row. Right of the line, the column pushed this row's output up; left, down. "
               "The colour is the column's value in that row: red high, blue low (text columns: by category, "
               "in alphabetical order). Red dots on the right mean 'the higher this column, the higher the output'.")
    st.subheader("How one column's effect depends on its value")
    order = list(importance)                      # columns in the original order
    ranked = sorted(order, key=lambda c: -importance[c])
    choose("xp_feature", order, ranked[0])
    colour_options = ["(none)"] + order
    choose("xp_colour", colour_options, ranked[1] if len(ranked) > 1 else "(none)")
    a, b = st.columns(2)
    feature = a.selectbox("Column", order, key="xp_feature", help=HELP["explain_feature"])
    colour = b.selectbox("Colour by", colour_options, key="xp_colour", help=HELP["explain_colour"])
    j = att.features.index(feature)
    cj = att.features.index(colour) if colour != "(none)" else None
    st.plotly_chart(charts.dependence(rows.codes[:, j], values[:, j], feature, categories=kinds[feature],
                                      colour=rows.codes[:, cj] if cj is not None else None,
                                      colour_name=colour if cj is not None else None,
                                      colour_categories=kinds[colour] if cj is not None else None,
                                      ylabel=f"SHAP value of {feature} · {view.label}"),
                    width="stretch", config=CHART, key="xp_global_dependence")
    st.caption(f"Each dot is one row: how far **{md(feature)}** moved the output (up or down) against its value. "
               "A rising cloud means the network learned 'more is higher'; a spread at one value means the effect "
               "depends on other columns — colour by one of them to see which.")


# =====================================================================================
# One row
# =====================================================================================


def _row_label(ds, rows: Rows, i: int) -> str:
    if ds.task == "classification":
        names = ds.class_names
        p = rows.proba[i]
        return (f"row {rows.ids[i]} · true '{names[rows.y[i]]}' → predicted '{names[rows.predicted[i]]}' "
                f"({p.max():.0%})")
    return f"row {rows.ids[i]} · true {rows.y[i]:.4g}, predicted {rows.predicted[i]:.4g}"


def pick_row(ds, rows: Rows) -> int:
    """The list and row widgets; returns the position of the chosen row among the explained rows."""
    lists = row_lists(ds.task)
    choose("xp_list", lists, "all")
    a, b = st.columns([1, 2])

    def reset_row():
        st.session_state.pop("xp_row", None)
    kind = a.radio("Find a row", lists, key="xp_list", format_func=ROW_LISTS.get, on_change=reset_row,
                   help=HELP["explain_row_list"])
    order = row_order(kind, rows.y, rows.proba, rows.predicted)
    if len(order) == 0:
        a.caption("No mistakes among these rows — showing all rows.")
        order = np.arange(len(rows.ids))
    options = [int(i) for i in order]
    choose("xp_row", options, options[0])
    return b.selectbox("Row", options, key="xp_row", format_func=lambda i: _row_label(ds, rows, i),
                       help=HELP["explain_row"])


def _whatif_keys(tag: str, p: int) -> list[str]:
    return [f"xp_wi_{tag}_{j}" for j in range(p)]


def whatif(ds, codes: np.ndarray, tag: str) -> np.ndarray:
    """Inputs for every original column of the row, starting from its values; returns the edited codes."""
    kinds = ds.column_kinds()
    cols = list(ds.original_columns)
    keys = _whatif_keys(tag, len(cols))
    train_codes = cached("train_codes", ds.ref.key, lambda: ds.codes(ds.raw.iloc[ds.idx_train]))
    for j, key in enumerate(keys):
        st.session_state.setdefault(key, int(codes[j]) if kinds[cols[j]] is not None else float(codes[j]))

    def reset():
        for key in keys:
            st.session_state.pop(key, None)
    grid = st.columns(4)
    for j, (col, key) in enumerate(zip(cols, keys)):
        cell = grid[j % 4]
        cats = kinds[col]
        if cats is not None:
            cell.selectbox(col, list(range(len(cats))), key=key, format_func=lambda i, c=cats: c[i],
                           help=HELP["explain_whatif_category"])
        else:
            v = train_codes[:, j]
            integral = bool(np.all(np.mod(v, 1) == 0))
            spread = float(np.std(v)) or 1.0
            step = 1.0 if integral else float(10 ** np.floor(np.log10(spread / 4)))
            cell.number_input(col, key=key, step=step, format="%g",
                              help=HELP["explain_whatif_number"].format(lo=f"{v.min():.4g}", hi=f"{v.max():.4g}"))
    st.button("Back to the row's own values", key="xp_wi_reset", on_click=reset, icon=":material/undo:",
              help=HELP["explain_whatif_reset"])
    return np.array([float(st.session_state[k]) for k in keys])


def _changes(ds, before: np.ndarray, after: np.ndarray) -> list[str]:
    kinds = ds.column_kinds()
    out = []
    for j, col in enumerate(ds.original_columns):
        if before[j] != after[j]:
            cats = kinds[col]
            if cats is not None:
                out.append(f"{md(col)}: {md(cats[int(before[j])])} → {md(cats[int(after[j])])}")
            else:
                out.append(f"{md(col)}: {before[j]:.4g} → {after[j]:.4g}")
    return out


def _code_texts(ds, codes: np.ndarray) -> list[str]:
    kinds = ds.column_kinds()
    return [kinds[c][int(v)] if kinds[c] is not None else f"{v:.4g}" for c, v in zip(ds.original_columns, codes)]


def _lime(ex, codes: np.ndarray, class_index: int | None):
    return cached("lime", (ex.run_id, str(ex.checkpoint), ex.loaded.epoch, class_index, tuple(codes)),
                  lambda: ex.lime(codes, class_index or 0))


def _prediction_metrics(ds, proba_or_value, true_value, before=None) -> None:
    m = st.columns(3)
    if ds.task == "classification":
        names = ds.class_names
        p = np.asarray(proba_or_value)
        k = int(p.argmax())
        delta = None
        if before is not None:
            delta = f"{p[k] - before[k]:+.1%} for '{names[k]}' (was '{names[int(np.argmax(before))]}')"
        m[0].metric("Prediction", f"{names[k]} ({p[k]:.0%})", delta=delta, delta_color="off",
                    help="The class the network picks for this row, and the probability it gives it.")
        m[1].metric("True answer", str(names[int(true_value)]),
                    help="The row's real class in the data (unchanged by edits).")
    else:
        v = float(np.asarray(proba_or_value).reshape(-1)[0])
        delta = f"{v - float(before):+.4g}" if before is not None else None
        m[0].metric("Prediction", f"{v:.4g}", delta=delta, delta_color="off",
                    help="The value the network predicts for this row.")
        m[1].metric("True value", f"{float(true_value):.4g}", help="The row's real value in the data.")


def show_row(ex, att, view: View, rows: Rows, req: Request) -> None:
    ds = ex.dataset
    i = pick_row(ds, rows)
    row_id = int(rows.ids[i])
    codes = rows.codes[i]
    image = image_of(ds, codes)
    if image is not None:
        _show_image_row(ex, att, rows, i, image)
        return
    tag = hashlib.sha256(f"{ex.run_id}|{row_id}".encode()).hexdigest()[:10]
    with st.expander("What if? Change this row's values", icon=":material/tune:"):
        st.caption("Change any value: the prediction and both explanations below are recomputed at once for the "
                   "edited row. The true answer stays the row's own.")
        edited = whatif(ds, codes, tag)
    changed = _changes(ds, codes, edited)
    before = rows.proba[i] if rows.proba is not None else rows.predicted[i]
    if changed:
        x = ds.from_codes(edited[None, :])
        now = np.asarray(ex.model.proba(x))[0] if ds.task == "classification" else np.asarray(ex.model.proba(x))
        st.info("Edited: " + "; ".join(changed) + ".", icon=":material/edit:")
        _prediction_metrics(ds, now, rows.y[i], before)
        try:
            one = cached("shap_rows", (req.key(ex), tuple(edited)),
                         lambda: ex.shap_rows(x, req.method, background=req.background))
        except Exception as e:
            st.error(f"{xp.METHODS[req.method].label} could not explain the edited row: {e}")
            return
        values, base, fx = view_values(one, view)
        shap_row, out = values[0], float(fx[0])
        current, texts = edited, _code_texts(ds, edited)
    else:
        _prediction_metrics(ds, before, rows.y[i])
        values, base, fx = view_values(att, view)
        shap_row, out = values[i], float(fx[i])
        current, texts = codes, list(rows.texts[i])
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**SHAP: from the average output to this row's**")
        items = [(f"{c} = {t}", float(v)) for c, t, v in zip(att.features, texts, shap_row)]
        st.plotly_chart(charts.waterfall(base, items, out, view.label), width="stretch", config=CHART,
                        key="xp_row_waterfall")
        st.caption(f"Starts at the average {md(view.label)} over the background rows ({base:.3g}); each bar is one "
                   f"column's push, red up, blue down; the last bar is this row's output ({out:.3g}).")
    with right:
        st.markdown("**LIME: a simple model fitted around this row**")
        try:
            lime = _lime(ex, current, view.class_index)
        except Exception as e:
            st.error(f"LIME could not explain this row: {e}")
            return
        stab = peek("stability", (ex.run_id, str(ex.checkpoint), view.class_index, tuple(current)))
        labels = [lime.rules.get(c, c) for c in lime.features]
        what = view.label                        # the same unit as SHAP's
        if stab is not None:
            mean, std, _ = stab
            st.plotly_chart(charts.lime_bars(labels, mean, std, xlabel=f"LIME weight · {what}"), width="stretch",
                            config=CHART, key="xp_row_lime")
        else:
            st.plotly_chart(charts.lime_bars(labels, lime.weights, xlabel=f"LIME weight · {what}"), width="stretch",
                            config=CHART, key="xp_row_lime")
        st.caption(f"LIME changes this row at random {lime.samples:,} times, asks the network, and fits a straight "
                   f"line to the answers near the row. Each bar is one rule's weight on the {md(what)}. The line "
                   f"explains **R² = {lime.score:.2f}** of the network's answers there (its local fidelity: 1 is a "
                   "perfect fit, near 0 means the weights say little).")
        if stab is None:
            if st.button(f"Check LIME's stability ({LIME_SEEDS} seeds)", key="xp_stability",
                         icon=":material/science:", help=HELP["explain_stability"]):
                try:
                    with st.spinner(f"Running LIME {LIME_SEEDS} times…"):
                        cached("stability", (ex.run_id, str(ex.checkpoint), view.class_index, tuple(current)),
                               lambda: xp.lime_stability(ex.model, ds, current, view.class_index or 0,
                                                         seeds=LIME_SEEDS))
                except Exception as e:
                    st.error(f"LIME's stability check failed: {e}")
                else:
                    st.rerun()
        else:
            mean, std, runs = stab
            tops = {tuple(sorted(np.argsort(-np.abs(r.weights))[:3])) for r in runs}
            st.caption(f"Bars: the mean over {LIME_SEEDS} random seeds; whiskers: ± one standard deviation. "
                       + ("The top 3 columns are the same for every seed: LIME is stable here."
                          if len(tops) == 1 else
                          f"The top 3 columns change between seeds ({len(tops)} different sets): read LIME's "
                          "ranking here with care.")
                       + " A whisker that crosses zero means even the direction is uncertain.")
    agree = xp.agreement(shap_row, lime.weights, k=5)
    ok, sentence = agreement_verdict(agree, lime.score)
    m = st.columns(3)
    m[0].metric("Rank correlation", "—" if not np.isfinite(agree["spearman"]) else f"{agree['spearman']:.2f}",
                help="Spearman correlation of the two rankings of the columns by size (1: the same order, "
                     "0: unrelated, −1: reversed).")
    m[1].metric(f"Top-{agree['top_k']} overlap", f"{agree['top_k_overlap']:.0%}",
                help=f"The share of SHAP's {agree['top_k']} biggest columns that are also among LIME's.")
    m[2].metric("Same direction", "—" if not np.isfinite(agree["sign_agreement"]) else f"{agree['sign_agreement']:.0%}",
                help="Of the columns in either top list, the share that both methods push the same way.")
    (st.success if ok else st.warning)(sentence)
    st.caption(f"Both are in the same unit, the {md(view.label)}. A SHAP value is the column's share of this "
               "row's output; a LIME weight is what the rule shown (e.g. a range the value falls in) adds in LIME's "
               "straight-line fit: compare the order and the directions of the columns more than the sizes.")


def _show_image_row(ex, att, rows: Rows, i: int, image: np.ndarray) -> None:
    ds = ex.dataset
    names = list(ds.class_names)
    p = rows.proba[i]
    predicted = int(p.argmax())
    _prediction_metrics(ds, p, rows.y[i])
    others = [k for k in np.argsort(-p) if k != predicted]
    options = [int(k) for k in others]
    choose("xp_other", options, options[0])
    other = st.selectbox("Compare with class", options, key="xp_other", format_func=lambda k: f"'{names[k]}' "
                         f"({p[k]:.0%})", help=HELP["explain_other_class"])
    maps, limes = [], {}
    for k in (predicted, other):
        view = view_for(ds, att.outputs, k)
        values, _, _ = view_values(att, view)
        maps.append({"title": f"SHAP · log-odds of '{names[k]}'", "map": image_of(ds, values[i]), "image": image})
    for k in (predicted, other):
        try:
            limes[k] = _lime(ex, rows.codes[i], k)
        except Exception as e:
            st.error(f"LIME could not explain this image: {e}")
            return
        maps.append({"title": f"LIME · log-odds of '{names[k]}'", "map": image_of(ds, limes[k].weights),
                     "image": image})
    st.plotly_chart(charts.pixel_maps([{"title": "the image", "image": image}] + maps, columns=5),
                    width="stretch", config=CHART,
                    key="xp_row_pixels")
    st.caption(f"The digit, then where SHAP and LIME see evidence for the predicted class '{md(names[predicted])}' "
               f"and for '{md(names[other])}': red pixels raise that class's log-odds, blue pixels lower it. "
               f"LIME's fit around this image: R² = {limes[predicted].score:.2f}.")
    view = view_for(ds, att.outputs, predicted)
    values, _, _ = view_values(att, view)
    agree = xp.agreement(values[i], limes[predicted].weights, k=10)
    ok, sentence = agreement_verdict(agree, limes[predicted].score)
    (st.success if ok else st.warning)(sentence.replace("columns", "pixels"))


# =====================================================================================
# Drift over training
# =====================================================================================


def show_drift(ex, store) -> None:
    epochs = sorted({c["epoch"] for c in store.checkpoints(ex.run_id) if c["kind"] == "epoch"})
    st.markdown("Which columns the network relies on can change while it learns. This computes the importance "
                "of every column at each saved checkpoint and ranks them.")
    if len(epochs) < 2:
        st.info(f"This run kept only one checkpoint (epoch {epochs[0] if epochs else '—'}), so there is nothing to "
                "compare. Runs keep a checkpoint every 10 epochs: train one for 30 epochs or more to see the "
                "explanation change.", icon=":material/info:")
        return
    key = (ex.run_id, tuple(epochs))
    drift = peek("drift", key)
    if drift is None:
        box = st.empty()
        with box.container():
            st.caption(f"{len(epochs)} saved checkpoints (epochs {', '.join(map(str, epochs[:12]))}"
                       f"{'…' if len(epochs) > 12 else ''}); {DRIFT_ROWS} test rows and {DRIFT_BACKGROUND} "
                       "background rows at each, with the automatic method.")
            go = st.button("Compute the explanation at every checkpoint", key="xp_drift", type="primary",
                           icon=":material/timeline:", help=HELP["explain_drift"])
        if not go:
            return
        box.empty()
        bar, update = _progress_bar("Explaining each checkpoint… click anything else to cancel.")
        try:
            drift = ex.drift(rows=DRIFT_ROWS, background=DRIFT_BACKGROUND, progress=update)
        except Exception as e:
            bar.empty()
            st.error(f"The drift could not be computed: {e}")
            return
        bar.empty()
        cached("drift", key, lambda: drift)
    ranks = xp.ranks_over_time(drift)
    st.markdown(drift_sentence(drift) + " " + drift_movers(drift))
    st.plotly_chart(charts.bump_chart([d["epoch"] for d in drift], ranks, top=8), width="stretch", config=CHART,
                    key="xp_drift_chart")
    st.caption("Each line is one column's importance rank (1 = the column that moves the output most, mean |SHAP| "
               "over every output) at each saved checkpoint; the 8 most important columns at the end are drawn.")


# =====================================================================================
# Bring your own model
# =====================================================================================


def show_byo() -> None:
    st.markdown("Explain a model trained anywhere — PyTorch, scikit-learn (via skl2onnx), Keras (via tf2onnx) — "
                "without training it here. Upload the model as **ONNX** and a **CSV** of rows it can take. A model "
                "with one input per column (Glassnet's ONNX exports, skl2onnx pipelines) gets the table's columns "
                "by name, text and gaps included; a model with one input matrix gets one column per input, in "
                "the model's order and already prepared the way it expects (scaled, encoded). Add the target "
                "column if you have it. The model file is only run, never unpickled.")
    a, b = st.columns(2)
    model_file = a.file_uploader("ONNX model", type=["onnx"], key="xp_byo_model", help=HELP["explain_byo_model"])
    csv_file = b.file_uploader("Rows (CSV)", type=["csv", "txt", "tsv"], key="xp_byo_csv",
                               help=HELP["explain_byo_csv"])
    if model_file is None or csv_file is None:
        st.caption("Upload both files to see which inputs the model relies on.")
        return
    from core.data import read_csv_bytes
    csv_bytes = csv_file.getvalue()
    try:
        frame, _ = cached("byo_csv", hashlib.sha256(csv_bytes).hexdigest(),
                          lambda: read_csv_bytes(csv_bytes, filename=csv_file.name))
    except DataError as e:
        st.error(str(e))
        return
    columns = [str(c) for c in frame.columns]
    model_bytes = model_file.getvalue()
    model_sha = hashlib.sha256(model_bytes).hexdigest()
    try:
        default = cached("byo_target", (model_sha, tuple(columns)), lambda: byo_default_target(model_bytes, columns))
    except xp.ExplainError as e:
        st.error(str(e))
        return
    options = ["(none)"] + columns
    choose("xp_byo_target", options, default)
    target = st.selectbox("Target column", options, key="xp_byo_target", help=HELP["explain_byo_target"])
    table_key = (model_sha, hashlib.sha256(csv_bytes).hexdigest(), target)
    try:
        X, features, classes, feed, left_out = cached(
            "byo_inputs", table_key, lambda: byo_inputs(model_bytes, frame, None if target == "(none)" else target))
        model = cached("byo_model", table_key, lambda: xp.onnx_model(model_bytes, len(features), classes, feed))
    except (ByoError, xp.ExplainError) as e:
        st.error(str(e))
        return
    except Exception as e:              # onnxruntime's own errors: still a plain message
        st.error(f"That model could not be run ({str(e).splitlines()[0][:200]}); export it again with an ONNX "
                 "exporter and try again.")
        return
    n = len(X)
    c1, c2, c3 = st.columns(3)
    st.session_state["xp_byo_rows"] = int(min(max(1, st.session_state.get("xp_byo_rows", DEFAULT_ROWS)), n, MAX_ROWS))
    rows = c1.slider("Rows to explain", 1, min(n, MAX_ROWS), key="xp_byo_rows",
                     help=HELP["explain_rows"]) if min(n, MAX_ROWS) > 1 else 1
    k = len(model.outputs)
    output = 0
    if k > 1:
        choose("xp_byo_output", list(range(k)), k - 1 if k == 2 else 0)
        output = c2.selectbox("Output to explain", list(range(k)), key="xp_byo_output",
                              format_func=lambda j: model.outputs[j], help=HELP["explain_byo_output"])
    background = min(xp.DEFAULT_BACKGROUND, n)
    method = xp.auto_method(len(features))
    key = (model_sha, hashlib.sha256(csv_bytes).hexdigest(), target, rows, background, method)
    att = peek("byo_shap", key)
    if att is None:
        bg = X[np.sort(np.random.default_rng(0).choice(n, background, replace=False))]
        groups = [[j] for j in range(len(features))]
        bar = None
        try:
            seconds = cached("byo_estimate", key, lambda: xp.probe_seconds(
                lambda k: xp.shap_values(model, X[:k], bg, features, groups, method), rows))
            if not _ask_before_slow(seconds, "This explanation", "xp_byo_compute"):
                return
            bar, update = _progress_bar(f"Computing SHAP values of {rows:,} rows… click anything else to cancel.")
            att = xp.shap_values(model, X[:rows], bg, features, groups, method, progress=update)
        except Exception as e:           # the model failed on these rows: a plain message, never a traceback
            if bar is not None:
                bar.empty()
            st.error(f"The model could not be explained: {str(e).splitlines()[0][:300]}")
            return
        bar.empty()
        att.settings.update(split="uploaded")
        cached("byo_shap", key, lambda: att)
    view = View(output, model.outputs[output], None)
    values, base, fx = view_values(att, view)
    st.caption(f"Method: **{xp.METHODS[att.method].label}** · background: {background} rows of your table · "
               f"{rows:,} rows explained · computed in {att.seconds:.2f} s. The model's own output is explained "
               "as it comes out (a probability, if that is what it returns)."
               + (" The outputs are named after the target's classes in sorted order, as scikit-learn orders "
                  "them; a model that orders its classes otherwise has the names, not the numbers, wrong."
                  if classes and len(classes) == k and not model.names_from_model else "")
               + (" The output names come from the model's own metadata." if model.names_from_model else "")
               + (f" Columns the model does not take are left out: {md(', '.join(left_out))}." if left_out else ""))
    importance = dict(zip(att.features, np.abs(values).mean(0)))
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Which inputs matter**")
        st.plotly_chart(charts.importance_bars(importance, f"mean |SHAP value| · {view.label}"), width="stretch",
                        config=CHART, key="xp_byo_bars")
    with right:
        st.markdown("**One row, from the average output to its own**")
        st.session_state["xp_byo_row"] = int(min(max(0, st.session_state.get("xp_byo_row", 0)), rows - 1))
        r = st.number_input("Row (counting from 0)", 0, rows - 1, key="xp_byo_row", step=1,
                            help=HELP["explain_byo_row"])
        items = [(f"{c} = {feed.shown(j, X[r, j]) if feed else f'{X[r, j]:.4g}'}", float(values[r, j]))
                 for j, c in enumerate(att.features)]
        st.plotly_chart(charts.waterfall(base, items, float(fx[r]), view.label), width="stretch", config=CHART,
                        key="xp_byo_waterfall")
