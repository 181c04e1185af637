"""Loading: a Dataset from an uploaded CSV (``load_csv``), from an earlier upload (``load_upload``),
or from any reference, in any process (``load_dataset``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

from .assembly import as_name_list, check_task, prepare_table
from .builtin import build_builtin
from .dataset import Dataset
from .errors import DataError, names_list
from .reading import read_csv_bytes
from .ref import DatasetRef, Preprocess
from .spaces import kept_copy
from .uploads import read_upload, record_upload, store_bytes, upload_info


def _csv_source(data: bytes | str | Path, filename: str | None) -> tuple[bytes, str]:
    """The bytes and file name of a CSV given as bytes, as text (with a line break) or as a path."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data), filename or "data.csv"
    if isinstance(data, str) and ("\n" in data or "\r" in data):
        return data.encode("utf-8"), filename or "data.csv"
    if isinstance(data, (str, Path)):
        path = Path(data)
        try:
            return path.read_bytes(), filename or path.name
        except FileNotFoundError:
            raise DataError(f"No file at {str(path)!r}; check the path.") from None
        except IsADirectoryError:
            raise DataError(f"{str(path)!r} is a folder, not a file; give the path of the CSV file.") from None
    raise DataError(f"A CSV must be given as bytes, text or a file path, not {type(data).__name__}; pass the file's bytes.")


def _dataset_from_csv_bytes(data: bytes, ref: DatasetRef, shape: list | None = None) -> Dataset:
    """The Dataset of a CSV reference; `shape`, when given, receives the parsed table's (rows, columns)."""
    params = ref.params
    unknown = sorted(set(params) - {"target", "task", "sensitive", "drop"})
    if unknown:
        raise DataError(f"Unknown CSV setting {names_list(unknown)}; use only 'target', 'task', 'sensitive' and 'drop'.")
    frame, notes = read_csv_bytes(data, filename=ref.name)
    if shape is not None:
        shape[:] = [int(frame.shape[0]), int(frame.shape[1])]
    return prepare_table(
        frame,
        notes,
        ref=ref,
        name=ref.name,
        target=params.get("target"),
        task=params.get("task"),
        sensitive=as_name_list(params.get("sensitive"), "sensitive"),
        drop=as_name_list(params.get("drop"), "drop"),
    )


def load_csv(
    data: bytes | str | Path,
    *,
    target: str,
    task: str | None = None,
    sensitive: Iterable[str] = (),
    drop: Iterable[str] = (),
    preprocess: Preprocess | None = None,
    filename: str | None = None,
    home: Path | None = None,
) -> Dataset:
    """Load an uploaded table. `data` is the file's bytes, a path, or CSV text (a str with a line break).

    With `home`, the bytes are kept as home/datasets/<sha256>.csv so load_dataset can rebuild it later.
    """
    raw_bytes, filename = _csv_source(data, filename)
    check_task(task)
    sha = hashlib.sha256(raw_bytes).hexdigest()
    params = {
        "target": target,
        "task": task,
        "sensitive": as_name_list(sensitive, "sensitive"),
        "drop": as_name_list(drop, "drop"),
    }
    ref = DatasetRef(kind="csv", name=filename, params=params, sha256=sha, preprocess=preprocess or Preprocess())
    shape: list = []
    dataset = _dataset_from_csv_bytes(raw_bytes, ref, shape)
    if home is not None:
        store_bytes(Path(home), sha, raw_bytes)
        record_upload(Path(home), ref, rows=shape[0], columns=shape[1], size=len(raw_bytes))
    return dataset


def load_upload(
    home: Path | str,
    upload_id: str,
    *,
    target: str,
    task: str | None = None,
    sensitive: Iterable[str] = (),
    drop: Iterable[str] = (),
    preprocess: Preprocess | None = None,
) -> Dataset:
    """Open an earlier upload with new settings, exactly as load_csv does for a fresh upload of the same file.

    The settings are remembered as the file's last used ones.
    """
    data = read_upload(home, upload_id)
    name = upload_info(home, upload_id).name
    return load_csv(data, target=target, task=task, sensitive=sensitive, drop=drop, preprocess=preprocess,
                    filename=name, home=Path(home))


def load_dataset(ref: DatasetRef | dict, home: Path | None = None) -> Dataset:
    """Rebuild exactly the Dataset a reference describes (bitwise-equal arrays), in any process.

    CSV references need `home`, the folder whose datasets/ subfolder keeps uploaded files.
    """
    if isinstance(ref, dict):
        ref = DatasetRef.from_dict(ref)
    if not isinstance(ref, DatasetRef):
        raise DataError(f"load_dataset needs a DatasetRef, not {type(ref).__name__}; pass dataset.ref.")
    if ref.kind == "builtin":
        return build_builtin(ref)
    if home is None:
        raise DataError(
            f"Rebuilding the uploaded file {ref.name!r} needs the workspace folder where it was kept; pass home=..."
        )
    path = kept_copy(Path(home), ref.sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(
            f"The uploaded file {ref.name!r} is no longer in the workspace ({path.name} is missing); upload it again."
        ) from None
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise DataError(f"The stored copy of {ref.name!r} has changed since it was uploaded; upload the file again.")
    return _dataset_from_csv_bytes(data, ref)
