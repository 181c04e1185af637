"""The network's layers as a run logs them: each layer with a weight matrix or kernel, labelled by its place
and type ('0:Linear'), the norm of its weights and of its gradient — read from the device in one go."""
from __future__ import annotations

import torch


def weight_layers(net) -> dict[str, torch.Tensor]:
    """{label: weight} of the body's layers with a weight matrix or kernel, e.g. '0:Linear'."""
    return {f"{name}:{type(module).__name__}": module.weight for name, module in net.body.named_children()
            if getattr(module, "weight", None) is not None and module.weight.dim() >= 2}


@torch.no_grad()
def weight_norms(layers: dict[str, torch.Tensor]) -> dict[str, float]:
    """{label: the norm of that layer's weights}."""
    values = torch.stack([w.norm() for w in layers.values()]).tolist() if layers else []
    return dict(zip(layers, values))


def layer_norms(layers: dict[str, torch.Tensor]) -> dict[str, float]:
    """The metrics 'weight_norm/<label>' and, where a gradient exists, 'grad_norm/<label>'."""
    norms = {f"weight_norm/{label}": w.detach().norm() for label, w in layers.items()}
    norms.update({f"grad_norm/{label}": w.grad.norm() for label, w in layers.items() if w.grad is not None})
    return dict(zip(norms, torch.stack(list(norms.values())).tolist())) if norms else {}
