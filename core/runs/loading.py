"""Loading a stored run back: its dataset, its network at a checkpoint, its predictions and exports."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..model import load_checkpoint, model_state
from .store import Run, Store, StoreError


@dataclass
class LoadedRun:
    run: Run
    dataset: object          # core.data.Dataset
    net: object              # core.model.Network, in eval mode
    epoch: int


def load_run(store: Store, run_id: str, checkpoint: str | int = "last") -> LoadedRun:
    """A run's dataset and network with the weights of a checkpoint: 'last', 'best' or an epoch number."""
    from ..data import DatasetRef, load_dataset
    from ..model import network_for
    from ..spec import NetworkSpec, TrainSpec

    run = store.get_run(run_id)
    dataset = load_dataset(DatasetRef.from_dict(run.dataset), store.home)
    net = network_for(NetworkSpec.from_dict(run.network), dataset, TrainSpec.from_dict(run.train).loss)
    if checkpoint == "last":
        tensors, meta = _newest(store, run_id)
    else:
        path = store.checkpoint_path(run_id, "best") if checkpoint == "best" else \
            store.checkpoint_path(run_id, "epoch", int(checkpoint))
        tensors, meta = _read(path, run_id, checkpoint)
    net.load_state_dict(model_state(tensors))
    net.eval()
    return LoadedRun(run, dataset, net, int(meta.get("epoch", 0)))


def _newest(store: Store, run_id: str) -> tuple[dict, dict]:
    """The newest whole checkpoint's tensors and metadata; a missing or torn newer one is passed over (and
    noted in the run's events)."""
    from .checkpoints import load_newest
    found = load_newest(store, run_id, by="load")
    if found is None:
        store.checkpoint_path(run_id, "epoch")      # names what is missing: no checkpoint kept yet
        raise StoreError(f"run {run_id} has no checkpoint whose file is whole; resume it to train again from the start")
    tensors, meta, _ = found
    return tensors, meta


def _read(path: Path, run_id: str, checkpoint) -> tuple[dict, dict]:
    """A named checkpoint's tensors and metadata; a missing or torn file is a StoreError that says so."""
    try:
        return load_checkpoint(path)
    except FileNotFoundError:
        problem = "its file is missing"
    except Exception as e:                       # safetensors raises on a truncated file
        problem = f"its file is torn ({str(e).splitlines()[0][:160]})"
    what = "the best checkpoint" if checkpoint == "best" else f"the checkpoint of epoch {checkpoint}"
    raise StoreError(f"{what} of run {run_id} cannot be read: {problem}; use the last "
                     "checkpoint (the newest whole one) or another epoch")


def predict_array(net, X: np.ndarray) -> np.ndarray:
    """Probabilities [n, classes] or values [n] for preprocessed features."""
    import torch
    with torch.no_grad():
        return net.predict(torch.as_tensor(np.asarray(X, dtype=np.float32))).numpy()


def predictions_frame(loaded: LoadedRun, X: np.ndarray, original):
    """The rows' original columns plus `prediction` and, for classification, `proba_<class>` columns."""
    ds = loaded.dataset
    out = original.reset_index(drop=True).copy()
    p = predict_array(loaded.net, X)
    if ds.task == "classification":
        names = list(ds.class_names)
        out["prediction"] = [names[i] for i in p.argmax(axis=1)]
        for i, name in enumerate(names):
            out[f"proba_{name}"] = p[:, i]
    else:
        out["prediction"] = p
    return out


def export(store: Store, run_id: str, fmt: str, out: Path, checkpoint: str | int = "last") -> Path:
    """Write a run's model as 'pytorch' (standalone script), 'onnx', 'safetensors' (weights) or 'spec' (JSON).
    The script and the ONNX model include the preprocessing: they take the original columns."""
    from ..model import export_onnx, pytorch_source, save_weights
    out = Path(out)
    if fmt == "spec":
        run = store.get_run(run_id)
        out.write_text(json.dumps({"network": run.network, "train": run.train, "dataset": run.dataset}, indent=2))
        return out
    loaded = load_run(store, run_id, checkpoint)
    ds = loaded.dataset
    if fmt == "safetensors":
        save_weights(loaded.net, out, {"run": run_id, "epoch": loaded.epoch, "features": json.dumps(ds.feature_names)})
    elif fmt == "onnx":
        export_onnx(loaded.net, out, ds, {"run": run_id, "run_name": loaded.run.name, "epoch": loaded.epoch})
    elif fmt == "pytorch":
        out.write_text(pytorch_source(loaded.net, ds.feature_names, ds.class_names, f"Glassnet run {loaded.run.name}",
                                      ds.preprocessing(), ds.target), encoding="utf-8")
    else:
        raise StoreError(f"unknown export format {fmt!r}; use pytorch, onnx, safetensors or spec")
    return out
