"""Two runs training side by side, each in its own worker process, against one run alone.

Each worker trains with one compute thread, so on a machine with two cores two runs should each keep
about the speed of one alone. `two_workers_vs_alone` is the slower worker's samples/s while two train
at once over the samples/s of the same run trained alone, repeat by repeat (1.00 = no slowdown, 0.50 =
the two share one core). The speeds are the ones the trainer records in the run (`samples_per_second`:
training only, the worker's start-up left out); a repeat is one run alone, then two started together,
on the same data, network and epochs, in a workspace of its own.
"""
from __future__ import annotations

import math
import tempfile
from pathlib import Path

from .spread import ratios, spread

TIMEOUT_S = 600


def _specs(epochs: int):
    from core.spec import NetworkSpec, TrainSpec
    return NetworkSpec.dense([16, 16], "tanh"), TrainSpec(epochs=epochs, batch_size=8, checkpoint_every=epochs)


def _trained(home: Path, count: int, epochs: int) -> list[dict]:
    """Start `count` runs of the spiral at once, each in its own worker; their summaries once all finished."""
    from core.data import load_builtin
    from core.runs import Store, executor
    network, train = _specs(epochs)
    ref = load_builtin("spiral").ref.to_dict()
    with Store(home) as store:
        ids = [executor.submit(store, dataset=ref, network=network, train=train, name="bench") for _ in range(count)]
        runs = [executor.wait(store, run_id, timeout=TIMEOUT_S) for run_id in ids]
    failed = [r for r in runs if r.status != "finished"]
    if failed:
        raise RuntimeError(f"a benchmark run ended {failed[0].status}: {failed[0].error}")
    return [r.summary for r in runs]


def _calibrated_epochs(home: Path, min_seconds: float) -> int:
    """Epochs that keep one worker training at least `min_seconds` alone (a quarter to spare)."""
    epochs = 20
    while True:
        seconds = _trained(home / f"calibrate-{epochs}", 1, epochs)[0]["seconds"]
        if seconds >= min_seconds / 4:
            return max(epochs, math.ceil(1.25 * epochs * min_seconds / seconds))
        epochs *= 4


def figures(quick: bool = False) -> dict:
    """{"two_workers_vs_alone": spread, "worker_samples_per_s": {"alone", "together"}, "epochs"}."""
    min_seconds, repeats = (0.5, 1) if quick else (2.0, 5)
    alone, together = [], []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        epochs = _calibrated_epochs(home, min_seconds)
        for k in range(repeats):
            alone.append(_trained(home / f"alone-{k}", 1, epochs)[0]["samples_per_second"])
            together.append(min(s["samples_per_second"] for s in _trained(home / f"pair-{k}", 2, epochs)))
    return {"two_workers_vs_alone": spread(ratios(together, alone)), "epochs": epochs,
            "worker_samples_per_s": {"alone": spread(alone, 0), "together": spread(together, 0)}}
