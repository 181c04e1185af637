"""The encoder: from a table's original columns to model inputs, fitted on the training rows only.

Each original column is "numeric" (a gap is filled with the training median) or "categorical" (a gap
is filled with the most common text, then one-hot encoded over the categories seen in training).
Every model input is then shifted by an offset and divided by a scale (standard, min-max, none, or a
fixed pixel scale for images).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import numeric_values, text_values


def _width(columns: list[dict]) -> int:
    return sum(1 if c["kind"] == "numeric" else len(c["categories"]) for c in columns)


def _fit_column(values: pd.Series, name: str, kind: str) -> dict:
    """One column's kind, gap filler and categories, from its training rows."""
    if kind == "numeric":
        numbers = numeric_values(values, name)
        finite = numbers[~np.isnan(numbers)]
        fill = float(np.median(finite)) if finite.size else 0.0
        return {"name": name, "kind": "numeric", "fill": fill, "categories": None}
    texts = text_values(values)
    present = pd.Series(texts[pd.notna(texts)], dtype=object)
    if present.empty:
        return {"name": name, "kind": "categorical", "fill": "missing", "categories": ["missing"]}
    counts = present.value_counts()
    top = counts.max()
    fill = min(str(v) for v, c in counts.items() if c == top)
    categories = sorted(str(v) for v in counts.index)
    return {"name": name, "kind": "categorical", "fill": fill, "categories": categories}


def _scaling(z: np.ndarray, scaling: str) -> tuple[np.ndarray, np.ndarray]:
    """Offset and scale of the unscaled training inputs `z`; a constant input keeps scale 1."""
    if scaling == "standard":
        offset, scale = z.mean(axis=0), z.std(axis=0)
    else:  # minmax
        offset = z.min(axis=0)
        scale = z.max(axis=0) - offset
    scale = np.where(np.isfinite(scale) & (scale > 1e-12), scale, 1.0)
    return offset, scale


class Encoder:
    """Imputation + one-hot encoding + scaling, fitted on training rows only."""

    def __init__(self, columns: list[dict], offset: np.ndarray, scale: np.ndarray):
        self.columns = columns  # each: name, kind ("numeric"|"categorical"), fill, categories
        self.offset = offset
        self.scale = scale

    @property
    def width(self) -> int:
        return _width(self.columns)

    @classmethod
    def fit(cls, train: pd.DataFrame, kinds: dict[str, str], scaling: str, pixel_scale: float | None) -> "Encoder":
        columns = [_fit_column(train[name], name, kind) for name, kind in kinds.items()]
        width = _width(columns)
        enc = cls(columns, np.zeros(width), np.ones(width))
        if pixel_scale is not None:
            enc.scale = np.full(width, float(pixel_scale))
        elif scaling != "none":
            enc.offset, enc.scale = _scaling(enc._unscaled(train), scaling)
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
                values = numeric_values(frame[c["name"]], c["name"])
                out[:, j] = np.where(np.isnan(values), c["fill"], values)
                j += 1
            else:
                texts = text_values(frame[c["name"]])
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
                values = numeric_values(frame[c["name"]], c["name"])
                out[:, i] = np.where(np.isnan(values), c["fill"], values)
            else:
                texts = text_values(frame[c["name"]])
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

    def description(self) -> dict:
        """The fitted preprocessing as plain data, for exports: per original column its kind ("numeric" or
        "categorical"), the value that fills a gap (the training median, or the most common text) and the
        categories of a text column; per model input the offset subtracted and the scale divided by."""
        return {
            "columns": [{"name": str(c["name"]), "kind": c["kind"],
                         "fill": float(c["fill"]) if c["kind"] == "numeric" else str(c["fill"]),
                         "categories": [str(v) for v in c["categories"]] if c["categories"] is not None else None}
                        for c in self.columns],
            "offset": [float(v) for v in self.offset],
            "scale": [float(v) for v in self.scale],
        }
