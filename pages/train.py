"""Train: choose how the network learns, start it, and watch it learn live."""
import streamlit as st

from core.spec import NetworkSpec
from core.runs import ACTIVE
from dashboard import training as tr
from dashboard.state import (current_dataset_ref, current_run_id, dataset_for, page, ready_to_train, set_current_run,
                             store)
from dashboard.starting import press_start
from dashboard.widgets import dataset_title


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

runs = store()
# The current run: the URL's ?run=, else the one this session last looked at (links drop the URL's run).
run_id = current_run_id()
if run_id is None and st.session_state.get("_train_run"):
    set_current_run(st.session_state["_train_run"])
    run_id = current_run_id()
if run_id is not None:
    # remembered in the session too: the sidebar's page links drop the URL's run, and a session that
    # began with a browser refresh knows its run only from the URL
    st.session_state["_train_run"] = run_id
    # a new session (a browser reload) opening a run: show — and train again — what that run was built with
    tr.adopt_run_settings(runs.get_run(run_id), dataset_for)

ref = current_dataset_ref()
try:
    dataset = dataset_for(ref)
except Exception as e:                 # a reference that no longer loads (e.g. a deleted upload)
    st.error(f"The chosen dataset cannot be loaded: {e}. Pick a dataset on the Data page.")
    link("Data", "Choose data", ":material/table:")
    st.stop()
network = st.session_state.get("network") or NetworkSpec().to_dict()
net_text, net_error = tr.network_line(network, dataset)

c1, c2 = st.columns(2)
with c1.container(border=True):
    st.markdown("Data: " + tr.dataset_line(dataset))
    link("Data", "Change the data", ":material/table:")
with c2.container(border=True):
    st.markdown("Network: " + (net_text or "—"))
    link("Build", "Change the network", ":material/account_tree:")

left, right = st.columns([1, 2.7], gap="large")
with left:
    st.subheader("Settings")
    start_box = st.container()
    train, problems = tr.settings_panel(dataset)
    if net_error:
        problems.append(net_error)
    with start_box:
        for problem in problems:
            st.error(problem)
        if st.button("Start training", type="primary", icon=":material/play_arrow:", key="train.start",
                     disabled=bool(problems), width="stretch",
                     help="Train a new network with these settings; earlier runs keep their results."):
            # the button may be pressed before the browser greys it out: the server checks again
            started = press_start(runs, ref, dataset, network, train, problems, tr.start_run)
            if started is not None:
                set_current_run(started)
                st.rerun()             # a fresh run of the page, with the run in its URL

with right:
    if toast := st.session_state.pop("_train_toast", None):
        st.toast(toast)
    if message := st.session_state.pop("_train_message", None):
        st.warning(message)
    others = tr.other_active_runs(runs, run_id)
    if others:
        st.caption("Also training now — click to watch:")
        cols = st.columns(min(len(others), 4))
        for i, other in enumerate(others[:8]):
            if cols[i % len(cols)].button(f"{other.name} · epoch {other.epoch:,}", key=f"train.switch.{other.id}",
                                          icon=":material/swap_horiz:"):
                set_current_run(other.id)
                st.session_state["_train_run"] = other.id
                st.rerun()
    if run_id is None:
        st.info("No run yet. Check the settings on the left and press **Start training**. Not sure? The defaults "
                "train a small network on the spiral in a few seconds.", icon=":material/arrow_back:")
        if dataset.is_2d:
            st.markdown("**Your data** — the network will learn to colour the plane by class")
            st.plotly_chart(tr.boundary_for(None, None, dataset), key="train.chart.data")
    else:
        run = runs.get_run(run_id)
        head, badge = st.columns([5, 1], vertical_alignment="center")
        head.markdown(f"#### {run.name}")
        with badge:
            tr.status_badge(run)
        if run.status in ACTIVE:
            tr.controls(runs, run)
        else:
            tr.run_outcome(runs, run, dataset)
            if run.status == "finished":
                link("Evaluate", "Evaluate this run", ":material/fact_check:")
        try:
            run_dataset = dataset if run.dataset == ref else dataset_for(run.dataset)
        except Exception as e:
            st.error(f"The data this run trained on cannot be loaded any more ({e}), so its charts cannot be drawn.")
        else:
            if run.dataset != ref:
                st.caption(f"This run trained on **{dataset_title(run_dataset)}**, not the data chosen now.")
            tr.show_live(runs, run, run_dataset)
