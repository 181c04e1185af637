"""Build: design the network layer by layer, or start from a preset, and see it take shape.

The network is kept in the session (keys.NETWORK, a NetworkSpec dict); dashboard/build/ edits it.
Parameters are counted by arithmetic (core.model.plan): no weights are made to count them.
"""
import streamlit as st

from core.spec import NetworkSpec
from dashboard import keys
from dashboard.build import (architecture, dataset_to_build_for, downloads, import_box, introduction, layers_panel,
                             network_message, next_step_text, open_network, preset_panel, starting_network,
                             starting_weights)
from dashboard.classroom import handout_note
from dashboard.state import ready_to_train
from dashboard.widgets import next_step

open_network()
dataset = dataset_to_build_for()

st.title("Build")
ready_to_train()
st.markdown(introduction(dataset))
handout_box = st.container()         # filled once the page's settings are known
network_message()

edit, show = st.columns([11, 9], gap="large")
with edit:
    preset_panel(dataset)
    st.subheader("Hidden layers")
    st.caption("Inputs come first and the output layer last; both are sized from the dataset.")
    layers_panel(image_data=dataset.image_shape is not None)

spec = NetworkSpec.from_dict(st.session_state[keys.NETWORK])
with show:
    st.subheader("Architecture")
    n_out = architecture(spec, dataset)

    st.subheader("Save and share")
    downloads(spec, dataset, n_out)
    import_box()

if n_out is not None:
    starting_weights(spec, dataset, n_out)
    starting_network(spec, dataset)

next_step("Train", "Next: train it", next_step_text(dataset))

with handout_box:
    handout_note(1)
