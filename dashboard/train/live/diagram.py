"""The network drawn as it learns: for a small dense network on 2-D data, its 'network' frames (each weight, each
neuron's picture of the plane), the latest while it trains and any recorded one after, chosen with a slider;
for any other network, each layer's weight size over training and a sentence saying why there is no drawing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from core import limits
from core.runs import Store
from core.runs.thinning import block_ends
from dashboard import keys
from dashboard.state import store as workspace_store

from ..charts import layer_names
from ..charts.network import layer_size_figure, network_figure
from .kept import feed_for, show
from .point import chosen_point, point_panel

DIAGRAM_POLL_S = 1.0     # the diagram redraws once a second while the run trains


@dataclass
class NetworkFrames:
    """A run's 'network' frames as (step, epoch, bytes), read incrementally, at most max_frames of them."""
    run_id: str
    frames: list = field(default_factory=list)

    def update(self, store: Store) -> None:
        last = self.frames[-1][0] if self.frames else -1
        latest = store.last_frame_step(self.run_id, "network")
        if latest is not None and latest < last:           # resumed from an earlier checkpoint: read again
            self.frames, last = [], -1
        self.frames += store.frames(self.run_id, "network", since_step=last)
        cap = limits.current().max_frames
        if len(self.frames) > cap:
            keep = block_ends(np.maximum([s for s, _, _ in self.frames], 1), cap)
            self.frames = [self.frames[i] for i in keep]


def frames_for(run_id: str) -> NetworkFrames:
    held = st.session_state.get(keys.TRAIN_DIAGRAM)
    if not isinstance(held, NetworkFrames) or held.run_id != run_id:
        held = st.session_state[keys.TRAIN_DIAGRAM] = NetworkFrames(run_id)
    return held


def diagram_problem_of(network: dict, dataset) -> str | None:
    """Why a run's network gets per-layer summaries instead of the drawing (None: it gets the drawing)."""
    import torch

    from core.model import network_for
    from core.spec import NetworkSpec
    from core.training import diagram_problem
    with torch.device("meta"):                     # sizes only: no weight is made
        net = network_for(NetworkSpec.from_dict(network), dataset)
    return diagram_problem(net.body, dataset.n_features)


def diagram_view(run_id: str, dataset, network: dict, training: bool) -> None:
    """The network of the run: drawn (small dense nets on 2-D data), else summarised layer by layer."""
    st.markdown("**Inside the network**")
    problem = diagram_problem_of(network, dataset)
    if problem is not None:
        st.caption(f"Each layer's weight size over training. There is no drawing of each neuron here: {problem}.")
        feed = feed_for(run_id)
        norms = {n.split("/", 1)[1]: ev for n, ev in feed.series.items() if n.startswith("weight_norm/")}
        show(feed, "layer_sizes", lambda: layer_size_figure(norms, layer_names(norms)),
             tuple(len(e) for e, _ in norms.values()))
        return
    held = frames_for(run_id)
    held.update(workspace_store())
    if not held.frames:
        st.caption("The drawing of the network appears with the first logged epoch.")
        return
    index = _chosen_frame(held, training)
    step, epoch, data = held.frames[index]
    from core.training import decode_network
    frame = decode_network(data)
    point = chosen_point(dataset)
    with st.container(key=keys.TRAIN_DIAGRAM_BOX):
        st.caption(f"Epoch {epoch:,} (step {step:,}){' — redrawn every second while it trains' if training else ''}. "
                   "Each neuron is a picture of its output over the plane (blue positive, orange negative); the "
                   "lines are the weights — blue positive, orange negative, thicker the larger. Hover for values.")
        st.plotly_chart(network_figure(frame, point=point), key=keys.train_chart("network"),
                        config={"displaylogo": False})
    point_panel(frame, dataset, network, epoch, training)


def _chosen_frame(held: NetworkFrames, training: bool) -> int:
    """The newest frame while the run trains; after, the one the slider picks (the newest at first)."""
    last = len(held.frames) - 1
    if training or last == 0:
        return last
    options = list(range(last + 1))
    if st.session_state.get(keys.TRAIN_DIAGRAM_FRAME) not in options:
        st.session_state[keys.TRAIN_DIAGRAM_FRAME] = last
    return st.select_slider("Recorded frame", options, key=keys.TRAIN_DIAGRAM_FRAME,
                            format_func=lambda i: f"epoch {held.frames[i][1]:,}",
                            help="Go back through training: the network as it was at each recorded moment.")
