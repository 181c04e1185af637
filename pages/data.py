"""Data: pick a built-in dataset, upload a CSV or reopen an earlier upload; see it; choose how it is
split and scaled.

Every change takes effect at once: the page puts the chosen dataset's reference in the session
(keys.DATASET_REF), which every other page (and the training worker) rebuilds from.
"""
import streamlit as st

from dashboard.data import (chosen_ref, preprocessing, preview, remember_choice, removal_outcome, source_picker,
                            use_dataset)
from dashboard.classroom import handout_note
from dashboard.state import current_dataset_ref, ready_to_train
from dashboard.widgets import next_step

st.title("Data")
ready_to_train()
st.markdown("Pick what the network learns from: a toy set to watch it learn, a real table, digit images, "
            "or your own CSV. Changes take effect at once.")
handout_box = st.container()         # filled once the page's settings are known

ref = previous = current_dataset_ref()
left, right = st.columns([1, 2], gap="large")
with left:
    source = source_picker(ref)
    removal_outcome()
    choice_box = st.container()           # the source's controls, above the preprocessing they are made with
    with st.expander("Preprocessing: scaling and split", expanded=False):
        pp = preprocessing(ref)
    with choice_box:
        new_ref = chosen_ref(source, ref, pp)

with right:
    ref, dataset = use_dataset(new_ref)
    preview(dataset)
remember_choice(ref, previous)

next_step("Build", "Next: build a network", "**Next:** design the network that will learn this data — "
          "start from a preset and change it layer by layer.")

with handout_box:
    handout_note(0)
