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
            params = {**d["params"], **d["options"]}
            takes = f" [params: {', '.join(f'{k}={v:g}' for k, v in params.items())}]" if params else ""
            print(f"{d['name']:<15} {d['task']:<15} {d.get('description', '')}{takes}")
    return 0
