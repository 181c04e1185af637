"""`python -m core train`: train a network on a built-in dataset or a CSV file and record the run."""
from __future__ import annotations

import os
import sys
import time

from .common import add_home, dataset_from_args, print_json, specs_from_args
from .diagnose import diagnoses, print_diagnoses


def register(sub) -> None:
    t = sub.add_parser("train", help="train a network and record the run")
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", help="a built-in dataset (see `python -m core datasets`)")
    src.add_argument("--csv", help="a CSV file of your own")
    t.add_argument("--target", help="the column to predict (with --csv)")
    t.add_argument("--task", choices=["classification", "regression"], help="override the inferred task (with --csv)")
    t.add_argument("--sensitive", help="sensitive column(s), comma-separated (with --csv)")
    t.add_argument("--param", action="append", metavar="KEY=VALUE",
                   help="dataset parameter, e.g. noise=0.2 or minority=0.1 (repeatable; "
                        "`python -m core datasets` lists each set's)")
    t.add_argument("--data-seed", type=int, default=0, help="seed of a generated dataset")
    t.add_argument("--split-seed", type=int, default=0, help="seed of the train/validation/test split")
    t.add_argument("--scaling", default="standard", choices=["standard", "minmax", "none"])
    t.add_argument("--spec", help="a JSON spec file (network, or {network, train})")
    t.add_argument("--hidden", default="16,16", help="hidden layer sizes, e.g. 16,16 (ignored with --spec)")
    t.add_argument("--activation", default="relu", help="hidden activation (ignored with --spec)")
    t.add_argument("--optimizer")
    t.add_argument("--lr", type=float)
    t.add_argument("--batch-size", type=int)
    t.add_argument("--epochs", type=int)
    t.add_argument("--loss", help="auto | cross_entropy | bce | mse | mae | huber; mse also fits classes "
                                  "(squared error between the class probabilities and one-hot targets)")
    t.add_argument("--resample", choices=["none", "over", "under"],
                   help="rebalance the training rows of a classifier: over repeats rarer classes' rows, "
                        "under drops commoner classes' rows (validation and test rows are kept as they are)")
    t.add_argument("--seed", type=int)
    t.add_argument("--device", help="auto | cpu | cuda | mps")
    t.add_argument("--name", help="a name for the run")
    t.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    add_home(t)
    t.set_defaults(func=run)


