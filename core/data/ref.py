"""How a dataset is named: the preprocessing options and the reference that rebuilds a Dataset.

A DatasetRef (built-in name + parameters + seed, or an uploaded file's content hash) is plain JSON
through ``to_dict``/``from_dict``; the run store and the workspace keep it in that form.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from .errors import DataError, names_list

SCALINGS = ("standard", "minmax", "none")


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
                f"Unknown preprocess setting {names_list(unknown)}; use only {names_list(sorted(allowed))}."
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
            raise DataError(f"The dataset reference lacks {names_list(missing)}; pass the dict made by to_dict().")
        unknown = sorted(set(d) - {"kind", "name", "params", "sha256", "preprocess"})
        if unknown:
            raise DataError(f"The dataset reference has unknown keys {names_list(unknown)}; remove them.")
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
