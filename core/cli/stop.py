"""`python -m core stop --run ID [--json]`: end a run that trains. Its worker is asked to stop and, if it
has not within the grace period (10 s), ended; the weights of its last checkpoint are kept."""
from __future__ import annotations

from .common import add_home, print_json


def register(sub) -> None:
    s = sub.add_parser("stop", help="stop a run that trains")
    s.add_argument("--run", required=True, help="the run's id (see `python -m core runs`)")
    s.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    add_home(s)
    s.set_defaults(func=run)


def run(a) -> int:
    from ..runs import Store, executor
    from ..runs.resumes import epochs_redone
    from ..runs.stopping import STOP_GRACE_S
    from .runs import overview
    store = Store(a.home)
    before = store.get_run(a.run)
    stopped = executor.stop(store, a.run, wait=STOP_GRACE_S + 1.0)
    if a.json:
        print_json({**overview(stopped, epochs_redone(store, stopped.id)), "was": before.status, "message": stopped.error})
    elif before.status == stopped.status:   # nothing was active
        print(f"run {stopped.id} is {stopped.status}; there was nothing to stop")
    else:
        why = f" ({stopped.error})" if stopped.error else ""
        print(f"run {stopped.id}: {stopped.status} at epoch {stopped.epoch}{why}")
    return 0 if stopped.status not in ("queued", "running", "paused") else 1
