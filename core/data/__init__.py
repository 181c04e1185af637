"""Datasets: built-in sets and uploaded CSV files, validated and split into one Dataset type.

Everything that reaches a model goes through here. A Dataset is identified by a DatasetRef
(built-in name + parameters + seed, or a CSV file's content hash), so any page, any later visit
and the training worker rebuild exactly the same arrays with ``load_dataset(ref, home)``.
Every problem a person can fix raises ``DataError``: one sentence naming the problem and the fix,
and ``.column`` when it lies in one column.

  load_builtin, list_builtin, BUILTIN   the built-in sets              builtin/
  class_counts, balanced_share          a toy set's points per class under the minority knob   builtin/toy.py
  load_csv, read_csv_bytes              an uploaded table (within core/limits.py)   loading.py, reading.py
  uploaded_csvs, upload_info, read_upload, load_upload,
  remember_upload_settings, delete_upload, Upload    earlier uploads    uploads.py
  space_folder, kept_copy, SPACES       a class member's own uploads; a kept file found by hash   spaces.py
  load_dataset, DatasetRef, Preprocess  rebuilding from a reference    loading.py, ref.py
  Dataset (.split, .indices, .encode)   the arrays of the three splits dataset.py
  infer_task, csv_columns_summary       column typing for previews     columns.py
  SPLITS, split_name                    the splits' names ("validation" is "val")   split.py
  Grouping, group_labels, row_groups,   sensitive groups: a column's values or its
  training_grouping, training_bins,     bands (cut at the training rows' quantiles),
  suggest_bins, band_labels,            or the intersection of two columns; groups
  group_order, MAX_GROUPS, MISSING,     in reading order; FairnessError when rows
  FairnessError                         cannot be grouped                  groups.py
"""

from .builtin import BUILTIN, DATASETS_DIR, balanced_share, class_counts, list_builtin, load_builtin
from .columns import csv_columns_summary, infer_task
from .dataset import Dataset
from ..limits import Limits
from .errors import DataError
from .groups import (MAX_GROUPS, MISSING, FairnessError, Grouping, band_labels, group_labels, group_order, row_groups,
                     suggest_bins, training_bins, training_grouping)
from .loading import load_csv, load_dataset, load_upload
from .reading import read_csv_bytes
from .ref import DatasetRef, Preprocess
from .spaces import SPACES, kept_copy, space_folder
from .split import SPLITS, split_name
from .uploads import Upload, delete_upload, read_upload, remember_upload_settings, upload_info, uploaded_csvs

__all__ = [
    "BUILTIN",
    "DATASETS_DIR",
    "MAX_GROUPS",
    "MISSING",
    "SPACES",
    "SPLITS",
    "DataError",
    "Dataset",
    "DatasetRef",
    "FairnessError",
    "Grouping",
    "Limits",
    "Preprocess",
    "Upload",
    "balanced_share",
    "band_labels",
    "class_counts",
    "csv_columns_summary",
    "delete_upload",
    "group_labels",
    "group_order",
    "infer_task",
    "kept_copy",
    "list_builtin",
    "load_builtin",
    "load_csv",
    "load_dataset",
    "load_upload",
    "read_csv_bytes",
    "read_upload",
    "remember_upload_settings",
    "row_groups",
    "space_folder",
    "split_name",
    "suggest_bins",
    "training_bins",
    "training_grouping",
    "upload_info",
    "uploaded_csvs",
]
