"""Explain: why does the network decide what it decides? SHAP and LIME, per column and per row."""
import streamlit as st

from dashboard import keys
from dashboard.explain import (EXPLAINABLE, attribution, attribution_caption, explainer_picker, grouped_message,
                               rows_of, settings, show_byo, show_drift, show_global, show_row, unit_note)
from dashboard.state import choose, page, store
from dashboard.text import md_plain as md
from dashboard.widgets import dataset_title

st.title("Explain")
st.caption("Open the trained network up. **SHAP** shares each prediction out among your columns — how much each "
           "one pushed the output up or down — and, averaged over many rows, shows which columns the network "
           "relies on. **LIME** fits a simple straight-line model around one row. Start with **Whole model**, then "
           "open **One row** to see a single decision, change its values, and check whether SHAP and LIME agree.")

runs = [r for r in store().list_runs() if r.status in EXPLAINABLE]
if not runs:
    st.info("Nothing to explain yet: no run has finished training. Train a network on the Train page — it appears "
            "here as soon as it finishes (or you stop it). Or explain a model trained elsewhere, below.")
    st.page_link(page("Train"), label="Go to Train →", icon=":material/play_circle:")
    with st.expander("Bring your own model (ONNX + CSV)", expanded=True, icon=":material/upload_file:"):
        show_byo()
    st.stop()

picked = explainer_picker(runs)
if picked is None:
    st.stop()
explainer, view = picked
dataset = explainer.dataset
st.caption(f"Epoch {explainer.loaded.epoch} · {dataset_title(dataset)} · {len(dataset.original_columns)} columns · "
           f"explaining the network's {md(view.label)}" + unit_note(dataset))

request = settings(explainer)

TABS = ["Whole model", "One row", "Drift over training", "Bring your own model"]
choose(keys.EXPLAIN_TAB, TABS, TABS[0])
whole, one, drift, byo = st.tabs(TABS, key=keys.EXPLAIN_TAB, on_change="rerun")
for tab in (whole, one):
    if tab.open:
        with tab:
            att = attribution(explainer, request)
            if att is None:
                continue
            st.caption(attribution_caption(att))
            if message := grouped_message(att):
                st.info(message, icon=":material/join_inner:")
            rows = rows_of(explainer, request)
            if tab is whole:
                show_global(explainer, att, view, rows)
            else:
                show_row(explainer, att, view, rows, request)
if drift.open:
    with drift:
        show_drift(explainer, store())
if byo.open:
    with byo:
        show_byo()

st.divider()
st.markdown("**Next:** judge the run's accuracy on the Evaluate page, or train another network and compare what "
            "each one relies on.")
n1, n2 = st.columns(2)
n1.page_link(page("Evaluate"), label="Evaluate this run →", icon=":material/fact_check:")
n2.page_link(page("Train"), label="Train another run →", icon=":material/play_circle:")
