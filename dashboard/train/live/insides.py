"""Under the loss: fairness over training (when the run measures it), the validation score, each
layer's gradient size and how a layer's weights spread over time."""
from __future__ import annotations

import streamlit as st

from dashboard import keys

from ..charts import grad_norm_figure, layer_names, score_figure, weights_figure
from .fairness import fairness_view
from .kept import feed_for, show


def detail_view(run_id: str, dataset) -> None:
    """Fairness over training (when the run measures it) and the network's insides: validation score,
    gradient sizes, weight distributions."""
    feed = feed_for(run_id)
    if feed.has_fairness():
        fairness_view(feed, dataset)
    metric = "accuracy" if dataset.task == "classification" else "r2"
    cols = st.columns(3)
    with cols[0]:
        st.markdown("**Validation accuracy**" if metric == "accuracy" else "**Validation R²**")
        score = feed.epoch_series(f"val_{metric}")
        show(feed, "score", lambda: score_figure(*score, metric=metric, height=280), (len(score[0]),))
    with cols[1]:
        st.markdown("**Gradient size per layer**", help="How strongly each layer is being pushed. A layer "
                    "whose line sinks far below the others barely learns (vanishing gradients).")
        norms = feed.grad_norms()
        show(feed, "grads", lambda: grad_norm_figure(norms, height=280), tuple(len(e) for e, _ in norms.values()))
    with cols[2]:
        weights_view(feed)


def weights_view(feed) -> None:
    """How the chosen layer's weights are spread over time."""
    names = layer_names(feed.hist)
    label = None
    if names:
        options = list(names)
        if st.session_state.get(keys.TRAIN_HIST_LAYER) not in options:
            st.session_state[keys.TRAIN_HIST_LAYER] = options[0]
        label = st.selectbox("Weights of", options, format_func=names.get, key=keys.TRAIN_HIST_LAYER,
                             help="How this layer's weights are spread over time: darker = more weights "
                                  "with that value. Watch them spread out as the layer learns; L2 pulls "
                                  "them back towards 0.")
    else:
        st.markdown("**Weights**")
    frames = feed.hist.get(label, [])
    show(feed, "weights", lambda: weights_figure(frames, layer=names.get(label, ""), height=240),
         (label, len(frames)))
