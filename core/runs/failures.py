"""The reason a failed run records, in the words a person acts on.

An error Glassnet raises for a person to fix — data it cannot use, a spec value out of range, a limit, a
run that cannot start as specified — already names the problem and the fix: the run records its message as
it is (its class name stays in the worker's log, with the traceback). Any other error is unexpected, and the
run records it with its type, which is what there is to go on. A workspace that cannot be written (full,
read-only or gone) is said in words of its own.
"""
from __future__ import annotations

from pathlib import Path


def user_errors() -> tuple[type[BaseException], ...]:
    """The errors training raises for a person to fix, each with a message that says what to change."""
    from ..data.errors import DataError
    from ..data.groups import FairnessError
    from ..spec import SpecError
    from ..training.errors import TrainingError
    return DataError, FairnessError, SpecError, TrainingError


def failure_reason(home: Path | str, error: BaseException) -> str:
    """What a run that stopped on `error` records as its error: the workspace's problem, the plain message
    of an error a person can fix, or the type and message of an unexpected one."""
    from .workspace import workspace_problem
    problem = workspace_problem(home, error)
    if problem:
        return problem
    message = str(error).strip()
    if isinstance(error, user_errors()) and message:
        return message
    return f"{type(error).__name__}: {error}"
