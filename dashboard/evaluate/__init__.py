"""The Evaluate page: how good is a trained run, and where does it go wrong?

Public surface:
    evaluable_runs() -> [Run]             runs that have stopped training, newest first
    run_picker(runs) -> (run, checkpoint, split)      the run, its weights and the rows to judge
    predictions(run, checkpoint, split) -> (Predictions, Dataset, epoch) | None   loaded once per server
                                          process; None after showing why the run cannot be evaluated
    show_classification(preds) -> threshold | None    metrics, confusion matrix, per class, curves
    show_regression(preds, dataset)       R², MAE, RMSE, predicted vs actual, residuals
    show_worst(preds, dataset, threshold) the worst mistakes (and the right answers least sure of)
    charts: confusion_matrix, roc_curves, pr_curves, predicted_vs_actual, residuals, image_grid
            (pure: data in, a plotly figure out)
"""
from .charts import confusion_matrix, image_grid, pr_curves, predicted_vs_actual, residuals, roc_curves
from .classification import show_classification
from .loading import evaluable_runs, predictions
from .picker import run_picker
from .regression import show_regression
from .worst import show_worst

__all__ = ["confusion_matrix", "evaluable_runs", "image_grid", "pr_curves", "predicted_vs_actual", "predictions",
           "residuals", "roc_curves", "run_picker", "show_classification", "show_regression", "show_worst"]
