"""The network as it will start training, drawn as the Train page draws it while it learns: each neuron's
picture of the plane and every starting weight. Only for a small dense network on 2-D data; the weights are
the run's own (the training seed fixes them), so the Train page's first frames grow out of this picture."""
from __future__ import annotations

import streamlit as st

from core.spec import NetworkSpec, SpecError, TrainSpec
from dashboard import keys


def starting_frame(spec: NetworkSpec, dataset, seed: int):
    """The decoded 'network' frame of the network `spec` on `dataset` as training with `seed` starts it (None
    when it is not drawn: see core.training.diagram_problem)."""
    import torch

    from core.model import network_for
    from core.training import boundary_extent, decode_network, diagram_problem
    from core.training.netframes import encode_network
    with torch.random.fork_rng():                 # the server's own random state is left as it was
        torch.manual_seed(seed)                   # as the worker seeds it before it builds the run's network
        net = network_for(spec, dataset)
    if not dataset.is_2d or diagram_problem(net.body, dataset.n_features) is not None:
        return None
    return decode_network(encode_network(net.eval().body, boundary_extent(dataset.X_train)))


def starting_network(spec: NetworkSpec, dataset) -> None:
    """The Build page's drawing of the starting network (nothing for networks too big to draw, or other data)."""
    if not dataset.is_2d:
        return
    from dashboard.train.charts.network import network_figure
    seed = int((st.session_state.get(keys.TRAIN_SPEC) or {}).get("seed", TrainSpec().seed))
    try:
        frame = starting_frame(spec, dataset, seed)
    except SpecError:
        return                                    # the architecture above already says what does not fit
    if frame is None:
        return
    st.subheader("The network as it starts")
    st.caption(f"The starting weights of a run with seed {seed}: each neuron is a picture of its output over the "
               "plane (blue positive, orange negative), each line a weight (blue positive, orange negative, thicker "
               "the larger). The Train page draws the same picture as it learns.")
    st.plotly_chart(network_figure(frame), key=keys.BUILD_START_NETWORK, config={"displaylogo": False})
