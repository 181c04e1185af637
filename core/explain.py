"""Why the network decided what it decided: SHAP and LIME in the user's own columns.

What is explained is the network's output in one unit (core.units): the log-odds of each class,
log(p / (1 - p)), whatever the head (a 2-logit softmax and a 1-logit sigmoid give the same numbers),
or the predicted value in the target's units for regression. Not probabilities: Shapley values of a
softmax are badly approximated by every fast method. Every SHAP method and LIME use this unit, so
the pages, the audit report and the command line show the same numbers for the same rows.

Attributions are always per original column: the one-hot columns of a text column are one
player, so its value is the Shapley value of that coalition of columns, not a sum of parts.

SHAP methods (`METHODS`):
- "exact": every coalition of the columns (<= 12 columns), batched in torch. Error 0.
- "sampling": antithetic, stratified walks per background row (core.shapley), additive.
- "deep", "gradient": shap's DeepExplainer / GradientExplainer, a fast preview; one-hot
  columns summed, since those explainers work on model inputs.
- "permutation", "kernel", "shap_exact": shap's model-agnostic explainers, run on the
  original columns through a row-index encoding (see `_GroupCodes`).
LIME: lime's LimeTabularExplainer on the original columns (text columns as categories).

No streamlit here. Results are cached as safetensors files in the run's folder, keyed by
everything that changes them.
"""
from __future__ import annotations

import copy
import hashlib
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import dense, shapley, units

Progress = Callable[[float], None]

DEFAULT_BACKGROUND = 100
CACHE_VERSION = 2           # 2: classification in log-odds of each class (1 was raw logits); older files are not read
EXACT_LIMIT = 12            # original columns up to which "auto" computes exact Shapley values
LINEAR_FIRST_WIDTH = 4      # a first layer up to this many units per input is walked as running sums
IMAGE_ROUNDS = 1            # rounds of walks of the "pixels" method (one antithetic pair per background row)
LIME_SAMPLES = 5000


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


# --------------------------------------------------------------------------------------
# What is explained
# --------------------------------------------------------------------------------------


@dataclass
class Model:
    """A batched function on model inputs plus what its outputs mean."""

    fn: Callable                    # torch [m, d] float32 → [m, k]; a shapley.LinearFirst where possible
    outputs: list[str]              # one name per output column
    space: str                      # units.LOG_ODDS, units.VALUE or units.OUTPUT (an ONNX model's own output)
    net: object = None              # the torch module (for shap's gradient explainers), if any
    proba: Callable | None = None   # numpy [m, d] → probabilities [m, classes] or values [m] (for LIME)
    names_from_model: bool = False  # output names read from the model file itself

    def __call__(self, x):
        return self.fn(x)

    def explained(self, x: np.ndarray) -> np.ndarray:
        """The explained outputs of numpy rows [m, d] → [m, k], in the explanations' unit (for LIME)."""
        import torch
        with torch.inference_mode():
            return self.fn(torch.as_tensor(np.asarray(x, np.float32))).double().numpy()


def _fused(body):
    """An inference copy of a Sequential body: batch norm folded into the layer before it, dropout gone,
    activations in place. (shap's DeepExplainer gets the original network: it refuses in-place ReLUs.)"""
    import torch
    from torch import nn
    mods: list = []
    for m in body:
        if isinstance(m, nn.BatchNorm1d) and mods and isinstance(mods[-1], nn.Linear):
            mods[-1] = torch.nn.utils.fusion.fuse_linear_bn_eval(mods[-1], m)
        elif isinstance(m, nn.Dropout):
            continue
        elif isinstance(m, nn.ReLU):                 # in place: no new tensor per layer (a fifth of the time)
            mods.append(nn.ReLU(inplace=True))
        elif isinstance(m, nn.LeakyReLU):
            mods.append(nn.LeakyReLU(m.negative_slope, inplace=True))
        else:
            mods.append(copy.deepcopy(m))
    return nn.Sequential(*mods).eval()


