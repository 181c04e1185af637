"""The Dataset: model-ready arrays of the three splits, plus what explains them in the user's terms.

A Dataset keeps the cleaned original table (`raw`), which rows of it each split holds (`idx_*`,
or ``indices(name)``), the encoded inputs and targets of each split, and the fitted encoder that
turns new rows with the original columns into model inputs exactly as the training rows were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError, names_list
from .ref import DatasetRef
from .split import split_name



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
        """(X, y) of the "train", "val" (or "validation") or "test" split."""
        name = split_name(name)
        return getattr(self, f"X_{name}"), getattr(self, f"y_{name}")

    def indices(self, name: str) -> np.ndarray:
        """The rows of `raw` that the "train", "val" (or "validation") or "test" split holds, in split order."""
        return getattr(self, f"idx_{split_name(name)}")

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """Turn new raw rows (with the original columns) into model inputs exactly as the training rows were."""
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"encode needs a table (pandas DataFrame), not {type(frame).__name__}; pass a DataFrame.")
        missing = [c for c in self.original_columns if c not in frame.columns]
        if missing:
            raise DataError(
                f"The table lacks the column{'s' if len(missing) > 1 else ''} {names_list(missing)} "
                "that the model was trained on; add it with the same name.",
                column=missing[0] if len(missing) == 1 else None,
            )
        return self._encoder.transform(frame)

    def column_kinds(self) -> dict[str, list[str] | None]:
        """Original column → its categories (text columns) or None (numbers)."""
        if self._encoder is None:
            return {c: None for c in self.original_columns}
        return {c["name"]: (list(c["categories"]) if c["kind"] == "categorical" else None) for c in self._encoder.columns}

    def preprocessing(self) -> dict:
        """The fitted preprocessing as plain data, for exports (see Encoder.description)."""
        return self._encoder.description()

    def codes(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows with the original columns as one number per column (a text column's category index),
        the form LIME perturbs; `from_codes` turns them into model inputs."""
        self.encode(frame.iloc[:0])          # names the missing columns, if any
        return self._encoder.codes(frame)

    def from_codes(self, codes: np.ndarray) -> np.ndarray:
        """Model inputs from rows of `codes`."""
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
