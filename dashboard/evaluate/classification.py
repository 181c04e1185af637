"""The Evaluate page's view of a classifier: the decision threshold (two classes), the headline metrics,
the confusion matrix, precision / recall / F1 per class, and the ROC and precision–recall curves."""
from __future__ import annotations

import streamlit as st

from core.analysis import classification_report, pr_curves, roc_curves, threshold_point
from dashboard import keys
from dashboard.text import md_plain as md

from .charts import confusion_matrix, pr_curves as pr_chart, roc_curves as roc_chart

PLAIN_CHART = {"displayModeBar": False}
HELP_MEAN_AP = ("The area under the precision–recall curve (average precision): how well the probabilities rank "
                "the rows of a class above the others, over every threshold at once (1 is perfect; a random "
                "guess scores the class's share of the rows). For two classes it is the positive class's; for "
                "more, the average over the classes, each against the rest. Unlike accuracy it stays honest on "
                "imbalanced data: a network that always answers the common class can be 95% accurate when 95% "
                "of the rows are that class, yet its average precision for the rare class stays near that "
                "class's small share.")


def show_classification(preds) -> float | None:
    """The whole view; returns the decision threshold of a two-class run (None for more classes)."""
    threshold = threshold_slider(preds) if preds.binary else None
    report = classification_report(preds.y_true, preds.proba, preds.class_names, threshold)
    point = threshold_point(report)
    headline(preds, report, point)
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader("Confusion matrix")
        st.plotly_chart(confusion_matrix(report.confusion, report.class_names), width="stretch",
                        config=PLAIN_CHART)
        st.caption("Each row is a true class, each column a predicted class; the diagonal holds the correct "
                   "predictions. The shade is the share of the true class.")
    with right:
        st.subheader("Per class")
        per_class(report)
    curves(preds, point)
    return threshold


def threshold_slider(preds) -> float:
    positive = preds.class_names[1]
    return st.slider(
        "Decision threshold", 0.0, 1.0, key=keys.EVAL_THRESHOLD, step=0.01,
        help=f"The network gives each row a probability of being '{md(positive)}'. A row is predicted as "
             f"'{md(positive)}' when that probability is at least the threshold. Lower it to catch more "
             f"'{md(positive)}' rows (higher recall) at the cost of more false alarms (lower precision); "
             "raise it for the opposite.")


def headline(preds, report, point) -> None:
    """Accuracy, macro F1 and mean average precision; precision and recall at the threshold (two classes),
    else the classes and rows."""
    m = st.columns(5)
    m[0].metric("Accuracy", f"{report.accuracy:.1%}", help="The share of rows whose class is predicted correctly.")
    m[1].metric("Macro F1", f"{report.macro_f1:.3f}",
                help="F1 balances precision and recall (1 is perfect); 'macro' averages it over the classes, "
                     "so a rare class counts as much as a common one.")
    m[2].metric("Mean average precision", "—" if report.mean_ap != report.mean_ap else f"{report.mean_ap:.3f}",
                help=HELP_MEAN_AP)
    if point is not None:
        m[3].metric("Precision", f"{point['precision']:.1%}",
                    help=f"Of the rows predicted '{md(preds.class_names[1])}', the share that really are.")
        m[4].metric("Recall", f"{point['recall']:.1%}",
                    help=f"Of the rows that really are '{md(preds.class_names[1])}', the share the network finds.")
    else:
        m[3].metric("Classes", len(preds.class_names))
        m[4].metric("Rows", preds.n)


def _share(label: str, text: str):
    return st.column_config.ProgressColumn(label, min_value=0.0, max_value=1.0, format="%.2f", width="small",
                                           help=text)


def per_class(report) -> None:
    st.dataframe(
        report.per_class, hide_index=True, width="stretch",
        column_config={
            "class": st.column_config.TextColumn("class"),
            "precision": _share("precision", "Of the rows predicted as this class, the share that really are."),
            "recall": _share("recall", "Of the rows that really are this class, the share the network finds."),
            "f1": _share("F1", "Precision and recall balanced in one number (1 is perfect)."),
            "support": st.column_config.NumberColumn("rows", help="How many rows really are this class."),
        })


def curves(preds, point) -> None:
    """ROC and precision–recall curves side by side; the threshold's point on them for two classes."""
    roc = roc_curves(preds.y_true, preds.proba, preds.class_names)
    pr = pr_curves(preds.y_true, preds.proba, preds.class_names)
    st.subheader("ROC and precision–recall curves")
    st.caption("How well the probabilities rank the rows, over every possible threshold"
               + (" (each class against the rest)." if not preds.binary else
                  f" (for '{md(preds.class_names[1])}'); the red dot is your threshold.")
               + " An area (AUC / AP) of 1 means a perfect ranking; the dotted lines show random guessing.")
    a, b = st.columns(2)
    if roc.curves:
        a.plotly_chart(roc_chart(roc.curves, point=(point["fpr"], point["tpr"]) if point else None),
                       width="stretch", config=PLAIN_CHART)
        b.plotly_chart(pr_chart(pr.curves, point=(point["recall"], point["precision"]) if point else None),
                       width="stretch", config=PLAIN_CHART)
    if roc.skipped:
        st.caption("No curve for " + ", ".join(f"'{md(c)}'" for c in roc.skipped)
                   + ": this split has no rows of that class (or only those). Try a larger split.")
