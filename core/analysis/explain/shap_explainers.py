"""shap's own explainers on a Glassnet model, giving values per original column.

The gradient explainers (DeepExplainer, GradientExplainer) work on model inputs: one-hot columns
are summed afterwards. The model-agnostic ones (Permutation, Kernel, Exact) run on one code per
original column (GroupCodes), so masking a code masks a whole column, exactly.
"""
from __future__ import annotations

import copy

import numpy as np

from .. import shapley, units
from .model import Model


def _as_outputs(values, k: int, n: int, d: int) -> np.ndarray:
    """shap returns lists per output or arrays with outputs last: make it [n, d, k]."""
    if isinstance(values, list):
        return np.stack([np.asarray(v).reshape(n, d) for v in values], axis=-1)
    v = np.asarray(values)
    return v.reshape(n, d, k) if v.ndim == 3 else v.reshape(n, d, 1)


def gradient_based(model: Model, X, background, groups, method: str, seed: int):
    """(values [n, p, k], base [k]) from shap's DeepExplainer ("deep") or GradientExplainer ("gradient") on
    the torch network of `model`, with the head of its unit appended."""
    import shap
    import torch
    net = copy.deepcopy(model.net).eval()         # a failed explainer leaves hooks behind: never the shared net
    body = net.body
    if model.space == units.VALUE:                # the value in the target's units: one more linear layer
        scale = torch.nn.Linear(1, 1)
        with torch.no_grad():
            scale.weight.fill_(float(net.y_std))
            scale.bias.fill_(float(net.y_mean))
        body = torch.nn.Sequential(body, scale)
    else:                                         # the log-odds of each class, from modules DeepLIFT follows
        units.register_deeplift()
        body = torch.nn.Sequential(body, units.LogOddsHead(net.n_outputs))
    bg = torch.as_tensor(background)
    xt = torch.as_tensor(X)
    if method == "deep":
        explainer = shap.DeepExplainer(body, bg)
        raw = explainer.shap_values(xt, check_additivity=False)
    else:
        explainer = shap.GradientExplainer(body, bg)
        raw = explainer.shap_values(xt, nsamples=200, rseed=seed)
    k = len(model.outputs)
    per_column = _as_outputs(raw, k, len(X), X.shape[1])
    values = np.stack([per_column[:, g, :].sum(1) for g in groups], axis=1)
    with torch.inference_mode():
        base = body(bg).double().mean(0).numpy()
    return values, base


class GroupCodes:
    """shap's model-agnostic explainers over groups of columns, exactly.

    Each explained row becomes p codes equal to its own index, each background row p codes
    equal to -(index + 1); the model wrapper rebuilds the inputs column by column from the
    row or background row a code names. Masking a code is then masking a whole group."""

    def __init__(self, model: Model, X: np.ndarray, background: np.ndarray, groups: list[list[int]]):
        d = X.shape[1]
        self.owner = shapley._column_group(groups, d).numpy()
        self.X, self.Z, self.model = X, background, model
        self.p = len(groups)

    def rows(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.X), dtype=np.float64)[:, None], self.p, axis=1)

    def background(self) -> np.ndarray:
        return np.repeat(-(np.arange(len(self.Z), dtype=np.float64) + 1)[:, None], self.p, axis=1)

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        import torch
        c = np.rint(np.asarray(codes)).astype(np.int64)[:, self.owner]        # [m, d]
        cols = np.arange(c.shape[1])
        inputs = np.where(c >= 0, self.X[np.clip(c, 0, None), cols], self.Z[np.clip(-c - 1, 0, None), cols])
        with torch.inference_mode():
            return self.model.fn(torch.as_tensor(inputs.astype(np.float32))).double().numpy()


def model_agnostic(model: Model, X, background, groups, method: str, seed: int):
    """(values [n, p, k], base [k]) from shap's Kernel ("kernel"), Permutation ("permutation") or Exact
    ("shap_exact") explainer over one code per group of columns."""
    import shap
    wrapped = GroupCodes(model, X, background, groups)
    rows, bg = wrapped.rows(), wrapped.background()
    k = len(model.outputs)
    if method == "kernel":
        explainer = shap.KernelExplainer(wrapped, bg)
        raw = explainer.shap_values(rows, l1_reg=False, silent=True)
        base = np.asarray(explainer.expected_value, np.float64).reshape(-1)
        return _as_outputs(raw, k, len(X), len(groups)), base
    masker = shap.maskers.Independent(bg, max_samples=len(bg))
    if method == "permutation":
        explainer = shap.explainers.Permutation(wrapped, masker, seed=seed)
        result = explainer(rows, max_evals=max(500, 2 * len(groups) + 1), silent=True)
    else:
        explainer = shap.explainers.Exact(wrapped, masker)
        result = explainer(rows, silent=True)
    values = _as_outputs(result.values, k, len(X), len(groups))
    base = np.asarray(result.base_values, np.float64).reshape(len(X), -1)[0]
    return values, base
