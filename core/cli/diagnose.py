"""`python -m core diagnose --run ID`: why a run went wrong, from what it logged — each finding with its cause,
its fix and its evidence (none for a healthy run). `train --json` and `resume --json` carry the same list."""
from __future__ import annotations

from .common import add_home, print_json


def register(sub) -> None:
    d = sub.add_parser("diagnose", help="say why a run went wrong, from what it logged")
    d.add_argument("--run", required=True, help="the run's id (see `python -m core runs`)")
    d.add_argument("--json", action="store_true", help="print one JSON object")
    add_home(d)
    d.set_defaults(func=run)


def run(a) -> int:
    from ..runs import Store
    store = Store(a.home)
    found = diagnoses(store, a.run)
    if a.json:
        print_json({"run_id": a.run, "diagnoses": found})
        return 0
    print_diagnoses(a.run, found)
    return 0


def diagnoses(store, run_id: str, dataset=None) -> list[dict]:
    """The run's findings as JSON-ready dicts (core.analysis.diagnose), strongest first; empty when healthy."""
    from ..analysis.diagnose import diagnose, stored_log
    return [d.to_dict() for d in diagnose(stored_log(store, run_id, dataset))]


def print_diagnoses(run_id: str, found: list[dict]) -> None:
    if not found:
        print(f"run {run_id}: no problem found in what it logged")
    for d in found:
        print(f"{d['code']}: {d['title']}\n  why: {d['cause']}\n  fix: {d['fix']}\n  seen: {d['evidence']}")
