"""The Build page's starting weights: one layer's weights under each initialisation, side by side, and
what each one does to training. Only that layer is built (core.model.initial_weights), on the CPU."""
from __future__ import annotations

import math

import streamlit as st

from core.model import Part, layer_initial_weights, weighted_layers
from core.spec import NetworkSpec, SpecError
from dashboard import keys
from dashboard.widgets import md, spec_message

from .charts import init_histograms

INIT_LABELS = {"default": "PyTorch default", "uniform": "Uniform ±0.5", "gaussian": "Normal, std 0.1",
               "xavier": "Xavier / Glorot", "he": "He / Kaiming", "zeros": "Zeros"}

INIT_EFFECTS = {
    "default": "uniform within ±1/√fan-in, so its spread (1/√(3·fan-in)) shrinks as the layer gets wider: safe "
               "for small networks, though in a deep ReLU network the signal fades a little at every layer.",
    "uniform": "uniform within ±0.5 whatever the layer's size. It breaks the symmetry, but ignores the fan-in: in "
               "a wide layer the sums grow large, tanh and sigmoid saturate and their gradients vanish.",
    "gaussian": "normal with spread 0.1 whatever the layer's size. Fine for a few narrow layers; through many "
                "layers the signal shrinks (narrow layers) or grows (wide ones) step by step.",
    "xavier": "variance 2/(fan-in + fan-out), times the activation's gain: the signal keeps about the same "
              "spread forwards and the gradient backwards. Made for tanh and sigmoid.",
    "he": "normal with spread √(2/fan-in). ReLU zeroes about half of its inputs, so He doubles the variance to "
          "make up for it: the activations keep their spread through many ReLU layers.",
    "zeros": "every weight 0. Every neuron of the layer computes the same thing and gets the same gradient, so "
             "the symmetry never breaks: the layer learns like a single neuron, however wide it is.",
}


@st.cache_data(max_entries=16, show_spinner=False)
def _layer_inits(module: str, args: tuple, init: str, activation: str, name: str, index: int):
    """Kept by the layer's own plan: a change elsewhere in the network draws nothing again."""
    return layer_initial_weights(Part(module, args, init, activation), name, index)


def starting_weights(spec: NetworkSpec, dataset, n_out: int) -> None:
    """A layer picker, the histograms of that layer's starting weights under each initialisation, and a
    sentence per initialisation on what it does to training."""
    try:
        layers = weighted_layers(spec, dataset.n_features, n_out, dataset.image_shape)
    except SpecError:
        return                                   # the architecture above already says what does not fit
    st.subheader("Starting weights")
    options = list(range(len(layers)))
    if st.session_state.get(keys.BUILD_INIT_LAYER) not in options:
        st.session_state[keys.BUILD_INIT_LAYER] = 0
    index = st.selectbox("Layer", options, format_func=lambda i: layers[i][0].name, key=keys.BUILD_INIT_LAYER,
                         help="The layer whose starting weights are drawn under every initialisation.")
    info, part = layers[index]
    try:
        inits = _layer_inits(part.module, tuple(part.args), part.init, part.activation, info.name, index)
    except SpecError as e:
        st.info(md(f"{spec_message(e)}."), icon=":material/info:")
        return
    st.plotly_chart(init_histograms(inits, INIT_LABELS), width="stretch", key=keys.BUILD_INITS)
    st.caption(describe(inits))
    with st.expander("What each initialisation does to training", expanded=False):
        st.markdown("\n".join(f"- **{INIT_LABELS[w.init]}** (std {w.std:.3g} here): {INIT_EFFECTS[w.init]}"
                              for w in inits.weights))


def describe(inits) -> str:
    """The caption under the histograms: the layer, its fans and how many weights each histogram holds."""
    draws = inits.weights[0].draws if inits.weights else 1
    size = math.prod(inits.weight_shape)
    pooled = (f"{size:,} weights, drawn afresh {draws:,} times and pooled so the shape shows" if draws > 1
              else f"its {size:,} weights" + (f" ({inits.weights[0].values.size:,} of them drawn)"
                                              if inits.weights and inits.weights[0].values.size < size else ""))
    return (f"{md(inits.layer)}: fan-in {inits.fan_in:,} (inputs each neuron sums), fan-out {inits.fan_out:,}, "
            f"activation {inits.activation}; each histogram holds {pooled}. The highlighted one is this layer's "
            f"initialisation ({INIT_LABELS.get(inits.init, inits.init)}); change it in the layer's editor.")
