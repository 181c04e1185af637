"""Runs: every run in the workspace — compare their learning curves and settings, rename, delete, download."""
import streamlit as st

from dashboard.runs import (compare, downloads, managed_run, rename_or_delete, runs_message, runs_overview,
                            sweep_link)
from dashboard.people import whose_runs
from dashboard.state import page, store

st.title("Runs")
st.caption(f"{whose_runs(store())} Compare learning curves side by side — the same data with SGD, "
           "momentum and Adam makes a good race — then rename, delete or download a run.")
runs_message()

runs = store().list_runs()
if not runs:
    st.info("No runs yet. Train a network and every run you start is listed here.")
    st.page_link(page("Train"), label="Go to Train →", icon=":material/play_circle:")
    st.subheader("Sweep a grid")
    sweep_link()
    st.stop()

runs_overview(runs)

st.subheader("Compare runs")
compare(runs)

st.subheader("Sweep a grid")
sweep_link()

st.subheader("Rename, delete or download a run")
run = managed_run(runs)
left, right = st.columns(2)
with left:
    rename_or_delete(run)
with right:
    downloads(run)

st.divider()
st.markdown("**Next:** judge a run in depth — its confusion matrix, curves and worst mistakes.")
st.page_link(page("Evaluate"), label="Evaluate the selected run →", icon=":material/fact_check:",
             query_params={"run": run.id})
