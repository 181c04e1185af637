"""What is wrong with a workspace that cannot be written: the disk is full, it is read-only, or its
folder is gone — named in one sentence with what to do about it, for the command line, the worker's
log and the run's error."""
from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from .db import FILE, database_url
from .store import StoreError

FULL = ("no space left on the device that holds the workspace {home}; free some space there (or set GLASSNET_HOME "
        "to a folder on another disk) and try again")
READ_ONLY = ("the workspace {home} is read-only; remount it read-write, or set GLASSNET_HOME (or --home) to a "
             "writable folder")
GONE = ("the workspace folder {home} is gone (it was deleted or unmounted while in use); point GLASSNET_HOME (or "
        "--home) at the folder that holds your runs, or run the command again to start a new workspace there")


class WorkspaceError(StoreError):
    """The workspace cannot be written: full, read-only or gone."""


def workspace_problem(home: Path | str, error: BaseException | None = None) -> str | None:
    """The sentence for what keeps `home` from being written, judged from `error` and the folder as it is
    now; None when neither points at the workspace (then the error is about something else)."""
    home = Path(home)
    code = getattr(error, "errno", None)
    name = getattr(error, "sqlite_errorname", "") or ""
    if code == errno.ENOSPC or name == "SQLITE_FULL":
        return FULL.format(home=home)
    if code == errno.EROFS or name.startswith("SQLITE_READONLY"):
        return READ_ONLY.format(home=home)
    if not (error is None or isinstance(error, sqlite3.Error) or _inside(home, getattr(error, "filename", None))):
        return None
    if _read_only(home):
        return READ_ONLY.format(home=home)
    if not home.is_dir() or not (database_url() or (home / FILE).exists()):   # the SQLite file, unless PostgreSQL
        return GONE.format(home=home)
    if _full(home):
        return FULL.format(home=home)
    return None


def as_workspace_error(home: Path | str, error: BaseException) -> WorkspaceError | None:
    problem = workspace_problem(home, error)
    return None if problem is None else WorkspaceError(problem)


def _read_only(home: Path) -> bool:
    try:
        return bool(os.statvfs(home).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _full(home: Path) -> bool:
    try:
        st = os.statvfs(home)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def _inside(home: Path, filename) -> bool:
    if not filename:
        return False
    try:
        return Path(os.path.abspath(filename)).is_relative_to(os.path.abspath(home))
    except (TypeError, ValueError):
        return False
