"""SHAP values per original column, by the method asked for: ours in torch, or shap's explainers.

Attributions are always per original column: the one-hot columns of a text column are one player,
so its value is the Shapley value of that coalition of columns, not a sum of parts.

SHAP methods (`METHODS`):
- "exact": every coalition of the columns (<= 12 columns), batched in torch. Error 0.
- "sampling": antithetic, stratified walks per background row (core.analysis.shapley), additive.
- "pixels": one round of those walks over an image's pixels, the default for images.
- "deep", "gradient": shap's DeepExplainer / GradientExplainer, a fast preview; one-hot
  columns summed, since those explainers work on model inputs.
- "permutation", "kernel", "shap_exact": shap's model-agnostic explainers, run on the
  original columns through a row-index encoding (shap_explainers.GroupCodes).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .. import shapley
from .attribution import Attribution
from .bounds import check_count
from .errors import ExplainError
from .model import Model
from .running import Progress
from .shap_explainers import gradient_based, model_agnostic

DEFAULT_BACKGROUND = 100
EXACT_LIMIT = 12            # original columns up to which "auto" computes exact Shapley values
IMAGE_ROUNDS = 1            # rounds of walks of the "pixels" method (one antithetic pair per background row)


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    algorithm: str
    additive: bool
    help: str


# Measured figures in the help texts: `python -m bench --json`, breast cancer, the same run for every method
# (errors against shap's PermutationExplainer at 50,000 evaluations per row; speeds as ratios).
METHODS: dict[str, Method] = {m.key: m for m in (
    Method("exact", "Exact Shapley values", "exact interventional Shapley values, every coalition, batched in torch",
           True, "Every coalition of your columns against every background row: the true Shapley values, no "
                 "estimate. Offered up to 12 columns (2^12 coalitions per row); 1,000 rows of 10 columns take "
                 "about as long as sampling 1,000 rows of 30."),
    Method("sampling", "Shapley sampling (Glassnet)",
           "antithetic, position-stratified permutation sampling per background row, batched in torch",
           True, "Walks from each background row to the row, one column at a time, in random orders and their "
                 "reverses; adds rounds until the median estimated error is under 1.75 %. Additive (base + sum = "
                 "output). Measured on breast cancer (30 columns, 1,000 rows): 1.7 % from a high-precision "
                 "reference, and the fastest accurate method here."),
    Method("pixels", "Shapley sampling for images (Glassnet)",
           "one round of antithetic, position-stratified permutation walks per background row over the pixels, "
           "pixels equal in the image and the background image skipped, convolutions as dense layers",
           True, "The default for images: the same walks as Shapley sampling over every pixel, one round of them "
                 "(an order and its reverse from each background image), skipping the pixels an image shares with "
                 "the background image (they change nothing). Additive. Measured on digits (64 pixels, the small "
                 "CNN, 200 rows): 6.8 % from a high-precision reference and 50x faster than adaptive Shapley "
                 "sampling there (2.2 % off, but minutes instead of seconds); shap's DeepExplainer and "
                 "GradientExplainer were 38 % and 34 % off."),
    Method("deep", "shap DeepExplainer (preview)", "shap.DeepExplainer (DeepLIFT rescale rule)", True,
           "A fast preview, but an approximation: 11 % off the Shapley values on breast cancer and 3.6x slower "
           "than sampling there; one-hot columns are summed."),
    Method("gradient", "shap GradientExplainer (preview)", "shap.GradientExplainer (expected gradients)", False,
           "Expected gradients: not additive, 16 % off on breast cancer and 16x slower than sampling there."),
    Method("permutation", "shap PermutationExplainer", "shap.PermutationExplainer, Independent masker", True,
           "shap's own permutation sampling on the averaged game, at its default budget: 4.7 % off on breast "
           "cancer and about 100x slower than sampling there."),
    Method("kernel", "shap KernelExplainer", "shap.KernelExplainer (weighted linear regression, l1_reg off)", True,
           "The classic model-agnostic KernelSHAP (with its feature selection off): 1.8 % off on breast cancer "
           "but about 80x slower than sampling; fine for a few rows."),
    Method("shap_exact", "shap ExactExplainer", "shap.ExactExplainer, Independent masker", True,
           "shap's exact explainer: the same values as Exact, computed by shap (slower)."),
)}


def column_groups(dataset) -> tuple[list[str], list[list[int]], dict]:
    """(the original columns, each one's model input columns, {column: its input names} where more than one)."""
    features = list(dataset.original_columns)
    groups = [list(dataset.groups[c]) for c in features]
    names = dataset.feature_names
    grouped = {c: [names[i] for i in g] for c, g in zip(features, groups) if len(g) > 1}
    return features, groups, grouped


def background_rows(dataset, size: int = DEFAULT_BACKGROUND, seed: int = 0) -> np.ndarray:
    """`size` training rows drawn without replacement (all of them if fewer)."""
    check_count("max_background", size)
    X = dataset.X_train
    if len(X) <= size:
        return X.astype(np.float32)
    idx = np.random.default_rng(seed).choice(len(X), size, replace=False)
    return X[np.sort(idx)].astype(np.float32)


def auto_method(n_columns: int, image: bool = False) -> str:
    if image:
        return "pixels"
    return "exact" if n_columns <= EXACT_LIMIT else "sampling"


def shap_values(model: Model, X: np.ndarray, background: np.ndarray, features: list[str], groups: list[list[int]],
                method: str = "auto", *, rows: np.ndarray | None = None, tolerance: float = shapley.TOLERANCE,
                seed: int = 0, progress: Progress | None = None, grouped: dict | None = None) -> Attribution:
    """Shapley values of `X` ([n, d] model inputs) per group of input columns."""
    import torch
    method = auto_method(len(groups)) if method == "auto" else method
    if method not in METHODS:
        raise ExplainError(f"Unknown SHAP method {method!r}; choose one of {', '.join(METHODS)}.")
    if method in ("exact", "shap_exact") and len(groups) > shapley.MAX_EXACT_GROUPS:
        raise ExplainError(f"Exact Shapley values of {len(groups)} columns need 2^{len(groups)} coalitions per row; "
                           "choose Shapley sampling instead.")
    if method in ("deep", "gradient") and model.net is None:
        raise ExplainError(f"{METHODS[method].label} needs a PyTorch network; choose Shapley sampling for an ONNX model.")
    X = np.asarray(X, np.float32)
    background = np.asarray(background, np.float32)
    if len(X) == 0:
        raise ExplainError("There are no rows to explain; choose at least one row.")
    check_count("max_explain_rows", len(X))
    check_count("max_background", len(background))
    t0 = time.perf_counter()
    stderr = None
    settings = {"background": int(len(background)), "seed": int(seed)}
    if method == "exact":
        values, base = shapley.exact(model.fn, X, background, groups, progress=progress)
    elif method == "sampling":
        values, base, stderr, rounds = shapley.sampling(model.fn, X, background, groups, tolerance=tolerance,
                                                        seed=seed, progress=progress)
        settings.update(tolerance=tolerance, mean_rounds=float(rounds.mean()))
    elif method == "pixels":
        values, base, _, _ = shapley.sampling(model.fn, X, background, groups, min_rounds=IMAGE_ROUNDS,
                                              max_rounds=IMAGE_ROUNDS, seed=seed, progress=progress)
        settings.update(rounds=IMAGE_ROUNDS)
    elif method in ("deep", "gradient"):
        values, base = gradient_based(model, X, background, groups, method, seed)
    else:
        values, base = model_agnostic(model, X, background, groups, method, seed)
    with torch.inference_mode():
        fx = model.fn(torch.as_tensor(X)).double().numpy()
    return Attribution(method, METHODS[method].algorithm, list(features), list(model.outputs),
                       np.asarray(values, np.float64), np.asarray(base, np.float64).reshape(-1), fx,
                       np.arange(len(X)) if rows is None else np.asarray(rows), time.perf_counter() - t0,
                       settings, stderr, dict(grouped or {}), model.space)
