"""The Train page's number boxes: the range each accepts, and what to say when a typed value is outside it.

A Streamlit number box created with a minimum and maximum keeps a typed value outside them to itself:
the browser marks the box red and the server goes on with the value it had before, so Start would
train with a number the person no longer sees. The boxes are therefore created without limits, every
typed value reaches the server, and the page checks it here and says which box is wrong, what it
accepts and what to type instead. No Streamlit here: plain functions the page and the tests call.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """A number box: its label, the values it accepts and a value to suggest."""

    label: str
    low: float
    high: float
    whole: bool = False            # whole numbers only
    low_open: bool = False         # the low end itself is not allowed (e.g. a learning rate of 0)
    high_open: bool = False        # the high end itself is not allowed (e.g. a momentum of 1)
    suggest: str = ""              # what to type instead, e.g. "0.01"

    def allowed(self) -> str:
        """'a whole number from 1 to 65,536', 'a number above 0 and at most 10', …"""
        kind = "a whole number" if self.whole else "a number"
        if not self.low_open and not self.high_open:
            return f"{kind} from {_num(self.low)} to {_num(self.high)}"
        low = f"above {_num(self.low)}" if self.low_open else f"at least {_num(self.low)}"
        high = f"below {_num(self.high)}" if self.high_open else f"at most {_num(self.high)}"
        return f"{kind} {low} and {high}"

    def accepts(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        if self.whole and value != int(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below


BOXES = {
    "lr": Box("Learning rate", 0, 10, low_open=True, suggest="0.01 with Adam, 0.1 with SGD"),
    "momentum": Box("Momentum", 0, 1, high_open=True, suggest="0.9"),
    "batch_size": Box("Batch size", 1, 65536, whole=True, suggest="32"),
    "epochs": Box("Epochs", 1, 100000, whole=True, suggest="100"),
    "l1": Box("L1 penalty", 0, 1, suggest="0 (off) or 0.0001"),
    "l2": Box("L2 penalty", 0, 1, suggest="0 (off) or 0.001"),
    "grad_clip": Box("Gradient clipping (max norm)", 0, 1000, suggest="0 (off) or 1"),
    "early_stopping": Box("Early stopping patience (epochs)", 0, 100000, whole=True, suggest="0 (off) or 20"),
    "seed": Box("Seed", 0, 2**32 - 1, whole=True, suggest="0"),
    "fairness_lambda": Box("Penalty weight λ", 0, 100, suggest="1"),
}
LIVE_LR = Box("Learning rate (live)", 0, 10, low_open=True, suggest="0.01")


def _num(value) -> str:
    """1 → '1', 65536 → '65,536', 4294967295 → '4,294,967,295', 0.0001 → '0.0001'."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return f"{int(value):,}"


def box_problem(box: Box, value) -> str | None:
    """None when the box's value is allowed, else one sentence naming the box, what it got, what it
    accepts and what to type, e.g. '**Batch size** is 0: it takes a whole number from 1 to 65,536.
    Type a number in that range, e.g. 32.'"""
    if box.accepts(value):
        return None
    shown = _num(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value) else "empty"
    return (f"**{box.label}** is {shown}: it takes {box.allowed()}. "
            f"Type a number in that range, e.g. {box.suggest}.")


def box_problems(values: dict, fields=None) -> list[str]:
    """The problems of the boxes among `values` (field → value), in the order the page shows them."""
    return [p for f, box in BOXES.items() if (fields is None or f in fields) and f in values
            and (p := box_problem(box, values[f])) is not None]
