"""One row: find it, change it (what if?), then SHAP's waterfall beside LIME's weights and whether the two
agree. A digit is shown as pixel maps instead."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

from core.analysis import explain as xp
from dashboard import keys
from dashboard.text import md_plain as md

from .agreement import show_agreement
from .charts import PLAIN, waterfall
from .digits import show_image_row
from .lime_panel import show_lime
from .prediction import prediction_metrics
from .request import Request
from .row_picker import pick_row
from .rows import Rows, image_of
from .session import cached
from .view import View, view_values
from .whatif import changes, code_texts, whatif


@dataclass
class Explained:
    """The row as explained: its codes and texts (as edited, if it was), SHAP values, base and output."""
    codes: np.ndarray
    texts: list
    shap: np.ndarray
    base: float
    output: float


def show_row(ex, att, view: View, rows: Rows, req: Request) -> None:
    """The one-row view of the explained rows."""
    ds = ex.dataset
    i = pick_row(ds, rows)
    codes = rows.codes[i]
    image = image_of(ds, codes)
    if image is not None:
        show_image_row(ex, att, rows, i, image)
        return
    tag = hashlib.sha256(f"{ex.run_id}|{int(rows.ids[i])}".encode()).hexdigest()[:10]
    with st.expander("What if? Change this row's values", icon=":material/tune:"):
        st.caption("Change any value: the prediction and both explanations below are recomputed at once for the "
                   "edited row. The true answer stays the row's own.")
        edited = whatif(ds, codes, tag)
    before = rows.proba[i] if rows.proba is not None else rows.predicted[i]
    if changed := changes(ds, codes, edited):
        st.info("Edited: " + "; ".join(changed) + ".", icon=":material/edit:")
        row = _edited(ex, view, req, edited, rows.y[i], before)
        if row is None:
            return
    else:
        prediction_metrics(ds, before, rows.y[i])
        values, base, fx = view_values(att, view)
        row = Explained(codes, list(rows.texts[i]), values[i], base, float(fx[i]))
    left, right = st.columns(2, gap="large")
    with left:
        _waterfall(att.features, row, view)
    with right:
        st.markdown("**LIME: a simple model fitted around this row**")
        lime = show_lime(ex, row.codes, view)
    if lime is not None:
        show_agreement(row.shap, lime, view.label)


def _edited(ex, view: View, req: Request, edited: np.ndarray, truth, before) -> Explained | None:
    """The edited row predicted and explained afresh; None after showing why it could not be."""
    ds = ex.dataset
    x = ds.from_codes(edited[None, :])
    now = np.asarray(ex.model.proba(x))[0] if ds.task == "classification" else np.asarray(ex.model.proba(x))
    prediction_metrics(ds, now, truth, before)
    try:
        one = cached("shap_rows", (req.key(ex), tuple(edited)),
                     lambda: ex.shap_rows(x, req.method, background=req.background))
    except Exception as e:
        st.error(f"{xp.METHODS[req.method].label} could not explain the edited row: {md(e)}")
        return None
    values, base, fx = view_values(one, view)
    return Explained(edited, code_texts(ds, edited), values[0], base, float(fx[0]))


def _waterfall(features: list[str], row: Explained, view: View) -> None:
    st.markdown("**SHAP: from the average output to this row's**")
    items = [(f"{c} = {t}", float(v)) for c, t, v in zip(features, row.texts, row.shap)]
    st.plotly_chart(waterfall(row.base, items, row.output, view.label), width="stretch", config=PLAIN,
                    key=keys.EXPLAIN_ROW_WATERFALL)
    st.caption(f"Starts at the average {md(view.label)} over the background rows ({row.base:.3g}); each bar is one "
               f"column's push, red up, blue down; the last bar is this row's output ({row.output:.3g}).")
