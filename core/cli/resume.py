"""`python -m core resume --run ID [--wait] [--json]`: continue a paused, interrupted, stopped or failed run
from its last checkpoint, in a worker of the workspace's pool (started for it when no server runs one; it
goes on if this command is interrupted, and leaves once idle a while with no server)."""
from __future__ import annotations

import sys

from .common import add_home, print_json

NO_TIMEOUT = float("inf")


def register(sub) -> None:
    r = sub.add_parser("resume", help="continue a run from its last checkpoint")
    r.add_argument("--run", required=True, help="the run's id (see `python -m core runs`)")
    r.add_argument("--wait", action="store_true", help="wait until the run ends and report how it ended")
    r.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    add_home(r)
    r.set_defaults(func=run)


def run(a) -> int:
    from ..runs import Store, executor
    store = Store(a.home)
    executor.recover(store)
    resumed = executor.resume(store, a.run, wait=1.0)
    if not a.wait:
        line = f"run {resumed.id}: {resumed.status} (resumed from epoch {_resume_epoch(store, resumed.id)})"
        _report(a, store, resumed, line)
        return 0
    try:
        ended = executor.wait(store, a.run, timeout=NO_TIMEOUT)
    except KeyboardInterrupt:
        print(f"error: stopped waiting; run {a.run} goes on training (stop it with "
              f"`python -m core stop --run {a.run}`)", file=sys.stderr)
        return 130
    from ..runs.pool import release_own
    release_own(store)              # the workers this command started, if no other run waits for them
    _report(a, store, ended, None)
    return 0 if ended.status == "finished" else 1


def _resume_epoch(store, run_id: str):
    events = [e for e in store.events(run_id) if e["kind"] == "resume_from_checkpoint"]
    return events[-1]["detail"].get("epoch", 0) if events else "its last checkpoint"


def _report(a, store, run, line: str | None) -> None:
    out = stored_outcome(store, run)
    if a.json:
        print_json(out)
        return
    if line is None:
        score = ", ".join(f"{k} {v:.4f}" for k, v in out["metrics"].items() if v is not None)
        line = (f"run {run.id}: {run.status} after {run.epoch} epochs ({out['epochs_redone']} trained again after "
                f"resuming); {score}")
    print(line)
    if out.get("message"):
        print(out["message"])


def stored_outcome(store, run) -> dict:
    """A stored run as `train --json` reports a run it trained: its status, epochs, speed, losses and test
    score, the epochs its resumes trained again, and its diagnoses."""
    from ..runs.placements import described, placed
    from ..runs.resumes import epochs_redone
    from .diagnose import diagnoses
    s = run.summary
    metrics = {k: s.get(k) for k in ("train_loss", "val_loss", "test_loss")}
    score = "test_r2" if "test_r2" in s else "test_accuracy"
    metrics[score] = s.get(score)
    out = {"run_id": run.id, "status": run.status, "epochs": run.epoch, "seconds": round(s.get("seconds", 0.0), 3),
           "samples_per_second": round(s.get("samples_per_second", 0.0), 1), "device": run.device,
           "metrics": metrics, "epochs_redone": epochs_redone(store, run.id), "diagnoses": diagnoses(store, run.id),
           **described(placed(store, run.id))}
    if run.error:
        out["message"] = run.error
    return out
