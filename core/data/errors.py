"""What can go wrong with data (how big a table may be is core/limits.py).

Every problem a person can fix raises ``DataError``: its text is one sentence naming the problem
and the fix, and when the problem lies in one column, ``column`` names that column so a page can
point at it without reading the sentence.
"""

from __future__ import annotations

from typing import Any, Iterable



class DataError(ValueError):
    """A user-facing problem with data; str(e) is one clear sentence naming the problem and the fix.

    `column` is the one column the problem lies in, or None when it concerns no single column.
    """

    def __init__(self, message: str, *, column: str | None = None):
        super().__init__(message)
        self.column = None if column is None else str(column)



def quote(name: Any) -> str:
    """A column or file name as a message shows it."""
    return repr(str(name))


def names_list(names: Iterable[Any], limit: int = 25) -> str:
    """Names for a message: quoted, comma-separated, the tail counted after `limit` of them."""
    names = [str(n) for n in names]
    shown = ", ".join(repr(n) for n in names[:limit])
    if len(names) > limit:
        shown += f" and {len(names) - limit} more"
    return shown

