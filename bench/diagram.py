"""What drawing the network costs a run: the same run on the spiral with its 'network' frames recorded
(core.training.NetworkFrames: every weight and each neuron over the plane) against without, both writing to
a real run store, interleaved repeat by repeat in one process.

`python -m bench.diagram [--repeats 5] [--json]`

Two networks: 8-8 tanh (a typical classroom net) and 16×6 tanh (the largest that is drawn). Batch 8 on
280 rows, so every epoch is logged — the most chances a run gives the frames. Besides the run-against-run
ratio, the time spent making frames is timed inside the run (its share of the run, disturbed far less by a
busy machine), with the frames a second, the longest gap between two frames and the bytes a frame.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from .spread import ratios, spread

CONFIGS = {"8-8": (8, 8), "16x6": (16,) * 6}


class _Timed:
    """NetworkFrames with the time of each of its calls, and when each frame was made, noted."""

    def __init__(self):
        from core.training import NetworkFrames
        self.inner, self.spent, self.times, self.sizes = NetworkFrames(), 0.0, [], []

    def on_evaluate(self, trainer, report):
        t = time.perf_counter()
        self.inner.on_evaluate(trainer, report)
        self.spent += time.perf_counter() - t
        if "network" in report.frames:
            self.times.append(t)
            self.sizes.append(len(report.frames["network"]))


def _run(hidden, epochs: int, home: Path, drawn: bool) -> dict:
    from core.data import load_builtin
    from core.model import network_for
    from core.runs import Store
    from core.spec import NetworkSpec, TrainSpec
    from core.training import StoreRecorder, Trainer, seed_everything
    ds = load_builtin("spiral")
    spec = TrainSpec(epochs=epochs, batch_size=8, seed=0, device="cpu")
    seed_everything(0)
    net = network_for(NetworkSpec.dense(list(hidden), "tanh"), ds, spec.loss)
    frames = _Timed() if drawn else None
    with Store(home) as store:
        run_id = store.create_run(name="bench", dataset=ds.ref.to_dict(), network={}, train=spec.to_dict(),
                                  status="running")
        t0 = time.perf_counter()
        Trainer(net, ds, spec, callbacks=[*filter(None, [frames]), StoreRecorder(store, run_id)]).fit()
        total = time.perf_counter() - t0
    out = {"seconds": total}
    if frames is not None:
        stamps = frames.times                    # from the first frame (the first logged epoch) to the last
        out.update(share=total / max(total - frames.spent, 1e-9), per_second=len(stamps) / total,
                   gap=max((b - a for a, b in zip(stamps, stamps[1:])), default=total), bytes=max(frames.sizes))
    return out


def figures(quick: bool = False, repeats: int | None = None) -> dict:
    """{"diagram_cost": {config: spread of (run time with the frames ÷ without)}, "diagram_cost_within_run":
    {config: spread of (a run's time ÷ its time less making the frames)}, "diagram_frames_per_s",
    "diagram_longest_gap_s", "diagram_frame_bytes", "diagram_epochs"}."""
    repeats = repeats or (1 if quick else 5)
    epochs = 10 if quick else 60
    configs = {"8-8": CONFIGS["8-8"]} if quick else CONFIGS
    cost, within, rate, gap, size = {}, {}, {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        _run((8,), 2, Path(tmp) / "warm", True)                     # imports and first-call costs
        for name, hidden in configs.items():
            on, off = [], []
            for r in range(repeats):                                 # the order turns each repeat
                pair = [(False, off), (True, on)][:: 1 if r % 2 == 0 else -1]
                for drawn, into in pair:
                    into.append(_run(hidden, epochs, Path(tmp) / f"{name}-{r}-{drawn}", drawn))
            cost[name] = spread(ratios([o["seconds"] for o in on], [o["seconds"] for o in off]))
            within[name] = spread([o["share"] for o in on])
            rate[name] = spread([o["per_second"] for o in on], 2)
            gap[name] = spread([o["gap"] for o in on], 3)
            size[name] = max(o["bytes"] for o in on)
    return {"diagram_cost": cost, "diagram_cost_within_run": within, "diagram_frames_per_s": rate,
            "diagram_longest_gap_s": gap, "diagram_frame_bytes": size, "diagram_epochs": epochs}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.diagram", description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, help="repeats of each figure (default 5; 1 with --quick)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    result = figures(a.quick, a.repeats)
    if a.json:
        print(json.dumps(result))
    else:
        print_text(result)
    return 0


def print_text(result: dict) -> None:
    for name, s in result["diagram_cost"].items():
        w, r, g = (result[k][name] for k in ("diagram_cost_within_run", "diagram_frames_per_s", "diagram_longest_gap_s"))
        print(f"network frames {name}: run time with ÷ without {s['median']} ({s['min']}–{s['max']}, {s['repeats']} "
              f"repeats); within the run {w['median']} ({w['min']}–{w['max']}); {r['median']} frames/s, longest gap "
              f"{g['max']} s, {result['diagram_frame_bytes'][name]:,} bytes a frame")


if __name__ == "__main__":
    raise SystemExit(main())
