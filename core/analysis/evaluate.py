"""Judging a trained run on one split: how often it is right, where it goes wrong, and by how much.

Everything here returns plain data (dataclasses of numbers, numpy arrays and pandas
DataFrames); the metrics themselves come from scikit-learn.

    preds = predict_split(load_run(store, run_id), "test")
    report = classification_report(preds.y_true, preds.proba, preds.class_names, threshold=0.5)
    curves = roc_curves(preds.y_true, preds.proba, preds.class_names)
    worst = worst_errors(preds, dataset.raw, n=20)      # only the wrong rows; least_sure_correct: the right ones
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn import metrics as skm

SPLIT_LABELS = {"test": "test", "val": "validation", "train": "training"}


class EvaluationError(ValueError):
    """Data that cannot be evaluated (an empty split, a shape that does not fit)."""


# ------------------------------------------------------------------ predictions
@dataclass
class Predictions:
    """A network's outputs on one split, next to the true answers."""

    task: str                       # "classification" | "regression"
    split: str                      # "train" | "val" | "test"
    rows: np.ndarray                # row numbers in the dataset's original table (Dataset.raw)
    y_true: np.ndarray              # class ids, or target values
    y_pred: np.ndarray              # most likely class ids, or predicted values
    proba: np.ndarray | None        # [n, classes] probabilities (classification only)
    class_names: list[str] | None

    @property
    def n(self) -> int:
        return len(self.y_true)

    @property
    def binary(self) -> bool:
        return self.task == "classification" and len(self.class_names or ()) == 2


def predict_split(loaded, split: str = "test") -> Predictions:
    """The predictions of a loaded run (core.runs.LoadedRun) on the 'train', 'val' ('validation') or 'test' split."""
    from core.data import DataError, split_name
    from core.runs import predict_array
    ds = loaded.dataset
    try:
        split = split_name(split)
    except DataError:
        raise EvaluationError(f"split must be 'train', 'val' or 'test' (got {split!r})") from None
    X, y = ds.split(split)
    if len(X) == 0:
        raise EvaluationError(f"the {SPLIT_LABELS[split]} split of {ds.name} is empty; choose another split")
    out = np.asarray(predict_array(loaded.net, X), dtype=np.float64)
    rows = np.asarray(ds.indices(split))
    if ds.task == "classification":
        return Predictions("classification", split, rows, np.asarray(y, dtype=np.int64), out.argmax(axis=1), out,
                           list(ds.class_names))
    return Predictions("regression", split, rows, np.asarray(y, dtype=np.float64), out.reshape(-1), None, None)


# ------------------------------------------------------------------ classification
@dataclass
class ClassificationReport:
    """How a classifier does on one split.

    confusion[i, j] counts rows whose true class is i and predicted class is j.
    per_class has one row per class: precision (of the rows predicted as this class, the share
    that really are), recall (of the rows that really are this class, the share found),
    F1 (their harmonic mean) and support (how many rows really are this class).
    mean_ap is mean_average_precision: how well the probabilities rank each class's rows, at no threshold.
    """

    class_names: list[str]
    confusion: np.ndarray
    per_class: pd.DataFrame
    accuracy: float
    macro_f1: float
    n: int
    threshold: float | None = None      # binary tasks: predicted positive when P(class 1) ≥ threshold
    mean_ap: float = float("nan")       # mean average precision (nan when no class has both outcomes)


def _check_proba(y_true, proba, class_names) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true).astype(np.int64).reshape(-1)
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] != len(y) or p.shape[1] != len(class_names):
        raise EvaluationError(f"proba must have one row per label and one column per class "
                              f"({len(y)} × {len(class_names)}), got shape {p.shape}")
    if len(y) == 0:
        raise EvaluationError("there are no rows to evaluate")
    if y.min() < 0 or y.max() >= len(class_names):
        raise EvaluationError(f"true labels must be class ids from 0 to {len(class_names) - 1}")
    return y, p


