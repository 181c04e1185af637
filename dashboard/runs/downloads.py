"""The Runs page's downloads of one run: its spec, metrics, PyTorch code, weights and ONNX model."""
from __future__ import annotations

import streamlit as st

from core.runs import EXPORTS, export_bytes, file_stem, metrics_csv
from dashboard import keys
from dashboard.state import store

MODEL_LABELS = {"pytorch": "PyTorch code", "safetensors": "Weights (safetensors)", "onnx": "ONNX model"}


def _deferred_export(run_id: str, fmt: str):
    """The export made when its button is clicked, not on every run of the page."""
    home = str(store().home)
    person = getattr(store(), "person", None)       # in class mode: made through the person's own view

    def make() -> bytes:
        from core.runs import Store, scoped
        with Store(home) as s:
            return export_bytes(s if person is None else scoped(s, person), run_id, fmt)
    return make


def downloads(run) -> None:
    """Two columns of download buttons; the model files wait for the run's first checkpoint."""
    st.markdown("**Downloads**")
    run_id, stem = run.id, file_stem(run)
    has_weights = bool(store().checkpoints(run_id))
    d1, d2 = st.columns(2)
    d1.download_button("Spec (JSON)", export_bytes(store(), run_id, "spec"), f"{stem}.json", EXPORTS["spec"][1],
                       key=keys.download("spec"), icon=":material/data_object:", on_click="ignore", width="stretch",
                       help="The network, training and data settings as JSON: load them again or share them.")
    d2.download_button("Metrics (CSV)", metrics_csv(store(), run_id), f"{stem}-metrics.csv", "text/csv",
                       key=keys.download("metrics"), icon=":material/table:", on_click="ignore", width="stretch",
                       help="Every number the run kept (loss per step, validation metrics per epoch) as a "
                            "table. A long run keeps its older step losses as means over 2, 4, 8… steps.")
    for i, fmt in enumerate(MODEL_LABELS):
        suffix, mime, what = EXPORTS[fmt]
        (d1 if i % 2 == 0 else d2).download_button(
            MODEL_LABELS[fmt], _deferred_export(run_id, fmt), f"{stem}{suffix}", mime, key=keys.download(fmt),
            icon=":material/download:", on_click="ignore", width="stretch", disabled=not has_weights,
            help=f"The last checkpoint's {what}." if has_weights
            else "No checkpoint saved yet: it appears after the first epochs of training.")
