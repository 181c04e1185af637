"""Explain: why does the network decide what it decides? SHAP and LIME, per column and per row."""
import streamlit as st

from dashboard import explaining as ex_ui
from dashboard.state import choose_run, page, set_current_run, store
from dashboard.widgets import HELP, dataset_title, md

st.title("Explain")
st.caption("Open the trained network up. **SHAP** shares each prediction out among your columns — how much each "
           "one pushed the output up or down — and, averaged over many rows, shows which columns the network "
           "relies on. **LIME** fits a simple straight-line model around one row. Start with **Whole model**, then "
           "open **One row** to see a single decision, change its values, and check whether SHAP and LIME agree.")

runs = [r for r in store().list_runs() if r.status in ex_ui.EXPLAINABLE]
if not runs:
    st.info("Nothing to explain yet: no run has finished training. Train a network on the Train page — it appears "
            "here as soon as it finishes (or you stop it). Or explain a model trained elsewhere, below.")
    st.page_link(page("Train"), label="Go to Train →", icon=":material/play_circle:")
    with st.expander("Bring your own model (ONNX + CSV)", expanded=True, icon=":material/upload_file:"):
        ex_ui.show_byo()
    st.stop()

by_id = choose_run("xp_run", runs)

c1, c2, c3 = st.columns([3, 2, 2])
run_id = c1.selectbox(
    "Run", list(by_id), key="xp_run", help=HELP["explain_run"],
    format_func=lambda i: f"{by_id[i].name} · {by_id[i].dataset.get('name', '')} · {by_id[i].status}")
set_current_run(run_id)
run = by_id[run_id]
checkpoints = ex_ui.checkpoint_options(store(), run_id)
ex_ui.choose("xp_checkpoint", list(checkpoints), "last")
checkpoint = c2.selectbox("Weights", list(checkpoints), key="xp_checkpoint", format_func=checkpoints.get,
                          help=HELP["explain_checkpoint"])
explainer = ex_ui.open_explainer(store(), run, checkpoint)
if explainer is None:
    st.stop()
dataset = explainer.dataset
class_index = None
if dataset.task == "classification":
    names = list(dataset.class_names)
    ex_ui.choose("xp_class", list(range(len(names))), 1 if len(names) == 2 else 0)
    class_index = c3.selectbox("Class to explain", list(range(len(names))), key="xp_class",
                               format_func=lambda k: names[k], help=HELP["explain_class"])
view = ex_ui.view_for(dataset, explainer.model.outputs, class_index)
st.caption(f"Epoch {explainer.loaded.epoch} · {dataset_title(dataset)} · {len(dataset.original_columns)} columns · "
           f"explaining the network's {view.label}" + ex_ui.unit_note(dataset))

request = ex_ui.settings(explainer)

TABS = ["Whole model", "One row", "Drift over training", "Bring your own model"]
ex_ui.choose("xp_tab", TABS, TABS[0])
whole, one, drift, byo = st.tabs(TABS, key="xp_tab", on_change="rerun")
for tab in (whole, one):
    if tab.open:
        with tab:
            att = ex_ui.attribution(explainer, request)
            if att is None:
                continue
            st.caption(ex_ui.attribution_caption(att))
            if message := ex_ui.grouped_message(att):
                st.info(message, icon=":material/join_inner:")
            rows = ex_ui.rows_of(explainer, att, request)
            if tab is whole:
                ex_ui.show_global(explainer, att, view, rows)
            else:
                ex_ui.show_row(explainer, att, view, rows, request)
if drift.open:
    with drift:
        ex_ui.show_drift(explainer, store())
if byo.open:
    with byo:
        ex_ui.show_byo()

st.divider()
st.markdown("**Next:** judge the run's accuracy on the Evaluate page, or train another network and compare what "
            "each one relies on.")
n1, n2 = st.columns(2)
n1.page_link(page("Evaluate"), label="Evaluate this run →", icon=":material/fact_check:")
n2.page_link(page("Train"), label="Train another run →", icon=":material/play_circle:")
