"""Runs: every run in the workspace — compare their learning curves and settings, rename, delete, download."""
import streamlit as st

from core import jobs
from core.compare import (EXPORTS, export_bytes, file_stem, metrics_csv, overview, spec_table,
                          validation_curves)
from core.store import StoreError
from dashboard.charts import runs as charts
from dashboard.comparing import MAX_COMPARED, runs_table, settings_config
from dashboard.state import choose, current_run_id, dataset_for, page, set_current_run, store
from dashboard.text import md_plain


def _dataset_of(run):
    try:
        return dataset_for(run.dataset)
    except Exception:   # a CSV that is no longer in the workspace, an old reference: the row shows '?'
        return None


def _label(run) -> str:
    return f"{run.name} ({run.id[:6]})"


def compared_runs(runs, chosen) -> list[str]:
    """The runs to compare: those chosen that still exist; at first, up to three on the newest run's data."""
    if chosen is None:
        latest = runs[0].dataset.get("name")
        return [r.id for r in runs if r.dataset.get("name") == latest][:3]
    ids = {r.id for r in runs}
    return [i for i in chosen if i in ids][:MAX_COMPARED]


def _deferred_export(run_id: str, fmt: str):
    home = str(store().home)

    def make() -> bytes:
        from core.store import Store
        with Store(home) as s:
            return export_bytes(s, run_id, fmt)
    return make


st.title("Runs")
st.caption("Every run in this workspace. Compare learning curves side by side — the same data with SGD, "
           "momentum and Adam makes a good race — then rename, delete or download a run.")

flash = st.session_state.pop("runs_flash", None)
if flash:
    st.success(flash)

runs = store().list_runs()
if not runs:
    st.info("No runs yet. Train a network and every run you start is listed here.")
    st.page_link(page("Train"), label="Go to Train →", icon=":material/play_circle:")
    st.stop()
by_id = {r.id: r for r in runs}

# ---------------------------------------------------------------- the table
shown, columns = runs_table(overview(store(), runs, _dataset_of))
st.dataframe(shown, hide_index=True, width="stretch", column_config=columns)
st.caption("Newest first.")

# ---------------------------------------------------------------- compare
st.subheader("Compare runs")
# The pickers get their values handed back on every run: the browser shows a picked run by the label it
# was sent, so a run renamed since (here, in another tab or from the command line) would keep its old name.
st.session_state["runs_compare"] = compared_runs(runs, st.session_state.get("runs_compare"))
chosen = st.multiselect(
    "Runs to compare", list(by_id), key="runs_compare", format_func=lambda i: _label(by_id[i]),
    max_selections=MAX_COMPARED,
    help=f"Pick up to {MAX_COMPARED} runs to overlay their validation curves and list their settings side by side. "
         "Runs on the same data compare best.")
if not chosen:
    st.caption("Pick one or more runs above to see their curves and settings.")
else:
    picked = [by_id[i] for i in chosen]
    curves = {_label(r): validation_curves(store(), r.id) for r in picked}
    score = [m for m in ("val_accuracy", "val_r2") if any(m in df for df in curves.values())]
    cols = st.columns(1 + len(score))
    cols[0].plotly_chart(charts.overlay(curves, "val_loss"), width="stretch", config={"displayModeBar": False})
    for col, metric in zip(cols[1:], score):
        col.plotly_chart(charts.overlay(curves, metric), width="stretch", config={"displayModeBar": False})
    if all(df.empty for df in curves.values()):
        st.caption("These runs have no logged epochs yet.")
    st.caption("Lower validation loss is better. It is measured on rows the network does not train on, so a "
               "curve that turns upward means the network has started to overfit.")

    specs = spec_table(picked, [_label(r) for r in picked])
    only_diff = st.toggle("Only the settings that differ", value=True, key="runs_only_diff",
                          help="Hide the settings that all chosen runs share.") if len(picked) > 1 else False
    shown = specs[specs["differs"]] if only_diff else specs
    if shown.empty:
        st.caption("These runs share every setting.")
    else:
        styled = shown.drop(columns=["differs"]).style.apply(
            lambda row: ["background-color: #fff3cd" if shown.loc[row.name, "differs"] else ""] * len(row), axis=1)
        st.dataframe(styled, width="stretch", column_config=settings_config([_label(r) for r in picked]))
        if len(picked) > 1:
            st.caption("Highlighted: settings that differ between the chosen runs.")

