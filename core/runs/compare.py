"""Runs side by side: a one-line overview of each run, their learning curves and where their specs differ.

Plain data only; the Runs page lays it out.
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import pandas as pd

from .store import Run, Store

EXPORTS = {   # format → (file suffix, MIME type, what it is)
    "spec": (".json", "application/json", "the network, training and data settings as JSON"),
    "pytorch": (".py", "text/x-python", "a standalone PyTorch script that rebuilds the network, loads its weights "
                "and prepares rows with the original columns as in training (preprocess(rows))"),
    "safetensors": (".safetensors", "application/octet-stream", "the trained weights (safetensors, safe to load)"),
    "onnx": (".onnx", "application/octet-stream", "the network with its preprocessing as ONNX, for other runtimes: "
             "one input per original column (an image model: the raw pixels)"),
}


def architecture(run: Run, dataset=None) -> str:
    """e.g. '2→16→16→2'; inputs and outputs come from the dataset when it is given, else '?'."""
    from ..spec import LayerSpec
    parts = []
    for layer in run.network.get("layers", []):
        try:
            spec = LayerSpec(**layer)
        except TypeError:
            parts.append("?")
            continue
        if spec.type == "dense":
            parts.append(str(spec.units))
        elif spec.type == "conv2d":
            parts.append(f"conv{spec.channels}")
        elif spec.type == "maxpool2d":
            parts.append("pool")
        # dropout layers do not change the shape
    n_in = str(dataset.n_features) if dataset is not None else "?"
    n_out = "?"
    if dataset is not None:
        n_out = "1" if dataset.task == "regression" else str(dataset.n_classes)
    return "→".join([n_in, *parts, n_out])


def parameter_count(run: Run, dataset) -> int | None:
    """How many trainable numbers the run's network has (None without the dataset, or when its spec cannot be built)."""
    if dataset is None:
        return None
    try:
        from ..model import concrete_loss, output_units, parameter_table
        from ..spec import NetworkSpec, TrainSpec
        spec = NetworkSpec.from_dict(run.network)
        loss = concrete_loss(TrainSpec.from_dict(run.train).loss, dataset.task)
        _, total = parameter_table(spec, dataset.n_features, output_units(dataset.task, dataset.n_classes, loss),
                                   dataset.image_shape)
        return int(total)
    except (ValueError, KeyError, TypeError):
        return None


def validation_curves(store: Store, run_id: str) -> pd.DataFrame:
    """epoch, val_loss and val_accuracy or val_r2 (whichever the run has), one row per logged epoch."""
    df = store.metrics(run_id, ["val_loss", "val_accuracy", "val_r2"])
    if df.empty:
        return pd.DataFrame(columns=["epoch"])
    wide = df.pivot_table(index="epoch", columns="name", values="value", aggfunc="last").reset_index()
    wide.columns.name = None
    return wide


def best_validation(curves: pd.DataFrame) -> tuple[str | None, float | None]:
    """('val_accuracy' or 'val_r2', its best value over the epochs), or (None, None) before any epoch is logged."""
    for name in ("val_accuracy", "val_r2"):
        if name in curves and curves[name].notna().any():
            return name, float(curves[name].max())
    return None, None


def overview(store: Store, runs: list[Run], dataset_of) -> pd.DataFrame:
    """One row per run for the runs table. dataset_of(run) returns its Dataset or None (e.g. a deleted CSV)."""
    rows = []
    for run in runs:
        ds = dataset_of(run)
        metric, best = best_validation(validation_curves(store, run.id))
        seconds = run.summary.get("seconds")
        rows.append({
            "id": run.id,
            "name": run.name,
            "status": run.status,
            "dataset": run.dataset.get("name") or run.dataset.get("kind", ""),
            "architecture": architecture(run, ds),
            "parameters": parameter_count(run, ds),
            "optimizer": run.train.get("optimizer", ""),
            "lr": run.train.get("lr"),
            "epochs": run.epoch,
            "best_val": best,
            "best_val_metric": {"val_accuracy": "accuracy", "val_r2": "R²"}.get(metric, ""),
            "duration_s": float(seconds) if seconds is not None else None,
            "device": run.device or "",
            "created": pd.Timestamp(time.strftime("%Y-%m-%d %H:%M", time.localtime(run.created))),
        })
    return pd.DataFrame(rows, columns=["id", "name", "status", "dataset", "architecture", "parameters", "optimizer",
                                       "lr", "epochs", "best_val", "best_val_metric", "duration_s", "device",
                                       "created"])


def _flat_spec(run: Run) -> dict[str, str]:
    """A run's settings as 'section.field' → short text."""
    out: dict[str, str] = {}
    ds = run.dataset
    out["data.dataset"] = str(ds.get("name") or ds.get("kind", ""))
    for k, v in sorted((ds.get("params") or {}).items()):
        out[f"data.{k}"] = str(v)
    for k, v in sorted((ds.get("preprocess") or {}).items()):
        out[f"data.{k}"] = str(v)
    layers = run.network.get("layers", [])
    out["network.depth"] = str(len(layers))
    try:
        from ..spec import LayerSpec
        out["network.layers"] = " → ".join(LayerSpec(**l).describe() for l in layers) or "(none: a linear model)"
    except TypeError:
        out["network.layers"] = json.dumps(layers)
    out["network.output_init"] = str(run.network.get("output_init", "default"))
    for k, v in run.train.items():
        out[f"train.{k}"] = str(v)
    return out


def spec_table(runs: list[Run], labels: list[str]) -> pd.DataFrame:
    """Settings as rows, runs as columns (headed by labels), plus a 'differs' column; differing rows first."""
    flats = [_flat_spec(r) for r in runs]
    keys: list[str] = []
    for f in flats:
        keys += [k for k in f if k not in keys]
    table = pd.DataFrame({label: [f.get(k, "—") for k in keys] for label, f in zip(labels, flats)}, index=keys)
    table["differs"] = table.nunique(axis=1) > 1 if len(runs) else False
    table.index.name = "setting"
    return table.sort_values("differs", ascending=False, kind="stable")


def metrics_csv(store: Store, run_id: str) -> bytes:
    """Every metric of a run as CSV text: step, epoch, name, value."""
    return store.metrics(run_id).to_csv(index=False).encode()


def export_bytes(store: Store, run_id: str, fmt: str, checkpoint: str = "last") -> bytes:
    """A run exported (loading.export) as bytes, through a temporary file."""
    from .loading import export
    suffix = EXPORTS.get(fmt, (".bin",))[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = export(store, run_id, fmt, Path(tmp) / f"model{suffix}", checkpoint)
        return Path(path).read_bytes()


def file_stem(run: Run) -> str:
    """A safe file name stem for a run's downloads, from its name."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in run.name).strip("_")[:40]
    return f"{safe or 'run'}-{run.id[:6]}"
