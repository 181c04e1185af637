"""Checkpoint files that survive a crash, and finding the newest one that is whole.

A checkpoint is written to a temporary file, flushed to the disk (fsync), renamed over its final name, and
the folder is flushed too, so after a crash or a power cut the name holds either the old weights or the
new ones, never half a file. A write that fails removes its temporary file; a worker that starts removes
the ones a killed worker left behind.

Reading back, the newest checkpoint may still be unusable: its file gone, or torn (written before these
rules, or damaged since). Then the one before it is used, and an event says which was skipped and why.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

RESUMABLE_KINDS = ("epoch", "resume")     # weights a run can continue from (not 'best', the best epoch's)
SKIPPED = "checkpoint_skipped"


def write_file(folder: Path, name: str, tensors: dict, metadata: dict) -> Path:
    """`tensors` as safetensors at folder/name, durably: temp file, fsync, rename, fsync of the folder."""
    from safetensors.torch import save_file
    final, tmp = folder / name, folder / f".{name}.tmp"
    try:
        try:
            save_file(tensors, str(tmp), metadata={k: str(v) for k, v in metadata.items()})
        except Exception as e:              # safetensors reports a failed write (a full disk...) as its own error
            raise _os_error(e, tmp) from e
        _fsync(tmp, os.O_RDONLY)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    return final


def _os_error(error: Exception, path: Path) -> Exception:
    """The OSError behind a safetensors write error ('... (os error 28)'), so callers can tell a full disk."""
    import re
    found = re.search(r"os error (\d+)", str(error))
    if isinstance(error, OSError) or not found:
        return error
    code = int(found.group(1))
    return OSError(code, os.strerror(code), str(path))


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean_leftovers(folder: Path) -> list[str]:
    """Remove the temporary files a killed writer left in a run's folder; the names removed."""
    removed = []
    for path in folder.glob(".*.tmp"):
        try:
            path.unlink()
            removed.append(path.name)
        except FileNotFoundError:
            pass
    return removed


@dataclass
class Checkpoint:
    kind: str
    epoch: int
    step: int | None
    path: Path

    def describe(self) -> dict:
        return {"kind": self.kind, "epoch": self.epoch, "file": self.path.name}


def candidates(store, run_id: str) -> list[Checkpoint]:
    """A run's epoch and resume checkpoints, newest first (by epoch, then step; an epoch checkpoint before a
    resume one taken at the same step)."""
    rows = store.db.execute(
        "SELECT kind, epoch, step, path FROM artefacts WHERE run=? AND kind IN ('epoch','resume') "
        "ORDER BY epoch DESC, coalesce(step, -1) DESC, kind='resume'", (run_id,)).fetchall()
    folder = store.run_dir(run_id)
    return [Checkpoint(k, int(e), None if s is None else int(s), folder / p) for k, e, s, p in rows]


def load_newest(store, run_id: str, *, max_step: int | None = None, by: str):
    """(tensors, metadata, checkpoint) of the newest whole checkpoint — only those taken at or before
    `max_step` when given — or None when there is none. Each newer one passed over is noted in an event
    (`by` says who looked: 'resume' or 'load') and, when its file is missing or torn, forgotten."""
    from ..model import load_checkpoint

    def skip(ckpt: Checkpoint, reason: str, forget: bool) -> None:
        _skip(store, run_id, ckpt, reason, by, forget=forget)
    return _newest(store, run_id, max_step, load_checkpoint, skip)


def newest_whole(store, run_id: str, *, max_step: int | None = None) -> tuple[dict, Checkpoint] | None:
    """(metadata, checkpoint) of the checkpoint load_newest would load now, found by reading the files'
    headers only (a torn file's header does not cover it) and changing nothing: no event, nothing forgotten."""
    found = _newest(store, run_id, max_step, _read_header, lambda ckpt, reason, forget: None)
    return None if found is None else (found[1], found[2])


def _read_header(path: Path) -> tuple[dict, dict]:
    """({}, metadata) of a safetensors file, without reading its tensors; raises as loading it would."""
    from safetensors import safe_open
    with safe_open(str(path), framework="pt") as f:
        return {}, f.metadata() or {}


def _newest(store, run_id: str, max_step: int | None, read, skip):
    """(tensors, metadata, checkpoint) of the newest checkpoint `read` reads whole, taken at or before
    `max_step` when given; skip(checkpoint, reason, forget) is told of each newer one passed over."""
    for ckpt in candidates(store, run_id):
        if max_step is not None and ckpt.step is not None and ckpt.step > max_step:
            skip(ckpt, _AHEAD, False)
            continue
        try:
            tensors, meta = read(ckpt.path)
        except FileNotFoundError:
            if _still_listed(store, run_id, ckpt):          # not merely replaced by a newer one meanwhile
                skip(ckpt, "its file is missing", True)
            continue
        except Exception as e:                               # safetensors raises on a truncated file
            skip(ckpt, f"its file is torn ({str(e).splitlines()[0][:160]})", True)
            continue
        if max_step is not None and int(meta.get("step", 0)) > max_step:
            skip(ckpt, _AHEAD, False)
            continue
        return tensors, meta, ckpt
    return None


_AHEAD = "it was taken after the last metrics the run recorded (the worker stopped between the two)"


def _still_listed(store, run_id: str, ckpt: Checkpoint) -> bool:
    return store.db.execute("SELECT 1 FROM artefacts WHERE run=? AND kind=? AND epoch=?",
                            (run_id, ckpt.kind, ckpt.epoch)).fetchone() is not None


def _skip(store, run_id: str, ckpt: Checkpoint, reason: str, by: str, forget: bool = True) -> None:
    """Note a checkpoint passed over; forget a missing or torn one so it is not tried again. A workspace that
    cannot be written (e.g. read-only) still gets the older weights, without the note."""
    from .db import database_errors
    try:
        run = store.get_run(run_id)
        with store.transaction():
            store.add_event(run_id, run.step, run.epoch, SKIPPED, {**ckpt.describe(), "reason": reason, "by": by})
            if forget:
                store.db.execute("DELETE FROM artefacts WHERE run=? AND kind=? AND epoch=?",
                                 (run_id, ckpt.kind, ckpt.epoch))
    except database_errors():
        pass


def prune_resume_points(store, run_id: str) -> None:
    """Remove the resume checkpoints a newer whole-and-recorded checkpoint makes useless: those taken at or
    before the newest one whose step the metrics have reached. At most two are left: that one and a newer
    one still waiting for its epoch's metrics."""
    recorded = store.recorded_step(run_id)
    found = candidates(store, run_id)
    keep = next((c for c in found if c.step is not None and c.step <= recorded), None)
    if keep is None:
        return
    for c in found:
        older = c.step is not None and c.step <= keep.step and (c.kind, c.epoch) != (keep.kind, keep.epoch)
        if c.kind == "resume" and older:
            store.db.execute("DELETE FROM artefacts WHERE run=? AND kind='resume' AND epoch=?", (run_id, c.epoch))
            c.path.unlink(missing_ok=True)


def forget_after(store, run_id: str, step: int) -> None:
    """Forget the checkpoints (epoch and resume) taken after `step`: a resume from `step` makes them part of
    a past that no longer happened."""
    for c in candidates(store, run_id):
        if c.step is not None and c.step > step:
            store.db.execute("DELETE FROM artefacts WHERE run=? AND kind=? AND epoch=?", (run_id, c.kind, c.epoch))
            c.path.unlink(missing_ok=True)
