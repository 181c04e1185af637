"""Evaluate: how good is a trained run, and where does it go wrong?"""
import streamlit as st

from core.analysis import SPLIT_LABELS
from dashboard.evaluate import (evaluable_runs, predictions, run_picker, show_classification, show_regression,
                                show_worst)
from dashboard.state import page

st.title("Evaluate")
st.caption("Judge a trained run on data it never learned from: where it is right, where it is wrong, and how sure it was.")

runs = evaluable_runs()
if not runs:
    st.info("Nothing to evaluate yet: no run has finished training. Train a network first — "
            "it appears here as soon as it finishes (or you stop it).")
    st.page_link(page("Train"), label="Go to Train →", icon=":material/play_circle:")
    st.stop()

run, checkpoint, split = run_picker(runs)
loaded = predictions(run, checkpoint, split)
if loaded is None:
    st.stop()
preds, dataset, epoch = loaded
st.caption(f"Epoch {epoch} · {preds.n} {SPLIT_LABELS[split]} rows · {dataset.task}")

if preds.task == "classification":
    threshold = show_classification(preds)          # a two-class run's decision threshold
else:
    threshold = None
    show_regression(preds, dataset)

show_worst(preds, dataset, threshold)

st.divider()
st.markdown("**Next:** compare this run with others, rename it or download the model — or train a better one.")
n1, n2 = st.columns(2)
n1.page_link(page("Runs"), label="Compare runs →", icon=":material/list:")
n2.page_link(page("Train"), label="Train another run →", icon=":material/play_circle:")
