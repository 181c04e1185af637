"""Datasets: built-in sets and uploaded CSV files, validated and split into one Dataset type.

Everything that reaches a model goes through here. A Dataset is identified by a
DatasetRef (built-in name + parameters + seed, or a CSV file's content hash), so
any page, any later visit and the training worker can rebuild exactly the same
arrays with ``load_dataset(ref, home)``.

Every problem a person can fix raises ``DataError`` whose text is one sentence
naming the problem and the fix.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

__all__ = [
    "BUILTIN",
    "LIMITS",
    "DataError",
    "Dataset",
    "DatasetRef",
    "Limits",
    "Preprocess",
    "Upload",
    "csv_columns_summary",
    "delete_upload",
    "infer_task",
    "list_builtin",
    "load_builtin",
    "load_csv",
    "load_dataset",
    "load_upload",
    "read_csv_bytes",
    "read_upload",
    "remember_upload_settings",
    "upload_info",
    "uploaded_csvs",
]

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
TASKS = ("classification", "regression")
SCALINGS = ("standard", "minmax", "none")
SPLITS = ("train", "val", "test")


class DataError(ValueError):
    """A user-facing problem with data; str(e) is one clear sentence naming the problem and the fix."""


@dataclass(frozen=True)
class Limits:
    """Size limits for uploaded tables. Readable as attributes or as ``LIMITS["max_rows"]``."""

    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 200_000
    max_columns: int = 500
    max_categories: int = 30  # a text column with more distinct values is left out
    min_rows: int = 20  # fewer rows cannot be split into train / validation / test
    max_classes: int = 100

    def __getitem__(self, key: str) -> int:
        if key not in {f.name for f in fields(self)}:
            raise KeyError(key)
        return getattr(self, key)

    def to_dict(self) -> dict:
        return asdict(self)


LIMITS = Limits()


def _q(name: Any) -> str:
    """Quote a column or file name for a message."""
    return repr(str(name))


def _names_list(names: Iterable[Any], limit: int = 25) -> str:
    names = [str(n) for n in names]
    shown = ", ".join(repr(n) for n in names[:limit])
    if len(names) > limit:
        shown += f" and {len(names) - limit} more"
    return shown


# --------------------------------------------------------------------------------------
# Preprocessing options and dataset references
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preprocess:
    """How a table becomes model inputs: feature scaling and the train/validation/test split."""

    scaling: str = "standard"  # "standard" | "minmax" | "none"
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    split_seed: int = 0

    def __post_init__(self) -> None:
        if self.scaling not in SCALINGS:
            raise DataError(
                f"Preprocess scaling must be 'standard', 'minmax' or 'none', not {self.scaling!r}; pick one of those."
            )
        for name in ("val_fraction", "test_fraction"):
            value = getattr(self, name)
            ok = (
                isinstance(value, (int, float, np.integer, np.floating))
                and not isinstance(value, bool)
                and math.isfinite(value)
                and 0 < value < 0.5
            )
            if not ok:
                raise DataError(
                    f"Preprocess {name} must be a number strictly between 0 and 0.5, not {value!r}; use e.g. 0.15."
                )
            object.__setattr__(self, name, float(value))
        if self.val_fraction + self.test_fraction >= 0.8:
            raise DataError(
                "Preprocess val_fraction + test_fraction must be below 0.8 so enough rows are left for training, "
                f"not {self.val_fraction + self.test_fraction:g}; lower one of them."
            )
        seed = self.split_seed
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise DataError(f"Preprocess split_seed must be a whole number >= 0, not {seed!r}; use e.g. 0.")
        object.__setattr__(self, "split_seed", int(seed))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict | None) -> "Preprocess":
        if d is None:
            return cls()
        if not isinstance(d, dict):
            raise DataError(f"Preprocess settings must be a mapping, not {type(d).__name__}; pass a dict.")
        allowed = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - allowed)
        if unknown:
            raise DataError(
                f"Unknown preprocess setting {_names_list(unknown)}; use only {_names_list(sorted(allowed))}."
            )
        return cls(**d)


def _json_clean(value: Any, what: str) -> Any:
    """A JSON round trip, so a ref compares equal to its serialised-and-restored self."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} must hold only plain JSON values (numbers, text, lists): {exc}; convert them first.")


@dataclass(frozen=True)
class DatasetRef:
    """Everything needed to rebuild a Dataset bit for bit."""

    kind: str  # "builtin" | "csv"
    name: str  # built-in name, or the CSV's original file name (display only)
    params: dict = field(default_factory=dict)
    sha256: str | None = None  # csv content hash
    preprocess: Preprocess = field(default_factory=Preprocess)

    def __post_init__(self) -> None:
        if self.kind not in ("builtin", "csv"):
            raise DataError(f"Dataset kind must be 'builtin' or 'csv', not {self.kind!r}; use one of those.")
        if not isinstance(self.name, str) or not self.name:
            raise DataError("Dataset name must be a non-empty text; give the built-in name or the file name.")
        if not isinstance(self.params, dict):
            raise DataError(f"Dataset params must be a mapping, not {type(self.params).__name__}; pass a dict.")
        object.__setattr__(self, "params", _json_clean(self.params, "Dataset params"))
        if isinstance(self.preprocess, dict):
            object.__setattr__(self, "preprocess", Preprocess.from_dict(self.preprocess))
        elif not isinstance(self.preprocess, Preprocess):
            raise DataError("Dataset preprocess must be a Preprocess or a dict; pass Preprocess(...).")
        if self.kind == "csv":
            if not isinstance(self.sha256, str) or not re.fullmatch(r"[0-9a-f]{64}", self.sha256):
                raise DataError(
                    f"A CSV dataset needs the file's SHA-256 as 64 lowercase hex digits, not {self.sha256!r}; "
                    "load the file with load_csv to get one."
                )

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "name": self.name,
            "params": _json_clean(self.params, "Dataset params"),
            "sha256": self.sha256,
            "preprocess": self.preprocess.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "DatasetRef":
        if not isinstance(d, dict):
            raise DataError(f"A dataset reference must be a mapping, not {type(d).__name__}; pass the dict from to_dict().")
        missing = [k for k in ("kind", "name") if k not in d]
        if missing:
            raise DataError(f"The dataset reference lacks {_names_list(missing)}; pass the dict made by to_dict().")
        unknown = sorted(set(d) - {"kind", "name", "params", "sha256", "preprocess"})
        if unknown:
            raise DataError(f"The dataset reference has unknown keys {_names_list(unknown)}; remove them.")
        return cls(
            kind=d["kind"],
            name=d["name"],
            params=dict(d.get("params") or {}),
            sha256=d.get("sha256"),
            preprocess=Preprocess.from_dict(d.get("preprocess")),
        )

    @property
    def key(self) -> str:
        """A short stable identifier (hex) of this reference, handy for caches and file names."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))


# --------------------------------------------------------------------------------------
# The Dataset
# --------------------------------------------------------------------------------------


class _Encoder:
    """Imputation + one-hot encoding + scaling, fitted on training rows only."""

    def __init__(self, columns: list[dict], offset: np.ndarray, scale: np.ndarray):
        self.columns = columns  # each: name, kind ("numeric"|"categorical"), fill, categories
        self.offset = offset
        self.scale = scale

    @property
    def width(self) -> int:
        return sum(1 if c["kind"] == "numeric" else len(c["categories"]) for c in self.columns)

    @classmethod
    def fit(cls, train: pd.DataFrame, kinds: dict[str, str], scaling: str, pixel_scale: float | None) -> "_Encoder":
        columns = []
        for name, kind in kinds.items():
            if kind == "numeric":
                values = _numeric_values(train[name], name)
                finite = values[~np.isnan(values)]
                fill = float(np.median(finite)) if finite.size else 0.0
                columns.append({"name": name, "kind": "numeric", "fill": fill, "categories": None})
            else:
                texts = _text_values(train[name])
                present = pd.Series(texts[pd.notna(texts)], dtype=object)
                if present.empty:
                    columns.append({"name": name, "kind": "categorical", "fill": "missing", "categories": ["missing"]})
                    continue
                counts = present.value_counts()
                top = counts.max()
                fill = min(str(v) for v, c in counts.items() if c == top)
                categories = sorted(str(v) for v in counts.index)
                columns.append({"name": name, "kind": "categorical", "fill": fill, "categories": categories})
        width = sum(1 if c["kind"] == "numeric" else len(c["categories"]) for c in columns)
        enc = cls(columns, np.zeros(width), np.ones(width))
        if pixel_scale is not None:
            enc.scale = np.full(width, float(pixel_scale))
            return enc
        if scaling == "none":
            return enc
        z = enc._unscaled(train)
        if scaling == "standard":
            offset, scale = z.mean(axis=0), z.std(axis=0)
        else:  # minmax
            offset = z.min(axis=0)
            scale = z.max(axis=0) - offset
        scale = np.where(np.isfinite(scale) & (scale > 1e-12), scale, 1.0)
        enc.offset, enc.scale = offset, scale
        return enc

    def feature_names(self) -> list[str]:
        names = []
        for c in self.columns:
            if c["kind"] == "numeric":
                names.append(str(c["name"]))
            else:
                names.extend(f"{c['name']}={v}" for v in c["categories"])
        return names

    def groups(self) -> dict[str, list[int]]:
        out, j = {}, 0
        for c in self.columns:
            k = 1 if c["kind"] == "numeric" else len(c["categories"])
            out[c["name"]] = list(range(j, j + k))
            j += k
        return out

    def _unscaled(self, frame: pd.DataFrame) -> np.ndarray:
        n = len(frame)
        out = np.zeros((n, self.width), dtype=np.float64)
        j = 0
        for c in self.columns:
            if c["kind"] == "numeric":
                values = _numeric_values(frame[c["name"]], c["name"])
                out[:, j] = np.where(np.isnan(values), c["fill"], values)
                j += 1
            else:
                texts = _text_values(frame[c["name"]])
                texts = np.where(pd.isna(texts), c["fill"], texts)
                codes = pd.Index(c["categories"]).get_indexer(texts)
                rows = np.nonzero(codes >= 0)[0]
                out[rows, j + codes[rows]] = 1.0
                j += len(c["categories"])
        return out

    def codes(self, frame: pd.DataFrame) -> np.ndarray:
        """One number per original column: the value (missing filled) or the category's index."""
        out = np.zeros((len(frame), len(self.columns)), dtype=np.float64)
        for i, c in enumerate(self.columns):
            if c["kind"] == "numeric":
                values = _numeric_values(frame[c["name"]], c["name"])
                out[:, i] = np.where(np.isnan(values), c["fill"], values)
            else:
                texts = _text_values(frame[c["name"]])
                texts = np.where(pd.isna(texts), c["fill"], texts)
                codes = pd.Index(c["categories"]).get_indexer(texts)
                fill = c["categories"].index(c["fill"]) if c["fill"] in c["categories"] else 0
                out[:, i] = np.where(codes >= 0, codes, fill)
        return out

    def from_codes(self, codes: np.ndarray) -> np.ndarray:
        """Model inputs from `codes` rows, without pandas: fast enough for thousands of perturbed rows."""
        codes = np.asarray(codes, dtype=np.float64)
        out = np.zeros((len(codes), self.width), dtype=np.float64)
        j = 0
        for i, c in enumerate(self.columns):
            if c["kind"] == "numeric":
                out[:, j] = codes[:, i]
                j += 1
            else:
                k = len(c["categories"])
                index = np.clip(np.rint(codes[:, i]).astype(np.int64), 0, k - 1)
                out[np.arange(len(codes)), j + index] = 1.0
                j += k
        return ((out - self.offset) / self.scale).astype(np.float32)

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        return ((self._unscaled(frame) - self.offset) / self.scale).astype(np.float32)


