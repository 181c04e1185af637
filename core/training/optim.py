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


def onehot_mse(weights: torch.Tensor | None, reduction: str = "mean"):
    """mse for a classifier: per row, the mean over the classes of (softmax probability − one-hot target)²;
    with class weights each row counts as much as its class's weight (the mean is weighted as
    cross-entropy's is). The network's outputs stay logits, one per class."""
    def loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        target = nn.functional.one_hot(y, out.shape[1]).to(out.dtype)
        per_row = ((torch.softmax(out, dim=1) - target) ** 2).mean(dim=1)
        if weights is None:
            return per_row if reduction == "none" else per_row.mean()
        w = weights[y]
        return per_row * w if reduction == "none" else (per_row * w).sum() / w.sum()
    return loss


def make_loss_fn(loss: str, weights: torch.Tensor | None, reduction: str = "mean"):
    """loss(out, y) on the network's raw output (per row with reduction='none'). mse on class ids (an
    integer y) is onehot_mse; on numbers it compares the one output with the target."""
    if loss == "cross_entropy":
        return nn.CrossEntropyLoss(weight=weights, reduction=reduction)
    if loss == "bce":
        pos_weight = None if weights is None else (weights[1] / weights[0]).reshape(1)
        inner = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction=reduction)
        return lambda out, y: inner(out[:, 0], y.to(out.dtype))
    inner = {"mse": nn.MSELoss, "mae": nn.L1Loss, "huber": nn.HuberLoss}[loss](reduction=reduction)
    if loss == "mse":
        onehot = onehot_mse(weights, reduction)
        return lambda out, y: onehot(out, y) if not y.is_floating_point() else inner(out[:, 0], y)
    return lambda out, y: inner(out[:, 0], y)
