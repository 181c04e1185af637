"""Build: design the network layer by layer, or start from a preset, and see it take shape.

The network is st.session_state["network"] (a NetworkSpec dict). Layer widgets carry a
revision number in their keys: a structural change (add, remove, move, preset, import)
bumps it, so the widgets are created afresh from the spec.
"""
import json

import streamlit as st
import torch
from torch import nn

from core.data import DataError
from core.export import pytorch_source
from core.model import Network, build_body, output_units
from core.presets import PRESETS, default_network, get_preset
from core.spec import ACTIVATIONS, INITS, LAYER_FIELDS, LayerSpec, NetworkSpec, SpecError, dumps, loads_network
from dashboard.charts.build import block_diagram, neuron_columns, neuron_diagram
from dashboard.state import DEFAULT_DATASET, current_dataset, dataset_for, keep, ready_to_train
from dashboard.widgets import HELP, dataset_title, md, next_step, sha256, spec_message

TYPE_LABELS = {"dense": "dense", "conv2d": "convolution (conv2d)", "maxpool2d": "max-pool", "flatten": "flatten",
               "dropout": "dropout", "batchnorm": "batch norm"}
IMAGE_TYPES = ("conv2d", "maxpool2d", "flatten")


def layers() -> list[dict]:
    return st.session_state["network"]["layers"]


def wkey(i: int, name: str) -> str:
    return f"net_{st.session_state['_net_rev']}_{i}_{name}"


def sync_from_widgets() -> None:
    """Fold the layer widgets' latest values into the spec (a click may arrive with an unsaved edit)."""
    new = []
    for i, layer in enumerate(layers()):
        values = dict(layer)
        values["type"] = st.session_state.get(wkey(i, "type"), layer["type"])
        for name in LAYER_FIELDS[values["type"]]:
            if wkey(i, name) in st.session_state:
                values[name] = st.session_state[wkey(i, name)]
        new.append(LayerSpec(**{k: v for k, v in values.items() if k in LayerSpec.__dataclass_fields__}).to_dict())
    st.session_state["network"] = {**st.session_state["network"], "layers": new}


def restructure(change) -> None:
    """Run `change(layers)` on a fresh copy of the layers, then rebuild the widgets."""
    sync_from_widgets()
    new = [dict(layer) for layer in layers()]
    change(new)
    st.session_state["network"] = {**st.session_state["network"], "layers": new}
    st.session_state["_net_rev"] += 1


def add_layer() -> None:
    def change(ls):
        dense = [l for l in ls if l["type"] == "dense"]
        ls.append(dict(dense[-1]) if dense else LayerSpec(units=8).to_dict())
    restructure(change)


def remove_layer(i: int) -> None:
    restructure(lambda ls: ls.pop(i))


def move_layer(i: int, step: int) -> None:
    def change(ls):
        j = i + step
        ls[i], ls[j] = ls[j], ls[i]
    restructure(change)


def apply_preset(key: str) -> None:
    preset = get_preset(key)
    st.session_state["network"] = preset.network().to_dict()
    st.session_state["_net_rev"] += 1
    message = f"Applied the preset “{preset.title}”."
    if st.session_state.get("preset_with_train", True) and preset.train is not None:
        st.session_state["train"] = preset.train_spec().to_dict()
        message += " Its training settings are ready on the Train page."
    st.session_state["_net_flash"] = message