@dataclass(eq=False)
class Dataset:
    """Model-ready arrays plus everything needed to explain them back in the user's terms."""

    ref: DatasetRef
    name: str
    task: str  # "classification" | "regression"
    feature_names: list[str]  # encoded model inputs, e.g. "age", "sex=male"
    original_columns: list[str]  # the user's feature columns before encoding, in order
    groups: dict[str, list[int]]  # original column -> indices into feature_names
    class_names: list[str] | None  # index = class id; None for regression
    target: str
    sensitive: list[str]
    image_shape: tuple[int, int, int] | None
    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray
    idx_train: np.ndarray
    idx_val: np.ndarray
    idx_test: np.ndarray
    raw: pd.DataFrame  # cleaned original table; idx_* index its rows
    notes: list[str]
    _encoder: Any = field(default=None, repr=False)

    def __repr__(self) -> str:
        rows = "/".join(str(len(i)) for i in (self.idx_train, self.idx_val, self.idx_test))
        return f"Dataset(name={self.name!r}, task={self.task!r}, rows train/val/test={rows}, n_features={self.n_features})"

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def n_classes(self) -> int:
        return len(self.class_names) if self.class_names else 0

    @property
    def is_2d(self) -> bool:
        """Exactly two numeric inputs and no image: the decision boundary can be drawn on a plane."""
        if self.image_shape is not None or self.n_features != 2 or len(self.original_columns) != 2:
            return False
        if self._encoder is None:
            return True
        return all(c["kind"] == "numeric" for c in self._encoder.columns)

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) of the "train", "val" or "test" split."""
        if name == "validation":
            name = "val"
        if name not in SPLITS:
            raise DataError(f"Unknown split {name!r}; use 'train', 'val' or 'test'.")
        return getattr(self, f"X_{name}"), getattr(self, f"y_{name}")

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """Turn new raw rows (with the original columns) into model inputs exactly as the training rows were."""
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"encode needs a table (pandas DataFrame), not {type(frame).__name__}; pass a DataFrame.")
        missing = [c for c in self.original_columns if c not in frame.columns]
        if missing:
            raise DataError(
                f"The table lacks the column{'s' if len(missing) > 1 else ''} {_names_list(missing)} "
                "that the model was trained on; add it with the same name."
            )
        return self._encoder.transform(frame)

    def column_kinds(self) -> dict[str, list[str] | None]:
        """Original column → its categories (text columns) or None (numbers)."""
        if self._encoder is None:
            return {c: None for c in self.original_columns}
        return {c["name"]: (list(c["categories"]) if c["kind"] == "categorical" else None) for c in self._encoder.columns}

    def preprocessing(self) -> dict:
        """The fitted preprocessing as plain data, for exports: per original column its kind ("numeric" or
        "categorical"), the value that fills a gap (the training median, or the most common text) and the
        categories of a text column; per model input the offset subtracted and the scale divided by."""
        enc = self._encoder
        return {
            "columns": [{"name": str(c["name"]), "kind": c["kind"],
                         "fill": float(c["fill"]) if c["kind"] == "numeric" else str(c["fill"]),
                         "categories": [str(v) for v in c["categories"]] if c["categories"] is not None else None}
                        for c in enc.columns],
            "offset": [float(v) for v in enc.offset],
            "scale": [float(v) for v in enc.scale],
        }

    def codes(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows with the original columns as one number per column (a text column's category index),
        the form LIME perturbs; `from_codes` turns them into model inputs."""
        self.encode(frame.iloc[:0])          # names the missing columns, if any
        return self._encoder.codes(frame)

    def from_codes(self, codes: np.ndarray) -> np.ndarray:
        return self._encoder.from_codes(codes)

    def summary(self) -> dict:
        """A plain-data overview for display."""
        out: dict[str, Any] = {
            "name": self.name,
            "task": self.task,
            "target": self.target,
            "rows": {"train": len(self.idx_train), "val": len(self.idx_val), "test": len(self.idx_test)},
            "n_rows": len(self.raw),
            "n_features": self.n_features,
            "n_classes": self.n_classes,
            "class_names": list(self.class_names) if self.class_names else None,
            "sensitive": list(self.sensitive),
            "image_shape": self.image_shape,
            "notes": list(self.notes),
        }
        if self.task == "classification":
            y = np.concatenate([self.y_train, self.y_val, self.y_test])
            counts = np.bincount(y, minlength=self.n_classes)
            out["class_counts"] = {n: int(c) for n, c in zip(self.class_names, counts)}
            out["class_balance"] = {n: round(float(c) / len(y), 4) for n, c in zip(self.class_names, counts)}
        else:
            y = np.concatenate([self.y_train, self.y_val, self.y_test]).astype(np.float64)
            out["target_stats"] = {
                "mean": float(y.mean()),
                "std": float(y.std()),
                "min": float(y.min()),
                "max": float(y.max()),
            }
        return out


# --------------------------------------------------------------------------------------
# Column helpers
# --------------------------------------------------------------------------------------


