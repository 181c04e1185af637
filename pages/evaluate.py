"""Evaluate: how good is a trained run, and where does it go wrong?"""
import streamlit as st

from core.data import DataError
from core.evaluate import (SPLIT_LABELS, EvaluationError, classification_report, pr_curves, predict_split,
                           regression_report, roc_curves, threshold_point)
from core.spec import SpecError
from core.store import StoreError
from dashboard.charts import evaluate as charts
from dashboard.evaluating import show_worst
from dashboard.state import choose_run, page, set_current_run, store

EVALUABLE = ("finished", "stopped", "interrupted")
CHECKPOINTS = {"last": "Last epoch", "best": "Best epoch (lowest validation loss)"}


@st.cache_resource(show_spinner="Loading the network and predicting…", max_entries=24)
def _predictions(home: str, run_id: str, checkpoint: str, split: str, updated: float, _store):
    """(predictions, dataset, epoch) of a run's checkpoint on a split; cached so widget moves are instant."""
    from core.runs import load_run
    loaded = load_run(_store, run_id, checkpoint)
    return predict_split(loaded, split), loaded.dataset, loaded.epoch


st.title("Evaluate")
st.caption("Judge a trained run on data it never learned from: where it is right, where it is wrong, and how sure it was.")

runs = [r for r in store().list_runs() if r.status in EVALUABLE]
if not runs:
    st.info("Nothing to evaluate yet: no run has finished training. Train a network first — "
            "it appears here as soon as it finishes (or you stop it).")
    st.page_link(page("Train"), label="Go to Train →", icon=":material/play_circle:")
    st.stop()

by_id = choose_run("eval_run", runs)
st.session_state.setdefault("eval_checkpoint", "last")
st.session_state.setdefault("eval_split", "test")
st.session_state.setdefault("eval_threshold", 0.5)
st.session_state.setdefault("eval_worst_n", 12)

c1, c2, c3 = st.columns([3, 2, 2])
run_id = c1.selectbox(
    "Run", list(by_id), key="eval_run",
    format_func=lambda i: f"{by_id[i].name} · {by_id[i].dataset.get('name', '')} · {by_id[i].status}",
    help="A trained run to judge. Runs that are still training appear once they finish or are stopped.")
set_current_run(run_id)
checkpoint = c2.radio(
    "Weights", list(CHECKPOINTS), key="eval_checkpoint", format_func=CHECKPOINTS.get, horizontal=False,
    help="Which saved weights to judge: those after the last epoch, or those of the epoch where the "
         "validation loss was lowest (before the network began to overfit, if it did).")
split = c3.radio(
    "Data to judge on", list(SPLIT_LABELS), key="eval_split", format_func=lambda s: f"{SPLIT_LABELS[s]} rows",
    help="Test rows were never used in training or for choosing the best epoch: the fairest judge. "
         "Training rows show how well the network fits what it learned from — compare the two to spot overfitting.")

run = by_id[run_id]
try:
    preds, dataset, epoch = _predictions(str(store().home), run_id, checkpoint, split, run.updated, store())
except (StoreError, DataError, SpecError, EvaluationError, ValueError, OSError) as e:
    st.error(f"This run cannot be evaluated: {e}")
    st.caption("Try the other weights or split, or pick another run.")
    st.stop()

st.caption(f"Epoch {epoch} · {preds.n} {SPLIT_LABELS[split]} rows · {dataset.task}")

