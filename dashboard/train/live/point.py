"""One point followed through the drawn network: its inputs (x1, x2) as the person types them, layer by layer
the pre-activation and activation of each unit, and what one training step on that point alone would do to
each weight (its gradient, lr × gradient and the optimiser's actual update). The numbers come from core
(forward_trace, step_trace) on the weights of the frame shown.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import keys


def _default_point(dataset) -> tuple[float, float]:
    x = dataset.X_train[0]
    return round(float(x[0]), 3), round(float(x[1]), 3)


def chosen_point(dataset) -> tuple[float, float]:
    """The point followed (the first training row until the person types another)."""
    x1, x2 = _default_point(dataset)
    st.session_state.setdefault(keys.TRAIN_POINT_X1, x1)
    st.session_state.setdefault(keys.TRAIN_POINT_X2, x2)
    return float(st.session_state[keys.TRAIN_POINT_X1]), float(st.session_state[keys.TRAIN_POINT_X2])


def _target(dataset):
    """The point's target for the step: a class picked from the list, or a number in the target's units."""
    if dataset.task == "classification":
        names = dataset.class_names
        if st.session_state.get(keys.TRAIN_POINT_TARGET) not in range(len(names)):
            st.session_state[keys.TRAIN_POINT_TARGET] = int(dataset.y_train[0])
        return st.selectbox("Its class", range(len(names)), format_func=lambda i: str(names[i]),
                            key=keys.TRAIN_POINT_TARGET, help="The answer the step trains towards.")
    if not isinstance(st.session_state.get(keys.TRAIN_POINT_TARGET), float):
        st.session_state[keys.TRAIN_POINT_TARGET] = float(dataset.y_train[0])
    value = st.number_input("Its target", key=keys.TRAIN_POINT_TARGET, help="The number the step trains towards.")
    y = np.asarray(dataset.y_train, np.float64)
    return (value - y.mean()) / (y.std() or 1.0)         # the body learns the standardised target


def _forward_table(trace) -> pd.DataFrame:
    last = len(trace) - 1
    return pd.DataFrame([{"layer": "output" if k == last else f"layer {k + 1}", "unit": u + 1,
                          "weighted sum + bias": float(pre), "function": layer["activation"],
                          "activation": float(post)}
                         for k, layer in enumerate(trace)
                         for u, (pre, post) in enumerate(zip(layer["pre"][0], layer["post"][0]))])


def _step_table(seen, lr: float) -> pd.DataFrame:
    rows = []
    for k, layer in enumerate(seen["layers"]):
        src = (lambda i: f"x{i + 1}") if k == 0 else (lambda i, k=k: f"layer {k} unit {i + 1}")
        dst = "output" if k == len(seen["layers"]) - 1 else f"layer {k + 1} unit"
        w, g, lg, up = layer["weight"], layer["grad"], layer["lr_grad"], layer["update"]
        for j in range(w.shape[0]):
            for i in range(w.shape[1]):
                rows.append({"weight": f"{src(i)} → {dst} {j + 1}", "value": float(w[j, i]),
                             "gradient": float(g[j, i]), "lr × gradient": float(lg[j, i]), "update": float(up[j, i])})
            rows.append({"weight": f"bias of {dst} {j + 1}", "value": float(layer["bias"][j]),
                         "gradient": float(layer["bias_grad"][j]), "lr × gradient": lr * float(layer["bias_grad"][j]),
                         "update": float(layer["bias_update"][j])})
    return pd.DataFrame(rows)


def point_panel(frame, dataset, network: dict, epoch: int, training: bool) -> None:
    """The point's inputs, its path through the frame's weights and one step on it."""
    from core.model import concrete_loss, forward_trace
    from core.spec import TrainSpec
    from core.training import frame_body, step_trace
    run = st.session_state.get(keys.TRAIN_FEED)
    with st.expander("Follow one point through the network", expanded=not training):
        st.caption(f"With the weights of epoch {epoch:,}. The point is marked × on every neuron's picture above.")
        c1, c2, c3 = st.columns(3)
        c1.number_input("x1", key=keys.TRAIN_POINT_X1, format="%.3f", step=0.1)
        c2.number_input("x2", key=keys.TRAIN_POINT_X2, format="%.3f", step=0.1)
        with c3:
            y = _target(dataset)
        x = np.array([[st.session_state[keys.TRAIN_POINT_X1], st.session_state[keys.TRAIN_POINT_X2]]], np.float32)
        body = frame_body(frame)
        st.markdown("**Layer by layer** — each unit's weighted sum of the layer before plus its bias, then its "
                    "activation function")
        st.dataframe(_forward_table(forward_trace(body, x)), hide_index=True, height=240)
        spec = TrainSpec.from_dict(run.run.train) if run is not None and run.run is not None else TrainSpec()
        loss = concrete_loss(spec.loss, dataset.task)
        target = np.array([y], np.int64 if dataset.task == "classification" else np.float32)
        seen = step_trace(body, spec, loss, x, target)
        st.markdown(f"**One {spec.optimizer} step on this point alone** (learning rate {spec.lr:g}; its loss "
                    f"{seen['loss']:.4g}) — each weight's gradient and how far the optimiser moved it")
        st.dataframe(_step_table(seen, spec.lr), hide_index=True, height=240)