def predicted_classes(proba: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """Class ids: the most likely class, or — for two classes with a threshold — class 1 when P(class 1) ≥ threshold."""
    p = np.asarray(proba, dtype=np.float64)
    if threshold is not None and p.shape[1] == 2:
        return (p[:, 1] >= threshold).astype(np.int64)
    return p.argmax(axis=1)


def classification_report(y_true, proba, class_names, threshold: float | None = None) -> ClassificationReport:
    """Confusion matrix, per-class precision/recall/F1/support and accuracy.

    threshold applies to two-class tasks only (ignored otherwise): a row is predicted as
    class 1 when its probability of class 1 is at least the threshold; None means 'most likely class'.
    """
    names = [str(c) for c in class_names]
    y, p = _check_proba(y_true, proba, names)
    if threshold is not None and not 0.0 <= float(threshold) <= 1.0:
        raise EvaluationError(f"threshold must be between 0 and 1 (got {threshold})")
    binary_threshold = float(threshold) if threshold is not None and len(names) == 2 else None
    pred = predicted_classes(p, binary_threshold)
    labels = list(range(len(names)))
    cm = skm.confusion_matrix(y, pred, labels=labels)
    prec, rec, f1, support = skm.precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    per_class = pd.DataFrame({"class": names, "precision": prec, "recall": rec, "f1": f1,
                              "support": support.astype(int)})
    return ClassificationReport(names, cm, per_class, float(skm.accuracy_score(y, pred)),
                                float(skm.f1_score(y, pred, labels=labels, average="macro", zero_division=0)),
                                int(len(y)), binary_threshold, mean_average_precision(y, p, names))


def mean_average_precision(y_true, proba, class_names) -> float:
    """The area under the precision–recall curve (average precision, scikit-learn's) of the positive class
    for two classes; for more, its macro average over the classes, each against the rest. A class the split
    has no rows of (or only those) has no curve and is left out; nan when none is left. It does not depend
    on a threshold, and a rare class counts as much as a common one."""
    names = [str(c) for c in class_names]
    y, p = _check_proba(y_true, proba, names)
    aps = [skm.average_precision_score(pos, score) for _, pos, score in _one_vs_rest(y, p, names)
           if pos.min() != pos.max()]
    return float(np.mean(aps)) if aps else float("nan")


@dataclass
class Curve:
    """One ROC or precision–recall curve (one class against the rest)."""

    kind: str                 # "roc": x = false-positive rate, y = true-positive rate
    label: str                # "pr":  x = recall, y = precision
    x: np.ndarray
    y: np.ndarray
    auc: float                # area under the curve (1 = perfect ranking)
    thresholds: np.ndarray
    baseline: float           # ROC: the diagonal's AUC 0.5; PR: the share of positives (a random guess)
    positives: int = 0


@dataclass
class Curves:
    curves: list[Curve] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # classes without both positives and negatives in the split


def _one_vs_rest(y, p, names):
    """(label, is_positive, score) for each class; for two classes only class 1 (the positive class)."""
    targets = [1] if len(names) == 2 else range(len(names))
    for k in targets:
        yield names[k], (y == k).astype(int), p[:, k]


def _curves(y_true, proba, class_names, curve) -> Curves:
    """One curve per class from `curve(label, pos, score)`; classes with one outcome only are skipped."""
    names = [str(c) for c in class_names]
    y, p = _check_proba(y_true, proba, names)
    out = Curves()
    for label, pos, score in _one_vs_rest(y, p, names):
        if pos.min() == pos.max():
            out.skipped.append(label)
        else:
            out.curves.append(curve(label, pos, score))
    return out


def _roc(label, pos, score) -> Curve:
    fpr, tpr, thr = skm.roc_curve(pos, score)
    return Curve("roc", label, fpr, tpr, float(skm.roc_auc_score(pos, score)), thr, 0.5, int(pos.sum()))


def _pr(label, pos, score) -> Curve:
    precision, recall, thr = skm.precision_recall_curve(pos, score)
    return Curve("pr", label, recall, precision, float(skm.average_precision_score(pos, score)),
                 thr, float(pos.mean()), int(pos.sum()))


def roc_curves(y_true, proba, class_names) -> Curves:
    """ROC curves with their AUC: the positive class for two classes, one class against the rest otherwise."""
    return _curves(y_true, proba, class_names, _roc)


def pr_curves(y_true, proba, class_names) -> Curves:
    """Precision–recall curves with the area under them (average precision), per class as for roc_curves."""
    return _curves(y_true, proba, class_names, _pr)


# ------------------------------------------------------------------ regression
@dataclass
class RegressionReport:
    """How a regressor does on one split.

    MAE: the average size of an error, in the target's units. RMSE: like MAE but large
    errors count more. R²: the share of the target's variation the model explains
    (1 = perfect, 0 = no better than always predicting the average, below 0 = worse).
    """

    mae: float
    rmse: float
    r2: float
    n: int
    y_true: np.ndarray
    y_pred: np.ndarray

    @property
    def residuals(self) -> np.ndarray:
        """Actual minus predicted: above 0 the model predicted too low."""
        return self.y_true - self.y_pred


def regression_report(y_true, y_pred) -> RegressionReport:
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    p = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    if len(y) != len(p):
        raise EvaluationError(f"y_true and y_pred must have the same length ({len(y)} vs {len(p)})")
    if len(y) == 0:
        raise EvaluationError("there are no rows to evaluate")
    if not np.all(np.isfinite(p)):
        raise EvaluationError("some predictions are not finite numbers; the network may have diverged")
    r2 = float(skm.r2_score(y, p)) if len(y) > 1 else float("nan")
    return RegressionReport(float(skm.mean_absolute_error(y, p)), float(np.sqrt(skm.mean_squared_error(y, p))),
                            r2, int(len(y)), y, p)


# ------------------------------------------------------------------ the worst errors
def _judged(preds: Predictions, threshold: float | None):
    """(predicted class, P(true class), loss = -log P(true class)) of every row of a classifier."""
    pred = predicted_classes(preds.proba, threshold if preds.binary else None)
    p_true = preds.proba[np.arange(preds.n), preds.y_true]
    return pred, p_true, -np.log(np.clip(p_true, 1e-12, 1.0))


def _class_rows(preds: Predictions, order: np.ndarray, pred, p_true, loss) -> pd.DataFrame:
    names = list(preds.class_names)
    return pd.DataFrame({
        "row": preds.rows[order],
        "true": [names[i] for i in preds.y_true[order]],
        "predicted": [names[i] for i in pred[order]],
        "p_true": p_true[order],
        "confidence": preds.proba[order, pred[order]],
        "loss": loss[order],
    })


def _with_original(table: pd.DataFrame, preds: Predictions, order: np.ndarray,
                   original: pd.DataFrame | None) -> pd.DataFrame:
    """The rows' columns from the original table appended (those the table has already are skipped)."""
    if original is None or not len(order):
        return table
    extra = original.iloc[preds.rows[order]].reset_index(drop=True)
    extra = extra[[c for c in extra.columns if c not in table.columns]]
    return pd.concat([table.reset_index(drop=True), extra], axis=1)


def mistake_count(preds: Predictions, threshold: float | None = None) -> int:
    """How many rows a classifier predicts wrongly (at `threshold` for two classes); every row for regression."""
    if preds.task != "classification":
        return preds.n
    return int((_judged(preds, threshold)[0] != preds.y_true).sum())


def worst_errors(preds: Predictions, original: pd.DataFrame | None = None, n: int = 20,
                 threshold: float | None = None) -> pd.DataFrame:
    """The n worst mistakes, worst first.

    Classification: only rows whose predicted class is wrong (at `threshold` for two classes), the
    lowest probability given to the true class first (loss = -log of it) — fewer than n when the
    network makes fewer mistakes; columns row, true, predicted, p_true, confidence (the probability
    of the predicted class), loss.
    Regression: the largest absolute errors; columns row, true, predicted, error (actual − predicted), abs_error.
    The rows' original columns (from `original`, the dataset's raw table) follow.
    """
    n = max(0, int(n))
    if preds.task == "classification":
        pred, p_true, loss = _judged(preds, threshold)
        wrong = np.flatnonzero(pred != preds.y_true)
        order = wrong[np.argsort(-loss[wrong], kind="stable")][:n]
        table = _class_rows(preds, order, pred, p_true, loss)
    else:
        err = preds.y_true - preds.y_pred
        order = np.argsort(-np.abs(err), kind="stable")[:n]
        table = pd.DataFrame({"row": preds.rows[order], "true": preds.y_true[order], "predicted": preds.y_pred[order],
                              "error": err[order], "abs_error": np.abs(err[order])})
    return _with_original(table, preds, order, original)


def least_sure_correct(preds: Predictions, original: pd.DataFrame | None = None, n: int = 20,
                       threshold: float | None = None) -> pd.DataFrame:
    """A classifier's right answers it was least sure of: the n correctly predicted rows with the lowest
    probability of their (true) class first; the columns of worst_errors. Empty for regression."""
    if preds.task != "classification":
        return pd.DataFrame(columns=["row", "true", "predicted", "error", "abs_error"])
    pred, p_true, loss = _judged(preds, threshold)
    right = np.flatnonzero(pred == preds.y_true)
    order = right[np.argsort(p_true[right], kind="stable")][:max(0, int(n))]
    return _with_original(_class_rows(preds, order, pred, p_true, loss), preds, order, original)


def row_images(dataset, rows) -> np.ndarray | None:
    """For image datasets, the pixels of the given original rows as [n, height, width]; None otherwise."""
    shape = getattr(dataset, "image_shape", None)
    if shape is None:
        return None
    _, h, w = shape
    pixels = dataset.raw.iloc[np.asarray(rows, dtype=np.int64)][list(dataset.original_columns)]
    return pixels.to_numpy(dtype=np.float64).reshape(-1, h, w)


def threshold_point(report: ClassificationReport) -> dict[str, float] | None:
    """For a two-class report: where its threshold sits on the ROC and PR curves
    (false-positive rate, true-positive rate = recall, precision); None for more classes."""
    if report.confusion.shape != (2, 2):
        return None
    tn, fp, fn, tp = (int(v) for v in report.confusion.ravel())
    return {"fpr": fp / (fp + tn) if fp + tn else 0.0, "tpr": tp / (tp + fn) if tp + fn else 0.0,
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 0.0}
