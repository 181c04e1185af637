"""The progress line over the live charts: epochs done, speed and time left."""
from __future__ import annotations

import math


def progress_text(epoch: int, epochs: int, samples_per_second: float | None, n_train: int) -> tuple[float, str]:
    """(fraction done, 'Epoch 120 / 3000 · 4,100 samples/s · about 35 s left')."""
    epochs = max(1, int(epochs))
    frac = min(1.0, max(0.0, epoch / epochs))
    parts = [f"Epoch {epoch:,} / {epochs:,}"]
    if samples_per_second and samples_per_second > 0 and math.isfinite(samples_per_second):
        parts.append(f"{samples_per_second:,.0f} samples/s")
        left = (epochs - epoch) * n_train / samples_per_second
        if epoch < epochs:
            parts.append(f"about {format_seconds(left)} left")
    return frac, " · ".join(parts)


def format_seconds(s: float) -> str:
    s = max(0.0, float(s))
    if s < 60:
        return f"{s:.0f} s"
    if s < 3600:
        return f"{s // 60:.0f} min {s % 60:02.0f} s"
    return f"{s // 3600:.0f} h {(s % 3600) // 60:02.0f} min"
