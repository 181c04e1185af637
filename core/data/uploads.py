"""The upload store: CSV files kept in a workspace, to open again without uploading.

Each kept file is home/datasets/<sha256>.csv (its content hash names it, so uploading the same bytes
twice keeps one copy). Next to it lies home/datasets/<sha256>.json with what a list of uploads shows
and what the file was last opened with:
  {"name": "people.csv", "rows": 60, "columns": 4, "bytes": 1234, "uploaded": <unix time>,
   "used": <unix time>, "settings": {"target": ..., "task": ..., "sensitive": [...], "drop": [...]},
   "preprocess": {...}}
Files kept before these notes existed are still listed: their notes are made on first listing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import DataError, quote
from .reading import read_csv_bytes
from .ref import DatasetRef, Preprocess

_UPLOAD_ID = re.compile(r"^[0-9a-f]{64}$")
_CSV_SETTINGS = ("target", "task", "sensitive", "drop")


def stored_path(home: Path, sha: str) -> Path:
    """Where the workspace `home` keeps the file whose SHA-256 is `sha`."""
    return Path(home) / "datasets" / f"{sha}.csv"


def store_bytes(home: Path, sha: str, data: bytes) -> Path:
    """Keep an uploaded file's bytes in the workspace (written to a temporary file, then renamed)."""
    path = stored_path(home, sha)
    if path.exists() and path.stat().st_size == len(data):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True)
class Upload:
    """One CSV file kept in a workspace. `id` is its SHA-256, which also names the kept copy."""

    id: str
    name: str  # the original file name
    rows: int | None  # data rows and columns of the table; None when it cannot be read
    columns: int | None
    size: int | None  # bytes; None when the kept copy is missing
    uploaded: float  # unix time the file first came into the workspace
    used: float | None  # unix time it was last loaded or its settings changed
    settings: dict  # target, task, sensitive, drop last used; empty if never recorded
    preprocess: dict  # scaling and split last used (Preprocess.to_dict())
    problem: str | None = None  # why it cannot be opened (one sentence with the fix), else None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def ref(self) -> dict | None:
        """The DatasetRef (as a dict) of the settings last used with this file, or None if none were recorded."""
        if not self.settings.get("target"):
            return None
        try:
            return DatasetRef(kind="csv", name=self.name, params=dict(self.settings), sha256=self.id,
                              preprocess=Preprocess.from_dict(self.preprocess)).to_dict()
        except DataError:
            return None

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def _check_upload_id(upload_id: Any) -> str:
    if not isinstance(upload_id, str) or not _UPLOAD_ID.match(upload_id):
        raise DataError(
            f"{upload_id!r} is not the id of an uploaded file (64 hex digits); pick a file from the list of uploads."
        )
    return upload_id


def _meta_path(home: Path, sha: str) -> Path:
    return Path(home) / "datasets" / f"{sha}.json"


