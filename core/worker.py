"""The training worker: `python -m core.worker RUN_ID --home DIR [--resume]`.

Started by core.jobs in its own process and session, so it survives a restart of
the UI server. Everything it learns goes to the run store.
"""
from __future__ import annotations

import argparse
import sys
import traceback


def run(run_id: str, home: str, resume: bool = False) -> int:
    import torch

    from .data import DatasetRef, load_dataset
    from .model import build_network, concrete_loss, load_checkpoint, model_state
    from .spec import NetworkSpec, TrainSpec
    from .store import Store, StoreError
    from .training import StoreControl, StoreRecorder, Trainer, seed_everything

    store = Store(home)
    try:
        torch.set_num_threads(1)          # several runs share the cores (see core.jobs)
        rec = store.get_run(run_id)
        dataset = load_dataset(DatasetRef.from_dict(rec.dataset), store.home)
        network, spec = NetworkSpec.from_dict(rec.network), TrainSpec.from_dict(rec.train)
        seed_everything(spec.seed)
        net, _ = build_network(network, dataset, concrete_loss(spec.loss, dataset.task))
        start_epoch = start_step = 0
        tensors = None
        if resume:
            try:
                tensors, meta = load_checkpoint(store.checkpoint_path(run_id, "epoch"))
                net.load_state_dict(model_state(tensors))
                start_epoch, start_step = int(meta.get("epoch", 0)), int(meta.get("step", 0))
            except StoreError:
                tensors = None            # nothing saved yet: start over
            store.truncate_after(run_id, start_step)
            store.add_event(run_id, start_step, start_epoch, "resume_from_checkpoint", {"epoch": start_epoch})
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


def standby(home: str) -> int:
    """Import everything a run needs, then wait for one line on stdin: 'RUN_ID [--resume]'.

    The app keeps one such worker ready so that pressing Start trains at once. When the
    app goes away first, stdin closes and the standby exits without training anything.
    """
    import os
    from pathlib import Path

    import torch  # noqa: F401  (the point is to have imported them)

    from . import data, model, runs, training  # noqa: F401
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
    p = argparse.ArgumentParser(prog="python -m core.worker")
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
