"""One optimiser step on a batch, seen weight by weight: each layer's weights before, their gradient, lr × gradient
and the update the optimiser actually made (the weights after minus before). A pure function on a dense body
and a batch; the body itself is left as it was (the step is taken on a copy).

The step is the run's: its loss (with the L1 term), gradient clipping and optimiser (with L2 as weight decay) —
the optimiser starting afresh, so momentum and Adam's running averages are those of a first step.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from ..model.trace import dense_layers
from ..spec import TrainSpec
from .optim import make_loss_fn, make_optimizer


def step_trace(body, spec: TrainSpec, loss_name: str, X, y) -> dict:
    """{"loss": the batch loss before the step, "layers": [{"weight", "grad", "lr_grad", "update",
    "bias", "bias_grad", "bias_update"} as numpy arrays]} for one step of `spec` on the rows X with targets y
    (class ids, or the standardised number the body learns)."""
    net = copy.deepcopy(body).train()
    for module in net:
        if isinstance(module, nn.Dropout):        # the step shows the weights' own gradients, not a random mask's
            module.p = 0.0
    layers = dense_layers(net)
    if layers is None:
        raise ValueError("only a network of dense layers can be followed weight by weight")
    X = torch.as_tensor(X, dtype=torch.float32)
    y = torch.as_tensor(y)
    before = [(lin.weight.detach().clone(), lin.bias.detach().clone()) for lin, _ in layers]
    loss = make_loss_fn(loss_name, None)(net(X), y)
    if spec.l1:
        loss = loss + spec.l1 * sum(lin.weight.abs().sum() for lin, _ in layers)
    optimizer = make_optimizer(spec, net.parameters(), torch.device("cpu"))
    optimizer.zero_grad()
    loss.backward()
    if spec.grad_clip:
        nn.utils.clip_grad_norm_(net.parameters(), spec.grad_clip)
    grads = [(lin.weight.grad.clone(), lin.bias.grad.clone()) for lin, _ in layers]
    optimizer.step()
    out = []
    for (lin, _), (w0, b0), (gw, gb) in zip(layers, before, grads):
        out.append({"weight": w0.numpy(), "grad": gw.numpy(), "lr_grad": (spec.lr * gw).numpy(),
                    "update": (lin.weight.detach() - w0).numpy(), "bias": b0.numpy(), "bias_grad": gb.numpy(),
                    "bias_update": (lin.bias.detach() - b0).numpy()})
    return {"loss": float(loss.detach()), "layers": out}
