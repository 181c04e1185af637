"""Digits as pixel maps: for the whole model, which pixels matter on average; for one image, where SHAP and
LIME see evidence for the predicted class and for a second class."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.analysis import explain as xp
from dashboard import keys
from dashboard.state import choose
from dashboard.text import md_plain as md

from .agreement import agreement_verdict
from .charts import PLAIN, pixel_maps
from .help import HELP
from .lime_panel import lime_of
from .prediction import prediction_metrics
from .rows import Rows, image_of
from .view import View, view_for, view_values


def show_global_pixels(ds, importance: np.ndarray, values: np.ndarray, view: View, rows: Rows) -> None:
    """The average image, mean |SHAP| per pixel, and the average SHAP over the average image."""
    st.subheader("Which pixels matter")
    mean_img = image_of(ds, rows.codes.mean(0))
    signed = image_of(ds, values.mean(0))
    st.plotly_chart(pixel_maps([
        {"title": "the average image", "image": mean_img},
        {"title": f"mean |SHAP| · {view.label}", "map": importance, "signed": False},
        {"title": f"average SHAP · {view.label} (red raises it)", "map": signed, "image": mean_img},
    ], columns=3), width="stretch", config=PLAIN, key=keys.EXPLAIN_GLOBAL_PIXELS)
    st.caption(f"Each square is a pixel; the explained output is the {md(view.label)}. Middle: dark blue pixels "
               "move it the most on average, in either direction. Right, over the average image: red pixels "
               "raise it on average, blue pixels lower it. Open **One row** to see a single digit's map.")


def show_image_row(ex, att, rows: Rows, i: int, image: np.ndarray) -> None:
    """One digit: its prediction, SHAP and LIME maps for the predicted class and another, their agreement."""
    ds = ex.dataset
    names = list(ds.class_names)
    p = rows.proba[i]
    predicted = int(p.argmax())
    prediction_metrics(ds, p, rows.y[i])
    other = _other_class(names, p, predicted)
    maps, limes = [], {}
    for k in (predicted, other):
        values, _, _ = view_values(att, view_for(ds, att.outputs, k))
        maps.append({"title": f"SHAP · log-odds of '{names[k]}'", "map": image_of(ds, values[i]), "image": image})
    for k in (predicted, other):
        try:
            limes[k] = lime_of(ex, rows.codes[i], k)
        except Exception as e:
            st.error(f"LIME could not explain this image: {md(e)}")
            return
        maps.append({"title": f"LIME · log-odds of '{names[k]}'", "map": image_of(ds, limes[k].weights),
                     "image": image})
    st.plotly_chart(pixel_maps([{"title": "the image", "image": image}] + maps, columns=5),
                    width="stretch", config=PLAIN, key=keys.EXPLAIN_ROW_PIXELS)
    st.caption(f"The digit, then where SHAP and LIME see evidence for the predicted class '{md(names[predicted])}' "
               f"and for '{md(names[other])}': red pixels raise that class's log-odds, blue pixels lower it. "
               f"LIME's fit around this image: R² = {limes[predicted].score:.2f}.")
    values, _, _ = view_values(att, view_for(ds, att.outputs, predicted))
    agree = xp.agreement(values[i], limes[predicted].weights, k=10)
    ok, sentence = agreement_verdict(agree, limes[predicted].score)
    (st.success if ok else st.warning)(sentence.replace("columns", "pixels"))


def _other_class(names: list, p: np.ndarray, predicted: int) -> int:
    """The class to compare with the predicted one (the next most likely first)."""
    options = [int(k) for k in np.argsort(-p) if k != predicted]
    choose(keys.EXPLAIN_OTHER_CLASS, options, options[0])
    return st.selectbox("Compare with class", options, key=keys.EXPLAIN_OTHER_CLASS,
                        format_func=lambda k: f"'{names[k]}' ({p[k]:.0%})", help=HELP["other_class"])
