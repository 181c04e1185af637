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


def _epoch_seconds(hidden, epochs: int, home: Path, logged: bool) -> tuple[float, float]:
    """Seconds per epoch of one run (batch 8 on 280 rows: every epoch is logged), and the run's time over its
    time less the time spent working out the units' health (1 without it)."""
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
    real, spent = loop.health_metrics, [0.0]

    def timed(trainer):
        t = time.perf_counter()
        try:
            return real(trainer)
        finally:
            spent[0] += time.perf_counter() - t
    loop.health_metrics = timed if logged else (lambda trainer: {})
    try:
        with Store(home) as store:
            run_id = store.create_run(name="bench", dataset=ds.ref.to_dict(), network={}, train=spec.to_dict(),
                                      status="running")
            t0 = time.perf_counter()
            Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
            total = time.perf_counter() - t0
            return total / epochs, total / max(total - spent[0], 1e-9)
    finally:
        loop.health_metrics = real


def figures(quick: bool = False, repeats: int | None = None) -> dict:
    """{"health_cost": {config: spread of (epoch time with ÷ without, run against run)},
    "health_cost_within_run": {config: spread of (a run's time ÷ its time less the health's own)}, "health_epochs"}.
    The second is timed inside the same run, so a busy machine disturbs it far less than the first."""
    repeats = repeats or (1 if quick else 5)
    epochs = 5 if quick else 30
    configs = {"16-16": CONFIGS["16-16"]} if quick else CONFIGS      # --quick: a smoke run of the small one
    out, within = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        _epoch_seconds((8,), 2, Path(tmp) / "warm", True)            # imports and first-call costs
        for name, hidden in configs.items():
            with_, without, inside = [], [], []
            for r in range(repeats):
                without.append(_epoch_seconds(hidden, epochs, Path(tmp) / f"{name}-{r}-off", False)[0])
                seconds, share = _epoch_seconds(hidden, epochs, Path(tmp) / f"{name}-{r}-on", True)
                with_.append(seconds)
                inside.append(share)
            out[name] = spread(ratios(with_, without))
            within[name] = spread(inside)
    return {"health_cost": out, "health_cost_within_run": within, "health_epochs": epochs}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.diagnose", description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, help="repeats of each figure (default 5; 1 with --quick)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    result = figures(a.quick, a.repeats)
    if a.json:
        print(json.dumps(result))
    else:
        for name, s in result["health_cost"].items():
            w = result["health_cost_within_run"][name]
            print(f"{name}: epoch time with the units' health ÷ without {s['median']} (min {s['min']}, max "
                  f"{s['max']}, {s['repeats']} repeats); within the run {w['median']} ({w['min']}–{w['max']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