threshold = None                  # a two-class run's decision threshold
if preds.task == "classification":
    if preds.binary:
        positive = preds.class_names[1]
        threshold = st.slider(
            "Decision threshold", 0.0, 1.0, key="eval_threshold", step=0.01,
            help=f"The network gives each row a probability of being '{positive}'. A row is predicted as "
                 f"'{positive}' when that probability is at least the threshold. Lower it to catch more "
                 f"'{positive}' rows (higher recall) at the cost of more false alarms (lower precision); "
                 "raise it for the opposite.")
    report = classification_report(preds.y_true, preds.proba, preds.class_names, threshold)
    point = threshold_point(report)

    m = st.columns(4)
    m[0].metric("Accuracy", f"{report.accuracy:.1%}", help="The share of rows whose class is predicted correctly.")
    m[1].metric("Macro F1", f"{report.macro_f1:.3f}",
                help="F1 balances precision and recall (1 is perfect); 'macro' averages it over the classes, "
                     "so a rare class counts as much as a common one.")
    if point is not None:
        m[2].metric("Precision", f"{point['precision']:.1%}",
                    help=f"Of the rows predicted '{preds.class_names[1]}', the share that really are.")
        m[3].metric("Recall", f"{point['recall']:.1%}",
                    help=f"Of the rows that really are '{preds.class_names[1]}', the share the network finds.")
    else:
        m[2].metric("Classes", len(preds.class_names))
        m[3].metric("Rows", preds.n)

    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader("Confusion matrix")
        st.plotly_chart(charts.confusion_matrix(report.confusion, report.class_names), width="stretch",
                        config={"displayModeBar": False})
        st.caption("Each row is a true class, each column a predicted class; the diagonal holds the correct "
                   "predictions. The shade is the share of the true class.")
    with right:
        st.subheader("Per class")
        st.dataframe(
            report.per_class, hide_index=True, width="stretch",
            column_config={
                "class": st.column_config.TextColumn("class"),
                "precision": st.column_config.ProgressColumn(
                    "precision", min_value=0.0, max_value=1.0, format="%.2f", width="small",
                    help="Of the rows predicted as this class, the share that really are."),
                "recall": st.column_config.ProgressColumn(
                    "recall", min_value=0.0, max_value=1.0, format="%.2f", width="small",
                    help="Of the rows that really are this class, the share the network finds."),
                "f1": st.column_config.ProgressColumn(
                    "F1", min_value=0.0, max_value=1.0, format="%.2f", width="small",
                    help="Precision and recall balanced in one number (1 is perfect)."),
                "support": st.column_config.NumberColumn("rows", help="How many rows really are this class."),
            })

    roc, pr = roc_curves(preds.y_true, preds.proba, preds.class_names), pr_curves(preds.y_true, preds.proba,
                                                                                 preds.class_names)
    st.subheader("ROC and precision–recall curves")
    st.caption("How well the probabilities rank the rows, over every possible threshold"
               + (" (each class against the rest)." if not preds.binary else
                  f" (for '{preds.class_names[1]}'); the red dot is your threshold.")
               + " An area (AUC / AP) of 1 means a perfect ranking; the dotted lines show random guessing.")
    a, b = st.columns(2)
    if roc.curves:
        a.plotly_chart(charts.roc_curves(roc.curves, point=(point["fpr"], point["tpr"]) if point else None),
                       width="stretch", config={"displayModeBar": False})
        b.plotly_chart(charts.pr_curves(pr.curves, point=(point["recall"], point["precision"]) if point else None),
                       width="stretch", config={"displayModeBar": False})
    if roc.skipped:
        st.caption("No curve for " + ", ".join(f"'{c}'" for c in roc.skipped)
                   + ": this split has no rows of that class (or only those). Try a larger split.")
else:
    report = regression_report(preds.y_true, preds.y_pred)
    m = st.columns(4)
    m[0].metric("R²", f"{report.r2:.3f}",
                help="The share of the target's variation the network explains: 1 is perfect, 0 is no better "
                     "than always guessing the average, below 0 is worse than that.")
    m[1].metric("MAE", f"{report.mae:.4g}", help="Mean absolute error: how far off a prediction is on average, "
                                                 "in the target's own units.")
    m[2].metric("RMSE", f"{report.rmse:.4g}", help="Root mean squared error: like MAE, but large misses count more.")
    m[3].metric("Rows", report.n)
    a, b = st.columns(2)
    with a:
        st.subheader("Predicted vs actual")
        st.plotly_chart(charts.predicted_vs_actual(report.y_true, report.y_pred, dataset.target), width="stretch",
                        config={"displayModeBar": False})
        st.caption("Dots on the dashed line are exact predictions; the further off the line, the bigger the miss.")
    with b:
        st.subheader("Residuals")
        st.plotly_chart(charts.residuals(report.y_true, report.y_pred, dataset.target), width="stretch",
                        config={"displayModeBar": False})
        st.caption("Actual minus predicted. A good model scatters evenly around 0; a curve or a funnel shape "
                   "means it misses systematically.")

show_worst(preds, dataset, threshold)

st.divider()
st.markdown("**Next:** compare this run with others, rename it or download the model — or train a better one.")
n1, n2 = st.columns(2)
n1.page_link(page("Runs"), label="Compare runs →", icon=":material/list:")
n2.page_link(page("Train"), label="Train another run →", icon=":material/play_circle:")
