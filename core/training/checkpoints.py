"""What a training checkpoint holds: the network's weights and, under 'optim.<param>.<key>' names, the
optimiser's state, as one flat dict of CPU tensors (safetensors holds nothing else) — enough to resume."""
from __future__ import annotations

import torch


def checkpoint_tensors(net: torch.nn.Module, optimizer: torch.optim.Optimizer) -> dict[str, torch.Tensor]:
    """Model weights and optimiser state as a flat dict of CPU tensors."""
    out = {k: v.detach().cpu().contiguous().clone() for k, v in net.state_dict().items()}
    for idx, state in optimizer.state_dict()["state"].items():
        for key, value in state.items():
            t = value if torch.is_tensor(value) else torch.tensor(value)
            out[f"optim.{idx}.{key}"] = t.detach().cpu().contiguous().clone()
    return out


def load_optimizer_state(optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor],
                         device: torch.device) -> None:
    """Give `optimizer` the state a checkpoint's 'optim.' tensors hold (the weights' tensors are ignored)."""
    sd = optimizer.state_dict()
    state: dict = {}
    for k, v in tensors.items():
        if k.startswith("optim."):
            _, idx, key = k.split(".", 2)
            state.setdefault(int(idx), {})[key] = v.to(device) if key != "step" or v.dim() else v
    sd["state"] = state
    optimizer.load_state_dict(sd)