_TRUE_FALSE = {"true": 1.0, "false": 0.0}


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def _numeric_values(s: pd.Series, name: Any) -> np.ndarray:
    """float64 values with NaN for missing; DataError when a cell is not a number."""
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.where(np.isfinite(values), values, np.nan)
    obj = s.astype(object).where(s.notna(), None)
    obj = obj.map(lambda v: _TRUE_FALSE.get(v.strip().lower(), v) if isinstance(v, str) else v)
    obj = obj.map(lambda v: float(v) if isinstance(v, (bool, np.bool_)) else v)
    obj = obj.map(lambda v: None if isinstance(v, str) and not v.strip() else v)
    values = pd.to_numeric(obj, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isnan(values) & obj.notna().to_numpy()
    if bad.any():
        example = obj[bad].iloc[0]
        raise DataError(f"Column {_q(name)} should hold numbers but contains {str(example)!r}; fix or remove that value.")
    return np.where(np.isfinite(values), values, np.nan)


def _num_label(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x)


def _text_values(s: pd.Series) -> np.ndarray:
    """Object array of stripped strings, None for missing; numbers written without a trailing '.0'."""
    if pd.api.types.is_bool_dtype(s):
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.array([None if math.isnan(v) else ("True" if v else "False") for v in values], dtype=object)
    if pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.array([None if math.isnan(v) else _num_label(v) for v in values], dtype=object)
    if pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s):
        t = s.str.strip()
        t = t.where(t != "", None)
        return t.to_numpy(dtype=object, na_value=None)

    def cell(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, (float, int, np.floating, np.integer)) and not isinstance(v, (bool, np.bool_)):
            return _num_label(v)
        text = str(v).strip()
        return text or None

    return np.array([cell(v) for v in s.to_numpy(dtype=object)], dtype=object)


def _labels(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Label strings per row and the sorted unique names (numeric labels sorted by value)."""
    if _is_numeric(s) and not pd.api.types.is_bool_dtype(s):
        values = s.to_numpy(dtype=np.float64)
        uniq = np.unique(values)
        names = [_num_label(u) for u in uniq]
        labels = np.asarray(names, dtype=object)[np.searchsorted(uniq, values)]
        return labels, names
    labels = _text_values(s)
    return labels, sorted(set(labels.tolist()))


def infer_task(series: pd.Series) -> str:
    """"classification" for text, booleans or whole numbers with at most 20 distinct values, else "regression".

    A float column without any missing value counts as float-looking (its text had decimals,
    otherwise it would have been read as whole numbers) and gives "regression".
    """
    s = series if isinstance(series, pd.Series) else pd.Series(series)
    present = s.dropna()
    if present.empty:
        raise DataError("Cannot tell the task of a column with no values; choose a column that holds the labels.")
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        return "classification"
    if pd.api.types.is_float_dtype(s) and not s.isna().any():
        return "regression"
    values = present.to_numpy(dtype=np.float64)
    if np.all(np.isfinite(values)) and np.all(values == np.round(values)) and len(np.unique(values)) <= 20:
        return "classification"
    return "regression"


_ID_NAMES = re.compile(r"^(id|idx|index|row|row_?id|row_?num(ber)?|key|uuid|guid|record_?id)$|(^|[_\s])id$", re.I)


def _id_like(s: pd.Series, name: Any) -> bool:
    n = len(s)
    if n < 2 or s.isna().any() or s.nunique() != n:
        return False
    if _is_numeric(s):
        values = s.to_numpy(dtype=np.float64)
        if not np.all(values == np.round(values)):
            return False
        return bool(values.max() - values.min() == n - 1) or bool(_ID_NAMES.search(str(name)))
    return True


def _column_digest(s: pd.Series) -> str:
    hashed = pd.util.hash_pandas_object(s, index=False).to_numpy()
    return hashlib.sha1(hashed.tobytes() + str(s.dtype).encode()).hexdigest()


def _column_flags(frame: pd.DataFrame, columns: list[str], compare_to: list[str] = ()) -> dict[str, tuple[str, str]]:
    """Columns that cannot be useful features: name -> (short flag, reason clause)."""
    flags: dict[str, tuple[str, str]] = {}
    seen: dict[str, str] = {}
    for other in compare_to:
        seen.setdefault(_column_digest(frame[other]), other)
    cap = LIMITS.max_categories
    for c in columns:
        s = frame[c]
        n_distinct = s.nunique(dropna=True)
        if n_distinct == 0:
            flags[c] = ("empty", f"{_q(c)} is empty")
            continue
        if n_distinct == 1:
            flags[c] = ("constant", f"{_q(c)} has the same value in every row")
            continue
        digest = _column_digest(s)
        if digest in seen and s.equals(frame[seen[digest]]):
            flags[c] = (f"duplicate of {_q(seen[digest])}", f"{_q(c)} is identical to {_q(seen[digest])}")
            continue
        seen.setdefault(digest, c)
        if _id_like(s, c):
            flags[c] = ("id-like", f"{_q(c)} looks like a row ID, with a different value in every row")
            continue
        if not _is_numeric(s) and n_distinct > cap:
            flags[c] = (
                "too many categories",
                f"{_q(c)} has {n_distinct} different text values, more than the {cap} that can be one-hot encoded",
            )
    return flags


def csv_columns_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per column for a preview: name, kind, dtype, missing and distinct counts, warning flags."""
    columns = list(frame.columns)
    flags = _column_flags(frame, columns)
    rows = []
    for c in columns:
        s = frame[c]
        distinct = int(s.nunique(dropna=True))
        if _is_numeric(s):
            kind = "numeric"
        elif distinct <= LIMITS.max_categories:
            kind = "categorical"
        else:
            kind = "text"
        rows.append(
            {
                "name": str(c),
                "kind": kind,
                "dtype": str(s.dtype),
                "missing": int(s.isna().sum()),
                "distinct": distinct,
                "flags": flags[c][0] if c in flags else "",
            }
        )
    return pd.DataFrame(rows, columns=["name", "kind", "dtype", "missing", "distinct", "flags"])


# --------------------------------------------------------------------------------------
# Reading CSV bytes
# --------------------------------------------------------------------------------------

_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3", "an SQLite database"),
]
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$|^[+-]?\d+$")


def _not_csv(filename: str, what: str = "") -> DataError:
    found = f" (it appears to be {what})" if what else ""
    return DataError(
        f"{_q(filename)} does not look like a CSV text file{found}; save the table as comma-separated text (.csv) and upload that."
    )


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise _not_csv(filename) from None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _not_csv(filename, what)
    if b"\x00" in data[:65536]:
        raise _not_csv(filename)
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "Windows-1252 (Latin-1)"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "Latin-1"
    sample = text[:65536]
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) <= 0x9F)
    if sample and controls > max(2, 0.01 * len(sample)):
        raise _not_csv(filename)
    return text.lstrip("\ufeff"), encoding


