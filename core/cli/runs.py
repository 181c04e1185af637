"""`python -m core runs`: the runs in the workspace, one line each (or JSON)."""
from __future__ import annotations

from .common import add_home, print_json


def register(sub) -> None:
    r = sub.add_parser("runs", help="list runs")
    r.add_argument("--json", action="store_true")
    add_home(r)
    r.set_defaults(func=run)


def run(a) -> int:
    from ..runs import recover
    from ..runs import Store
    store = Store(a.home)
    recover(store)
    from ..runs.resumes import epochs_redone_by_run
    redone = epochs_redone_by_run(store)
    rows = [overview(r, redone.get(r.id, 0)) for r in store.list_runs()]
    if a.json:
        print_json(rows)
        return 0
    if not rows:
        print(f"no runs yet in {store.home}; train one with `python -m core train --dataset spiral`")
        return 0
    for r in rows:
        score = r["test_accuracy"] if r["test_accuracy"] is not None else r["test_r2"]
        print(f"{r['run_id']}  {r['status']:<11} {r['epochs']:>6} ep  {r['dataset'] or '':<14} "
              f"{'' if score is None else f'{score:.3f}':>6}  {r['name']}")
    return 0


def overview(r, epochs_redone: int = 0) -> dict:
    """One stored run as `runs --json` lists it; epochs_redone: epochs its resumes trained again."""
    return {"run_id": r.id, "name": r.name, "status": r.status, "dataset": r.dataset.get("name"),
            "epochs": r.epoch, "epochs_redone": epochs_redone, "device": r.device, "created": r.created,
            "test_accuracy": r.summary.get("test_accuracy"), "test_r2": r.summary.get("test_r2")}
