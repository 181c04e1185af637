"""The built-in datasets: the catalogue (BUILTIN, list_builtin), their parameters, and building one.

A built-in reference holds the set's name and its parameters with the seed, so ``build_builtin``
makes the same table, split and arrays in any process. The tables themselves come from toy.py (2-D
sets), real.py (scikit-learn's tables, German credit) and teaching.py (the sets with a bias knob).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..assembly import assemble, prepare_table
from ..dataset import Dataset
from ... import limits
from ..errors import DataError, names_list
from ..ref import DatasetRef, Preprocess
from .real import DATASETS_DIR, german_credit_table, sklearn_table
from .teaching import biased_loans, two_groups
from .toy import balanced_share, class_counts, toy_table

__all__ = ["BUILTIN", "DATASETS_DIR", "balanced_share", "build_builtin", "class_counts", "list_builtin", "load_builtin"]

BUILTIN: dict[str, dict] = {
    "spiral": {
        "kind": "toy2d",
        "task": "classification",
        "description": "Two interleaved spiral arms; a straight line cannot separate them, a small tanh network can.",
        "params": {"n": 400, "noise": 0.1},
        "options": {"minority": 0.5},
    },
    "moons": {
        "kind": "toy2d",
        "task": "classification",
        "description": "Two interlocking half circles.",
        "params": {"n": 400, "noise": 0.15},
        "options": {"minority": 0.5},
    },
    "circles": {
        "kind": "toy2d",
        "task": "classification",
        "description": "A disc of one class inside a ring of the other.",
        "params": {"n": 400, "noise": 0.1},
        "options": {"minority": 0.5},
    },
    "xor": {
        "kind": "toy2d",
        "task": "classification",
        "description": "Four quadrants; the class is whether x1 and x2 share a sign (the classic XOR).",
        "params": {"n": 400, "noise": 0.1},
        "options": {"minority": 0.5},
    },
    "blobs": {
        "kind": "toy2d",
        "task": "classification",
        "description": "Gaussian clusters, one per class (2 or 3 classes).",
        "params": {"n": 400, "noise": 0.3, "classes": 3},
        "options": {"minority": 0.5},
    },
    "regression2d": {
        "kind": "toy2d",
        "task": "regression",
        "description": "A wavy surface y = sin(pi x1) cos(pi x2 / 2) + x2 / 4 plus noise.",
        "params": {"n": 400, "noise": 0.1},
    },
    "two_groups": {
        "kind": "toy2d",
        "task": "classification",
        "description": "Two overlapping groups of points, A upper-left and B lower-right, labelled 1 when x1 + x2 "
        "clears a bar; past decisions held group B to a higher bar, set by the bias knob. The network sees only "
        "x1 and x2, yet where a point lies gives its group away. Sensitive: group.",
        "params": {"n": 400, "noise": 0.1, "bias": 0.5},
        "sensitive": ["group"],
    },
    "iris": {
        "kind": "real",
        "task": "classification",
        "description": "Iris flowers (Fisher, 1936): 150 flowers, 4 measurements, 3 species.",
        "params": {},
    },
    "wine": {
        "kind": "real",
        "task": "classification",
        "description": "Wine recognition: 178 wines, 13 chemical measurements, 3 cultivars.",
        "params": {},
    },
    "breast_cancer": {
        "kind": "real",
        "task": "classification",
        "description": "Breast cancer Wisconsin (diagnostic): 569 tumours, 30 cell-nucleus features, malignant or benign.",
        "params": {},
    },
    "digits": {
        "kind": "real",
        "task": "classification",
        "description": "Handwritten digits: 1,797 images of 8x8 pixels, classes 0-9.",
        "params": {},
    },
    "nines": {
        "kind": "real",
        "task": "classification",
        "description": "Is it a 9? scikit-learn's 1,797 handwritten digits (8x8 pixels) as a yes/no table: 180 "
        "nines (10.0 %), 1,617 other digits (90.0 %), every image kept. Strongly imbalanced on purpose: a "
        "network that always answers 'not 9' is 90 % accurate and useless, so judge it by the recall, "
        "precision and PR curve of the 9s.",
        "params": {},
    },
    "diabetes": {
        "kind": "real",
        "task": "regression",
        "description": "Diabetes progression one year on: 442 patients, 10 baseline measurements.",
        "params": {},
    },
    "german_credit": {
        "kind": "real",
        "task": "classification",
        "description": "Statlog German Credit: 1,000 loan applicants, 9 attributes, good or bad credit risk; "
        "sensitive: sex, age.",
        "params": {},
        "sensitive": ["sex", "age"],
    },
    "biased_loans": {
        "kind": "synthetic",
        "task": "classification",
        "description": "Synthetic loan approvals whose historic decisions penalised women by an adjustable bias; "
        "part_time and occupation act as proxies for sex.",
        "params": {"n": 2000, "bias": 0.5},
        "sensitive": ["sex"],
    },
}

_PARAM_RULES: dict[str, tuple[type, float, float | None, str]] = {     # None: the max_rows limit in force
    "n": (int, 20, None, "a whole number of points"),
    "noise": (float, 0.0, 1.0, "a number"),
    "bias": (float, 0.0, 1.0, "a number"),
    "classes": (int, 2, 3, "a whole number"),
    "minority": (float, 0.02, 0.5, "the rarest class's share, a number"),
}
_TOY_LIMIT = 100_000


def _check_value(name: str, key: str, value: Any) -> Any:
    """One parameter of the set `name`, as int or float, within its range."""
    kind, low, high, what = _PARAM_RULES[key]
    if key == "n":
        high = _TOY_LIMIT if BUILTIN[name]["kind"] == "toy2d" else limits.current().max_rows
    is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if kind is int:
        ok = is_number and float(value).is_integer() and low <= value <= high
        value = int(value) if ok else value
    else:
        ok = is_number and math.isfinite(value) and low <= value <= high
        value = float(value) if ok else value
    if not ok:
        raise DataError(f"Parameter {key!r} of {name!r} must be {what} from {low:g} to {high:g}, not {value!r}; "
                        "pick a value in that range.")
    return value


def _check_params(name: str, params: dict) -> dict:
    """The set's default parameters overridden by `params`, each checked; DataError for an unknown one.
    An option (BUILTIN[name]["options"], e.g. minority) is kept only when it changes the data, so a
    reference made with its default value is the reference made before the option existed."""
    defaults, options = BUILTIN[name]["params"], BUILTIN[name].get("options", {})
    unknown = sorted(set(params) - set(defaults) - set(options))
    if unknown:
        known = [*defaults, *options]
        allowed = f"its parameters are {names_list(known)}" if known else "it takes no parameters besides seed"
        raise DataError(f"Built-in dataset {name!r} has no parameter {names_list(unknown)}; {allowed}.")
    checked = {key: _check_value(name, key, value) for key, value in {**defaults, **params}.items()}
    if "minority" in checked and class_counts(checked["n"], checked["minority"], checked.get("classes", 2)) is None:
        del checked["minority"]           # balanced: the data of a set without the knob
    return checked


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DataError(f"seed must be a whole number >= 0, not {seed!r}; use e.g. 0.")
    return int(seed)


def _unknown_builtin(name: Any) -> DataError:
    return DataError(f"There is no built-in dataset called {name!r}; choose one of {names_list(BUILTIN)}.")


def list_builtin() -> list[dict]:
    """Name, task, kind, description, default parameters and options (parameters left out of a reference
    at their default, such as minority) of every built-in dataset."""
    return [
        {
            "name": name,
            "task": info["task"],
            "kind": info["kind"],
            "description": info["description"],
            "params": dict(info["params"]),
            "options": dict(info.get("options", {})),
            "sensitive": list(info.get("sensitive", [])),
        }
        for name, info in BUILTIN.items()
    ]


def load_builtin(name: str, *, seed: int = 0, preprocess: Preprocess | None = None, **params: Any) -> Dataset:
    """Make a built-in dataset. Toy sets take n, noise (0..1) and seed; the classifying ones minority (the
    rarest class's share, 0.02..0.5; 0.5 = balanced); blobs also classes; biased_loans n and bias."""
    if name not in BUILTIN:
        raise _unknown_builtin(name)
    merged = _check_params(name, params)
    merged["seed"] = _check_seed(seed)
    ref = DatasetRef(kind="builtin", name=name, params=merged, preprocess=preprocess or Preprocess())
    return build_builtin(ref)


# ----------------------------------------------------------------------------------------------
# Building a set from its reference: one builder per family
# ----------------------------------------------------------------------------------------------


def _build_toy(ref: DatasetRef, params: dict, rng: np.random.Generator, notes: list[str]) -> Dataset:
    frame, target = toy_table(ref.name, rng, params)
    if "minority" in params:
        notes.append(_minority_note(params))
    return assemble(ref=ref, name=ref.name, frame=frame, target=target, task=BUILTIN[ref.name]["task"],
                    features=["x1", "x2"], sensitive=[], notes=notes)


def _minority_note(params: dict) -> str:
    counts = class_counts(params["n"], params["minority"], params.get("classes", 2))
    rare = len(counts) - 1
    others = " and ".join(f"class {k} {c:,}" for k, c in enumerate(counts[:-1]))
    return (f"Minority share {params['minority']:g}: class {rare} has {counts[-1]:,} of {params['n']:,} points "
            f"({counts[-1] / params['n']:.1%}; {others}); a balanced set would give each class "
            f"{balanced_share(len(counts)):.0%}.")


def _build_two_groups(ref: DatasetRef, params: dict, rng: np.random.Generator, notes: list[str]) -> Dataset:
    frame = two_groups(rng, params["n"], params["noise"], params["bias"])
    notes.append(f"Bias {params['bias']:g}: group B needed x1 + x2 above {1.2 * params['bias']:.2f} "
                 "to be labelled 1, group A above 0.")
    return assemble(ref=ref, name=ref.name, frame=frame, target="label", task="classification",
                    features=["x1", "x2"], sensitive=["group"], notes=notes)


def _build_biased_loans(ref: DatasetRef, params: dict, rng: np.random.Generator, notes: list[str]) -> Dataset:
    frame = biased_loans(rng, params["n"], params["bias"])
    notes.append(f"Bias {params['bias']:g}: past decisions lowered women's approval chances accordingly.")
    features = [c for c in frame.columns if c != "approved"]
    return assemble(ref=ref, name=ref.name, frame=frame, target="approved", task="classification",
                    features=features, sensitive=["sex"], class_order=["no", "yes"], notes=notes)


def _build_german_credit(ref: DatasetRef, params: dict, rng: np.random.Generator, notes: list[str]) -> Dataset:
    return prepare_table(german_credit_table(), notes, ref=ref, name=ref.name, target="risk",
                         task="classification", sensitive=["sex", "age"], drop=[], class_order=["bad", "good"])


def _build_sklearn(ref: DatasetRef, params: dict, rng: np.random.Generator, notes: list[str]) -> Dataset:
    frame, target, class_names = sklearn_table(ref.name)
    frame = frame.copy()
    features = [c for c in frame.columns if c != target]
    images = {"image_shape": (1, 8, 8), "pixel_scale": 16.0} if ref.name in ("digits", "nines") else {}
    return assemble(ref=ref, name=ref.name, frame=frame, target=target, task=BUILTIN[ref.name]["task"],
                    features=features, sensitive=[], class_order=class_names, notes=notes, **images)


_BUILDERS: dict[str, Callable[..., Dataset]] = {
    "two_groups": _build_two_groups,
    "biased_loans": _build_biased_loans,
    "german_credit": _build_german_credit,
}


def build_builtin(ref: DatasetRef) -> Dataset:
    """The Dataset a built-in reference describes; DataError for an unknown set or parameter."""
    name = ref.name
    if name not in BUILTIN:
        raise _unknown_builtin(name)
    params = dict(ref.params)
    seed = _check_seed(params.pop("seed", 0))
    params = _check_params(name, params)
    info = BUILTIN[name]
    builder = _BUILDERS.get(name) or (_build_toy if info["kind"] == "toy2d" else _build_sklearn)
    return builder(ref, params, np.random.default_rng(seed), [info["description"]])
