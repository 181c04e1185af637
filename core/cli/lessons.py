"""`python -m core lessons`: the guided lessons; `lessons check NAME --run ID …` runs a lesson's check on runs and
says whether it passed and why (exit 0 passed, 1 not yet, 2 an unknown lesson or run)."""
from __future__ import annotations

import argparse

from .common import UsageError, add_home, note, print_json


def register(sub) -> None:
    p = sub.add_parser("lessons", help="list the guided lessons, or check runs against one")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_home(p)
    actions = p.add_subparsers(dest="action")
    c = actions.add_parser("check", help="check runs against a lesson: passed (exit 0) or not yet (exit 1)")
    c.add_argument("name", help="the lesson's name (see `python -m core lessons`)")
    c.add_argument("--run", action="append", required=True, help="a run's id; repeat for each run to look at")
    c.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object")
    c.add_argument("--home", default=argparse.SUPPRESS, help="workspace folder (default: GLASSNET_HOME or the "
                   "per-user data folder)")
    p.set_defaults(func=run)


def run(a) -> int:
    from pathlib import Path

    from ..lessons import LessonError, lesson, lessons
    from ..runs.store import default_home
    home = Path(a.home).expanduser() if a.home else default_home()
    if a.action != "check":
        found, problems = lessons(home)
        for problem in problems:
            note(f"warning: {problem}")
        if a.json:
            print_json({"lessons": [one.to_dict() for one in found], "problems": [str(p) for p in problems]})
        else:
            for one in found:
                print(f"{one.name:22} {one.title}")
        return 0
    try:
        chosen = lesson(a.name, home)
    except LessonError as e:
        raise UsageError(str(e)) from None
    return _check(a, chosen)


def _check(a, chosen) -> int:
    from ..lessons import check
    from ..runs import Store
    with Store(a.home) as store:
        verdict = check(chosen, store, list(dict.fromkeys(a.run)))
    if a.json:
        print_json({"lesson": chosen.name, **verdict.to_dict()})
    else:
        print(("passed: " if verdict.passed else "not yet: ") + verdict.sentence)
    return 0 if verdict.passed else 1