def _sniff_delimiter(text: str) -> str:
    """Pick the separator that splits the header into most fields and the sample rows most consistently."""
    lines = text[:65536].splitlines()
    if len(text) > 65536 and len(lines) > 1:
        lines = lines[:-1]
    lines = [line for line in lines if line.strip()][:50]
    best, best_score = ",", (0.0, 1)
    for d in _DELIMITERS:
        try:
            rows = [r for r in csv.reader(lines, delimiter=d, skipinitialspace=True) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistency = sum(len(r) == width for r in rows) / len(rows)
        score = (consistency, width)
        if score > best_score:
            best, best_score = d, score
    return best


def _scan_rows(text: str, delimiter: str, filename: str) -> tuple[list[str], int]:
    """Check the header and that every row has as many fields; return (header, number of data rows)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    header: list[str] | None = None
    n_rows, previous_line, start = 0, 0, 1
    try:
        for row in reader:
            start, previous_line = previous_line + 1, reader.line_num
            if not row or all(not f.strip() for f in row):
                continue
            if header is None:
                header = row
                if len(header) > LIMITS.max_columns:
                    raise DataError(
                        f"{_q(filename)} has {len(header)} columns, more than the limit of {LIMITS.max_columns}; "
                        f"keep at most {LIMITS.max_columns} columns."
                    )
                continue
            if len(row) != len(header):
                raise DataError(
                    f"Line {start} of {_q(filename)} has {len(row)} fields but the header has {len(header)}; "
                    "fix that row (look for a missing or extra separator or an unclosed quote) and try again."
                )
            n_rows += 1
            if n_rows > LIMITS.max_rows:
                raise DataError(
                    f"{_q(filename)} has more than {LIMITS.max_rows:,} data rows, the limit; "
                    f"use a sample of at most {LIMITS.max_rows:,} rows."
                )
    except csv.Error as exc:
        raise DataError(
            f"Line {previous_line + 1} of {_q(filename)} could not be read as CSV ({exc}); "
            "look for an unclosed quote near that line."
        ) from None
    if header is None:
        raise DataError(f"{_q(filename)} is empty; choose a CSV file with a header row and data rows.")
    return header, n_rows


def _clean_header(header: list[str], filename: str, notes: list[str]) -> list[str]:
    names = []
    for i, raw in enumerate(header):
        name = raw.replace("\ufeff", "").strip()
        if not name:
            name = f"column_{i + 1}"
            notes.append(f"Column {i + 1} has no name in the header; it is called {name!r}.")
        names.append(name)
    looks_numeric = all(_DECIMAL_COMMA.match(n) or re.fullmatch(r"[+-]?\d*\.?\d+(e[+-]?\d+)?", n, re.I) for n in names)
    counts = pd.Series(names).value_counts()
    dupes = [n for n in names if counts[n] > 1]
    dupes = list(dict.fromkeys(dupes))
    if dupes:
        hint = " (the first row looks like data: add a header row)" if looks_numeric else ""
        raise DataError(
            f"{_q(filename)} has duplicate column names {_names_list(dupes)}{hint}; "
            "rename the columns so every name is unique."
        )
    if looks_numeric:
        notes.append("The header row looks like numbers; if the file has no header row, add one with column names.")
    return names


def _tidy_columns(frame: pd.DataFrame, delimiter: str, notes: list[str]) -> pd.DataFrame:
    """Strip text cells; read true/false columns as booleans and numbers written as text or with
    decimal commas as numbers; turn infinities into missing values."""
    converted = []
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):
            if pd.api.types.is_float_dtype(s):
                frame[c] = s.where(np.isfinite(s.to_numpy(dtype=np.float64)), np.nan)
            continue
        t = pd.Series(_text_values(s), index=s.index, dtype="str")
        present = t.dropna()
        if present.empty:
            frame[c] = t
            continue
        lowered = present.str.lower()
        if lowered.isin(list(_TRUE_FALSE)).all():
            flags = t.str.lower().map({"true": True, "false": False})
            frame[c] = flags.astype(bool) if len(present) == len(t) else flags.astype("boolean")
            continue
        head = pd.to_numeric(present.iloc[:50], errors="coerce")
        if head.notna().all() and pd.to_numeric(present, errors="coerce").notna().all():
            frame[c] = pd.to_numeric(t, errors="coerce")  # int64 when every cell is a whole number
            continue
        if delimiter != "," and present.str.match(_DECIMAL_COMMA).all() and present.str.contains(",").any():
            frame[c] = pd.to_numeric(t.str.replace(",", ".", regex=False), errors="coerce").astype(np.float64)
            converted.append(c)
            continue
        frame[c] = t
    if converted:
        notes.append(f"Read decimal commas as numbers in {_names_list(converted)}.")
    return frame


def read_csv_bytes(data: bytes, *, filename: str = "data.csv") -> tuple[pd.DataFrame, list[str]]:
    """Parse and validate an uploaded table; return (frame, notes). Raises DataError for anything unusable.

    Any number of data rows is accepted here (new rows to predict on may be few); load_csv needs
    at least LIMITS.min_rows to split.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"read_csv_bytes expects bytes, not {type(data).__name__}")
    filename = str(filename or "data.csv")
    if len(data) > LIMITS.max_bytes:
        raise DataError(
            f"{_q(filename)} is {len(data) / 2**20:.1f} MB, more than the {LIMITS.max_bytes // 2**20} MB limit; "
            "upload a smaller file or a sample of its rows."
        )
    if not data.strip():
        raise DataError(f"{_q(filename)} is empty; choose a CSV file with a header row and data rows.")
    text, encoding = _decode(data, filename)
    if not text.strip():
        raise DataError(f"{_q(filename)} is empty; choose a CSV file with a header row and data rows.")
    delimiter = _sniff_delimiter(text)
    notes = [f"Read as {encoding} text with {_DELIMITERS[delimiter]}-separated columns."]
    header, n_rows = _scan_rows(text, delimiter, filename)
    names = _clean_header(header, filename, notes)
    if n_rows == 0:
        raise DataError(
            f"{_q(filename)} has a header row but no data rows; add at least {LIMITS.min_rows} rows of data below the header."
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=0,
            names=names,
            index_col=False,
            skipinitialspace=True,
            na_values=["?"],
            keep_default_na=True,
            skip_blank_lines=True,
            low_memory=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{_q(filename)} could not be read as CSV ({exc}); check the file's separators and quotes.") from None
    n_parsed = len(frame)
    frame = frame[~frame.isna().all(axis=1)].reset_index(drop=True)  # before tidying, so gaps do not set types
    frame = _tidy_columns(frame, delimiter, notes)
    frame = frame[~frame.isna().all(axis=1)].reset_index(drop=True)
    if len(frame) < n_parsed:
        skipped = n_parsed - len(frame)
        notes.append(f"Skipped {skipped} empty row{'s' if skipped > 1 else ''}.")
    if len(frame) == 0:
        raise DataError(
            f"{_q(filename)} has a header row but no data rows; add at least {LIMITS.min_rows} rows of data below the header."
        )
    return frame, notes


# --------------------------------------------------------------------------------------
# From a table to a Dataset
# --------------------------------------------------------------------------------------


def _check_task(task: Any) -> None:
    if task is not None and task not in TASKS:
        raise DataError(f"task must be 'classification', 'regression' or None (to infer it), not {task!r}; use one of those.")


def _as_name_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        items = list(value)
    except TypeError:
        raise DataError(f"{what} must be a list of column names, not {type(value).__name__}; pass a list.") from None
    return [str(v) for v in items]


def _split_indices(n: int, y: np.ndarray | None, pp: Preprocess, notes: list[str]) -> tuple[np.ndarray, ...]:
    from sklearn.model_selection import train_test_split

    n_test = max(1, int(round(n * pp.test_fraction)))
    n_val = max(1, int(round(n * pp.val_fraction)))
    everything = np.arange(n, dtype=np.int64)

    def can_stratify(labels: np.ndarray, n_out: int) -> bool:
        counts = np.bincount(labels)
        counts = counts[counts > 0]
        k = len(counts)
        return counts.min() >= 2 and n_out >= k and len(labels) - n_out >= k

    stratified = y is not None
    strat = y if (y is not None and can_stratify(y, n_test)) else None
    stratified &= strat is not None
    rest, test = train_test_split(everything, test_size=n_test, random_state=pp.split_seed, stratify=strat)
    strat = y[rest] if (y is not None and can_stratify(y[rest], n_val)) else None
    stratified &= strat is not None
    train, val = train_test_split(rest, test_size=n_val, random_state=pp.split_seed, stratify=strat)
    how = "stratified by class" if stratified else "at random"
    notes.append(
        f"Split {n:,} rows into {len(train):,} training, {len(val):,} validation and {len(test):,} test rows "
        f"({how}, seed {pp.split_seed})."
    )
    if y is not None and not stratified:
        notes.append("Some class has too few rows to keep class shares equal across the splits, so the split is random.")
    return np.asarray(train, np.int64), np.asarray(val, np.int64), np.asarray(test, np.int64)


def _assemble(
    *,
    ref: DatasetRef,
    name: str,
    frame: pd.DataFrame,
    target: str,
    task: str,
    features: list[str],
    sensitive: list[str],
    notes: list[str],
    class_order: list[str] | None = None,
    image_shape: tuple[int, int, int] | None = None,
    pixel_scale: float | None = None,
) -> Dataset:
    """Labels, split, encoder fitted on the training rows, arrays. `frame` is already clean."""
    pp = ref.preprocess
    class_names: list[str] | None = None
    if task == "classification":
        labels, found = _labels(frame[target])
        class_names = list(class_order) if class_order is not None else found
        y_all = pd.Index(class_names).get_indexer(labels).astype(np.int64)
    else:
        y_all = frame[target].to_numpy(dtype=np.float32)
        labels = None
    idx_train, idx_val, idx_test = _split_indices(len(frame), y_all if class_names else None, pp, notes)

    kinds = {c: ("numeric" if _is_numeric(frame[c]) else "categorical") for c in features}
    encoder = _Encoder.fit(frame.iloc[idx_train], kinds, pp.scaling, pixel_scale)
    if pixel_scale is None:
        for col in encoder.columns:
            n_missing = int(frame[col["name"]].isna().sum())
            if n_missing:
                how = "median" if col["kind"] == "numeric" else "most common value"
                fill = f"{col['fill']:g}" if col["kind"] == "numeric" else repr(col["fill"])
                notes.append(
                    f"Filled {n_missing} missing value{'s' if n_missing > 1 else ''} in {_q(col['name'])} "
                    f"with the training rows' {how} ({fill})."
                )
        categorical = [c for c in encoder.columns if c["kind"] == "categorical"]
        if categorical:
            width = sum(len(c["categories"]) for c in categorical)
            notes.append(
                f"One-hot encoded {len(categorical)} text column{'s' if len(categorical) > 1 else ''} into {width} "
                f"input features named like {encoder.feature_names()[encoder.groups()[categorical[0]['name']][0]]!r}."
            )
        notes.append(
            {
                "standard": "Standardised every input with the training rows' mean and standard deviation.",
                "minmax": "Scaled every input to 0..1 with the training rows' minimum and maximum.",
                "none": "Left the inputs unscaled.",
            }[pp.scaling]
        )
    else:
        notes.append(f"Divided pixel values by {pixel_scale:g} so they lie in 0..1 (the scaling option does not apply to images).")

    X_all = encoder.transform(frame)
    keep = list(features) + [target] + [s for s in sensitive if s not in features and s != target]
    raw = frame[keep].reset_index(drop=True)
    return Dataset(
        ref=ref,
        name=name,
        task=task,
        feature_names=encoder.feature_names(),
        original_columns=list(features),
        groups=encoder.groups(),
        class_names=class_names,
        target=target,
        sensitive=list(sensitive),
        image_shape=image_shape,
        X_train=X_all[idx_train],
        X_val=X_all[idx_val],
        X_test=X_all[idx_test],
        y_train=y_all[idx_train],
        y_val=y_all[idx_val],
        y_test=y_all[idx_test],
        idx_train=idx_train,
        idx_val=idx_val,
        idx_test=idx_test,
        raw=raw,
        notes=notes,
        _encoder=encoder,
    )


def _prepare_table(
    frame: pd.DataFrame,
    notes: list[str],
    *,
    ref: DatasetRef,
    name: str,
    target: Any,
    task: str | None,
    sensitive: list[str],
    drop: list[str],
    class_order: list[str] | None = None,
) -> Dataset:
    """Validate target and columns of a parsed table, drop what cannot be a feature, and assemble."""
    _check_task(task)
    columns = [str(c) for c in frame.columns]
    if not isinstance(target, str) or not target:
        raise DataError(f"Choose a target column; one of {_names_list(columns)}.")
    if target not in columns:
        close = [c for c in columns if c.strip().lower() == target.strip().lower()]
        hint = f"did you mean {close[0]!r}? " if close else ""
        if not close and all(re.fullmatch(r"[+-]?[\d.,eE+-]+", c) for c in columns):
            hint = "the first row looks like data, so add a header row with column names, or "
        raise DataError(f"Target column {target!r} is not in the table; {hint}choose one of {_names_list(columns)}.")
    for what, names in (("Sensitive", sensitive), ("Dropped", drop)):
        for c in names:
            if c not in columns:
                raise DataError(f"{what} column {c!r} is not in the table; choose from {_names_list(columns)}.")
            if c == target:
                raise DataError(f"{what} column {c!r} is also the target; pick a different target or remove it from that list.")

    if len(frame) < LIMITS.min_rows:
        raise DataError(
            f"{_q(name)} has only {len(frame)} data rows but at least {LIMITS.min_rows} are needed to split it "
            "into training, validation and test sets; add more rows."
        )
    present = frame[target].notna()
    if not present.any():
        raise DataError(f"Target column {target!r} has no values in any row; choose a column that holds the labels.")
    resolved = task or infer_task(frame[target])  # before dropping gaps: a float column with gaps may hold whole numbers
    if not present.all():
        n_missing = int((~present).sum())
        frame = frame[present].reset_index(drop=True)
        notes.append(f"Dropped {n_missing} row{'s' if n_missing > 1 else ''} with no value in the target {target!r}.")
    if len(frame) < LIMITS.min_rows:
        raise DataError(
            f"Only {len(frame)} rows have a target value but at least {LIMITS.min_rows} are needed to split the data "
            "into training, validation and test sets; add more labelled rows."
        )

    y = frame[target]
    if resolved == "regression" and not _is_numeric(y):
        example = y.dropna().astype(str).iloc[0]
        raise DataError(
            f"Target column {target!r} is not numeric (it contains {example!r}), so it cannot be a regression target; "
            "use task='classification' or choose a numeric column."
        )
    if resolved == "classification":
        _, found = _labels(y)
        if len(found) < 2:
            raise DataError(
                f"Target column {target!r} has only one class ({found[0]!r}); a classifier needs at least two, "
                "so choose another target or add rows of the other classes."
            )
        if len(found) > LIMITS.max_classes:
            fix = "use task='regression'" if _is_numeric(y) else "choose a column with fewer distinct labels"
            raise DataError(
                f"Target column {target!r} has {len(found)} different labels, more than the {LIMITS.max_classes} "
                f"classes allowed; {fix}."
            )
    if task is None:
        notes.append(f"Treated {target!r} as a {resolved} target.")

    candidates = [c for c in columns if c != target and c not in drop]
    if drop:
        notes.append(f"Left out {_names_list(drop)} as requested.")
    flags = _column_flags(frame, candidates, compare_to=[target])
    for c, (_, reason) in flags.items():
        notes.append(f"Dropped {reason}.")
    features = [c for c in candidates if c not in flags]
    if not features:
        reasons = ", ".join(reason for _, reason in flags.values()) or "the table has only the target column"
        raise DataError(
            f"No usable feature column is left ({reasons}); add columns with informative values or drop fewer columns."
        )
    return _assemble(
        ref=ref,
        name=name,
        frame=frame,
        target=target,
        task=resolved,
        features=features,
        sensitive=list(sensitive),
        notes=notes,
        class_order=class_order,
    )


def _csv_source(data: bytes | str | Path, filename: str | None) -> tuple[bytes, str]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data), filename or "data.csv"
    if isinstance(data, str) and ("\n" in data or "\r" in data):
        return data.encode("utf-8"), filename or "data.csv"
    if isinstance(data, (str, Path)):
        path = Path(data)
        try:
            return path.read_bytes(), filename or path.name
        except FileNotFoundError:
            raise DataError(f"No file at {str(path)!r}; check the path.") from None
        except IsADirectoryError:
            raise DataError(f"{str(path)!r} is a folder, not a file; give the path of the CSV file.") from None
    raise DataError(f"A CSV must be given as bytes, text or a file path, not {type(data).__name__}; pass the file's bytes.")


