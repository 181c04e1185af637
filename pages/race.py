"""Race: one setting (optimiser, learning rate, batch size, …) tried at several values in one click — or a grid:
several settings tried at every combination of their values (?mode=grid, linked from the Runs page).

The runs share the session's data, network, training settings and seed; dashboard/race/ draws each part.
The race shown is the URL's (?race=ID), so a refresh finds it where it was.
"""
import streamlit as st

from core.spec import NetworkSpec, TrainSpec
from dashboard import keys
from dashboard.race import grid_panel, race_mode, race_view, setup_panel, shown_race
from dashboard.state import current_dataset_ref, dataset_for, ready_to_train, store
from dashboard.train import dataset_line, network_line
from dashboard.text import md_plain as md

st.title("Race")
ready_to_train()
st.caption("Which optimiser, learning rate or initialisation learns best? Pick a setting and its values and press "
           "**Start race**: one run per value trains on the same data, network and seed, their curves are drawn "
           "on one chart as they learn, and a sentence says which won and by how much. Or sweep a grid: two or more "
           "settings, one run for every combination of their values.")

runs = store()
ref = current_dataset_ref()
try:
    dataset = dataset_for(ref)
except Exception as e:                 # a reference that no longer loads (e.g. a deleted upload)
    st.error(f"The chosen dataset cannot be loaded: {md(e)}. Pick a dataset on the Data page, or start the "
             "default optimiser race below.")
    dataset = None
network = st.session_state.get(keys.NETWORK) or NetworkSpec().to_dict()
train = {**TrainSpec().to_dict(), **(st.session_state.get(keys.TRAIN_SPEC) or {})}

with st.container(border=True):
    mode = race_mode()
    problems = []
    if dataset is not None:
        net_text, net_error = network_line(network, dataset)
        problems = [net_error] if net_error else []
        st.markdown("Data: " + dataset_line(dataset))
        st.markdown("Network: " + (net_text or "—"))
        st.markdown(f"Training: {md(train['optimizer'])}, learning rate {train['lr']:g}, batch {train['batch_size']}, "
                    f"{train['epochs']} epochs, seed {train['seed']} (change them on the Train page)")
    else:
        problems = ["Choose data on the Data page to race on your own settings."]
    panel = grid_panel if mode == "grid" else setup_panel
    started = panel(runs, ref, dataset, network, train, problems)

race_id = shown_race(runs, started)
if race_id is None and mode == "grid":
    st.info("No grid yet. Pick two or more settings and their values, then press **Start grid**: every combination "
            "trains on your data and network with the same seed.", icon=":material/grid_view:")
elif race_id is None:
    st.info("No race yet. Press **Default optimiser race** to watch SGD, momentum, AdaGrad, RMSprop and Adam learn "
            "the same spiral side by side.", icon=":material/flag:")
else:
    race_view(runs, race_id)
