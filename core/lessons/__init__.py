"""Guided lessons that check themselves: a lesson is a JSON file (a text, a ready setup, one thing to change, a
question and a check); the check is data this package interprets on a person's runs.

  lessons(home) -> (lessons, problems)     the lessons shipped in data/ and those in the workspace's lessons/
  lesson(name, home)                       one of them; LessonError naming the choices when there is none
  check(lesson, store, run_ids | runs)     a Verdict: passed, and one sentence saying why        check.py
  Lesson, LessonError, read_lesson         a lesson file read and checked field by field        schema.py
  METRICS, SETTINGS                        what a check may ask of a run                        measures.py

No streamlit here; the Lessons page and `python -m core lessons` use these.
"""
from __future__ import annotations

from pathlib import Path

from .check import Verdict, check_runs
from .measures import METRICS, NETWORK_SETTINGS, TRAIN_SETTINGS
from .schema import Lesson, LessonError, lesson_from_dict, read_folder, read_lesson

DATA_DIR = Path(__file__).resolve().parent / "data"
SETTINGS = TRAIN_SETTINGS + NETWORK_SETTINGS

__all__ = ["DATA_DIR", "METRICS", "SETTINGS", "Lesson", "LessonError", "Verdict", "check", "check_runs",
           "lesson", "lesson_from_dict", "lessons", "read_lesson"]


def folders(home: Path | str | None = None) -> list[Path]:
    """Where lessons are read from: the shipped ones, then the workspace's own `lessons/` folder."""
    out = [DATA_DIR]
    if home is not None:
        out.append(Path(home) / "lessons")
    return out


def lessons(home: Path | str | None = None) -> tuple[list[Lesson], list[LessonError]]:
    """Every lesson that reads cleanly (a name taken by a shipped lesson is not taken twice), and the problems
    of the files that do not."""
    found: dict[str, Lesson] = {}
    problems: list[LessonError] = []
    for folder in folders(home):
        good, bad = read_folder(folder)
        problems += bad
        for one in good:
            if one.name in found:
                problems.append(LessonError(one.file, "name", f"{one.name!r} is taken by a shipped lesson; rename it"))
            else:
                found[one.name] = one
    return sorted(found.values(), key=lambda one: (one.order, one.name)), problems


def lesson(name: str, home: Path | str | None = None) -> Lesson:
    """The lesson called `name`; LessonError listing the lessons there are when there is none."""
    found, _ = lessons(home)
    for one in found:
        if one.name == name:
            return one
    names = ", ".join(one.name for one in found) or "none"
    raise LessonError("", "", f"there is no lesson {name!r}; the lessons are {names}")


def check(one: Lesson, store, run_ids: list[str]) -> Verdict:
    """The lesson's check on the named runs of `store` (a person's scoped view refuses runs not theirs)."""
    return check_runs(one, store, [store.get_run(run_id) for run_id in run_ids])