def _stored_path(home: Path, sha: str) -> Path:
    return Path(home) / "datasets" / f"{sha}.csv"


def _store_bytes(home: Path, sha: str, data: bytes) -> Path:
    path = _stored_path(home, sha)
    if path.exists() and path.stat().st_size == len(data):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _dataset_from_csv_bytes(data: bytes, ref: DatasetRef, shape: list | None = None) -> Dataset:
    """The Dataset of a CSV reference; `shape`, when given, receives the parsed table's (rows, columns)."""
    params = ref.params
    unknown = sorted(set(params) - {"target", "task", "sensitive", "drop"})
    if unknown:
        raise DataError(f"Unknown CSV setting {_names_list(unknown)}; use only 'target', 'task', 'sensitive' and 'drop'.")
    frame, notes = read_csv_bytes(data, filename=ref.name)
    if shape is not None:
        shape[:] = [int(frame.shape[0]), int(frame.shape[1])]
    return _prepare_table(
        frame,
        notes,
        ref=ref,
        name=ref.name,
        target=params.get("target"),
        task=params.get("task"),
        sensitive=_as_name_list(params.get("sensitive"), "sensitive"),
        drop=_as_name_list(params.get("drop"), "drop"),
    )


def load_csv(
    data: bytes | str | Path,
    *,
    target: str,
    task: str | None = None,
    sensitive: Iterable[str] = (),
    drop: Iterable[str] = (),
    preprocess: Preprocess | None = None,
    filename: str | None = None,
    home: Path | None = None,
) -> Dataset:
    """Load an uploaded table. `data` is the file's bytes, a path, or CSV text (a str with a line break).

    With `home`, the bytes are kept as home/datasets/<sha256>.csv so load_dataset can rebuild it later.
    """
    raw_bytes, filename = _csv_source(data, filename)
    _check_task(task)
    sha = hashlib.sha256(raw_bytes).hexdigest()
    params = {
        "target": target,
        "task": task,
        "sensitive": _as_name_list(sensitive, "sensitive"),
        "drop": _as_name_list(drop, "drop"),
    }
    ref = DatasetRef(kind="csv", name=filename, params=params, sha256=sha, preprocess=preprocess or Preprocess())
    shape: list = []
    dataset = _dataset_from_csv_bytes(raw_bytes, ref, shape)
    if home is not None:
        _store_bytes(Path(home), sha, raw_bytes)
        _record_upload(Path(home), ref, rows=shape[0], columns=shape[1], size=len(raw_bytes))
    return dataset


