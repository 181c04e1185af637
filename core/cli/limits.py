"""`python -m core limits`: what one person may ask of the server, the values in force and how to change them."""
from __future__ import annotations

from .common import print_json


def register(sub) -> None:
    d = sub.add_parser("limits", help="list the limits on what one request may ask (and how to change them)")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=run)


def run(a) -> int:
    from ..limits import PROBLEMS, table
    rows = table()
    if a.json:
        print_json(rows)
        return 0
    width = max(len(r["variable"]) for r in rows)
    for r in rows:
        changed = "" if r["value"] == r["default"] else f"  (default {r['default']:,})"
        print(f"{r['variable']:<{width}} {r['value']:>12,}  {r['what']}{changed}")
    for problem in PROBLEMS:
        print(f"note: {problem}")
    return 0
