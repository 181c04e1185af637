"""Where a run trains (CUDA, Apple MPS or the CPU) and the seed that makes it repeatable."""
from __future__ import annotations

import torch

from .errors import TrainingError


def available_devices() -> list[str]:
    """Accelerators torch can see here, CPU last."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return found + ["cpu"]


def resolve_device(name: str) -> torch.device:
    """'auto' → CUDA, then Apple MPS, then CPU; an explicit unavailable device is an error."""
    found = available_devices()
    if name == "auto":
        return torch.device(found[0])
    if name not in found:
        raise TrainingError(f"device {name!r} is not available on this machine (found: {', '.join(found)}); use auto or cpu")
    return torch.device(name)


def seed_everything(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
