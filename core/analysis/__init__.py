"""Looking into a trained network: how well it does, why it decides, and whether it treats groups alike.

  predict_split, Predictions, classification_report, mean_average_precision, roc_curves, pr_curves, regression_report,
  worst_errors, least_sure_correct, mistake_count, row_images, threshold_point, predicted_classes,
  ClassificationReport, RegressionReport, Curve, Curves, SPLIT_LABELS, EvaluationError
                  metrics of a run on a split, the worst rows                       evaluate.py
  explain/        SHAP and LIME per original column, the run explainer (core.analysis.explain)
  fairness/       per-group rates, disparities, findings, mitigations, proxies (core.analysis.fairness)
  report/         the self-contained HTML audit report (core.analysis.report)
  shapley, dense, units   Shapley values in torch; a small-image CNN as dense layers; the one unit
                          of every explanation (log-odds, or the target's units)

The evaluate names load scikit-learn on first use, so importing a subpackage stays light.
"""
_EVALUATE = ("SPLIT_LABELS", "ClassificationReport", "Curve", "Curves", "EvaluationError", "Predictions",
             "RegressionReport", "classification_report", "least_sure_correct", "mean_average_precision", "mistake_count", "pr_curves",
             "predict_split", "predicted_classes", "regression_report", "roc_curves", "row_images", "threshold_point",
             "worst_errors")

__all__ = sorted(_EVALUATE)


def __getattr__(name: str):
    """The evaluate names, imported on first use."""
    if name not in _EVALUATE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import evaluate
    return getattr(evaluate, name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