# --------------------------------------------------------------------------------------
# Earlier uploads: the CSV files kept in a workspace, to open again without uploading
# --------------------------------------------------------------------------------------
#
# Next to each kept file home/datasets/<sha256>.csv lies home/datasets/<sha256>.json with
# what a list of uploads shows and what the file was last opened with:
#   {"name": "people.csv", "rows": 60, "columns": 4, "bytes": 1234, "uploaded": <unix time>,
#    "used": <unix time>, "settings": {"target": ..., "task": ..., "sensitive": [...], "drop": [...]},
#    "preprocess": {...}}
# Files kept before these notes existed are still listed: their notes are made on first listing.

_UPLOAD_ID = re.compile(r"^[0-9a-f]{64}$")
_CSV_SETTINGS = ("target", "task", "sensitive", "drop")


@dataclass(frozen=True)
class Upload:
    """One CSV file kept in a workspace. `id` is its SHA-256, which also names the kept copy."""

    id: str
    name: str  # the original file name
    rows: int | None  # data rows and columns of the table; None when it cannot be read
    columns: int | None
    size: int | None  # bytes; None when the kept copy is missing
    uploaded: float  # unix time the file first came into the workspace
    used: float | None  # unix time it was last loaded or its settings changed
    settings: dict  # target, task, sensitive, drop last used; empty if never recorded
    preprocess: dict  # scaling and split last used (Preprocess.to_dict())
    problem: str | None = None  # why it cannot be opened (one sentence with the fix), else None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def ref(self) -> dict | None:
        """The DatasetRef (as a dict) of the settings last used with this file, or None if none were recorded."""
        if not self.settings.get("target"):
            return None
        try:
            return DatasetRef(kind="csv", name=self.name, params=dict(self.settings), sha256=self.id,
                              preprocess=Preprocess.from_dict(self.preprocess)).to_dict()
        except DataError:
            return None

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def _check_upload_id(upload_id: Any) -> str:
    if not isinstance(upload_id, str) or not _UPLOAD_ID.match(upload_id):
        raise DataError(
            f"{upload_id!r} is not the id of an uploaded file (64 hex digits); pick a file from the list of uploads."
        )
    return upload_id


def _meta_path(home: Path, sha: str) -> Path:
    return Path(home) / "datasets" / f"{sha}.json"


