"""Mitigations: group-specific thresholds after training (fairlearn's ThresholdOptimizer on the model's
probabilities), and the reweighing of training rows that the trainer applies before training."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data import FairnessError

CONSTRAINTS = {"demographic_parity": "demographic parity", "true_positive_rate_parity": "equal opportunity",
               "equalized_odds": "equalized odds"}


def _prefit(classes=(0, 1)):
    """A fitted classifier whose input is already the probability of the favourable label (column 0)."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Scores(ClassifierMixin, BaseEstimator):
        def fit(self, X, y=None):
            self.classes_ = np.asarray(classes)
            return self

        def __sklearn_is_fitted__(self):
            return True

        def predict_proba(self, X):
            p = np.asarray(X, float)[:, 0]
            return np.stack([1 - p, p], axis=1)

        def predict(self, X):
            return (np.asarray(X, float)[:, 0] >= 0.5).astype(int)
    return Scores().fit(None)


@dataclass(frozen=True)
class ThresholdRule:
    """One group's decision after fitting: favourable when the probability is `operator` ('>' or '<')
    `threshold`. To meet a constraint exactly fairlearn may draw at random: this rule `share` of the time
    and `other_operator` `other_threshold` otherwise (None when the rule always applies); and, for
    equalized odds, `constant_share` of the time neither, but favourable with chance `constant`."""

    group: str
    operator: str
    threshold: float
    share: float = 1.0
    other_operator: str | None = None
    other_threshold: float | None = None
    constant_share: float = 0.0
    constant: float = 0.0


@dataclass
class ThresholdMitigation:
    constraint: str
    optimizer: object

    def predict(self, proba, groups, seed: int = 0) -> np.ndarray:
        return np.asarray(self.optimizer.predict(np.asarray(proba, float).reshape(-1, 1),
                                                 sensitive_features=np.asarray(groups).astype(str),
                                                 random_state=seed)).astype(int)

    def thresholds(self) -> dict[str, ThresholdRule]:
        """Each group's fitted rule."""
        fitted = self.optimizer.interpolated_thresholder_.interpolation_dict
        return {str(g): _rule(str(g), rule) for g, rule in fitted.items()}


def _rule(group: str, fitted) -> ThresholdRule:
    """A ThresholdRule from fairlearn's interpolation of one group (p0, operation0, p1, operation1 and,
    optionally, p_ignore and prediction_constant)."""
    first, second = fitted["operation0"], fitted["operation1"]
    mixed = fitted["p1"] != 0
    ignore = float(fitted.get("p_ignore", 0.0))
    return ThresholdRule(group, first.operator, float(first.threshold), float(fitted["p0"]) if mixed else 1.0,
                         second.operator if mixed else None, float(second.threshold) if mixed else None,
                         ignore, float(fitted.get("prediction_constant", 0.0)) if ignore else 0.0)


def fit_thresholds(y_true, proba, groups, constraint: str = "demographic_parity") -> ThresholdMitigation:
    """fairlearn's ThresholdOptimizer on the model's probabilities (fit on validation rows)."""
    from fairlearn.postprocessing import ThresholdOptimizer
    if constraint not in CONSTRAINTS:
        raise FairnessError(f"Unknown constraint {constraint!r}; use one of {', '.join(CONSTRAINTS)}.")
    y = np.asarray(y_true).astype(int)
    g = np.asarray(groups).astype(str)
    for name in np.unique(g):
        labels = np.unique(y[g == name])
        if len(labels) < 2:      # fairlearn needs both labels in every group, whatever the constraint
            raise FairnessError(f"Group {str(name)!r} has only one label in these rows, so {CONSTRAINTS[constraint]} "
                                "thresholds cannot be fitted; fit on more rows (e.g. training and validation together).")
    opt = ThresholdOptimizer(estimator=_prefit(), constraints=constraint, prefit=True,
                             predict_method="predict_proba", objective="accuracy_score")
    opt.fit(np.asarray(proba, float).reshape(-1, 1), y, sensitive_features=g)
    return ThresholdMitigation(constraint, opt)


def reweighing(y, groups) -> np.ndarray:
    """Sample weights that make group and label independent: w = P(group) P(label) / P(group, label)."""
    y = np.asarray(y)
    g = np.asarray(groups).astype(str)
    w = np.ones(len(y))
    n = len(y)
    for name in np.unique(g):
        in_g = g == name
        for label in np.unique(y):
            cell = in_g & (y == label)
            if cell.any():
                w[cell] = (in_g.sum() / n) * ((y == label).sum() / n) / (cell.sum() / n)
    return w
