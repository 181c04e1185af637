"""The one unit every explanation of a network is given in.

Classification: the log-odds of each class, log(p / (1 - p)), one output per class. It is what a
practitioner reads off a logistic regression, it turns into a probability by the logistic function,
and it does not depend on how the network's head is parametrised: a 2-logit softmax head gives
logit_c - logit_other and a 1-logit sigmoid head gives its logit (minus it for class 0), the same
numbers for the same probabilities. Shifting all logits of a softmax by a constant changes no
log-odds. With more classes, the log-odds of class c is logit_c - logsumexp of the other logits.

Regression: the predicted value in the target's own units.

SHAP values in this unit add up to f(x) - E f(background) in the same unit; LIME fits the same
numbers. No streamlit, no shap import at module level.
"""
from __future__ import annotations

import torch
from torch import nn

LOG_ODDS = "log-odds"
VALUE = "value"
OUTPUT = "output"                 # a model brought from elsewhere: its own output, as it comes out

UNIT_TEXT = {
    LOG_ODDS: "log-odds",
    VALUE: "predicted value (the target's units)",
    OUTPUT: "the model's own output",
}


def log_odds(logits: torch.Tensor) -> torch.Tensor:
    """[m, k] logits → [m, classes] log-odds of each class (k == 1: a sigmoid head, two classes)."""
    if logits.shape[1] == 1:
        return torch.cat([-logits, logits], 1)
    k = logits.shape[1]
    if k == 2:
        d = logits[:, 1:] - logits[:, :1]
        return torch.cat([-d, d], 1)
    # in float64, each class's sum over the other classes taken as a sum (never as total minus own,
    # which cancels to nothing for a class near certainty)
    shifted = logits.double() - logits.detach().amax(1, keepdim=True).double()
    others = shifted.exp() @ (1.0 - torch.eye(k, dtype=torch.float64))
    return shifted - others.log()


def output_names(space: str, class_names: list[str] | None) -> list[str]:
    if space == LOG_ODDS:
        return [f"log-odds of {c!r}" for c in class_names]
    return ["prediction"]


def unit_of(space: str, output: str | None = None) -> str:
    """What the numbers of one output are, for axes and the command line (e.g. "log-odds of 'good'")."""
    if space == LOG_ODDS and output:
        return output
    return UNIT_TEXT.get(space, space)


# --------------------------------------------------------------------------------------
# The same head as modules, for shap's DeepExplainer / GradientExplainer
# --------------------------------------------------------------------------------------


class LogOddsExp(nn.Module):
    """exp, elementwise; DeepLIFT applies its rescale rule to it (see `register_deeplift`)."""

    def forward(self, x):
        return torch.exp(x)


class LogOddsLog(nn.Module):
    """log, elementwise; DeepLIFT applies its rescale rule to it."""

    def forward(self, x):
        return torch.log(x)


class LogOddsHead(nn.Module):
    """logits → log-odds of each class, from modules DeepLIFT treats exactly: linear maps and
    elementwise exp and log with the rescale rule, so its attributions still add up to the change
    in the output. Logits are centred first (a linear map that changes no log-odds) to keep exp in
    range."""

    def __init__(self, k: int):
        super().__init__()
        self.k = k
        self.linear = None
        if k <= 2:                                            # linear in the logits
            w = torch.tensor([[-1.0], [1.0]]) if k == 1 else torch.tensor([[1.0, -1.0], [-1.0, 1.0]])
            self.linear = _fixed_linear(w)
            return
        eye = torch.eye(k)
        self.centre = _fixed_linear(eye - 1.0 / k)
        self.exp = LogOddsExp()
        self.others = _fixed_linear(1.0 - eye)                 # sum of exp over the other classes
        self.log = LogOddsLog()

    def forward(self, logits):
        if self.linear is not None:
            return self.linear(logits)
        c = self.centre(logits)
        return c - self.log(self.others(self.exp(c)))


def _fixed_linear(weight: torch.Tensor) -> nn.Linear:
    lin = nn.Linear(weight.shape[1], weight.shape[0], bias=False)
    with torch.no_grad():
        lin.weight.copy_(weight)
    lin.weight.requires_grad_(False)
    return lin


def register_deeplift() -> None:
    """Tell shap's DeepExplainer to use DeepLIFT's rescale rule for the head's exp and log (as it
    does for every other elementwise nonlinearity)."""
    from shap.explainers._deep import deep_pytorch
    for name in (LogOddsExp.__name__, LogOddsLog.__name__):
        deep_pytorch.op_handler.setdefault(name, deep_pytorch.nonlinear_1d)


class LogOdds(nn.Module):
    """logits → log-odds of each class (`log_odds`), as a module to append to a network's body."""

    def forward(self, logits):
        return log_odds(logits)
