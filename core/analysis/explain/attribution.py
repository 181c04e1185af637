"""Attributions of some rows per original column and model output, and their cache file (safetensors)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import units
from .cache import CACHE_VERSION
from .errors import ExplainError


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
    space: str = units.LOG_ODDS             # the unit of values, base and fx (core.analysis.units)

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
