"""The Build page's words about the data: what goes into the network and what comes out, and what
training it will show."""
from __future__ import annotations

from dashboard.widgets import dataset_title, md


def introduction(dataset) -> str:
    what = f"{dataset.n_classes} classes" if dataset.task == "classification" else f"a number ({md(dataset.target)})"
    return (f"Design the network for **{dataset_title(dataset)}**: {dataset.n_features} inputs in, {what} out. "
            "Start from a preset or stack layers yourself; the picture and the parameter count follow every change.")


def next_step_text(dataset) -> str:
    """What the Train page will show for this data: the decision boundary only for 2-D data."""
    score = "the accuracy rise" if dataset.task == "classification" else "R² rise"
    if dataset.is_2d and dataset.task == "classification":
        return ("**Next:** train this network and watch the loss fall and the decision boundary take shape "
                "on the plane.")
    if dataset.is_2d:
        return ("**Next:** train this network and watch the loss fall and its predicted surface over the "
                "plane take shape.")
    return (f"**Next:** train this network and watch the loss fall and {score}, with the gradient size and "
            "the weights of every layer.")
