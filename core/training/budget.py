"""What one run may spend: training steps (max_steps, refused before the run starts) and wall-clock time
(max_run_seconds, pauses included: a run past it is stopped, its weights kept, and resuming it gives it
another period)."""
from __future__ import annotations

import math
import time

from .. import limits
from ..spec import SpecError, TrainSpec


def run_steps(spec: TrainSpec, train_rows: int) -> int:
    """Epochs × batches per epoch: the optimiser steps a run of `spec` takes on `train_rows` rows."""
    return spec.epochs * max(1, math.ceil(train_rows / spec.batch_size))


def check_steps(spec: TrainSpec, train_rows: int) -> None:
    """A SpecError about `epochs` when the run would take more steps than max_steps."""
    steps = run_steps(spec, train_rows)
    if steps > limits.current().max_steps:
        batches = max(1, math.ceil(train_rows / spec.batch_size))
        raise SpecError.about("epochs", ": " + limits.exceeded(
            "max_steps", f"{spec.epochs:,} epochs × {batches:,} batches of {spec.batch_size:,} rows make "
                         f"{steps:,} training steps", "use fewer epochs or a larger batch size"))


def over_time_message(seconds: float) -> str:
    allowed = limits.current().max_run_seconds
    return (f"stopped after {seconds:,.0f} s: a run may take {allowed:,} s on the wall clock, pauses included "
            f"(max_run_seconds); resume it to train for another {allowed:,} s, or train for fewer epochs "
            f"(whoever runs the server can change the limit with {limits.Limits.env_name('max_run_seconds')})")


class TimedControl:
    """The trainer's control with the wall clock on top: what `control` asks (training runs on without
    one), until max_run_seconds have passed since the run started; then 'stop', and `reason` says why."""

    def __init__(self, control=None):
        self.control = control
        self.start()
        self.reason = "stopped by request"

    def start(self) -> None:
        self.started = time.monotonic()

    def __call__(self, trainer) -> tuple[str, float | None]:
        state, lr = self.control(trainer) if self.control is not None else ("run", None)
        elapsed = time.monotonic() - self.started
        if elapsed > limits.current().max_run_seconds:
            self.reason = over_time_message(elapsed)
            return "stop", lr
        return state, lr
