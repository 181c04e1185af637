"""Build: design the network layer by layer, or start from a preset, and see it take shape.

The network is st.session_state["network"] (a NetworkSpec dict); dashboard/building.py edits it.
Parameters are counted by arithmetic (core.model.plan): no weights are made to count them.
"""
import streamlit as st

from core.data import DataError
from core.model import plan
from core.presets import PRESETS, default_network, get_preset
from core.spec import MAX_LAYERS, NetworkSpec, SpecError, dumps, loads_network
from dashboard.building import (NET, PICK, REV, add_layer, chosen_layer, layer_editor, layers, network_code,
                                next_step_text, output_names, output_size, starting_weights, sync_from_widgets)
from dashboard.charts.build import block_diagram, neuron_columns, neuron_diagram
from dashboard.state import DEFAULT_DATASET, current_dataset, dataset_for, keep, ready_to_train
from dashboard.widgets import HELP, dataset_title, md, next_step, sha256, spec_message


def apply_preset(key: str) -> None:
    preset = get_preset(key)
    st.session_state[NET] = preset.network().to_dict()
    st.session_state[REV] += 1
    st.session_state[PICK] = 0
    message = f"Applied the preset “{preset.title}”."
    if st.session_state.get("preset_with_train", True) and preset.train is not None:
        st.session_state["train"] = preset.train_spec().to_dict()
        message += " Its training settings are ready on the Train page."
    st.session_state["_net_flash"] = message


def architecture(spec: NetworkSpec, dataset) -> int | None:
    """Diagram, parameter table and total for the spec on this dataset; SpecError shown as a message.
    Returns the output layer's size, or None when the layers do not fit together."""
    n_out = output_size(dataset, (st.session_state.get("train") or {}).get("loss", "auto"))
    try:
        layout = plan(spec, dataset.n_features, n_out, dataset.image_shape)
    except SpecError as e:
        st.error(md(f"{spec_message(e)}."))
        return None
    columns = neuron_columns(dataset.n_features, layout.layers)
    if columns:
        st.plotly_chart(neuron_diagram(columns, starting_weights(spec, dataset, n_out), dataset.feature_names,
                                       output_names(dataset, n_out)), width="stretch", key="build_diagram")
        st.caption("Every line is a weight, drawn at its starting value (blue positive, orange negative, "
                   "thicker = stronger). Training adjusts them.")
    else:
        st.plotly_chart(block_diagram(dataset.n_features, layout.layers, dataset.image_shape), width="stretch",
                        key="build_diagram")
        st.caption("Too many neurons to draw one by one: each box is a layer with its output shape.")
    st.metric("Parameters to learn", f"{layout.total:,}",
              help="Every weight (one per connection) and every bias (one per neuron) is a number "
                   "that training adjusts.")
    st.dataframe([{"layer": i.name, "output shape": " × ".join(map(str, i.output_shape)), "parameters": i.params}
                  for i in layout.layers], hide_index=True, width="stretch", key="build_params")
    return n_out


def import_spec(upload) -> None:
    """Replace the network with an uploaded spec (once per file); a bad file changes nothing."""
    data = upload.getvalue()
    digest = sha256(data)
    if st.session_state.get("_net_import", (None,))[0] != digest:
        try:
            imported = loads_network(data.decode("utf-8", errors="replace"))
            st.session_state[NET] = imported.to_dict()
            st.session_state[REV] += 1
            st.session_state["_net_import"] = (digest, None)
            st.session_state["_net_flash"] = f"Imported {len(imported.layers)} layers from {md(upload.name)}."
            st.rerun()
        except SpecError as e:
            st.session_state["_net_import"] = (digest, f"{md(upload.name)} was not imported: {md(spec_message(e))}. "
                                                       "Your current network is unchanged.")
    if st.session_state["_net_import"][1]:
        st.error(st.session_state["_net_import"][1])


keep(NET, default_network().to_dict())
st.session_state.setdefault(REV, 0)
sync_from_widgets()
try:
    dataset = current_dataset()
except DataError as e:
    st.error(md(f"{e} Using the default dataset meanwhile."))
    dataset = dataset_for(DEFAULT_DATASET)
image_data = dataset.image_shape is not None

st.title("Build")
ready_to_train()
what = (f"{dataset.n_classes} classes" if dataset.task == "classification" else f"a number ({md(dataset.target)})")
st.markdown(f"Design the network for **{dataset_title(dataset)}**: {dataset.n_features} inputs in, {what} out. "
            "Start from a preset or stack layers yourself; the picture and the parameter count follow every change.")
if "_net_flash" in st.session_state:
    st.success(st.session_state.pop("_net_flash"))

edit, show = st.columns([11, 9], gap="large")
with edit:
    with st.container(border=True):
        p1, p2 = st.columns([3, 2], vertical_alignment="bottom")
        keys = [p.key for p in PRESETS]
        chosen = get_preset(p1.selectbox("Preset", keys, format_func=lambda k: get_preset(k).title,
                                         key="preset_choice", help=HELP["preset"]))
        misfit = chosen.fits(dataset.task, dataset.n_classes, image_data)
        p2.button("Apply preset", type="primary", on_click=apply_preset, args=(chosen.key,),
                  disabled=misfit is not None, key="preset_apply", width="stretch")
        st.caption(chosen.description)
        st.checkbox("Also use its recommended training settings", value=True, key="preset_with_train",
                    help=HELP["apply_train"])
        if misfit:
            st.warning(f"Not for {dataset_title(dataset)}: {misfit}.")

    st.subheader("Hidden layers")
    st.caption("Inputs come first and the output layer last; both are sized from the dataset.")
    picked = chosen_layer()
    st.button("Add layer", icon=":material/add:", on_click=add_layer, key="net_add",
              help="Add a hidden layer before the output.", disabled=len(layers()) >= MAX_LAYERS)
    if picked is None:
        st.info("No hidden layers: the inputs connect straight to the output — a linear model. "
                "Add a layer to let the network bend its decision boundary.")
    else:
        layer_editor(picked, image_data)

spec = NetworkSpec.from_dict(st.session_state[NET])
with show:
    st.subheader("Architecture")
    n_out = architecture(spec, dataset)

    st.subheader("Save and share")
    s1, s2 = st.columns(2)
    s1.download_button("Download spec (JSON)", dumps(spec), file_name="network.json", mime="application/json",
                       key="net_download_json", width="stretch", on_click="ignore",
                       help="The layers as JSON: keep it, share it, or import it again here.")
    if n_out is not None:
        s2.download_button("Download PyTorch code", lambda: network_code(spec, dataset, n_out), file_name="network.py",
                           mime="text/x-python", key="net_download_code", width="stretch", on_click="ignore",
                           help="A standalone Python file that defines this network in PyTorch.")
    upload = st.file_uploader("Import a spec (JSON)", type=["json"], key="net_import", help=HELP["import"])
    if upload is not None:
        import_spec(upload)

next_step("Train", "Next: train it", next_step_text(dataset))
