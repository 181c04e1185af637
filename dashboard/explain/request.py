"""The SHAP request: which method, which rows and how many, and how many background rows."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core import limits
from core.analysis import explain as xp
from dashboard import keys
from dashboard.state import choose

from .help import HELP

SPLITS = {"test": "test", "val": "validation", "train": "training"}
DEFAULT_ROWS = 200
MAX_ROWS = 2000
AUTO_LABEL = "Automatic (exact, sampling or pixels)"


@dataclass(frozen=True)
class Request:
    method: str          # a METHODS key (never "auto" here)
    split: str
    rows: int
    background: int

    def key(self, ex) -> tuple:
        return (ex.run_id, str(ex.checkpoint), ex.loaded.epoch, self.method, self.split, self.rows, self.background)


def method_options(n_columns: int, image: bool = False) -> list[str]:
    """The methods offered: exact ones only for few columns, the pixel walks only for images."""
    options = ["auto"] + list(xp.METHODS)
    if n_columns > xp.EXACT_LIMIT:
        options = [k for k in options if k not in ("exact", "shap_exact")]
    if not image:                                 # one round of walks fits many small players, not tables
        options = [k for k in options if k != "pixels"]
    return options


def method_label(key: str) -> str:
    return AUTO_LABEL if key == "auto" else xp.METHODS[key].label


def rows_slider(column, key: str, available: int) -> int:
    """How many rows to explain (at most MAX_ROWS of the `available` ones); the slider keeps its value
    in range when the rows change."""
    top = min(available, MAX_ROWS, limits.current().max_explain_rows)
    st.session_state[key] = int(min(max(1, st.session_state.get(key, DEFAULT_ROWS)), top))
    return column.slider("Rows to explain", 1, top, key=key, help=HELP["rows"]) if top > 1 else 1


def settings(ex) -> Request:
    """The SHAP request's widgets (method, rows, background); returns the request."""
    ds = ex.dataset
    n_cols = len(ds.original_columns)
    image = ds.image_shape is not None
    methods = method_options(n_cols, image=image)
    choose(keys.EXPLAIN_METHOD, methods, "auto")
    choose(keys.EXPLAIN_SPLIT, list(SPLITS), "test")
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    method = c1.selectbox("SHAP method", methods, key=keys.EXPLAIN_METHOD, format_func=method_label,
                          help=HELP["method"] + "\n\n" + "\n\n".join(
                              f"**{xp.METHODS[k].label}** — {xp.METHODS[k].help}" for k in methods if k != "auto"))
    resolved = xp.auto_method(n_cols, image) if method == "auto" else method
    split = c2.selectbox("Rows from", list(SPLITS), key=keys.EXPLAIN_SPLIT, format_func=lambda s: f"{SPLITS[s]} rows",
                         help=HELP["split"])
    rows = rows_slider(c3, keys.EXPLAIN_ROWS, len(ds.split(split)[0]))
    background = _background_slider(c4, len(ds.X_train))
    st.caption(f"**{xp.METHODS[resolved].label}:** {xp.METHODS[resolved].help}")
    return Request(resolved, split, int(rows), int(background))


def _background_slider(column, n_train: int) -> int:
    """How many training rows stand in for a missing column (at most 300)."""
    top = min(300, n_train, limits.current().max_background)
    key = keys.EXPLAIN_BACKGROUND
    st.session_state[key] = int(min(max(1, st.session_state.get(key, xp.DEFAULT_BACKGROUND)), top))
    if top > 1:
        return column.slider("Background rows", 1, top, key=key, help=HELP["background"])
    return top
