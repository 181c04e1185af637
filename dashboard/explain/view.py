"""One explained output in the user's words: which column of the attributions, and its unit."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class View:
    """One explained output in the user's words: which column of the attributions, and its unit.

    Every class has its own output, the log-odds of that class (core.units), whatever the network's
    head; a regression's one output is the predicted value in the target's units."""

    index: int                  # output column in the Attribution
    label: str                  # what the numbers are, e.g. "log-odds of 'good'"
    class_index: int | None     # the class (for LIME), None for regression / unknown outputs


def view_for(dataset, outputs: list[str], class_index: int | None) -> View:
    """The View of a run's class (or its single regression output)."""
    if dataset.task == "regression" or class_index is None:
        return View(0, f"predicted {dataset.target}", None)
    return View(class_index, outputs[class_index], class_index)


def unit_note(dataset) -> str:
    """A sentence on how to read the unit, after the page's "explaining the network's …"."""
    if dataset.task == "regression":
        return ""
    return (". Log-odds are log(p / (1 − p)) of the class's probability p: 0 is even odds, every +1 multiplies "
            "the odds by e ≈ 2.7, and a value of 2 means p ≈ 88 %. Every chart here, the Fairness page and the "
            "audit report use this unit.")


def view_values(att, view: View) -> tuple[np.ndarray, float, np.ndarray]:
    """(values [n, p], base, outputs [n]) of one View."""
    return att.of(view.index), float(att.base[view.index]), att.fx[:, view.index]
