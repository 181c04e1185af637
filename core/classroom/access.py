"""Who may ask about the whole class: its teacher, and nobody else.

A class-wide request (every run's curves, the leaderboard, the queue, the results as CSV, pausing or
stopping every run, handing settings out) takes the store as the person asking may use it (a scoped
view, core/runs/scope.py) and is refused with TeachersOnly unless that person is the class's teacher.
Personal mode has no class: its one person is refused too, with the way to start one.
"""
from __future__ import annotations

from core.runs import NotYours, class_members


class TeachersOnly(NotYours):
    """A class-wide request by someone who is not the class's teacher."""


STUDENT_REFUSAL = ("The Class page is for the teacher: it shows every student's runs. Your own runs are on the "
                   "Train and Runs pages.")
PERSONAL_REFUSAL = ("The Class page is for a class: start the server with `make class` and join with the teacher "
                    "key to see every student's runs in one place.")


def teacher_view(view):
    """`view` itself when its person is the class's teacher; TeachersOnly (saying why and what to do) otherwise."""
    person = getattr(view, "person", None)
    if person is not None and person.role == "teacher":
        return view
    if person is not None and person.role == "student":
        raise TeachersOnly(STUDENT_REFUSAL)
    raise TeachersOnly(PERSONAL_REFUSAL)


def is_teacher(view) -> bool:
    """Whether `view` is the class's teacher's (what the page checks before it draws anything)."""
    person = getattr(view, "person", None)
    return person is not None and person.role == "teacher"


def member_names(view) -> dict:
    """Person id → display name of everyone who joined the class (for the teacher only)."""
    teacher_view(view)
    return {p.id: p.name for p in class_members(view.store)}