# ---------------------------------------------------------------- manage one run
st.subheader("Rename, delete or download a run")
url_run = current_run_id()
choose("runs_manage", list(by_id), url_run if url_run in by_id else runs[0].id)
run_id = st.selectbox("Run", list(by_id), key="runs_manage", format_func=lambda i: _label(by_id[i]),
                      help="The run to rename, delete or download.")
run = by_id[run_id]

left, right = st.columns(2)
with left:
    name_key = f"runs_name_{run_id}"
    st.session_state.setdefault(name_key, run.name)
    new_name = st.text_input("New name", key=name_key, max_chars=200,
                             help="A name to tell runs apart, e.g. 'spiral, Adam, lr 0.01'.")
    a, b = st.columns(2)
    if a.button("Rename", key="runs_rename", icon=":material/edit:", width="stretch"):
        try:
            store().rename_run(run_id, new_name)
        except (ValueError, StoreError) as e:
            st.error(f"Cannot rename: {e}")
        else:
            st.session_state["runs_flash"] = "Renamed the run."
            st.rerun()
    if st.session_state.get("runs_confirm_delete") != run_id:
        if b.button("Delete…", key="runs_delete", icon=":material/delete:", width="stretch",
                    help="Delete the run with its metrics and checkpoints (you confirm first)."):
            st.session_state["runs_confirm_delete"] = run_id
            st.rerun()
    else:
        st.warning(f"Delete **{md_plain(run.name)}** with all its metrics and checkpoints? This cannot be undone."
                   + (" It is still training: it will be stopped first." if run.active else ""))
        y, n = st.columns(2)
        if y.button("Yes, delete", key="runs_delete_yes", type="primary", width="stretch"):
            try:
                jobs.delete(store(), run_id)
            except StoreError as e:
                st.error(f"Cannot delete: {e}")
            else:
                st.session_state.pop("runs_confirm_delete", None)
                st.session_state.pop("runs_manage", None)
                st.session_state.pop(name_key, None)
                if current_run_id() is None:
                    set_current_run(None)
                st.session_state["runs_flash"] = "Deleted the run."
                st.rerun()
        if n.button("Cancel", key="runs_delete_no", width="stretch"):
            st.session_state.pop("runs_confirm_delete", None)
            st.rerun()

with right:
    st.markdown("**Downloads**")
    stem = file_stem(run)
    has_weights = bool(store().checkpoints(run_id))
    d1, d2 = st.columns(2)
    d1.download_button("Spec (JSON)", export_bytes(store(), run_id, "spec"), f"{stem}.json", EXPORTS["spec"][1],
                       key="dl_spec", icon=":material/data_object:", on_click="ignore", width="stretch",
                       help="The network, training and data settings as JSON: load them again or share them.")
    d2.download_button("Metrics (CSV)", metrics_csv(store(), run_id), f"{stem}-metrics.csv", "text/csv",
                       key="dl_metrics", icon=":material/table:", on_click="ignore", width="stretch",
                       help="Every logged number (loss per step, validation metrics per epoch) as a table.")
    for i, fmt in enumerate(("pytorch", "safetensors", "onnx")):
        suffix, mime, what = EXPORTS[fmt]
        label = {"pytorch": "PyTorch code", "safetensors": "Weights (safetensors)", "onnx": "ONNX model"}[fmt]
        (d1 if i % 2 == 0 else d2).download_button(
            label, _deferred_export(run_id, fmt), f"{stem}{suffix}", mime, key=f"dl_{fmt}",
            icon=":material/download:", on_click="ignore", width="stretch", disabled=not has_weights,
            help=f"The last checkpoint's {what}." if has_weights
            else "No checkpoint saved yet: it appears after the first epochs of training.")

st.divider()
st.markdown("**Next:** judge a run in depth — its confusion matrix, curves and worst mistakes.")
st.page_link(page("Evaluate"), label="Evaluate the selected run →", icon=":material/fact_check:",
             query_params={"run": run_id})
