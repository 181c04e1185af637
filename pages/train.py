"""Train: choose how the network learns, start it, and watch it learn live.

The settings are the session's training spec (keys.TRAIN_SPEC); dashboard/train/ draws each part.
The run shown is the URL's (?run=ID), so a refresh or a second tab finds it where it was.
"""
import streamlit as st

from core.spec import NetworkSpec
from core.runs import ACTIVE
from dashboard import keys
from dashboard.classroom import handout_note
from dashboard.state import current_dataset_ref, dataset_for, page, ready_to_train, store
from dashboard.train import (boundary_for, controls, dataset_line, network_line, notices, other_runs_switch,
                             run_outcome, settings_panel, show_run, start_button, status_badge, watched_run)
from dashboard.text import md_plain as md


def link(title: str, label: str, icon: str | None = None) -> None:
    try:
        st.page_link(page(title), label=label, icon=icon)
    except Exception:          # that page is not part of this app (yet)
        pass


st.title("Train")
ready_to_train()
st.caption("Choose how the network learns and press **Start**: the loss falls, the accuracy climbs and — for 2-D "
           "data — the decision boundary takes shape as you watch. Pause, step one batch at a time, or change "
           "the learning rate while it trains.")
handout_box = st.container()         # filled once the page's settings are known

runs = store()
run_id = watched_run(runs)

ref = current_dataset_ref()
try:
    dataset = dataset_for(ref)
except Exception as e:                 # a reference that no longer loads (e.g. a deleted upload)
    st.error(f"The chosen dataset cannot be loaded: {md(e)}. Pick a dataset on the Data page.")
    link("Data", "Choose data", ":material/table:")
    st.stop()
network = st.session_state.get(keys.NETWORK) or NetworkSpec().to_dict()
net_text, net_error = network_line(network, dataset)

c1, c2 = st.columns(2)
with c1.container(border=True):
    st.markdown("Data: " + dataset_line(dataset))
    link("Data", "Change the data", ":material/table:")
with c2.container(border=True):
    st.markdown("Network: " + (net_text or "—"))
    link("Build", "Change the network", ":material/account_tree:")

left, right = st.columns([1, 2.7], gap="large")
with left:
    st.subheader("Settings")
    start_box = st.container()
    train, problems = settings_panel(dataset)
    if net_error:
        problems.append(net_error)
    with start_box:
        start_button(runs, ref, dataset, network, train, problems)

with right:
    notices()
    other_runs_switch(runs, run_id)
    if run_id is None:
        st.info("No run yet. Check the settings on the left and press **Start training**. Not sure? The defaults "
                "train a small network on the spiral in a few seconds.", icon=":material/arrow_back:")
        if dataset.is_2d:
            st.markdown("**Your data** — the network will learn to colour the plane by class")
            st.plotly_chart(boundary_for(None, None, dataset), key=keys.train_chart("data"))
    else:
        run = runs.get_run(run_id)
        head, badge = st.columns([5, 1], vertical_alignment="center")
        head.markdown(f"#### {md(run.name)}")
        with badge:
            status_badge(run)
        if run.status in ACTIVE:
            controls(runs, run)
        else:
            run_outcome(runs, run)
            if run.status == "finished":
                link("Evaluate", "Evaluate this run", ":material/fact_check:")
        show_run(runs, run, dataset, ref)

with handout_box:
    handout_note(2)
