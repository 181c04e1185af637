"""Why a run failed, from what it logged: the classic failures recognised in its series, each a Diagnosis
with its cause, its fix (the setting to change) and its evidence (numbers, epochs, the chart to look at).

  diagnose(log) -> [Diagnosis]     the findings, strongest first; empty for a healthy run
  stored_log(store, run_id, ds)    a stored run's RunLog                                       reading.py
  run_log(run, series, events, task, n_classes)   the same from series already read
  Diagnosis, RunLog, CODES                                                                     records.py

Codes (stable): symmetry, dead_relu (units.py); vanishing_gradients, exploding_gradients (gradients.py);
divergence, lr_too_low, overfitting, underfitting (losses.py); imbalance (classes.py). Each module names its
thresholds and why. Pure functions over numbers: no torch, no streamlit.
"""
from __future__ import annotations

from .classes import imbalance
from .gradients import exploding_gradients, vanishing_gradients
from .losses import divergence, lr_too_low, overfitting, underfitting
from .reading import run_log, stored_log, stored_series
from .records import Diagnosis, RunLog
from .units import dead_relu, symmetry

# in the order they are tried and shown: a root cause before what it brings about
CHECKS = (symmetry, divergence, exploding_gradients, dead_relu, vanishing_gradients, lr_too_low, imbalance,
          overfitting, underfitting)
CODES = tuple(c.__name__ for c in CHECKS)
# a finding that explains another: the other is then left out (identical units, or units switched off, give
# small gradients and a flat loss; a diverged run's units die and its gradients blow up)
EXPLAINS = {
    "symmetry": {"dead_relu", "vanishing_gradients", "lr_too_low", "underfitting", "imbalance"},
    "divergence": {"dead_relu", "lr_too_low", "underfitting", "overfitting", "imbalance"},
    "exploding_gradients": {"lr_too_low", "underfitting", "imbalance"},
    "dead_relu": {"vanishing_gradients", "lr_too_low", "underfitting"},
    "vanishing_gradients": {"lr_too_low", "underfitting", "imbalance"},
    "lr_too_low": {"underfitting", "imbalance"},
    "imbalance": {"underfitting"},
}

__all__ = ["CODES", "Diagnosis", "RunLog", "diagnose", "run_log", "stored_log", "stored_series"]


def diagnose(log: RunLog) -> list[Diagnosis]:
    """Every failure recognised in the run's log, a root cause before its consequences (left out)."""
    found: list[Diagnosis] = []
    hidden: set[str] = set()
    for check in CHECKS:
        if check.__name__ in hidden:
            continue
        finding = check(log)
        if finding is not None:
            found.append(finding)
            hidden |= EXPLAINS.get(finding.code, set())
    return found
