"""A run's optimiser and loss function, built from its TrainSpec.

The rule for which concrete loss 'auto' means, and whether a loss fits the task, is core.model's
concrete_loss: the network's output layer and the trainer's loss follow the same one.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..spec import OPTIMIZERS, SpecError, TrainSpec


def make_optimizer(spec: TrainSpec, params, device: torch.device) -> torch.optim.Optimizer:
    params = list(params)
    fused = device.type in ("cpu", "cuda")
    lr, wd = spec.lr, spec.l2
    if spec.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd, fused=fused)
    if spec.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd, fused=fused)
    if spec.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if spec.optimizer == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=spec.momentum, nesterov=spec.nesterov, weight_decay=wd)
    if spec.optimizer == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=wd)
    if spec.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)
    raise SpecError.about("optimizer", f": unknown optimiser {spec.optimizer!r}; use one of {', '.join(OPTIMIZERS)}")


def class_weight_tensor(y: np.ndarray, n_classes: int) -> torch.Tensor:
    """'balanced' weights: n_samples / (n_classes * count), as in scikit-learn."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    counts[counts == 0] = 1
    return torch.tensor(len(y) / (n_classes * counts), dtype=torch.float32)


def make_loss_fn(loss: str, weights: torch.Tensor | None, reduction: str = "mean"):
    """loss(out, y) on the network's raw output (per row with reduction='none')."""
    if loss == "cross_entropy":
        return nn.CrossEntropyLoss(weight=weights, reduction=reduction)
    if loss == "bce":
        pos_weight = None if weights is None else (weights[1] / weights[0]).reshape(1)
        inner = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction=reduction)
        return lambda out, y: inner(out[:, 0], y.to(out.dtype))
    inner = {"mse": nn.MSELoss, "mae": nn.L1Loss, "huber": nn.HuberLoss}[loss](reduction=reduction)
    return lambda out, y: inner(out[:, 0], y)
