"""Datasets: built-in sets and uploaded CSV files, validated and split into one Dataset type.

Everything that reaches a model goes through here. A Dataset is identified by a DatasetRef
(built-in name + parameters + seed, or a CSV file's content hash), so any page, any later visit
and the training worker rebuild exactly the same arrays with ``load_dataset(ref, home)``.
Every problem a person can fix raises ``DataError``: one sentence naming the problem and the fix,
and ``.column`` when it lies in one column.

  load_builtin, list_builtin, BUILTIN   the built-in sets              builtin/
  load_csv, read_csv_bytes, LIMITS      an uploaded table              loading.py, reading.py
  uploaded_csvs, upload_info, read_upload, load_upload,
  remember_upload_settings, delete_upload, Upload    earlier uploads    uploads.py
  load_dataset, DatasetRef, Preprocess  rebuilding from a reference    loading.py, ref.py
  Dataset (.split, .indices, .encode)   the arrays of the three splits dataset.py
  infer_task, csv_columns_summary       column typing for previews     columns.py
"""

from .builtin import BUILTIN, DATASETS_DIR, list_builtin, load_builtin
from .columns import csv_columns_summary, infer_task
from .dataset import Dataset
from ..limits import LIMITS, Limits
from .errors import DataError
from .loading import load_csv, load_dataset, load_upload
from .reading import read_csv_bytes
from .ref import DatasetRef, Preprocess
from .split import SPLITS
from .uploads import Upload, delete_upload, read_upload, remember_upload_settings, upload_info, uploaded_csvs

__all__ = [
    "BUILTIN",
    "DATASETS_DIR",
    "LIMITS",
    "SPLITS",
    "DataError",
    "Dataset",
    "DatasetRef",
    "Limits",
    "Preprocess",
    "Upload",
    "csv_columns_summary",
    "delete_upload",
    "infer_task",
    "list_builtin",
    "load_builtin",
    "load_csv",
    "load_dataset",
    "load_upload",
    "read_csv_bytes",
    "read_upload",
    "remember_upload_settings",
    "upload_info",
    "uploaded_csvs",
]