def _read_meta(home: Path, sha: str) -> dict | None:
    """The notes kept about an upload, or None when there are none or they cannot be read."""
    try:
        meta = json.loads(_meta_path(home, sha).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _write_meta(home: Path, sha: str, meta: dict) -> None:
    """Replace the notes atomically; a workspace that cannot be written keeps the old notes."""
    path = _meta_path(home, sha)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(meta, fh, indent=1, sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass


def _clean_settings(params: dict) -> dict:
    return {k: params.get(k) for k in _CSV_SETTINGS if k in params}


def record_upload(home: Path, ref: DatasetRef, *, rows: int, columns: int, size: int) -> None:
    """Note a successful load of a kept CSV: its name, shape and the settings it was loaded with."""
    now = time.time()
    meta = _read_meta(home, ref.sha256) or {}
    uploaded = meta.get("uploaded")
    if not isinstance(uploaded, (int, float)):
        try:
            uploaded = min(now, stored_path(home, ref.sha256).stat().st_mtime)
        except OSError:
            uploaded = now
    meta.update(
        name=ref.name,
        rows=rows,
        columns=columns,
        bytes=size,
        uploaded=float(uploaded),
        used=now,
        settings=_clean_settings(ref.params),
        preprocess=ref.preprocess.to_dict(),
    )
    _write_meta(home, ref.sha256, meta)


def _legacy_meta(home: Path, sha: str, path: Path) -> dict:
    """Notes for a kept file that has none (kept before notes existed, or the notes were damaged)."""
    stat = path.stat()
    meta: dict[str, Any] = {"name": f"upload-{sha[:8]}.csv", "uploaded": stat.st_mtime, "bytes": stat.st_size,
                            "rows": None, "columns": None, "settings": {}, "preprocess": Preprocess().to_dict()}
    try:
        data = path.read_bytes()
    except OSError as exc:  # listed with the reason; notes are made once it can be read
        return {**meta, "unreadable": exc.strerror or type(exc).__name__}
    try:
        frame, _ = read_csv_bytes(data, filename=meta["name"])
        meta["rows"], meta["columns"] = int(frame.shape[0]), int(frame.shape[1])
    except DataError:
        pass
    _write_meta(home, sha, meta)
    return meta


def _number(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _upload_from(home: Path, sha: str) -> Upload | None:
    path = stored_path(home, sha)
    meta = _read_meta(home, sha)
    problem = None
    if meta is None:
        try:
            meta = _legacy_meta(home, sha, path)
        except OSError:
            return None  # neither notes nor a readable file: nothing to list
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta.get("name") else f"upload-{sha[:8]}.csv"
    try:
        size: int | None = path.stat().st_size
    except FileNotFoundError:
        size = None
        problem = (f"The kept copy of {quote(name)} is no longer in the workspace (it was deleted from the "
                   "datasets folder); upload the file again, or remove it from the list.")
    except OSError as exc:
        size = None
        problem = f"The kept copy of {quote(name)} cannot be read ({exc.strerror}); check the workspace folder's permissions."
    if problem is None and meta.get("unreadable"):
        problem = (f"The kept copy of {quote(name)} cannot be read ({meta['unreadable']}); "
                   "check the workspace folder's permissions.")
    if problem is None and meta.get("rows") is None:
        problem = f"The kept copy of {quote(name)} cannot be read as a table; upload a corrected file, or remove this one."
    settings = meta.get("settings") if isinstance(meta.get("settings"), dict) else {}
    preprocess = meta.get("preprocess") if isinstance(meta.get("preprocess"), dict) else {}
    try:
        preprocess = Preprocess.from_dict(preprocess).to_dict()
    except (DataError, TypeError):
        preprocess = Preprocess().to_dict()
    uploaded = meta.get("uploaded")
    used = meta.get("used")
    return Upload(
        id=sha,
        name=name,
        rows=_number(meta.get("rows")),
        columns=_number(meta.get("columns")),
        size=size,
        uploaded=float(uploaded) if isinstance(uploaded, (int, float)) else 0.0,
        used=float(used) if isinstance(used, (int, float)) else None,
        settings=_clean_settings(settings),
        preprocess=preprocess,
        problem=problem,
    )


def uploaded_csvs(home: Path | str) -> list[Upload]:
    """The CSV files uploaded earlier into the workspace `home`, newest upload first.

    A file whose kept copy went missing or cannot be read is still listed, with `problem` saying
    why and what to do, so it can be removed from the list.
    """
    folder = Path(home) / "datasets"
    try:
        names = [p.name for p in folder.iterdir()]
    except OSError:
        return []
    ids = {n[:-4] for n in names if n.endswith(".csv") and _UPLOAD_ID.match(n[:-4])}
    ids |= {n[:-5] for n in names if n.endswith(".json") and _UPLOAD_ID.match(n[:-5])}
    uploads = [u for u in (_upload_from(Path(home), sha) for sha in ids) if u is not None]
    return sorted(uploads, key=lambda u: (-u.uploaded, u.name, u.id))


def upload_info(home: Path | str, upload_id: str) -> Upload:
    """One earlier upload by id; DataError if the workspace has no such file."""
    sha = _check_upload_id(upload_id)
    home = Path(home)
    if not stored_path(home, sha).exists() and not _meta_path(home, sha).exists():
        raise DataError("That uploaded file is not in this workspace (it may have been removed); upload it again.")
    upload = _upload_from(home, sha)
    if upload is None:
        raise DataError("That uploaded file cannot be read from the workspace; upload it again.")
    return upload


def read_upload(home: Path | str, upload_id: str) -> bytes:
    """The bytes of an earlier upload, checked against its SHA-256. DataError when missing, unreadable or changed."""
    sha = _check_upload_id(upload_id)
    home = Path(home)
    meta = _read_meta(home, sha) or {}
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta.get("name") else f"upload-{sha[:8]}.csv"
    path = stored_path(home, sha)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(
            f"The kept copy of {quote(name)} is no longer in the workspace (it was deleted from the datasets folder); "
            "upload the file again."
        ) from None
    except OSError as exc:
        raise DataError(
            f"The kept copy of {quote(name)} cannot be read ({exc.strerror}); check the workspace folder's permissions."
        ) from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise DataError(f"The kept copy of {quote(name)} has changed since it was uploaded; upload the file again.")
    return data


def remember_upload_settings(home: Path | str, ref: DatasetRef | dict) -> bool:
    """Remember a CSV reference's settings and preprocessing as its file's last used; True if anything changed.

    Does nothing for built-in references or files no longer kept in the workspace.
    """
    if isinstance(ref, dict):
        ref = DatasetRef.from_dict(ref)
    if ref.kind != "csv":
        return False
    home = Path(home)
    meta = _read_meta(home, ref.sha256)
    if meta is None:
        path = stored_path(home, ref.sha256)
        try:
            meta = _legacy_meta(home, ref.sha256, path)
        except OSError:
            return False
        if meta.get("unreadable"):
            return False
    settings, preprocess = _clean_settings(ref.params), ref.preprocess.to_dict()
    if meta.get("settings") == settings and meta.get("preprocess") == preprocess and meta.get("name") == ref.name:
        return False
    meta.update(name=ref.name, settings=settings, preprocess=preprocess, used=time.time())
    _write_meta(home, ref.sha256, meta)
    return True


def delete_upload(home: Path | str, upload_id: str) -> bool:
    """Remove an earlier upload (the kept CSV and its notes) from the workspace; True if anything was removed.

    References to it then fail to load with a message asking to upload the file again.
    """
    sha = _check_upload_id(upload_id)
    removed = False
    for path in (stored_path(Path(home), sha), _meta_path(Path(home), sha)):
        try:
            path.unlink()
            removed = True
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise DataError(
                f"Could not remove {path.name} from the workspace ({exc.strerror}); check the folder's permissions."
            ) from None
    return removed
