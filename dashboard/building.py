"""The Build page's layer editor: the layers as a row of chips, and the settings of the chosen one.

The network is st.session_state["network"] (a NetworkSpec dict). Only the chosen layer has widgets,
so a click costs the same with 2 layers as with 64 (widgets for every layer made each click cost
about 30 ms more per layer in the browser and the server). The editor's widget keys carry a revision
number: a structural change (add, remove, move, a new layer type, preset, import) bumps it, so the
widgets are created afresh from the spec.
"""
from __future__ import annotations

import streamlit as st

from core.spec import ACTIVATIONS, INITS, LAYER_FIELDS, MAX_UNITS, LayerSpec

from .widgets import HELP

NET, REV, PICK, LAST_PICK, OPEN = "network", "_net_rev", "net_pick", "_net_last_pick", "_net_open"
TYPE_LABELS = {"dense": "dense", "conv2d": "convolution (conv2d)", "maxpool2d": "max-pool", "flatten": "flatten",
               "dropout": "dropout", "batchnorm": "batch norm"}
IMAGE_TYPES = ("conv2d", "maxpool2d", "flatten")
EDITABLE = ("type", "units", "channels", "kernel", "padding", "activation", "init", "batch_norm", "dropout", "rate")


def layers() -> list[dict]:
    return st.session_state[NET]["layers"]


def wkey(i: int, name: str) -> str:
    return f"net_{st.session_state[REV]}_{i}_{name}"


# ---------------------------------------------------------------- the spec and the widgets

def with_edits(layer: dict, edits: dict) -> dict:
    """`layer` with the editor's values in `edits` (field → value; "type" may change the kind)."""
    values = dict(layer)
    values["type"] = edits.get("type", layer["type"])
    if values["type"] == "maxpool2d" and layer["type"] != "maxpool2d":
        values["kernel"] = 2                 # a fresh pool halves the image
    else:
        values.update({k: edits[k] for k in LAYER_FIELDS[values["type"]] if k in edits})
    return LayerSpec(**{k: v for k, v in values.items() if k in LayerSpec.__dataclass_fields__}).to_dict()


def sync_from_widgets() -> None:
    """Fold the open layer's widget values into the spec (no other layer has widgets). Every run starts
    with it, and so does every structural click: a click may arrive with an edit no run has seen."""
    current, i = layers(), st.session_state.get(OPEN)
    if not isinstance(i, int) or not 0 <= i < len(current):
        return
    keys = {name: wkey(i, name) for name in EDITABLE}
    edits = {name: st.session_state[key] for name, key in keys.items() if key in st.session_state}
    layer = with_edits(current[i], edits) if edits else current[i]
    if layer != current[i]:
        st.session_state[NET] = {**st.session_state[NET], "layers": current[:i] + [layer] + current[i + 1:]}


def restructure(change, chosen: int | None = None) -> None:
    """Run `change(layers)` on a fresh copy of the layers, choose layer `chosen`, rebuild the widgets."""
    sync_from_widgets()
    new = [dict(layer) for layer in layers()]
    change(new)
    st.session_state[NET] = {**st.session_state[NET], "layers": new}
    st.session_state[REV] += 1
    if chosen is not None:
        st.session_state[PICK] = max(0, min(chosen, len(new) - 1))


def add_layer() -> None:
    def change(ls):
        dense = [l for l in ls if l["type"] == "dense"]
        ls.append(dict(dense[-1]) if dense else LayerSpec(units=8).to_dict())
    restructure(change, chosen=len(layers()))


def remove_layer(i: int) -> None:
    restructure(lambda ls: ls.pop(i), chosen=i - 1 if i == len(layers()) - 1 else i)


def move_layer(i: int, step: int) -> None:
    def change(ls):
        ls[i], ls[i + step] = ls[i + step], ls[i]
    restructure(change, chosen=i + step)


def new_type() -> None:
    """A layer's type changed: its fields change with it, so its widgets start afresh."""
    restructure(lambda ls: None)


# ---------------------------------------------------------------- what the page shows

def chip_labels() -> list[str]:
    return [f"{i + 1} · {LayerSpec(**layer).describe()}" for i, layer in enumerate(layers())]


def chosen_layer() -> int | None:
    """The layer chips; returns the index of the chosen layer (None when there are no layers)."""
    n = len(layers())
    if n == 0:
        return None
    chosen = st.session_state.get(PICK, st.session_state.get(LAST_PICK, 0))   # the chips' state goes with the page
    st.session_state[PICK] = min(chosen, n - 1) if isinstance(chosen, int) and chosen >= 0 else 0
    labels = chip_labels()
    st.pills("Layers, from the input to the output", list(range(n)), format_func=labels.__getitem__, key=PICK,
             required=True, wrap=True, help="Click a layer to change it.")
    st.session_state[LAST_PICK] = st.session_state[PICK]
    return st.session_state[PICK]


