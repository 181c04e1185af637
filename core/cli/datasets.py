"""`python -m core datasets`: the built-in datasets, one line each (or JSON)."""
from __future__ import annotations

from .common import print_json


def register(sub) -> None:
    d = sub.add_parser("datasets", help="list the built-in datasets")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=run)


def run(a) -> int:
    from ..data import list_builtin
    items = list_builtin()
    if a.json:
        print_json(items)
    else:
        for d in items:
            print(f"{d['name']:<15} {d['task']:<15} {d.get('description', '')}")
    return 0