def model_of(net, class_names: list[str] | None) -> Model:
    """The explained view of a core.model.Network: the log-odds of each class (core.units), or the
    value in the target's units."""
    import torch
    net = copy.deepcopy(net).eval()
    body = _fused(net.body)
    body = dense.densify(body) or body           # convolutions of small images as dense layers: faster
    if net.task == "regression":
        scale, shift = float(net.y_std), float(net.y_mean)

        def head(h):
            return h * scale + shift
        space = units.VALUE
    else:
        head = units.LogOdds()
        space = units.LOG_ODDS
    fn: Callable = torch.nn.Sequential(body, head) if space == units.LOG_ODDS else (lambda x: head(body(x)))
    first = body[0] if len(body) else None
    # walks as running sums of the first layer pay off while that layer is narrow; a wide one (a dense
    # convolution: 64 pixels → 512 units) is faster as one matrix product per batch
    if isinstance(first, torch.nn.Linear) and first.out_features <= LINEAR_FIRST_WIDTH * first.in_features:
        rest = body[1:]
        fn = shapley.LinearFirst(first.weight, first.bias, torch.nn.Sequential(*rest, head)
                                 if space == units.LOG_ODDS else (lambda h: head(rest(h))))

    def proba(x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return net.predict(torch.as_tensor(np.asarray(x, np.float32))).numpy()
    return Model(fn, units.output_names(space, class_names), space, net, proba)


def onnx_model(data: bytes, n_features: int, class_names: list[str] | None = None, feed=None) -> Model:
    """An uploaded ONNX model (never unpickled: ONNX is a protobuf graph) as a Model.

    It takes one input matrix, or with `feed` (core.onnx_feed.table_codes) one input per column, by name.
    Its first output is explained as it is; class probabilities if it returns one column per class."""
    import torch

    from .onnx_feed import session_of
    session = session_of(data)
    inputs = session.get_inputs()
    if feed is None and len(inputs) != 1:
        raise ExplainError(f"The model takes {len(inputs)} inputs; Glassnet explains models with one input matrix, "
                           "or with one input per column named after the table's columns.")
    name = inputs[0].name
    shape = inputs[0].shape
    if feed is None and (len(shape) != 2 or (isinstance(shape[1], int) and shape[1] != n_features)):
        raise ExplainError(f"The model expects inputs of shape {shape}, but the table has {n_features} feature "
                           "columns; upload the CSV the model was trained on, without the target column.")

    def run(x: np.ndarray) -> np.ndarray:
        given = feed(x) if feed is not None else {name: np.asarray(x, np.float32)}
        out = np.asarray(session.run(None, given)[0], np.float64)
        return out.reshape(len(x), -1)
    try:
        probe = run(np.zeros((2, n_features), np.float32))
    except Exception as exc:
        raise ExplainError(f"The model failed on a test row ({str(exc).splitlines()[0][:200]}); check that it "
                           "takes a float matrix with one row per example.") from None
    k = probe.shape[1]
    stored = stored_class_names(session)
    if stored and len(stored) == k:              # a Glassnet export says its output order
        class_names = stored
    outputs = [f"output {c!r}" for c in class_names] if class_names and len(class_names) == k else \
        [f"output {i}" for i in range(k)]

    def fn(x):
        return torch.as_tensor(run(x.numpy()))

    def proba(x):
        out = run(x)
        if k == 1 and class_names and len(class_names) == 2:     # one column: the second class's probability
            return np.column_stack([1 - out[:, 0], out[:, 0]])
        return out[:, 0] if k == 1 else out
    return Model(fn, outputs, units.OUTPUT, None, proba, names_from_model=bool(stored and len(stored) == k))


def stored_class_names(session) -> list[str] | None:
    """The class names a Glassnet ONNX export keeps in its metadata, in output order (else None)."""
    try:
        raw = session.get_modelmeta().custom_metadata_map.get("glassnet.class_names")
        names = json.loads(raw) if raw else None
    except (ValueError, AttributeError):
        return None
    return [str(n) for n in names] if isinstance(names, list) else None


class ExplainError(ValueError):
    """A request that cannot be explained; the message says why and what to do."""


# --------------------------------------------------------------------------------------
# Attributions
# --------------------------------------------------------------------------------------


@dataclass
class Attribution:
    """Attributions of some rows, per original column and per model output."""

    method: str
    algorithm: str
    features: list[str]                     # original columns (players)
    outputs: list[str]                      # model outputs explained
    values: np.ndarray                      # [n, p, k]
    base: np.ndarray                        # [k]
    fx: np.ndarray                          # [n, k] model output of each row
    rows: np.ndarray                        # row ids (index into dataset.raw), [n]
    seconds: float
    settings: dict = field(default_factory=dict)
    stderr: np.ndarray | None = None        # [n, p, k] for sampling
    grouped: dict = field(default_factory=dict)     # original column → model input columns, where > 1
    space: str = units.LOG_ODDS             # the unit of values, base and fx (core.units)

    @property
    def additivity_max_error(self) -> float:
        return float(np.abs(self.base + self.values.sum(1) - self.fx).max()) if len(self.values) else 0.0

    def unit(self, output: int | str | None = None) -> str:
        """What the numbers are, e.g. "log-odds of 'good'" (one output) or "log-odds" (every output)."""
        return units.unit_of(self.space, None if output is None else self.outputs[self.output_index(output)])

    def output_index(self, output: int | str) -> int:
        if isinstance(output, str):
            return self.outputs.index(output)
        return int(output)

    def of(self, output: int | str = 0) -> np.ndarray:
        """[n, p] attributions for one output."""
        return self.values[:, :, self.output_index(output)]

    def importance(self, output: int | str | None = None) -> dict[str, float]:
        """Mean |attribution| per column (over every output when output is None), largest first."""
        v = np.abs(self.values) if output is None else np.abs(self.of(output))[..., None]
        imp = v.mean(axis=(0, 2)) if len(v) else np.zeros(len(self.features))
        order = np.argsort(-imp, kind="stable")
        return {self.features[i]: float(imp[i]) for i in order}

    def estimated_error(self) -> float | None:
        """Median over rows of ||stderr|| / ||values|| (sampling methods), else None."""
        if self.stderr is None or not np.isfinite(self.stderr).all():
            return None
        num = np.linalg.norm(self.stderr.reshape(len(self.stderr), -1), axis=1)
        den = np.linalg.norm(self.values.reshape(len(self.values), -1), axis=1)
        return float(np.median(num / np.maximum(den, 1e-12)))

    def summary(self) -> dict:
        """The CLI's JSON object."""
        out = {
            "method": "shap", "algorithm": self.algorithm, "shap_method": self.method, "rows": int(len(self.rows)),
            "seconds": round(self.seconds, 4), "unit": self.unit(), "features": list(self.features),
            "outputs": list(self.outputs),
            "importance": self.importance(), "base_value": [float(b) for b in self.base],
            "additivity_max_error": self.additivity_max_error, "background": self.settings.get("background"),
        }
        if self.grouped:
            out["grouped"] = self.grouped
        err = self.estimated_error()
        if err is not None:
            out["estimated_error"] = err
        return out

    # ------------------------------------------------------------- cache file
    def save(self, path: Path) -> None:
        import torch
        from safetensors.torch import save_file
        tensors = {"values": torch.as_tensor(self.values), "base": torch.as_tensor(np.asarray(self.base, np.float64)),
                   "fx": torch.as_tensor(self.fx), "rows": torch.as_tensor(np.asarray(self.rows, np.int64))}
        if self.stderr is not None:
            tensors["stderr"] = torch.as_tensor(self.stderr)
        meta = {"method": self.method, "algorithm": self.algorithm, "features": self.features,
                "outputs": self.outputs, "seconds": self.seconds, "settings": self.settings, "grouped": self.grouped,
                "space": self.space, "version": CACHE_VERSION}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        save_file({k: v.contiguous() for k, v in tensors.items()}, str(tmp), metadata={"attribution": json.dumps(meta)})
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "Attribution":
        from safetensors import safe_open
        with safe_open(str(path), framework="np") as f:
            meta = json.loads((f.metadata() or {})["attribution"])
            t = {k: f.get_tensor(k) for k in f.keys()}
        if meta.get("version") != CACHE_VERSION:
            raise ExplainError(f"{path.name} was written by another version of Glassnet (its values may be in "
                               "another unit); delete it and explain again.")
        return cls(meta["method"], meta["algorithm"], meta["features"], meta["outputs"], t["values"], t["base"],
                   t["fx"], t["rows"], meta["seconds"], meta["settings"], t.get("stderr"), meta.get("grouped", {}),
                   meta["space"])


def _groups(dataset) -> tuple[list[str], list[list[int]], dict]:
    features = list(dataset.original_columns)
    groups = [list(dataset.groups[c]) for c in features]
    names = dataset.feature_names
    grouped = {c: [names[i] for i in g] for c, g in zip(features, groups) if len(g) > 1}
    return features, groups, grouped


def background_rows(dataset, size: int = DEFAULT_BACKGROUND, seed: int = 0) -> np.ndarray:
    """`size` training rows drawn without replacement (all of them if fewer)."""
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
    X = np.asarray(X, np.float32)
    background = np.asarray(background, np.float32)
    if len(X) == 0:
        raise ExplainError("There are no rows to explain; choose at least one row.")
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
        values, base = _shap_gradient_based(model, X, background, groups, method, seed)
    else:
        values, base = _shap_model_agnostic(model, X, background, groups, method, seed, progress)
    with torch.inference_mode():
        fx = model.fn(torch.as_tensor(X)).double().numpy()
    return Attribution(method, METHODS[method].algorithm, list(features), list(model.outputs),
                       np.asarray(values, np.float64), np.asarray(base, np.float64).reshape(-1), fx,
                       np.arange(len(X)) if rows is None else np.asarray(rows), time.perf_counter() - t0,
                       settings, stderr, dict(grouped or {}), model.space)


def _as_outputs(values, k: int, n: int, d: int) -> np.ndarray:
    """shap returns lists per output or arrays with outputs last: make it [n, d, k]."""
    if isinstance(values, list):
        return np.stack([np.asarray(v).reshape(n, d) for v in values], axis=-1)
    v = np.asarray(values)
    return v.reshape(n, d, k) if v.ndim == 3 else v.reshape(n, d, 1)


def _shap_gradient_based(model: Model, X, background, groups, method: str, seed: int):
    import shap
    import torch
    if model.net is None:
        raise ExplainError(f"{METHODS[method].label} needs a PyTorch network; choose Shapley sampling for an ONNX model.")
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


class _GroupCodes:
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


def _shap_model_agnostic(model: Model, X, background, groups, method: str, seed: int, progress):
    import shap
    wrapped = _GroupCodes(model, X, background, groups)
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


# --------------------------------------------------------------------------------------
# LIME
# --------------------------------------------------------------------------------------


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
    train = dataset.codes(dataset.raw.iloc[dataset.idx_train])
    categorical = [i for i, c in enumerate(features) if kinds[c] is not None]
    return LimeTabularExplainer(
        train, mode="regression", feature_names=features, categorical_features=categorical,
        categorical_names={i: kinds[features[i]] for i in categorical},
        discretize_continuous=discretize, random_state=seed)


def lime_row(model: Model, dataset, codes_row: np.ndarray, output: int = 0, *, samples: int = LIME_SAMPLES,
             seed: int = 0, explainer=None) -> LimeResult:
    """LIME weights of one row (given as `dataset.codes` numbers) for output `output` (the class)."""
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


# --------------------------------------------------------------------------------------
# Agreement, drift, estimates
# --------------------------------------------------------------------------------------


def agreement(a: np.ndarray, b: np.ndarray, k: int = 5) -> dict:
    """How far two attributions of one row agree: Spearman rank correlation of |values|, overlap of the
    top-k columns by |value|, and, over the columns in either top k (`union` of them, `same_sign` of
    those with the same sign in both), the share whose signs agree."""
    from scipy.stats import spearmanr
    a, b = np.asarray(a, float), np.asarray(b, float)
    k = max(1, min(k, len(a)))
    if len(a) < 2 or np.ptp(np.abs(a)) == 0 or np.ptp(np.abs(b)) == 0:
        rho = float("nan")
    else:
        rho = float(spearmanr(np.abs(a), np.abs(b)).statistic)
    top_a = set(np.argsort(-np.abs(a), kind="stable")[:k])
    top_b = set(np.argsort(-np.abs(b), kind="stable")[:k])
    union = sorted(top_a | top_b)
    same = int(sum(np.sign(a[j]) == np.sign(b[j]) for j in union))
    signs = same / len(union) if union else float("nan")
    return {"spearman": rho, "top_k": k, "top_k_overlap": len(top_a & top_b) / k, "sign_agreement": signs,
            "union": len(union), "same_sign": same}


def probe_seconds(explain_rows: Callable[[int], object], rows: int, quick: float = 1.5) -> float:
    """Seconds an explanation of `rows` rows will take, from timing the real computation on 1 and then
    3 rows: a fixed cost (set-up, first imports, warm-up) plus a cost per row. Timing the model alone
    was 10-40x off on a busy machine, so the estimate measures the work itself."""
    t0 = time.perf_counter()
    explain_rows(1)
    one = time.perf_counter() - t0
    if rows <= 1:
        return one
    if one * rows <= quick or one > 2 * quick:           # clearly quick, or one row alone is slow already
        return one * rows
    k = min(3, rows)
    t0 = time.perf_counter()
    explain_rows(k)
    more = time.perf_counter() - t0
    # the first call may carry one-off costs: then the second alone sets the pace
    per_row = (more - one) / (k - 1) if more > one else more / k
    fixed = max(0.0, min(one, more) - per_row)
    return fixed + per_row * rows


@contextmanager
def torch_threads(n: int | None):
    """Run torch with `n` threads inside the block (None: leave as is). While training workers use
    the cores, one thread explains several times faster than two that fight them for the CPU."""
    import torch
    if not n:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def cache_key(**settings) -> str:
    """The name of a cached result: everything that changes it, and the cache's version (a result of an
    older version, e.g. in another unit, is never found)."""
    text = json.dumps({**settings, "version": CACHE_VERSION}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


# --------------------------------------------------------------------------------------
# A stored run
# --------------------------------------------------------------------------------------


@dataclass
class RunExplainer:
    """Everything needed to explain one run at one checkpoint, with results cached in its folder."""

    store: object
    run_id: str
    checkpoint: str | int
    loaded: object              # core.runs.LoadedRun
    model: Model
    threads: int | None = None  # torch threads while explaining (1 when training workers are busy)

    @classmethod
    def open(cls, store, run_id: str, checkpoint: str | int = "last") -> "RunExplainer":
        from .runs import load_run
        loaded = load_run(store, run_id, checkpoint)
        return cls(store, run_id, checkpoint, loaded, model_of(loaded.net, loaded.dataset.class_names))

    @property
    def dataset(self):
        return self.loaded.dataset

    @property
    def is_image(self) -> bool:
        return self.dataset.image_shape is not None

    def _path(self, kind: str, key: str) -> Path:
        return self.store.run_dir(self.run_id) / "explanations" / f"{kind}-{key}.safetensors"

    def rows(self, split: str = "test", limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, model inputs) of a split, the first `limit` rows."""
        X, _ = self.dataset.split(split)
        ids = getattr(self.dataset, f"idx_{'val' if split == 'validation' else split}")
        if limit is not None:
            X, ids = X[:limit], ids[:limit]
        return np.asarray(ids), X

    def shap(self, method: str = "auto", *, split: str = "test", limit: int | None = 1000,
             background: int = DEFAULT_BACKGROUND, seed: int = 0, tolerance: float = shapley.TOLERANCE,
             progress: Progress | None = None, cached_only: bool = False) -> Attribution | None:
        """Global SHAP values of a split's rows; from the cache when this exact request was made before."""
        features, groups, grouped = _groups(self.dataset)
        method = auto_method(len(groups), self.is_image) if method == "auto" else method
        ids, X = self.rows(split, limit)
        key = cache_key(kind="shap", epoch=self.loaded.epoch, checkpoint=str(self.checkpoint), method=method,
                        split=split, rows=len(ids), background=background, seed=seed,
                        tolerance=tolerance if method == "sampling" else None)
        path = self._path("shap", key)
        if path.exists():
            return Attribution.load(path)
        if cached_only:
            return None
        bg = background_rows(self.dataset, background, seed)
        with torch_threads(self.threads):
            att = shap_values(self.model, X, bg, features, groups, method, rows=ids, tolerance=tolerance,
                              seed=seed, progress=progress, grouped=grouped)
        att.settings.update(split=split, epoch=self.loaded.epoch)
        att.save(path)
        return att

    def shap_rows(self, X: np.ndarray, method: str = "auto", *, background: int = DEFAULT_BACKGROUND,
                  seed: int = 0, tolerance: float = 0.005) -> Attribution:
        """SHAP values of a few given rows (e.g. an edited what-if row), not cached."""
        features, groups, grouped = _groups(self.dataset)
        method = auto_method(len(groups), self.is_image) if method == "auto" else method
        bg = background_rows(self.dataset, background, seed)
        with torch_threads(self.threads):
            return shap_values(self.model, X, bg, features, groups, method, tolerance=tolerance, seed=seed,
                               grouped=grouped)

    def drift(self, *, rows: int = 200, background: int = 50, progress: Progress | None = None,
              cached_only: bool = False) -> list[dict] | None:
        """Global importance at each saved epoch checkpoint: [{epoch, importance: {column: mean |SHAP|}}]."""
        from .model import load_checkpoint, model_state
        epochs = sorted({c["epoch"] for c in self.store.checkpoints(self.run_id) if c["kind"] == "epoch"})
        features, groups, grouped = _groups(self.dataset)
        method = auto_method(len(groups), self.is_image)
        key = cache_key(kind="drift", epochs=epochs, rows=rows, background=background, method=method)
        path = self.store.run_dir(self.run_id) / "explanations" / f"drift-{key}.json"
        if path.exists():
            return json.loads(path.read_text())
        if cached_only:
            return None
        ids, X = self.rows("test", rows)
        bg = background_rows(self.dataset, background, 0)
        net = copy.deepcopy(self.loaded.net)
        out = []
        for i, epoch in enumerate(epochs):
            tensors, _ = load_checkpoint(self.store.checkpoint_path(self.run_id, "epoch", epoch))
            net.load_state_dict(model_state(tensors))
            net.eval()
            with torch_threads(self.threads):
                att = shap_values(model_of(net, self.dataset.class_names), X, bg, features, groups, method,
                                  tolerance=0.03)
            out.append({"epoch": int(epoch), "importance": att.importance()})
            if progress:
                progress((i + 1) / len(epochs))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out))
        return out

    def lime(self, codes_row: np.ndarray, output: int = 0, *, samples: int = LIME_SAMPLES, seed: int = 0
             ) -> LimeResult:
        return lime_row(self.model, self.dataset, codes_row, output, samples=samples, seed=seed)

    def estimate(self, method: str = "auto", rows: int = 1000, background: int = DEFAULT_BACKGROUND,
                 split: str = "test") -> float:
        """Seconds a `shap` request will take, timed on a few of its rows."""
        _, X = self.rows(split, rows)
        with torch_threads(self.threads):
            return probe_seconds(lambda k: self.shap_rows(X[:k], method, background=background),
                                 len(X))


def ranks_over_time(drift: list[dict]) -> dict[str, list[int]]:
    """Column → its importance rank (1 = most important) at each drift epoch."""
    out: dict[str, list[int]] = {}
    for point in drift:
        for r, name in enumerate(point["importance"], start=1):
            out.setdefault(name, []).append(r)
    return out