def layer_editor(i: int, image_data: bool) -> None:
    """The widgets of layer i; their values reach the spec through sync_from_widgets."""
    layer, n = layers()[i], len(layers())
    spec = LayerSpec(**layer)
    st.session_state[OPEN] = i
    with st.container(border=True):
        head, up, down, remove = st.columns([6, 1, 1, 1], vertical_alignment="center")
        head.markdown(f"**Layer {i + 1}** of {n}")
        up.button("↑", key=wkey(i, "up"), disabled=i == 0, on_click=move_layer, args=(i, -1),
                  help="Move this layer one place towards the input.")
        down.button("↓", key=wkey(i, "down"), disabled=i == n - 1, on_click=move_layer, args=(i, 1),
                    help="Move this layer one place towards the output.")
        remove.button("✕", key=wkey(i, "remove"), on_click=remove_layer, args=(i,), help="Remove this layer.")
        types = ["dense", "dropout", "batchnorm"] + (list(IMAGE_TYPES) if image_data else [])
        if spec.type not in types:
            types.append(spec.type)
        first = st.columns([3, 2])
        first[0].selectbox("Type", types, index=types.index(spec.type), format_func=TYPE_LABELS.get,
                           key=wkey(i, "type"), on_change=new_type, help=HELP["type"])
        _fields(i, spec, first[1])


def _fields(i: int, spec: LayerSpec, beside) -> None:
    """The fields of the layer's type: its size beside the type, the rest in rows below."""
    if spec.type == "dense":
        beside.number_input("Neurons", 1, MAX_UNITS, spec.units, key=wkey(i, "units"), help=HELP["units"])
    elif spec.type == "conv2d":
        beside.number_input("Filters", 1, 512, spec.channels, key=wkey(i, "channels"), help=HELP["channels"])
    elif spec.type == "maxpool2d":
        beside.number_input("Window (pixels)", 1, 11, spec.kernel, key=wkey(i, "kernel"), help=HELP["kernel"])
    elif spec.type == "dropout":
        beside.slider("Rate", 0.0, 0.9, float(spec.rate), 0.05, key=wkey(i, "rate"), help=HELP["rate"])
    if spec.type in ("dense", "conv2d"):
        c = st.columns(2)
        c[0].selectbox("Activation", ACTIVATIONS, index=ACTIVATIONS.index(spec.activation),
                       key=wkey(i, "activation"), help=HELP["activation"])
        c[1].selectbox("Initialisation", INITS, index=INITS.index(spec.init), key=wkey(i, "init"),
                       help=HELP["init"])
    if spec.type == "conv2d":
        c = st.columns(3, vertical_alignment="bottom")
        c[0].number_input("Kernel size", 1, 11, spec.kernel, key=wkey(i, "kernel"), help=HELP["kernel"])
        c[1].number_input("Padding", 0, 5, spec.padding, key=wkey(i, "padding"), help=HELP["padding"])
        c[2].checkbox("Batch norm", spec.batch_norm, key=wkey(i, "batch_norm"), help=HELP["batch_norm"])
    if spec.type == "dense":
        d1, d2 = st.columns([2, 1], vertical_alignment="bottom")
        d1.slider("Dropout", 0.0, 0.9, float(spec.dropout), 0.05, key=wkey(i, "dropout"), help=HELP["dropout"])
        d2.checkbox("Batch norm", spec.batch_norm, key=wkey(i, "batch_norm"), help=HELP["batch_norm"])


def next_step_text(dataset) -> str:
    """What the Train page will show for this data: the decision boundary only for 2-D data."""
    score = "the accuracy rise" if dataset.task == "classification" else "R² rise"
    if dataset.is_2d and dataset.task == "classification":
        return ("**Next:** train this network and watch the loss fall and the decision boundary take shape "
                "on the plane.")
    if dataset.is_2d:
        return ("**Next:** train this network and watch the loss fall and its predicted surface over the "
                "plane take shape.")
    return (f"**Next:** train this network and watch the loss fall and {score}, with the gradient size and "
            "the weights of every layer.")


# ---------------------------------------------------------------- the architecture, counted and drawn

def output_size(dataset, loss: str) -> int:
    """The output layer's units for this data and loss; a loss that cannot fit is shown, and one output
    per class is counted instead."""
    from core.model import output_units
    from core.spec import SpecError

    from .widgets import md, spec_message

    try:
        return output_units(dataset.task, dataset.n_classes, loss)
    except SpecError as e:
        st.error(md(f"{spec_message(e)} (change the loss on the Train page). Counting with one output per class."))
        return output_units(dataset.task, dataset.n_classes, "auto")


def starting_weights(spec, dataset, n_out) -> list:
    """The dense layers' weight matrices as a network of this spec starts (seed 0): only for the small
    networks drawn neuron by neuron."""
    import torch
    from torch import nn

    from core.model import build_body

    with torch.random.fork_rng():
        torch.manual_seed(0)       # the same starting weights on every redraw
        body, _ = build_body(spec, dataset.n_features, n_out, dataset.image_shape)
    return [m.weight.detach().numpy() for m in body if isinstance(m, nn.Linear)]


def network_code(spec, dataset, n_out) -> str:
    """The standalone PyTorch script of this network. Its modules are made on torch's meta device:
    the script needs their sizes, not their weights."""
    import torch

    from core.model import network_for, pytorch_source

    loss = "bce" if dataset.task == "classification" and n_out == 1 else "auto"   # the loss with n_out outputs
    with torch.device("meta"):
        net = network_for(spec, dataset, loss)
    return pytorch_source(net, dataset.feature_names, dataset.class_names, title=f"Network for {dataset.name}")


def output_names(dataset, n_out: int) -> list[str]:
    if n_out == 1 and dataset.task == "classification":
        return [f"P({dataset.class_names[1]})"]
    return list(dataset.class_names) if dataset.task == "classification" else [dataset.target]
