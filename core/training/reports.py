"""What the trainer hands its callbacks: an EpochReport at a logged epoch (and for steps reported
outside the schedule), and a TrainResult at the end."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EpochReport:
    """What happened in one epoch. Metrics hold only what was measured this epoch."""
    epoch: int
    step: int                       # global step count after this epoch
    step_losses: list[float]        # the loss of every step of this epoch
    metrics: dict[str, float] = field(default_factory=dict)
    frames: dict[str, bytes] = field(default_factory=dict)
    events: list[tuple[str, dict, int, int]] = field(default_factory=list)   # kind, detail, step, epoch


@dataclass
class TrainResult:
    status: str                     # finished | stopped | diverged | failed
    epochs: int
    steps: int
    seconds: float
    samples_per_second: float
    device: str
    metrics: dict[str, float]
    message: str = ""
