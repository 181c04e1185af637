"""The Build page's architecture: the network counted and drawn for the data it is built for, its
starting weights and its PyTorch code. Parameters are counted by arithmetic (core.model.plan): no
weights are made to count them."""
from __future__ import annotations

import streamlit as st

from core.model import check_size, output_units, plan
from core.data import DataError
from core.spec import NetworkSpec, SpecError
from dashboard import keys
from dashboard.state import DEFAULT_DATASET, current_dataset, dataset_for
from dashboard.widgets import md, spec_message

from .charts import block_diagram, neuron_columns, neuron_diagram


def dataset_to_build_for():
    """The dataset in use (it sizes the inputs and the output); the default one, with a message, when it
    cannot be built."""
    try:
        return current_dataset()
    except DataError as e:
        st.error(md(f"{e} Using the default dataset meanwhile."))
        return dataset_for(DEFAULT_DATASET)


def architecture(spec: NetworkSpec, dataset) -> int | None:
    """Diagram, parameter table and total for the spec on this dataset; SpecError shown as a message.
    Returns the output layer's size, or None when the layers do not fit together."""
    n_out = output_size(dataset, (st.session_state.get(keys.TRAIN_SPEC) or {}).get("loss", "auto"))
    try:
        layout = plan(spec, dataset.n_features, n_out, dataset.image_shape)
    except SpecError as e:
        st.error(md(f"{spec_message(e)}."))
        return None
    columns = neuron_columns(dataset.n_features, layout.layers)
    if columns:
        st.plotly_chart(neuron_diagram(columns, starting_weights(spec, dataset, n_out), dataset.feature_names,
                                       output_names(dataset, n_out)), width="stretch", key=keys.BUILD_DIAGRAM)
        st.caption("Every line is a weight, drawn at its starting value (blue positive, orange negative, "
                   "thicker = stronger). Training adjusts them.")
    else:
        st.plotly_chart(block_diagram(dataset.n_features, layout.layers, dataset.image_shape), width="stretch",
                        key=keys.BUILD_DIAGRAM)
        st.caption("Too many neurons to draw one by one: each box is a layer with its output shape.")
    try:
        check_size(layout)
    except SpecError as e:
        st.error(md(f"{spec_message(e)}. Training will not start with this network."))
    st.metric("Parameters to learn", f"{layout.total:,}",
              help="Every weight (one per connection) and every bias (one per neuron) is a number "
                   "that training adjusts.")
    st.dataframe([{"layer": i.name, "output shape": " × ".join(map(str, i.output_shape)), "parameters": i.params}
                  for i in layout.layers], hide_index=True, width="stretch", key=keys.BUILD_PARAMS)
    return n_out


def output_size(dataset, loss: str) -> int:
    """The output layer's units for this data and loss; a loss that cannot fit is shown, and one output
    per class is counted instead."""
    try:
        return output_units(dataset.task, dataset.n_classes, loss)
    except SpecError as e:
        st.error(md(f"{spec_message(e)} (change the loss on the Train page). Counting with one output per class."))
        return output_units(dataset.task, dataset.n_classes, "auto")


def output_names(dataset, n_out: int) -> list[str]:
    if n_out == 1 and dataset.task == "classification":
        return [f"P({dataset.class_names[1]})"]
    return list(dataset.class_names) if dataset.task == "classification" else [dataset.target]


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
