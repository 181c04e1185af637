"""The data package as a whole: the names other modules import from it, free of UI and of unpickling."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PUBLIC = ["BUILTIN", "DATASETS_DIR", "MAX_GROUPS", "MISSING", "SPLITS", "DataError", "Dataset", "DatasetRef",
          "FairnessError", "Grouping", "Limits", "Preprocess", "Upload", "band_labels", "csv_columns_summary",
          "delete_upload", "group_labels", "group_order", "infer_task", "list_builtin", "load_builtin", "load_csv",
          "load_dataset", "load_upload", "read_csv_bytes", "read_upload", "remember_upload_settings", "row_groups",
          "split_name", "suggest_bins", "training_bins", "training_grouping", "upload_info", "uploaded_csvs"]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_names_import_from_core_data(name):
    import core.data

    assert getattr(core.data, name) is not None
    assert name in core.data.__all__


def test_core_data_does_not_import_streamlit():
    for path in sorted((ROOT / "core" / "data").rglob("*.py")):
        source = path.read_text()
        assert "streamlit" not in source, path
        assert "pickle" not in source, path
