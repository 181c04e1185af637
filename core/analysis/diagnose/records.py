"""A finding about a run (Diagnosis) and what it is read from (RunLog): the series a run logged at its
logged epochs, its events, how it ended and its settings."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

_EMPTY = (np.zeros(0, np.int64), np.zeros(0))


@dataclass(frozen=True)
class Diagnosis:
    """One failure recognised in a run, with its cause, its fix and the numbers that show it."""

    code: str                       # stable: symmetry, dead_relu, vanishing_gradients, ...
    title: str
    cause: str                      # one sentence
    fix: str                        # one sentence naming the setting to change and the page it is on
    evidence: str                   # the numbers, and the epochs where to see them
    severity: str                   # 'error': the run cannot learn well so; 'warning': it learns, but badly
    chart: str                      # where to look on the Train page: loss, score, grads, weights
    epochs: tuple[int, ...] = ()    # the epochs the evidence points at (marked on the chart)
    numbers: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["epochs"] = list(self.epochs)
        return d


@dataclass
class RunLog:
    """What a run logged, as the diagnoses read it. series: metric name → (epochs, values) at its logged
    epochs; chance: the loss of a network that has learnt nothing (core.training.chance_loss)."""

    series: dict
    events: list
    status: str
    train: dict
    summary: dict
    message: str
    task: str
    chance: float

    def get(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        e, v = self.series.get(name, _EMPTY)
        return np.asarray(e, np.int64), np.asarray(v, np.float64)

    def last(self, name: str) -> float | None:
        _, v = self.get(name)
        return float(v[-1]) if len(v) else None

    def layers(self, prefix: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """{layer label: (epochs, values)} of the metrics '<prefix>/<label>', in the body's order."""
        found = {name.split("/", 1)[1]: self.get(name) for name in self.series if name.startswith(prefix + "/")}
        return dict(sorted(found.items(), key=lambda kv: _place(kv[0])))

    def name(self, label: str) -> str:
        """A body label as the Train page's charts name it: '0:Linear' → 'layer 1 (dense)', the last weight
        layer 'the output layer', '1:ReLU' → "layer 1's ReLU units"."""
        weights = list(self.layers("weight_norm"))
        kind = label.partition(":")[2]
        if label in weights:
            k = weights.index(label)
            if k == len(weights) - 1 and k > 0:
                return "the output layer"
            return f"layer {k + 1} ({kind.replace('Linear', 'dense').replace('Conv2d', 'conv')})"
        if weights:
            return f"layer {sum(_place(w) < _place(label) for w in weights)}'s {kind} units"
        return layer_name(label)

    @property
    def lr(self) -> float:
        return float(self.last("lr") or self.train.get("lr") or 0.0)


def _place(label: str) -> int:
    """'12:Linear' → 12."""
    head = label.split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def layer_name(label: str) -> str:
    """'0:Linear' → 'layer 0 (Linear)'."""
    place, _, kind = label.partition(":")
    return f"layer {place} ({kind})" if kind else label


def num(x: float) -> str:
    """A number as a person reads it: 0.734, 1.2e-05, 15,862, NaN."""
    if not math.isfinite(x):
        return "NaN" if math.isnan(x) else "infinite"
    if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e6):
        return f"{x:.2g}"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"
