"""The training worker: `python -m core.runs.worker RUN_ID --home DIR [--resume]`.

Started by the executor (core/runs/executor.py) in its own process and session, so it survives
a restart of the UI server. Everything it learns goes to the run store.
"""
from __future__ import annotations

import argparse
import sys
import traceback


def run(run_id: str, home: str, resume: bool = False) -> int:
    import torch

    from ..data import DatasetRef, load_dataset
    from ..model import network_for
    from ..spec import NetworkSpec, TrainSpec
    from ..training import StoreControl, StoreRecorder, Trainer, seed_everything
    from .store import Store

    store = Store(home)
    try:
        torch.set_num_threads(1)          # several runs share the cores (see the executor)
        rec = store.get_run(run_id)
        dataset = load_dataset(DatasetRef.from_dict(rec.dataset), store.home)
        network, spec = NetworkSpec.from_dict(rec.network), TrainSpec.from_dict(rec.train)
        seed_everything(spec.seed)
        net = network_for(network, dataset, spec.loss)
        tensors, start_epoch, start_step = _resume_from_checkpoint(store, run_id, net) if resume else (None, 0, 0)
        trainer = Trainer(net, dataset, spec, callbacks=[StoreRecorder(store, run_id)],
                          control=StoreControl(store, run_id), start_epoch=start_epoch, start_step=start_step)
        if tensors is not None:
            trainer.load_optimizer_state(tensors)
        trainer.fit()
        return 0
    except Exception as e:   # the run records why; the log keeps the traceback
        traceback.print_exc()
        store.update_run(run_id, status="failed", pid=None, error=f"{type(e).__name__}: {e}")
        return 1
    finally:
        store.close()


def _resume_from_checkpoint(store, run_id: str, net) -> tuple[dict | None, int, int]:
    """Load the run's newest epoch checkpoint into `net` and forget what came after it; returns the
    checkpoint's tensors (for the optimiser), its epoch and its step — (None, 0, 0) when none was kept
    yet, and the run starts over."""
    from ..model import load_checkpoint, model_state

    tensors, start_epoch, start_step = None, 0, 0
    epoch = store.latest_checkpoint(run_id)
    if epoch is not None:
        tensors, meta = load_checkpoint(store.checkpoint_path(run_id, "epoch", epoch))
        net.load_state_dict(model_state(tensors))
        start_epoch, start_step = int(meta.get("epoch", 0)), int(meta.get("step", 0))
    store.truncate_after(run_id, start_step)
    store.add_event(run_id, start_step, start_epoch, "resume_from_checkpoint", {"epoch": start_epoch})
    return tensors, start_epoch, start_step


def standby(home: str) -> int:
    """Import everything a run needs, then wait for one line on stdin: 'RUN_ID [--resume]'.

    The app keeps one such worker ready so that pressing Start trains at once. When the
    app goes away first, stdin closes and the standby exits without training anything.
    """
    import os
    from pathlib import Path

    import torch  # noqa: F401  (the point is to have imported them)

    from .. import data, model, training  # noqa: F401  (core.runs itself came in with this module)
    data.load_builtin("spiral")           # warms the data path (scikit-learn's splitter)
    w = torch.nn.Parameter(torch.zeros(1))
    torch.optim.Adam([w], fused=True)     # the first optimiser pulls in torch's compiler stack (~1.7 s)
    line = sys.stdin.readline().split()
    if not line:
        return 0
    run_id, resume = line[0], "--resume" in line[1:]
    from .store import check_run_id
    log = open(Path(home) / "runs" / check_run_id(run_id) / "worker.log", "ab")
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    return run(run_id, home, resume)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.runs.worker")
    p.add_argument("run_id", nargs="?")
    p.add_argument("--home", required=True)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--standby", action="store_true", help="start, import, then wait for a run id on stdin")
    a = p.parse_args(argv)
    if a.standby:
        return standby(a.home)
    if not a.run_id:
        p.error("a run id is needed (or --standby)")
    return run(a.run_id, a.home, a.resume)


if __name__ == "__main__":
    sys.exit(main())
