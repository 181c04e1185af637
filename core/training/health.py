"""What a logged epoch records about the network's health besides its norms, for the diagnoses of
core.analysis.diagnose: whether a layer's units are all alike, how many ReLU units are switched off, and
how the classifier treats its rarest class.

    unit_spread/<label>   a hidden layer's units' incoming weights (and bias) as one row each: how far the
                          rows stray from their mean, relative to the layer's largest weight. 0 means every
                          unit of the layer computes the same thing (zeros or constant initialisation).
    dead_share/<label>    the share of a ReLU layer's units that give 0 for every one of PROBE_ROWS training
                          rows (labelled by the activation's place in the body, e.g. '1:ReLU').
    val_min_recall        the lowest per-class recall on the validation rows (classification)
    val_majority_share    the share of the validation rows in their most common class (classification)

One forward pass over PROBE_ROWS rows and a few reductions per layer, once per logged epoch, read from the
device in one go: a few percent of a logged epoch's validation pass.
"""
from __future__ import annotations

import torch
from torch import nn

PROBE_ROWS = 256   # training rows a logged epoch pushes through to see which ReLU units fire


@torch.no_grad()
def health_metrics(trainer) -> dict[str, float]:
    """The metrics above for the trainer's network as it is now."""
    found: dict[str, torch.Tensor] = {}
    found.update(_unit_spreads(trainer.net.body))
    found.update(_dead_shares(trainer.net.body, trainer.X["train"][:PROBE_ROWS]))
    if trainer.task == "classification" and trainer.val_output is not None and len(trainer.val_output):
        found.update(_recalls(trainer.val_output, trainer.Y["val"], trainer.n_classes))
    if not found:
        return {}
    return dict(zip(found, torch.stack([v.float() for v in found.values()]).tolist()))


def _unit_spreads(body: nn.Sequential) -> dict[str, torch.Tensor]:
    """unit_spread/<label> of every layer with weights but the last (the output's units are classes, not
    interchangeable), when it has at least two units."""
    layers = [(f"{name}:{type(m).__name__}", m) for name, m in body.named_children()
              if getattr(m, "weight", None) is not None and m.weight.dim() >= 2]
    spreads = {}
    for label, module in layers[:-1]:
        rows = module.weight.detach().flatten(1)
        if module.bias is not None:
            rows = torch.cat([rows, module.bias.detach()[:, None]], dim=1)
        if len(rows) < 2:
            continue
        spreads[f"unit_spread/{label}"] = (rows - rows.mean(0)).abs().amax() / rows.abs().amax().clamp_min(1e-12)
    return spreads


def _dead_shares(body: nn.Sequential, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """dead_share/<label> of every ReLU in the body, on the rows `x` (the body in eval mode: no dropout)."""
    if not any(isinstance(m, nn.ReLU) for m in body) or not len(x):
        return {}
    was = body.training
    body.eval()
    shares = {}
    for name, module in body.named_children():
        x = module(x)
        if isinstance(module, nn.ReLU):
            fired = (x > 0).flatten(2).any(-1) if x.dim() > 2 else x > 0     # a channel counts as one unit
            shares[f"dead_share/{name}:ReLU"] = 1 - fired.any(0).float().mean()
    body.train(was)
    return shares


def _recalls(out: torch.Tensor, y: torch.Tensor, n_classes: int) -> dict[str, torch.Tensor]:
    """val_min_recall over the classes present in y, and val_majority_share."""
    pred = (out[:, 0] > 0).long() if out.shape[1] == 1 else out.argmax(1)
    counts = torch.bincount(y, minlength=n_classes).float()
    hits = torch.bincount(y[pred == y], minlength=n_classes).float()
    present = counts > 0
    return {"val_min_recall": (hits[present] / counts[present]).amin(),
            "val_majority_share": counts.amax() / counts.sum()}
