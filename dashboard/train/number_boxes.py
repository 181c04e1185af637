"""The Train page's number boxes: the range each accepts, and what to say when a typed value is outside it.

A Streamlit number box created with a minimum and maximum keeps a typed value outside them to itself:
the browser marks the box red and the server goes on with the value it had before, so Start would
train with a number the person no longer sees. The boxes are therefore created without limits, every
typed value reaches the server, and the page checks it here and says which box is wrong, what it
accepts and what to type instead. The ranges are the training spec's own (core.spec.TRAIN_RANGES).
No Streamlit here: plain functions the page and the tests call.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from core.spec import TRAIN_RANGES, Range


@dataclass(frozen=True)
class Box:
    """A number box: its label, the values it accepts and a value to suggest."""

    label: str
    range: Range
    suggest: str = ""              # what to type instead, e.g. "0.01"

    @property
    def low(self) -> float:
        return self.range.low

    @property
    def high(self) -> float:
        return self.range.high

    def allowed(self) -> str:
        """'a whole number from 1 to 65,536', 'a number above 0 and at most 10', …"""
        r = self.range
        kind = "a whole number" if r.whole else "a number"
        if not r.low_open and not r.high_open:
            return f"{kind} from {_num(r.low)} to {_num(r.high)}"
        low = f"above {_num(r.low)}" if r.low_open else f"at least {_num(r.low)}"
        high = f"below {_num(r.high)}" if r.high_open else f"at most {_num(r.high)}"
        return f"{kind} {low} and {high}"

    def accepts(self, value) -> bool:
        """Whether the box may hold the number typed (a whole one, for whole-number boxes)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        if self.range.whole and value != int(value):
            return False
        return self.range.contains(value)


def _spec_box(field: str, label: str, suggest: str, high: float | None = None) -> Box:
    """The box of a TrainSpec field, taking the spec's range; `high` caps a range the spec leaves open
    above (a box says what it takes, and 'at most infinity' says nothing)."""
    rule = TRAIN_RANGES[field]
    return Box(label, rule if high is None else replace(rule, high=high, high_open=False), suggest)


BOXES = {
    "lr": _spec_box("lr", "Learning rate", "0.01 with Adam, 0.1 with SGD"),
    "momentum": _spec_box("momentum", "Momentum", "0.9"),
    "batch_size": _spec_box("batch_size", "Batch size", "32"),
    "epochs": _spec_box("epochs", "Epochs", "100"),
    "l1": _spec_box("l1", "L1 penalty", "0 (off) or 0.0001"),
    "l2": _spec_box("l2", "L2 penalty", "0 (off) or 0.001"),
    "grad_clip": _spec_box("grad_clip", "Gradient clipping (max norm)", "0 (off) or 1", high=1000),
    "early_stopping": _spec_box("early_stopping", "Early stopping patience (epochs)", "0 (off) or 20", high=100000),
    "seed": _spec_box("seed", "Seed", "0"),
    "fairness_lambda": _spec_box("fairness_lambda", "Penalty weight λ", "1"),
}
LIVE_LR = _spec_box("lr", "Learning rate (live)", "0.01")


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
