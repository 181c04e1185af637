"""Disk benchmark: what a long run leaves in its workspace, with the limits in force against the same run
with them lifted (every step's loss, every logged epoch, every frame and every epoch checkpoint kept, as a
run kept them before the limits), both trained in this call.

The run: XOR with 20 points (14 training rows) at batch 1 — 14 steps an epoch, an epoch logged every 3 —
a 2 → 8 → 2 tanh network with Adam, checkpoint_every 10, trained by Glassnet's trainer with its run store
attached, one torch thread. Bytes are the workspace's database (its write-ahead log folded in first) and
the run's folder, as the disk sees them.

  disk_run_bytes            the run's workspace bytes at the end, with the limits in force
  disk_vs_unbounded         those bytes over the same run's without limits (lower is better)
  disk_growth               bytes at the end over bytes a quarter of the way through, with the limits (1 = the
                            run stopped growing); `disk_growth_unbounded` the same without them (about 4)
  disk_time_vs_unbounded    training seconds with the limits over without: what thinning costs
  disk_rows, disk_table_bytes  rows and bytes per table at the end, both ways

quick=True trains 600 epochs with small limits (256 step losses, 16 logged epochs, 6 frames of a kind, 4 epoch
checkpoints) so that each is passed many times: a smoke run of the same code, not the figure.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from .spread import spread

EPOCHS, QUICK_EPOCHS = 10_000, 600
QUICK_CAPS = {"max_loss_points": 256, "max_epoch_points": 16, "max_frames": 6, "max_epoch_checkpoints": 4}
LIFTED = {name: 10**12 for name in QUICK_CAPS}


def workspace_bytes(store, run_id: str) -> int:
    """The database file after its write-ahead log is folded in, and the run's folder."""
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = sum(p.stat().st_size for p in store.home.glob("glassnet.db*"))
    return db + sum(p.stat().st_size for p in store.run_dir(run_id).rglob("*") if p.is_file())


class _Quarter:
    """Measures the workspace a quarter of the way through the run."""

    def __init__(self, store, run_id: str, epoch: int):
        self.store, self.run_id, self.epoch, self.bytes = store, run_id, epoch, None

    def on_epoch(self, trainer, report) -> None:
        if self.bytes is None and report.epoch >= self.epoch:
            self.bytes = workspace_bytes(self.store, self.run_id)


def _tables(store, run_id: str) -> tuple[dict, dict]:
    """Rows per table of the run, and bytes per table and index of the (one-run) database."""
    rows = {t: store.db.execute(f"SELECT count(*) FROM {t} WHERE run=?", (run_id,)).fetchone()[0]
            for t in ("metrics", "frames", "events", "artefacts")}
    rows["checkpoint_files"] = len(list(store.run_dir(run_id).glob("*.safetensors")))
    sizes = dict(store.db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    return rows, {k: v for k, v in sizes.items() if not k.startswith("sqlite_")}


def one_run(epochs: int, caps: dict | None, home: Path) -> dict:
    """Train the run once with `caps` in force (None: the defaults); its bytes, rows and seconds."""
    import torch

    from core import limits
    from core.data import load_builtin
    from core.model import network_for
    from core.runs import Store
    from core.spec import NetworkSpec, TrainSpec
    from core.training import StoreRecorder, Trainer, seed_everything
    torch.set_num_threads(1)
    ds, net_spec = load_builtin("xor", n=20), NetworkSpec.dense([8], "tanh")
    spec = TrainSpec(epochs=epochs, batch_size=1, lr=0.01, seed=0, device="cpu")
    with limits.override(**(caps or {})):
        store = Store(home)
        run_id = store.create_run(name="disk", dataset=ds.ref.to_dict(), network=net_spec.to_dict(),
                                  train=spec.to_dict())
        quarter = _Quarter(store, run_id, epochs // 4)
        seed_everything(0)
        t0 = time.perf_counter()
        result = Trainer(network_for(net_spec, ds), ds, spec, callbacks=[StoreRecorder(store, run_id), quarter]).fit()
        seconds = time.perf_counter() - t0
        end = workspace_bytes(store, run_id)
        rows, tables = _tables(store, run_id)
        store.close()
    return {"bytes": end, "quarter_bytes": quarter.bytes, "seconds": seconds, "steps": result.steps,
            "rows": rows, "table_bytes": tables}


def figures(quick: bool) -> dict:
    """The disk figures (see the module's docstring); the bounded and the unbounded run in this call."""
    epochs = QUICK_EPOCHS if quick else EPOCHS
    with tempfile.TemporaryDirectory() as tmp:
        bounded = one_run(epochs, QUICK_CAPS if quick else None, Path(tmp) / "bounded")
        unbounded = one_run(epochs, LIFTED, Path(tmp) / "unbounded")
    return {
        "disk_run": {"epochs": epochs, "steps": bounded["steps"], "limits": "quick" if quick else "defaults"},
        "disk_run_bytes": bounded["bytes"],
        "disk_vs_unbounded": spread([bounded["bytes"] / unbounded["bytes"]], 4),
        "disk_growth": spread([bounded["bytes"] / bounded["quarter_bytes"]]),
        "disk_growth_unbounded": spread([unbounded["bytes"] / unbounded["quarter_bytes"]]),
        "disk_time_vs_unbounded": spread([bounded["seconds"] / unbounded["seconds"]]),
        "disk_rows": {"bounded": bounded["rows"], "unbounded": unbounded["rows"]},
        "disk_table_bytes": {"bounded": bounded["table_bytes"], "unbounded": unbounded["table_bytes"]},
        "disk_seconds": {"bounded": round(bounded["seconds"], 1), "unbounded": round(unbounded["seconds"], 1)},
    }


if __name__ == "__main__":
    import json
    import sys
    print(json.dumps(figures("--quick" in sys.argv), indent=1))