def layer_editor(i: int, layer: dict, n: int, image_data: bool) -> dict:
    """The widgets of one layer; returns the layer as edited."""
    with st.container(border=True):
        head, up, down, remove = st.columns([6, 1, 1, 1], vertical_alignment="center")
        head.markdown(f"**Layer {i + 1}**")
        up.button("↑", key=wkey(i, "up"), disabled=i == 0, on_click=move_layer, args=(i, -1),
                  help="Move this layer one place towards the input.")
        down.button("↓", key=wkey(i, "down"), disabled=i == n - 1, on_click=move_layer, args=(i, 1),
                    help="Move this layer one place towards the output.")
        remove.button("✕", key=wkey(i, "remove"), on_click=remove_layer, args=(i,),
                      help="Remove this layer.")
        types = ["dense", "dropout", "batchnorm"] + (list(IMAGE_TYPES) if image_data else [])
        if layer["type"] not in types:
            types.append(layer["type"])
        spec = LayerSpec(**layer)
        c = st.columns(4)
        kind = c[0].selectbox("Type", types, index=types.index(layer["type"]), format_func=TYPE_LABELS.get,
                              key=wkey(i, "type"), help=HELP["type"])
        values = {"type": kind}
        if kind == "maxpool2d" and layer["type"] != "maxpool2d":
            spec.kernel = 2                      # a fresh pool halves the image
        if kind == "dense":
            values["units"] = c[1].number_input("Neurons", 1, 1024, min(1024, spec.units), key=wkey(i, "units"),
                                                 help=HELP["units"])
        if kind == "conv2d":
            values["channels"] = c[1].number_input("Filters", 1, 512, spec.channels, key=wkey(i, "channels"),
                                                   help=HELP["channels"])
        if kind in ("dense", "conv2d"):
            values["activation"] = c[2].selectbox("Activation", ACTIVATIONS, index=ACTIVATIONS.index(spec.activation),
                                                  key=wkey(i, "activation"), help=HELP["activation"])
            values["init"] = c[3].selectbox("Initialisation", INITS, index=INITS.index(spec.init),
                                            key=wkey(i, "init"), help=HELP["init"])
        if kind in ("conv2d", "maxpool2d"):
            col = st.columns(4) if kind == "conv2d" else c
            values["kernel"] = col[1 if kind == "maxpool2d" else 0].number_input(
                "Window (pixels)" if kind == "maxpool2d" else "Kernel size", 1, 11, spec.kernel,
                key=wkey(i, "kernel"), help=HELP["kernel"])
            if kind == "conv2d":
                values["padding"] = col[1].number_input("Padding", 0, 5, spec.padding, key=wkey(i, "padding"),
                                                        help=HELP["padding"])
                values["batch_norm"] = col[2].checkbox("Batch norm", spec.batch_norm, key=wkey(i, "batch_norm"),
                                                       help=HELP["batch_norm"])
        if kind == "dense":
            d1, d2 = st.columns([2, 1], vertical_alignment="bottom")
            values["dropout"] = d1.slider("Dropout", 0.0, 0.9, float(spec.dropout), 0.05, key=wkey(i, "dropout"),
                                          help=HELP["dropout"])
            values["batch_norm"] = d2.checkbox("Batch norm", spec.batch_norm, key=wkey(i, "batch_norm"),
                                               help=HELP["batch_norm"])
        if kind == "dropout":
            values["rate"] = c[1].slider("Rate", 0.0, 0.9, float(spec.rate), 0.05, key=wkey(i, "rate"),
                                         help=HELP["rate"])
    return LayerSpec(**values).to_dict()


def loss_in_use() -> str:
    train = st.session_state.get("train") or {}
    return train.get("loss", "auto")