def _read_meta(home: Path, sha: str) -> dict | None:
    """The notes kept about an upload, or None when there are none or they cannot be read."""
    try:
        meta = json.loads(_meta_path(home, sha).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _write_meta(home: Path, sha: str, meta: dict) -> None:
    """Replace the notes atomically; a workspace that cannot be written keeps the old notes."""
    path = _meta_path(home, sha)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(meta, fh, indent=1, sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass


def _clean_settings(params: dict) -> dict:
    return {k: params.get(k) for k in _CSV_SETTINGS if k in params}


def _record_upload(home: Path, ref: DatasetRef, *, rows: int, columns: int, size: int) -> None:
    """Note a successful load of a kept CSV: its name, shape and the settings it was loaded with."""
    now = time.time()
    meta = _read_meta(home, ref.sha256) or {}
    uploaded = meta.get("uploaded")
    if not isinstance(uploaded, (int, float)):
        try:
            uploaded = min(now, _stored_path(home, ref.sha256).stat().st_mtime)
        except OSError:
            uploaded = now
    meta.update(
        name=ref.name,
        rows=rows,
        columns=columns,
        bytes=size,
        uploaded=float(uploaded),
        used=now,
        settings=_clean_settings(ref.params),
        preprocess=ref.preprocess.to_dict(),
    )
    _write_meta(home, ref.sha256, meta)


def _legacy_meta(home: Path, sha: str, path: Path) -> dict:
    """Notes for a kept file that has none (kept before notes existed, or the notes were damaged)."""
    stat = path.stat()
    meta: dict[str, Any] = {"name": f"upload-{sha[:8]}.csv", "uploaded": stat.st_mtime, "bytes": stat.st_size,
                            "rows": None, "columns": None, "settings": {}, "preprocess": Preprocess().to_dict()}
    try:
        data = path.read_bytes()
    except OSError as exc:  # listed with the reason; notes are made once it can be read
        return {**meta, "unreadable": exc.strerror or type(exc).__name__}
    try:
        frame, _ = read_csv_bytes(data, filename=meta["name"])
        meta["rows"], meta["columns"] = int(frame.shape[0]), int(frame.shape[1])
    except DataError:
        pass
    _write_meta(home, sha, meta)
    return meta


def _number(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _upload_from(home: Path, sha: str) -> Upload | None:
    path = _stored_path(home, sha)
    meta = _read_meta(home, sha)
    problem = None
    if meta is None:
        try:
            meta = _legacy_meta(home, sha, path)
        except OSError:
            return None  # neither notes nor a readable file: nothing to list
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta.get("name") else f"upload-{sha[:8]}.csv"
    try:
        size: int | None = path.stat().st_size
    except FileNotFoundError:
        size = None
        problem = (f"The kept copy of {_q(name)} is no longer in the workspace (it was deleted from the "
                   "datasets folder); upload the file again, or remove it from the list.")
    except OSError as exc:
        size = None
        problem = f"The kept copy of {_q(name)} cannot be read ({exc.strerror}); check the workspace folder's permissions."
    if problem is None and meta.get("unreadable"):
        problem = (f"The kept copy of {_q(name)} cannot be read ({meta['unreadable']}); "
                   "check the workspace folder's permissions.")
    if problem is None and meta.get("rows") is None:
        problem = f"The kept copy of {_q(name)} cannot be read as a table; upload a corrected file, or remove this one."
    settings = meta.get("settings") if isinstance(meta.get("settings"), dict) else {}
    preprocess = meta.get("preprocess") if isinstance(meta.get("preprocess"), dict) else {}
    try:
        preprocess = Preprocess.from_dict(preprocess).to_dict()
    except (DataError, TypeError):
        preprocess = Preprocess().to_dict()
    uploaded = meta.get("uploaded")
    used = meta.get("used")
    return Upload(
        id=sha,
        name=name,
        rows=_number(meta.get("rows")),
        columns=_number(meta.get("columns")),
        size=size,
        uploaded=float(uploaded) if isinstance(uploaded, (int, float)) else 0.0,
        used=float(used) if isinstance(used, (int, float)) else None,
        settings=_clean_settings(settings),
        preprocess=preprocess,
        problem=problem,
    )


def uploaded_csvs(home: Path | str) -> list[Upload]:
    """The CSV files uploaded earlier into the workspace `home`, newest upload first.

    A file whose kept copy went missing or cannot be read is still listed, with `problem` saying
    why and what to do, so it can be removed from the list.
    """
    folder = Path(home) / "datasets"
    try:
        names = [p.name for p in folder.iterdir()]
    except OSError:
        return []
    ids = {n[:-4] for n in names if n.endswith(".csv") and _UPLOAD_ID.match(n[:-4])}
    ids |= {n[:-5] for n in names if n.endswith(".json") and _UPLOAD_ID.match(n[:-5])}
    uploads = [u for u in (_upload_from(Path(home), sha) for sha in ids) if u is not None]
    return sorted(uploads, key=lambda u: (-u.uploaded, u.name, u.id))


def upload_info(home: Path | str, upload_id: str) -> Upload:
    """One earlier upload by id; DataError if the workspace has no such file."""
    sha = _check_upload_id(upload_id)
    home = Path(home)
    if not _stored_path(home, sha).exists() and not _meta_path(home, sha).exists():
        raise DataError("That uploaded file is not in this workspace (it may have been removed); upload it again.")
    upload = _upload_from(home, sha)
    if upload is None:
        raise DataError("That uploaded file cannot be read from the workspace; upload it again.")
    return upload


def read_upload(home: Path | str, upload_id: str) -> bytes:
    """The bytes of an earlier upload, checked against its SHA-256. DataError when missing, unreadable or changed."""
    sha = _check_upload_id(upload_id)
    home = Path(home)
    meta = _read_meta(home, sha) or {}
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta.get("name") else f"upload-{sha[:8]}.csv"
    path = _stored_path(home, sha)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(
            f"The kept copy of {_q(name)} is no longer in the workspace (it was deleted from the datasets folder); "
            "upload the file again."
        ) from None
    except OSError as exc:
        raise DataError(
            f"The kept copy of {_q(name)} cannot be read ({exc.strerror}); check the workspace folder's permissions."
        ) from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise DataError(f"The kept copy of {_q(name)} has changed since it was uploaded; upload the file again.")
    return data


def load_upload(
    home: Path | str,
    upload_id: str,
    *,
    target: str,
    task: str | None = None,
    sensitive: Iterable[str] = (),
    drop: Iterable[str] = (),
    preprocess: Preprocess | None = None,
) -> Dataset:
    """Open an earlier upload with new settings, exactly as load_csv does for a fresh upload of the same file.

    The settings are remembered as the file's last used ones.
    """
    data = read_upload(home, upload_id)
    name = upload_info(home, upload_id).name
    return load_csv(data, target=target, task=task, sensitive=sensitive, drop=drop, preprocess=preprocess,
                    filename=name, home=Path(home))


def remember_upload_settings(home: Path | str, ref: DatasetRef | dict) -> bool:
    """Remember a CSV reference's settings and preprocessing as its file's last used; True if anything changed.

    Does nothing for built-in references or files no longer kept in the workspace.
    """
    if isinstance(ref, dict):
        ref = DatasetRef.from_dict(ref)
    if ref.kind != "csv":
        return False
    home = Path(home)
    meta = _read_meta(home, ref.sha256)
    if meta is None:
        path = _stored_path(home, ref.sha256)
        try:
            meta = _legacy_meta(home, ref.sha256, path)
        except OSError:
            return False
        if meta.get("unreadable"):
            return False
    settings, preprocess = _clean_settings(ref.params), ref.preprocess.to_dict()
    if meta.get("settings") == settings and meta.get("preprocess") == preprocess and meta.get("name") == ref.name:
        return False
    meta.update(name=ref.name, settings=settings, preprocess=preprocess, used=time.time())
    _write_meta(home, ref.sha256, meta)
    return True


def delete_upload(home: Path | str, upload_id: str) -> bool:
    """Remove an earlier upload (the kept CSV and its notes) from the workspace; True if anything was removed.

    References to it then fail to load with a message asking to upload the file again.
    """
    sha = _check_upload_id(upload_id)
    removed = False
    for path in (_stored_path(Path(home), sha), _meta_path(Path(home), sha)):
        try:
            path.unlink()
            removed = True
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise DataError(
                f"Could not remove {path.name} from the workspace ({exc.strerror}); check the folder's permissions."
            ) from None
    return removed


# --------------------------------------------------------------------------------------
# Built-in datasets
# --------------------------------------------------------------------------------------


def _shuffled(rng: np.random.Generator, x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(labels))
    return x[order], labels[order]


def _two_halves(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


def _spiral(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Two interleaved arms, 1.75 turns each, radius 0..1; the second arm is the first turned by half a turn.
    parts, labels = [], []
    for label, m in enumerate(_two_halves(n)):
        t = rng.random(m)
        r = 0.05 + 0.95 * t
        angle = 1.75 * 2 * np.pi * t + label * np.pi
        parts.append(np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
        labels.append(np.full(m, label))
    x = np.vstack(parts) + rng.normal(0.0, 0.25 * noise, (n, 2))
    return _shuffled(rng, x, np.concatenate(labels))


def _moons(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    m0, m1 = _two_halves(n)
    a0, a1 = rng.uniform(0, np.pi, m0), rng.uniform(0, np.pi, m1)
    upper = np.column_stack([np.cos(a0), np.sin(a0)])
    lower = np.column_stack([1 - np.cos(a1), 0.5 - np.sin(a1)])
    x = np.vstack([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    return _shuffled(rng, x, np.concatenate([np.zeros(m0, int), np.ones(m1, int)]))


def _circles(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Class 1 fills a disc of radius 0.5; class 0 is a ring from 0.7 to 1.
    m0, m1 = _two_halves(n)
    r = np.concatenate([rng.uniform(0.7, 1.0, m0), 0.5 * np.sqrt(rng.random(m1))])
    a = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([r * np.sin(a), r * np.cos(a)]) + rng.normal(0.0, 0.3 * noise, (n, 2))
    return _shuffled(rng, x, np.concatenate([np.zeros(m0, int), np.ones(m1, int)]))


def _xor(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Points in the four quadrants, kept a little away from the axes; 1 where x1 and x2 share a sign.
    u = rng.uniform(0.06, 1.0, (n, 2)) * rng.choice([-1.0, 1.0], (n, 2))
    labels = (u[:, 0] * u[:, 1] > 0).astype(int)
    return u + rng.normal(0.0, 0.3 * noise, (n, 2)), labels


def _blobs(rng: np.random.Generator, n: int, noise: float, classes: int) -> tuple[np.ndarray, np.ndarray]:
    labels = np.arange(n) % classes
    angles = np.pi / 2 + 2 * np.pi * np.arange(classes) / classes
    centres = np.column_stack([np.cos(angles), np.sin(angles)])
    x = centres[labels] + rng.normal(0.0, 0.05 + 0.45 * noise, (n, 2))
    return _shuffled(rng, x, labels)


def _surface(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-1.0, 1.0, (n, 2))
    y = np.sin(np.pi * x[:, 0]) * np.cos(0.5 * np.pi * x[:, 1]) + 0.25 * x[:, 1]
    return x, y + rng.normal(0.0, noise, n)


def _toy_frame(x: np.ndarray, labels: np.ndarray, target: str) -> pd.DataFrame:
    return pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], target: labels})


def _two_groups(rng: np.random.Generator, n: int, noise: float, bias: float) -> pd.DataFrame:
    """Points of two groups on a plane, labelled by one rule, x1 + x2 above a bar, except that past
    decisions held group B to a bar raised by `bias`. A lives upper-left and B lower-right, overlapping,
    with the same spread of x1 + x2 (equal chances at bias 0): the network never sees the group, but
    where a point lies along the bar is a proxy for it."""
    in_b = np.arange(n) >= n - n // 2
    centre = np.where(in_b[:, None], [0.45, -0.45], [-0.45, 0.45])
    x = centre + rng.normal(0.0, 0.5, (n, 2))
    score = x.sum(axis=1) + rng.logistic(0.0, 0.05 + 0.4 * noise, n)
    label = (score > 1.2 * bias * in_b).astype(np.int64)
    frame = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "group": np.where(in_b, "B", "A"), "label": label})
    return frame.iloc[rng.permutation(n)].reset_index(drop=True)


_OCCUPATIONS = ["care", "teaching", "retail", "office", "engineering", "construction"]
_OCCUPATION_SHARES = {
    "female": [0.28, 0.22, 0.18, 0.18, 0.08, 0.06],
    "male": [0.06, 0.10, 0.16, 0.18, 0.26, 0.24],
}


def _biased_loans(rng: np.random.Generator, n: int, bias: float) -> pd.DataFrame:
    """Loan decisions where the legitimate features are independent of sex, and past decisions
    penalised women by an amount set by `bias`. part_time and occupation are proxies for sex."""
    female = rng.random(n) < 0.5
    income = np.round(rng.lognormal(np.log(45.0), 0.45, n), 1)  # thousands a year
    debt = np.round(rng.gamma(2.0, 6.0, n), 1)  # thousands
    years = np.floor(rng.gamma(2.0, 3.0, n)).astype(int)
    part_time = (rng.random(n) < np.where(female, 0.45, 0.12)).astype(int)
    u = rng.random(n)
    cum_f = np.cumsum(_OCCUPATION_SHARES["female"])
    cum_m = np.cumsum(_OCCUPATION_SHARES["male"])
    occ_index = np.where(female, np.searchsorted(cum_f, u * cum_f[-1]), np.searchsorted(cum_m, u * cum_m[-1]))
    occupation = np.asarray(_OCCUPATIONS)[np.minimum(occ_index, len(_OCCUPATIONS) - 1)]
    merit = (
        1.2 * (np.log(income) - np.log(45.0)) / 0.45
        - 1.0 * (debt - 12.0) / 8.5
        + 0.6 * (years - 6.0) / 4.2
        + rng.logistic(0.0, 0.6, n)
    )
    approved = merit - 2.0 * bias * female > 0
    return pd.DataFrame(
        {
            "sex": np.where(female, "female", "male"),
            "income": income,
            "debt": debt,
            "years_employed": years,
            "part_time": part_time,
            "occupation": occupation,
            "approved": np.where(approved, "yes", "no"),
        }
    )


@lru_cache(maxsize=None)
def _sklearn_table(name: str) -> tuple[pd.DataFrame, str, list[str] | None]:
    from sklearn import datasets as skd

    if name == "diabetes":
        bunch = skd.load_diabetes(scaled=False)
        frame = pd.DataFrame(bunch.data, columns=[str(c) for c in bunch.feature_names])
        frame["progression"] = bunch.target.astype(np.float64)
        return frame, "progression", None
    if name == "digits":
        bunch = skd.load_digits()
        columns = [f"px_{r}_{c}" for r in range(8) for c in range(8)]
        frame = pd.DataFrame(bunch.data.astype(np.float64), columns=columns)
        frame["digit"] = bunch.target.astype(np.int64)
        return frame, "digit", [str(d) for d in range(10)]
    loader, target = {
        "iris": (skd.load_iris, "species"),
        "wine": (skd.load_wine, "cultivar"),
        "breast_cancer": (skd.load_breast_cancer, "diagnosis"),
    }[name]
    bunch = loader()
    frame = pd.DataFrame(bunch.data, columns=[str(c) for c in bunch.feature_names])
    class_names = [str(c) for c in bunch.target_names]
    frame[target] = pd.Series(np.asarray(class_names, dtype=object)[bunch.target], dtype="str")
    return frame, target, class_names


@lru_cache(maxsize=None)
def _german_credit_bytes() -> bytes:
    return (DATASETS_DIR / "german_credit.csv").read_bytes()


BUILTIN: dict[str, dict] = {
    "spiral": {
        "kind": "toy2d",
        "task": "classification",
        "description": "Two interleaved spiral arms; a straight line cannot separate them, a small tanh network can.",
        "params": {"n": 400, "noise": 0.1},
    },
    "moons": {
        "kind": "toy2d",
        "task": "classification",
        "description": "Two interlocking half circles.",
        "params": {"n": 400, "noise": 0.15},
    },
    "circles": {
        "kind": "toy2d",
        "task": "classification",
        "description": "A disc of one class inside a ring of the other.",
        "params": {"n": 400, "noise": 0.1},
    },
    "xor": {
        "kind": "toy2d",
        "task": "classification",
        "description": "Four quadrants; the class is whether x1 and x2 share a sign (the classic XOR).",
        "params": {"n": 400, "noise": 0.1},
    },
    "blobs": {
        "kind": "toy2d",
        "task": "classification",
        "description": "Gaussian clusters, one per class (2 or 3 classes).",
        "params": {"n": 400, "noise": 0.3, "classes": 3},
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

_PARAM_RULES: dict[str, tuple[type, float, float, str]] = {
    "n": (int, 20, LIMITS.max_rows, "a whole number of points"),
    "noise": (float, 0.0, 1.0, "a number"),
    "bias": (float, 0.0, 1.0, "a number"),
    "classes": (int, 2, 3, "a whole number"),
}
_TOY_LIMIT = 100_000


def _check_params(name: str, params: dict) -> dict:
    defaults = BUILTIN[name]["params"]
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        allowed = f"its parameters are {_names_list(defaults)}" if defaults else "it takes no parameters besides seed"
        raise DataError(f"Built-in dataset {name!r} has no parameter {_names_list(unknown)}; {allowed}.")
    merged = {**defaults, **params}
    for key, value in merged.items():
        kind, low, high, what = _PARAM_RULES[key]
        if key == "n" and BUILTIN[name]["kind"] == "toy2d":
            high = _TOY_LIMIT
        is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
        if kind is int:
            ok = is_number and float(value).is_integer() and low <= value <= high
            value = int(value) if ok else value
        else:
            ok = is_number and math.isfinite(value) and low <= value <= high
            value = float(value) if ok else value
        if not ok:
            raise DataError(f"Parameter {key!r} of {name!r} must be {what} from {low:g} to {high:g}, not {value!r}; pick a value in that range.")
        merged[key] = value
    return merged


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DataError(f"seed must be a whole number >= 0, not {seed!r}; use e.g. 0.")
    return int(seed)


def _unknown_builtin(name: Any) -> DataError:
    return DataError(f"There is no built-in dataset called {name!r}; choose one of {_names_list(BUILTIN)}.")


def list_builtin() -> list[dict]:
    """Name, task, kind, description and default parameters of every built-in dataset."""
    return [
        {
            "name": name,
            "task": info["task"],
            "kind": info["kind"],
            "description": info["description"],
            "params": dict(info["params"]),
            "sensitive": list(info.get("sensitive", [])),
        }
        for name, info in BUILTIN.items()
    ]


def load_builtin(name: str, *, seed: int = 0, preprocess: Preprocess | None = None, **params: Any) -> Dataset:
    """Make a built-in dataset. Toy sets take n, noise (0..1) and seed; blobs also classes; biased_loans n and bias."""
    if name not in BUILTIN:
        raise _unknown_builtin(name)
    merged = _check_params(name, params)
    merged["seed"] = _check_seed(seed)
    ref = DatasetRef(kind="builtin", name=name, params=merged, preprocess=preprocess or Preprocess())
    return _build_builtin(ref)


def _build_builtin(ref: DatasetRef) -> Dataset:
    name = ref.name
    if name not in BUILTIN:
        raise _unknown_builtin(name)
    params = dict(ref.params)
    seed = _check_seed(params.pop("seed", 0))
    params = _check_params(name, params)
    info = BUILTIN[name]
    rng = np.random.default_rng(seed)
    notes: list[str] = [info["description"]]
    common = {"ref": ref, "name": name, "notes": notes}

    if name == "two_groups":
        frame = _two_groups(rng, params["n"], params["noise"], params["bias"])
        notes.append(f"Bias {params['bias']:g}: group B needed x1 + x2 above {1.2 * params['bias']:.2f} "
                     "to be labelled 1, group A above 0.")
        return _assemble(frame=frame, target="label", task="classification", features=["x1", "x2"],
                         sensitive=["group"], **common)

    if info["kind"] == "toy2d":
        if name == "regression2d":
            x, y = _surface(rng, params["n"], params["noise"])
            frame, target = _toy_frame(x, y, "y"), "y"
        else:
            make: Callable[..., tuple[np.ndarray, np.ndarray]] = {
                "spiral": _spiral,
                "moons": _moons,
                "circles": _circles,
                "xor": _xor,
                "blobs": _blobs,
            }[name]
            x, labels = make(rng, **params)
            frame, target = _toy_frame(x, labels.astype(np.int64), "label"), "label"
        return _assemble(frame=frame, target=target, task=info["task"], features=["x1", "x2"], sensitive=[], **common)

    if name == "biased_loans":
        frame = _biased_loans(rng, params["n"], params["bias"])
        notes.append(f"Bias {params['bias']:g}: past decisions lowered women's approval chances accordingly.")
        features = [c for c in frame.columns if c != "approved"]
        return _assemble(
            frame=frame,
            target="approved",
            task="classification",
            features=features,
            sensitive=["sex"],
            class_order=["no", "yes"],
            **common,
        )

    if name == "german_credit":
        frame, _ = read_csv_bytes(_german_credit_bytes(), filename="german_credit.csv")
        frame["risk"] = frame["risk"].map({0: "bad", 1: "good", 0.0: "bad", 1.0: "good"}).astype("str")
        return _prepare_table(
            frame,
            notes,
            ref=ref,
            name=name,
            target="risk",
            task="classification",
            sensitive=["sex", "age"],
            drop=[],
            class_order=["bad", "good"],
        )

    frame, target, class_names = _sklearn_table(name)
    frame = frame.copy()
    features = [c for c in frame.columns if c != target]
    if name == "digits":
        return _assemble(
            frame=frame,
            target=target,
            task="classification",
            features=features,
            sensitive=[],
            class_order=class_names,
            image_shape=(1, 8, 8),
            pixel_scale=16.0,
            **common,
        )
    return _assemble(
        frame=frame,
        target=target,
        task=info["task"],
        features=features,
        sensitive=[],
        class_order=class_names,
        **common,
    )


def load_dataset(ref: DatasetRef | dict, home: Path | None = None) -> Dataset:
    """Rebuild exactly the Dataset a reference describes (bitwise-equal arrays), in any process.

    CSV references need `home`, the folder whose datasets/ subfolder keeps uploaded files.
    """
    if isinstance(ref, dict):
        ref = DatasetRef.from_dict(ref)
    if not isinstance(ref, DatasetRef):
        raise DataError(f"load_dataset needs a DatasetRef, not {type(ref).__name__}; pass dataset.ref.")
    if ref.kind == "builtin":
        return _build_builtin(ref)
    if home is None:
        raise DataError(
            f"Rebuilding the uploaded file {ref.name!r} needs the workspace folder where it was kept; pass home=..."
        )
    path = _stored_path(Path(home), ref.sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(
            f"The uploaded file {ref.name!r} is no longer in the workspace ({path.name} is missing); upload it again."
        ) from None
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise DataError(f"The stored copy of {ref.name!r} has changed since it was uploaded; upload the file again.")
    return _dataset_from_csv_bytes(data, ref)
