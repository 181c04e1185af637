"""A network's weights in and out of safetensors files: plain tensors and text metadata, never a pickle.

A checkpoint holds the network's state (weights, batch-norm statistics, the target's mean and spread)
and may hold the optimiser's state too, under keys that start with 'optim.'.
Torch and safetensors are imported when a function needs them, so importing this module is free.
"""
from __future__ import annotations

from pathlib import Path


def state_tensors(net) -> dict:
    """Contiguous CPU copies of every tensor in the state dict (what safetensors stores)."""
    return {k: v.detach().to("cpu").contiguous().clone() for k, v in net.state_dict().items()}


def save_weights(net, path: Path, metadata: dict | None = None) -> None:
    """The network's state as a safetensors file; `metadata` values are stored as text."""
    from safetensors.torch import save_file
    save_file(state_tensors(net), str(path), metadata={k: str(v) for k, v in (metadata or {}).items()})


def load_weights(net, path: Path):
    """`net` with the state of a safetensors file written by save_weights."""
    from safetensors.torch import load_file
    net.load_state_dict(load_file(str(path)))
    return net


def load_checkpoint(path) -> tuple[dict, dict]:
    """(tensors, metadata) of a safetensors checkpoint — no pickle involved."""
    from safetensors import safe_open
    tensors = {}
    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata() or {}
        for key in f.keys():
            tensors[key] = f.get_tensor(key)
    return tensors, meta


def model_state(tensors: dict) -> dict:
    """The model's own tensors of a checkpoint (without the optimiser state)."""
    return {k: v for k, v in tensors.items() if not k.startswith("optim.")}
