"""Where uploaded files are kept when a workspace is shared by a class.

In personal mode every upload lies in home/datasets/. In class mode each student's uploads lie in their
own space, home/people/<person id>/datasets/, so one student's list of uploads never shows another's.
A run names its data by the file's content hash, and the training worker (which serves everyone) finds
the kept copy by that hash in any space: knowing the hash of a file means knowing its bytes already, so
this opens nothing to a person they could not reach otherwise.
"""
from __future__ import annotations

import re
from pathlib import Path

from .uploads import stored_path

SPACES = "people"                        # home/people/<person id>/ holds a student's own files
_PERSON_ID = re.compile(r"^[0-9a-f]{24}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


def space_folder(home: Path | str, person_id: str) -> Path:
    """The folder of one person's own files in the workspace `home` (made on first use)."""
    if not isinstance(person_id, str) or not _PERSON_ID.match(person_id):
        raise ValueError(f"{person_id!r} is not a person id (24 hex characters)")
    return Path(home) / SPACES / person_id


def kept_copy(home: Path | str, sha: str) -> Path:
    """The kept file whose SHA-256 is `sha`: the workspace's own copy, else the first person's space that
    holds one, else where the workspace's own copy would be (a path that does not exist)."""
    own = stored_path(Path(home), sha)
    if own.exists() or not isinstance(sha, str) or not _SHA.match(sha):
        return own
    try:
        spaces = sorted((Path(home) / SPACES).iterdir())
    except OSError:
        return own
    for space in spaces:
        candidate = stored_path(space, sha)
        if candidate.exists():
            return candidate
    return own
