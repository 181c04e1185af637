"""Explanations as a job's result file (npz, read with allow_pickle=False; JSON for the drift): what a worker
computed, read back by the page into the same Attribution it would have computed itself."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .attribution import Attribution
from .cache import CACHE_VERSION
from .errors import ExplainError

ARRAYS = ("values", "base", "fx", "rows")


def save_npz(att: Attribution, path: Path) -> None:
    """Write `att` whole (a temporary file renamed), its settings as a JSON string array."""
    meta = {"method": att.method, "algorithm": att.algorithm, "features": list(att.features),
            "outputs": list(att.outputs), "seconds": att.seconds, "settings": att.settings, "grouped": att.grouped,
            "space": att.space, "version": CACHE_VERSION}
    arrays = {k: np.asarray(getattr(att, k)) for k in ARRAYS}
    if att.stderr is not None:
        arrays["stderr"] = np.asarray(att.stderr)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta, default=str)), **arrays)
    os.replace(tmp, path)


def load_npz(path: Path) -> Attribution:
    """The Attribution a job wrote (never unpickled)."""
    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(str(f["meta"]))
        arrays = {k: f[k] for k in f.files if k != "meta"}
    if meta.get("version") != CACHE_VERSION:
        raise ExplainError(f"{path.name} was written by another version of Glassnet; compute it again.")
    return Attribution(meta["method"], meta["algorithm"], meta["features"], meta["outputs"], arrays["values"],
                       arrays["base"], arrays["fx"], arrays["rows"], meta["seconds"], meta["settings"],
                       arrays.get("stderr"), meta.get("grouped", {}), meta["space"])


def save_json(value, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    os.replace(tmp, path)


def load_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))
