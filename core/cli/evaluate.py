"""`python -m core evaluate --run ID`: how a trained run does on one of its splits — for a classifier the accuracy,
macro F1, mean average precision, per-class precision/recall/F1 and the confusion matrix; for a regressor MAE,
RMSE and R². The Evaluate page shows the same numbers (core/analysis/evaluate.py)."""
from __future__ import annotations

import math

from .common import UsageError, add_checkpoint, add_home, print_json


def register(sub) -> None:
    ev = sub.add_parser("evaluate", help="accuracy, F1 and mean average precision (or MAE, RMSE, R²) of a run")
    ev.add_argument("--run", required=True, help="the run's id (see `python -m core runs`)")
    ev.add_argument("--split", choices=["train", "val", "test"], default="test")
    ev.add_argument("--threshold", type=float,
                    help="two classes only: predict the second class when its probability is at least this "
                         "(default: the most likely class)")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    add_checkpoint(ev)
    add_home(ev)
    ev.set_defaults(func=run)


def run(a) -> int:
    from ..runs import Store, load_run
    from ..analysis.evaluate import predict_split
    if a.threshold is not None and not 0.0 <= a.threshold <= 1.0:
        raise UsageError(f"--threshold {a.threshold:g} is not a probability: give a number from 0 to 1, e.g. 0.3")
    preds = predict_split(load_run(Store(a.home), a.run, a.checkpoint), a.split)
    result = {"run_id": a.run, "split": a.split, **scores(preds, a.threshold)}
    if a.json:
        print_json(result)
    else:
        print_scores(result)
    return 0


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def scores(preds, threshold: float | None = None) -> dict:
    """The split's scores as JSON-ready numbers (None where a score is undefined, e.g. R² of one row)."""
    from ..analysis.evaluate import classification_report, regression_report
    if preds.task == "regression":
        r = regression_report(preds.y_true, preds.y_pred)
        return {"task": "regression", "n": r.n, "mae": r.mae, "rmse": r.rmse, "r2": _num(r.r2)}
    r = classification_report(preds.y_true, preds.proba, preds.class_names, threshold)
    per_class = [{"class": row["class"], "precision": float(row["precision"]), "recall": float(row["recall"]),
                  "f1": float(row["f1"]), "support": int(row["support"])} for _, row in r.per_class.iterrows()]
    return {"task": "classification", "n": r.n, "accuracy": r.accuracy, "macro_f1": r.macro_f1,
            "mean_average_precision": _num(r.mean_ap), "threshold": r.threshold, "per_class": per_class,
            "confusion": r.confusion.tolist(), "classes": r.class_names}


def print_scores(s: dict) -> None:
    head = f"run {s['run_id']}, {s['split']} split, {s['n']:,} rows"
    if s["task"] == "regression":
        r2 = "undefined" if s["r2"] is None else f"{s['r2']:.3f}"
        print(f"{head}\n  MAE {s['mae']:.4g}   RMSE {s['rmse']:.4g}   R² {r2}")
        return
    mean_ap = "undefined" if s["mean_average_precision"] is None else f"{s['mean_average_precision']:.3f}"
    print(f"{head}\n  accuracy {s['accuracy']:.3f}   macro F1 {s['macro_f1']:.3f}   mean average precision {mean_ap}")
    width = max(len(str(c["class"])) for c in s["per_class"])
    print(f"  {'class':<{width}}  precision  recall     F1  support")
    for c in s["per_class"]:
        print(f"  {str(c['class']):<{width}}  {c['precision']:9.3f}  {c['recall']:6.3f}  {c['f1']:5.3f}  {c['support']:7,}")
