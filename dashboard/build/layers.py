"""The Build page's layer editor: the layers as a row of chips, and the settings of the chosen one.

The network is st.session_state[keys.NETWORK] (a NetworkSpec dict). Only the chosen layer has widgets,
so a click costs the same with 2 layers as with 64 (widgets for every layer made each click cost
about 30 ms more per layer in the browser and the server). The editor's widget keys carry a revision
number: a structural change (add, remove, move, a new layer type, preset, import) bumps it, so the
widgets are created afresh from the spec.
"""
from __future__ import annotations

import streamlit as st

from core.presets import default_network
from core.spec import ACTIVATIONS, INITS, LAYER_FIELDS, LAYER_RANGES, MAX_LAYERS, LayerSpec
from dashboard import keys
from dashboard.state import keep

from .help import HELP

TYPE_LABELS = {"dense": "dense", "conv2d": "convolution (conv2d)", "maxpool2d": "max-pool", "flatten": "flatten",
               "dropout": "dropout", "batchnorm": "batch norm"}
IMAGE_TYPES = ("conv2d", "maxpool2d", "flatten")
EDITABLE = ("type", "units", "channels", "kernel", "padding", "activation", "init", "batch_norm", "dropout", "rate")


def layers() -> list[dict]:
    return st.session_state[keys.NETWORK]["layers"]


def wkey(i: int, name: str) -> str:
    return keys.layer_widget(st.session_state[keys.NET_REV], i, name)


def open_network() -> None:
    """Every run starts here: the network kept across page switches (the default one at first), the
    editor's revision, and the open layer's last edits folded into the spec."""
    keep(keys.NETWORK, default_network().to_dict())
    st.session_state.setdefault(keys.NET_REV, 0)
    sync_from_widgets()


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
    current, i = layers(), st.session_state.get(keys.NET_OPEN)
    if not isinstance(i, int) or not 0 <= i < len(current):
        return
    widgets = {name: wkey(i, name) for name in EDITABLE}
    edits = {name: st.session_state[key] for name, key in widgets.items() if key in st.session_state}
    layer = with_edits(current[i], edits) if edits else current[i]
    if layer != current[i]:
        st.session_state[keys.NETWORK] = {**st.session_state[keys.NETWORK],
                                          "layers": current[:i] + [layer] + current[i + 1:]}


def restructure(change, chosen: int | None = None) -> None:
    """Run `change(layers)` on a fresh copy of the layers, choose layer `chosen`, rebuild the widgets."""
    sync_from_widgets()
    new = [dict(layer) for layer in layers()]
    change(new)
    st.session_state[keys.NETWORK] = {**st.session_state[keys.NETWORK], "layers": new}
    st.session_state[keys.NET_REV] += 1
    if chosen is not None:
        st.session_state[keys.NET_PICK] = max(0, min(chosen, len(new) - 1))


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

def layers_panel(image_data: bool) -> None:
    """The layer chips, "Add layer", and the chosen layer's editor (or what no hidden layer means)."""
    picked = chosen_layer()
    st.button("Add layer", icon=":material/add:", on_click=add_layer, key=keys.NET_ADD,
              help="Add a hidden layer before the output.", disabled=len(layers()) >= MAX_LAYERS)
    if picked is None:
        st.info("No hidden layers: the inputs connect straight to the output — a linear model. "
                "Add a layer to let the network bend its decision boundary.")
    else:
        layer_editor(picked, image_data)


def chip_labels() -> list[str]:
    return [f"{i + 1} · {LayerSpec(**layer).describe()}" for i, layer in enumerate(layers())]


def chosen_layer() -> int | None:
    """The layer chips; returns the index of the chosen layer (None when there are no layers)."""
    n = len(layers())
    if n == 0:
        return None
    # the chips' own state goes when another page is shown: the last choice is kept apart
    chosen = st.session_state.get(keys.NET_PICK, st.session_state.get(keys.NET_LAST_PICK, 0))
    st.session_state[keys.NET_PICK] = min(chosen, n - 1) if isinstance(chosen, int) and chosen >= 0 else 0
    labels = chip_labels()
    st.pills("Layers, from the input to the output", list(range(n)), format_func=labels.__getitem__,
             key=keys.NET_PICK, required=True, wrap=True, help="Click a layer to change it.")
    st.session_state[keys.NET_LAST_PICK] = st.session_state[keys.NET_PICK]
    return st.session_state[keys.NET_PICK]


def layer_editor(i: int, image_data: bool) -> None:
    """The widgets of layer i; their values reach the spec through sync_from_widgets."""
    layer, n = layers()[i], len(layers())
    spec = LayerSpec(**layer)
    st.session_state[keys.NET_OPEN] = i
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


def _bounds(field: str) -> tuple[int, int]:
    """The smallest and largest whole number a layer's `field` takes, from the spec's own table."""
    rule = LAYER_RANGES[field]
    return int(rule.low), int(rule.high)


def _fields(i: int, spec: LayerSpec, beside) -> None:
    """The fields of the layer's type: its size beside the type, the rest in rows below."""
    if spec.type == "dense":
        beside.number_input("Neurons", *_bounds("units"), spec.units, key=wkey(i, "units"), help=HELP["units"])
    elif spec.type == "conv2d":
        beside.number_input("Filters", *_bounds("channels"), spec.channels, key=wkey(i, "channels"), help=HELP["channels"])
    elif spec.type == "maxpool2d":
        beside.number_input("Window (pixels)", *_bounds("kernel"), spec.kernel, key=wkey(i, "kernel"), help=HELP["kernel"])
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
        c[0].number_input("Kernel size", *_bounds("kernel"), spec.kernel, key=wkey(i, "kernel"), help=HELP["kernel"])
        c[1].number_input("Padding", *_bounds("padding"), spec.padding, key=wkey(i, "padding"), help=HELP["padding"])
        c[2].checkbox("Batch norm", spec.batch_norm, key=wkey(i, "batch_norm"), help=HELP["batch_norm"])
    if spec.type == "dense":
        d1, d2 = st.columns([2, 1], vertical_alignment="bottom")
        d1.slider("Dropout", 0.0, 0.9, float(spec.dropout), 0.05, key=wkey(i, "dropout"), help=HELP["dropout"])
        d2.checkbox("Batch norm", spec.batch_norm, key=wkey(i, "batch_norm"), help=HELP["batch_norm"])
