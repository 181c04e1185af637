"""What the units' health costs a run: the epoch time of a run that logs it (core.training.health: the units'
spread, the share of silent ReLUs, the rarest class's recall) over the same run without it, measured in the
same process, interleaved repeat by repeat.

`python -m bench.diagnose [--repeats 5] [--json]`

The run logs every epoch (an epoch of 35 steps: the most often a run logs) and records to a real store, so
the figure includes writing the extra rows. Two networks: 16-16 ReLU and 64-64-64 ReLU on the spiral.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from .spread import ratios, spread

CONFIGS = {"16-16": (16, 16), "64-64-64": (64, 64, 64)}


def _epoch_seconds(hidden, epochs: int, home: Path, logged: bool) -> float:
    """Seconds per epoch of one run (batch 8 on 280 rows: every epoch is logged)."""
    from core.data import load_builtin
    from core.model import network_for
    from core.runs import Store
    from core.spec import NetworkSpec, TrainSpec
    from core.training import StoreRecorder, Trainer, seed_everything
    from core.training import loop
    ds = load_builtin("spiral")
    spec = TrainSpec(epochs=epochs, batch_size=8, seed=0, device="cpu")
    seed_everything(0)
    net = network_for(NetworkSpec.dense(list(hidden), "relu"), ds, spec.loss)
    real = loop.health_metrics
    loop.health_metrics = real if logged else (lambda trainer: {})
    try:
        with Store(home) as store:
            run_id = store.create_run(name="bench", dataset=ds.ref.to_dict(), network={}, train=spec.to_dict(),
                                      status="running")
            t0 = time.perf_counter()
            Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
            return (time.perf_counter() - t0) / epochs
    finally:
        loop.health_metrics = real


def figures(quick: bool = False, repeats: int | None = None) -> dict:
    """{"health_cost": {config: spread of (with ÷ without)}, "health_epochs": epochs a run}."""
    repeats = repeats or (2 if quick else 5)
    epochs = 10 if quick else 30
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        _epoch_seconds((8,), 2, Path(tmp) / "warm", True)            # imports and first-call costs
        for name, hidden in CONFIGS.items():
            with_, without = [], []
            for r in range(repeats):
                without.append(_epoch_seconds(hidden, epochs, Path(tmp) / f"{name}-{r}-off", False))
                with_.append(_epoch_seconds(hidden, epochs, Path(tmp) / f"{name}-{r}-on", True))
            out[name] = spread(ratios(with_, without))
    return {"health_cost": out, "health_epochs": epochs}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.diagnose", description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    result = figures(a.quick, a.repeats)
    if a.json:
        print(json.dumps(result))
    else:
        for name, s in result["health_cost"].items():
            print(f"{name}: epoch time with the units' health ÷ without {s['median']} "
                  f"(min {s['min']}, max {s['max']}, {s['repeats']} repeats)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