def architecture(spec: NetworkSpec, dataset) -> None:
    """Diagram, parameter table and total for the spec on this dataset; SpecError shown as a message."""
    loss = loss_in_use()
    try:
        n_out = output_units(dataset.task, dataset.n_classes, loss)
    except SpecError as e:
        st.error(md(f"{spec_message(e)} (change the loss on the Train page). Counting with one output per class."))
        n_out = output_units(dataset.task, dataset.n_classes, "auto")
    try:
        with torch.random.fork_rng():
            torch.manual_seed(0)       # the same starting weights on every redraw
            body, infos = build_body(spec, dataset.n_features, n_out, dataset.image_shape)
    except SpecError as e:
        st.error(md(f"{spec_message(e)}."))
        return None
    total = sum(p.numel() for p in body.parameters())
    columns = neuron_columns(dataset.n_features, infos)
    if columns:
        weights = [m.weight.detach().numpy() for m in body if isinstance(m, nn.Linear)]
        if n_out == 1 and dataset.task == "classification":
            outputs = [f"P({dataset.class_names[1]})"]
        elif dataset.task == "classification":
            outputs = list(dataset.class_names)
        else:
            outputs = [dataset.target]
        st.plotly_chart(neuron_diagram(columns, weights, dataset.feature_names, outputs),
                        width="stretch", key="build_diagram")
        st.caption("Every line is a weight, drawn at its starting value (blue positive, orange negative, "
                   "thicker = stronger). Training adjusts them.")
    else:
        st.plotly_chart(block_diagram(dataset.n_features, infos, dataset.image_shape), width="stretch",
                        key="build_diagram")
        st.caption("Too many neurons to draw one by one: each box is a layer with its output shape.")
    st.metric("Parameters to learn", f"{total:,}",
              help="Every weight (one per connection) and every bias (one per neuron) is a number "
                   "that training adjusts.")
    st.dataframe([{"layer": i.name, "output shape": " × ".join(map(str, i.output_shape)), "parameters": i.params}
                  for i in infos], hide_index=True, width="stretch", key="build_params")
    return body, n_out


keep("network", default_network().to_dict())
st.session_state.setdefault("_net_rev", 0)
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
    current = layers()
    edited = [layer_editor(i, layer, len(current), image_data) for i, layer in enumerate(current)]
    if edited != current:
        st.session_state["network"] = {**st.session_state["network"], "layers": edited}
    st.button("Add layer", icon=":material/add:", on_click=add_layer, key="net_add", help="Add a hidden layer before the output.",
              disabled=len(current) >= 64)
    if not current:
        st.info("No hidden layers: the inputs connect straight to the output — a linear model. "
                "Add a layer to let the network bend its decision boundary.")

spec = NetworkSpec.from_dict(st.session_state["network"])
with show:
    st.subheader("Architecture")
    built = architecture(spec, dataset)

    st.subheader("Save and share")
    s1, s2 = st.columns(2)
    s1.download_button("Download spec (JSON)", dumps(spec), file_name="network.json", mime="application/json",
                       key="net_download_json", width="stretch",
                       help="The layers as JSON: keep it, share it, or import it again here.")
    if built is not None:
        body, n_out = built
        y = dataset.y_train.astype("float64")
        net = Network(body, dataset.task, n_out, float(y.mean()) if dataset.task == "regression" else 0.0,
                      float(y.std() or 1.0) if dataset.task == "regression" else 1.0)
        code = pytorch_source(net, dataset.feature_names, dataset.class_names, title=f"Network for {dataset.name}")
        s2.download_button("Download PyTorch code", code, file_name="network.py", mime="text/x-python",
                           key="net_download_code", width="stretch",
                           help="A standalone Python file that defines this network in PyTorch.")
    upload = st.file_uploader("Import a spec (JSON)", type=["json"], key="net_import", help=HELP["import"])
    if upload is not None:
        data = upload.getvalue()
        digest = sha256(data)
        if st.session_state.get("_net_import", (None,))[0] != digest:
            try:
                imported = loads_network(data.decode("utf-8", errors="replace"))
                st.session_state["network"] = imported.to_dict()
                st.session_state["_net_rev"] += 1
                st.session_state["_net_import"] = (digest, None)
                st.session_state["_net_flash"] = f"Imported {len(imported.layers)} layers from {md(upload.name)}."
                st.rerun()
            except SpecError as e:
                st.session_state["_net_import"] = (digest, f"{md(upload.name)} was not imported: {md(spec_message(e))}. "
                                                           "Your current network is unchanged.")
        if st.session_state["_net_import"][1]:
            st.error(st.session_state["_net_import"][1])

next_step("Train", "Next: train it", "**Next:** train this network and watch the loss fall and the "
          "decision boundary take shape.")