class Progress:
    """Prints a progress line to stderr about once a second (and after the last epoch)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.last = 0.0

    def on_epoch(self, trainer, report):
        now = time.monotonic()
        if self.quiet or (now - self.last < 1.0 and report.epoch < trainer.spec.epochs):
            return
        self.last = now
        m = report.metrics
        acc = m.get("val_accuracy", m.get("val_r2"))
        extra = f"  val {m['val_loss']:.4f}" if "val_loss" in m else ""
        extra += f"  {'acc' if 'val_accuracy' in m else 'r2'} {acc:.3f}" if acc is not None else ""
        print(f"epoch {report.epoch:>5}/{trainer.spec.epochs}  loss {m.get('train_loss', float('nan')):.4f}{extra}",
              file=sys.stderr, flush=True)


def run(a) -> int:
    """Queue the run through the executor. With GLASSNET_EXECUTOR=ray a worker on the Ray cluster trains it;
    when the workspace's pool is up (a server runs it), a pool worker does; either way this command waits for
    it. Otherwise this command trains it itself, in this process (the run's pid is this process's, so `stop`
    and the app see it train, and Ctrl-C or a kill ends it)."""
    from ..model import network_for
    from ..runs import Store, executor
    from ..runs.registry import live_workers
    from ..training import check_resample, resampled_size, seed_everything
    from ..training.budget import check_steps

    store = Store(a.home)
    dataset = dataset_from_args(a, store.home)
    network, spec = specs_from_args(a)
    check_resample(spec, dataset.task)              # refused before the run is recorded
    check_steps(spec, resampled_size(dataset.y_train, dataset.n_classes, spec.resample))
    seed_everything(spec.seed)
    net = network_for(network, dataset, spec.loss)  # so is a loss that does not fit the data
    name = a.name or f"{dataset.name} {spec.optimizer} lr={spec.lr:g}"
    way = executor.backend()
    pooled = way == "ray" or (way == "pool" and bool(live_workers(store)))
    run_id = executor.submit(store, dataset=dataset.ref.to_dict(), network=network, train=spec, name=name,
                             start=pooled)
    if not pooled and store.update_run_if(run_id, {"status": "queued", "pid": None}, pid=os.getpid()):
        return _train_here(a, store, run_id, dataset, net, spec)
    return _wait_for_pool(a, store, run_id)


def _train_here(a, store, run_id: str, dataset, net, spec) -> int:
    from ..runs.placements import described, placed, try_record
    from ..runs.resumes import epochs_redone
    from ..training import StoreControl, StoreRecorder, Trainer
    try_record(store, run_id, "local")
    try:
        # the run reads its requests from the store as a worker's does: `python -m core stop` or the app can end it
        trainer = Trainer(net, dataset, spec, callbacks=[StoreRecorder(store, run_id), Progress(a.json)],
                          control=StoreControl(store, run_id))
        result = trainer.fit()
    except KeyboardInterrupt:
        store.update_run(run_id, status="stopped", pid=None, error="interrupted from the keyboard")
        print("error: training interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        _mark_failed(store, run_id, e)
        raise
    out = outcome(run_id, result, dataset.task, epochs_redone(store, run_id))
    out["diagnoses"] = diagnoses(store, run_id, dataset)
    out.update(described(placed(store, run_id)))
    if a.json:
        print_json(out)
    else:
        print_outcome(run_id, result, out["metrics"])
        if out["diagnoses"]:
            print_diagnoses(run_id, out["diagnoses"])
    return 0 if result.status == "finished" else 1


def _wait_for_pool(a, store, run_id: str) -> int:
    """Wait for the pool's worker to train the run, printing its progress; Ctrl-C stops the run."""
    from ..runs import executor
    from .resume import _report

    place = executor.queue_position(store, run_id)
    if place and not a.json:
        print(f"waiting for a worker: place {place[0]} in line", file=sys.stderr, flush=True)
    shown = 0
    try:
        while (run := _poll(store, run_id)).status in ("queued", "running", "paused"):
            if not a.json and run.epoch != shown:
                print(f"epoch {run.epoch:>5}/{run.train.get('epochs', '?')}", file=sys.stderr, flush=True)
                shown = run.epoch
    except KeyboardInterrupt:
        executor.stop(store, run_id)
        print("error: training interrupted", file=sys.stderr)
        return 130
    _report(a, store, run, None)
    return 0 if run.status == "finished" else 1


def _poll(store, run_id: str):
    """The run once it ends, or as it is a second from now."""
    from ..runs import executor
    try:
        return executor.wait(store, run_id, timeout=1.0)
    except TimeoutError:
        return store.get_run(run_id)


def _mark_failed(store, run_id: str, error: Exception) -> None:
    """Leave the run failed with the reason when training stopped on an error — if the workspace can still be
    written (a full or read-only disk may not let it; the command's error line says why either way)."""
    from ..runs.failures import failure_reason
    try:
        store.update_run(run_id, status="failed", pid=None, error=failure_reason(store.home, error))
    except Exception:
        pass


def outcome(run_id: str, result, task: str, epochs_redone: int = 0) -> dict:
    """What `train --json` prints: the run, how it ended, its speed and its losses and test score, and the
    epochs trained twice because the run was resumed (`python -m core resume` reports the same)."""
    m = result.metrics
    metrics = {k: m.get(k) for k in ("train_loss", "val_loss", "test_loss")}
    score = "test_accuracy" if task == "classification" else "test_r2"
    metrics[score] = m.get(score)
    out = {"run_id": run_id, "status": result.status, "epochs": result.epochs, "seconds": round(result.seconds, 3),
           "samples_per_second": round(result.samples_per_second, 1), "device": result.device, "metrics": metrics,
           "epochs_redone": epochs_redone}
    if result.message:
        out["message"] = result.message
    return out


def print_outcome(run_id: str, result, metrics: dict) -> None:
    """The same as a sentence, and the reason when the run ended early."""
    score = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items() if v is not None)
    print(f"run {run_id}: {result.status} after {result.epochs} epochs in {result.seconds:.1f} s "
          f"({result.samples_per_second:,.0f} samples/s on {result.device}); {score}")
    if result.message:
        print(result.message)
