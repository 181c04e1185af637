"""LIME per original column: lime's LimeTabularExplainer fitting the explained unit around one row, and
how stable its weights are over random seeds."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .bounds import check_count
from .model import Model

LIME_SAMPLES = 5000


@dataclass
class LimeResult:
    features: list[str]
    output: str                 # the class (or "prediction") explained
    weights: np.ndarray         # [p] per original column, in the explanations' unit (log-odds of the class)
    intercept: float
    score: float                # R² of LIME's local linear model on its samples (local fidelity)
    local_prediction: float
    prediction: float           # the model's own output LIME explains (log-odds of the class, or the value)
    samples: int
    seed: int
    seconds: float
    rules: dict = field(default_factory=dict)   # column → the condition LIME used, e.g. "age <= 30.00"


def lime_explainer(dataset, seed: int = 0, discretize: bool = True):
    """A LimeTabularExplainer on the training rows' original columns (text columns as categories).

    Always in lime's regression mode: it fits the explained unit (the log-odds of one class, or the
    predicted value), the same numbers SHAP shares out, not a probability."""
    from lime.lime_tabular import LimeTabularExplainer
    kinds = dataset.column_kinds()
    features = list(dataset.original_columns)
    train = dataset.codes(dataset.raw.iloc[dataset.indices("train")])
    categorical = [i for i, c in enumerate(features) if kinds[c] is not None]
    return LimeTabularExplainer(
        train, mode="regression", feature_names=features, categorical_features=categorical,
        categorical_names={i: kinds[features[i]] for i in categorical},
        discretize_continuous=discretize, random_state=seed)


def lime_row(model: Model, dataset, codes_row: np.ndarray, output: int = 0, *, samples: int = LIME_SAMPLES,
             seed: int = 0, explainer=None) -> LimeResult:
    """LIME weights of one row (given as `dataset.codes` numbers) for output `output` (the class)."""
    check_count("max_lime_samples", samples)
    t0 = time.perf_counter()
    explainer = explainer or lime_explainer(dataset, seed)
    features = list(dataset.original_columns)
    regression = dataset.task == "regression"
    column = 0 if regression else int(output)

    def predict(codes: np.ndarray) -> np.ndarray:
        return model.explained(dataset.from_codes(codes))[:, column]
    exp = explainer.explain_instance(np.asarray(codes_row, np.float64), predict, num_features=len(features),
                                     num_samples=int(samples))
    label = 1                                    # lime keeps a regression's weights under label 1
    weights = np.zeros(len(features))
    rules = {}
    texts = exp.domain_mapper.map_exp_ids(exp.local_exp[label])     # same order as local_exp
    for (j, w), (text, _) in zip(exp.local_exp[label], texts):
        weights[j] = w
        rules[features[j]] = text
    intercept = exp.intercept[label] if isinstance(exp.intercept, dict) else exp.intercept
    local = exp.local_pred[0] if np.ndim(exp.local_pred) else exp.local_pred
    return LimeResult(features, "prediction" if regression else str(dataset.class_names[column]), weights,
                      float(intercept), float(exp.score), float(local), float(exp.predicted_value), int(samples),
                      int(seed), time.perf_counter() - t0, rules)


def lime_stability(model: Model, dataset, codes_row: np.ndarray, output: int = 0, *, seeds: int = 5,
                   samples: int = LIME_SAMPLES) -> tuple[np.ndarray, np.ndarray, list[LimeResult]]:
    """(mean, std) of each column's LIME weight over `seeds` runs with different random seeds."""
    runs = [lime_row(model, dataset, codes_row, output, samples=samples, seed=s, explainer=lime_explainer(dataset, s))
            for s in range(seeds)]
    w = np.stack([r.weights for r in runs])
    return w.mean(0), w.std(0), runs
