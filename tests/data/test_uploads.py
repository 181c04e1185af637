"""The upload store: files kept in a workspace, listed, reopened, remembered and removed."""

from __future__ import annotations

import json
import time

import pytest

from core.data import DataError, DatasetRef, Preprocess, Upload, delete_upload, load_builtin, load_csv, load_dataset, load_upload, read_upload, remember_upload_settings, upload_info, uploaded_csvs
from tests.data.tables import assert_same_arrays, hashlib_sha, table


def test_no_uploads_in_a_new_workspace(tmp_path):
    assert uploaded_csvs(tmp_path) == [] and uploaded_csvs(tmp_path / "not-there") == []
    load_csv(table(n=30).encode(), target="label")                     # without home nothing is kept
    assert uploaded_csvs(tmp_path) == []


def test_uploads_are_listed_newest_first_with_name_shape_and_time(tmp_path):
    before = time.time()
    first = load_csv(table(n=40).encode(), target="label", filename="first.csv", home=tmp_path)
    second = load_csv(table(n=50, seed=1).encode(), target="income", filename="second.csv", home=tmp_path)
    uploads = uploaded_csvs(tmp_path)
    assert [u.name for u in uploads] == ["second.csv", "first.csv"]
    assert [u.id for u in uploads] == [second.ref.sha256, first.ref.sha256]
    u = uploads[1]
    assert isinstance(u, Upload) and u.ok and u.problem is None
    assert (u.rows, u.columns) == (40, len(first.raw.columns))
    assert u.size == len(table(n=40).encode())
    assert before - 1 <= u.uploaded <= time.time() and u.used >= u.uploaded
    assert uploads[0].settings == {"target": "income", "task": None, "sensitive": [], "drop": []}
    assert json.loads(json.dumps(u.to_dict()))["ok"] is True
    # notes are JSON next to the CSV, and the CSV stays the uploaded bytes
    folder = tmp_path / "datasets"
    assert sorted(p.suffix for p in folder.iterdir()) == [".csv", ".csv", ".json", ".json"]
    assert json.loads((folder / f"{u.id}.json").read_text())["name"] == "first.csv"
    assert (folder / f"{u.id}.csv").read_bytes() == table(n=40).encode()


def test_an_upload_reopens_with_new_settings_bitwise_like_a_fresh_upload(tmp_path):
    data = table(n=60).encode()
    original = load_csv(data, target="label", filename="people.csv", home=tmp_path)
    sha = original.ref.sha256
    assert read_upload(tmp_path, sha) == data
    pp = Preprocess(scaling="minmax", split_seed=3)
    again = load_upload(tmp_path, sha, target="income", sensitive=["city"], drop=["age"], preprocess=pp)
    fresh = load_csv(data, target="income", sensitive=["city"], drop=["age"], preprocess=pp, filename="people.csv")
    assert again.ref == fresh.ref and again.name == "people.csv" and again.task == "regression"
    assert_same_arrays(again, fresh)
    assert_same_arrays(load_dataset(again.ref, home=tmp_path), fresh)
    info = upload_info(tmp_path, sha)                                 # remembered as the last used settings
    assert info.settings == {"target": "income", "task": None, "sensitive": ["city"], "drop": ["age"]}
    assert info.preprocess == pp.to_dict()
    assert DatasetRef.from_dict(info.ref()) == again.ref
    assert len(uploaded_csvs(tmp_path)) == 1                          # the same file, not a second upload


def test_reuploading_the_same_bytes_keeps_one_entry_and_its_first_upload_time(tmp_path):
    data = table(n=30).encode()
    load_csv(data, target="label", filename="a.csv", home=tmp_path)
    first = upload_info(tmp_path, hashlib_sha(data)).uploaded
    load_csv(data, target="city", filename="renamed.csv", home=tmp_path)
    (u,) = uploaded_csvs(tmp_path)
    assert u.name == "renamed.csv" and u.uploaded == first and u.settings["target"] == "city"


def test_remember_upload_settings_keeps_the_last_preprocessing(tmp_path):
    ds = load_csv(table(n=40).encode(), target="label", filename="t.csv", home=tmp_path)
    ref = {**ds.ref.to_dict(), "preprocess": {"scaling": "none", "val_fraction": 0.2, "test_fraction": 0.1,
                                              "split_seed": 7}}
    assert remember_upload_settings(tmp_path, ref) is True
    assert remember_upload_settings(tmp_path, ref) is False          # nothing new: nothing written
    u = upload_info(tmp_path, ds.ref.sha256)
    assert u.preprocess == ref["preprocess"] and u.ref() == DatasetRef.from_dict(ref).to_dict()
    assert remember_upload_settings(tmp_path, load_builtin("moons").ref) is False
    gone = {**ref, "sha256": "0" * 64}                                # a file not kept here: ignored
    assert remember_upload_settings(tmp_path, gone) is False
    assert not (tmp_path / "datasets" / f"{'0' * 64}.json").exists()


def test_files_kept_before_notes_existed_are_still_listed(tmp_path):
    data = table(n=25).encode()
    sha = hashlib_sha(data)
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / f"{sha}.csv").write_bytes(data)
    (folder / ".upload-123.tmp").write_bytes(b"half written")
    (folder / "notes.txt").write_text("not an upload")
    (u,) = uploaded_csvs(tmp_path)
    assert u.id == sha and u.ok and (u.rows, u.columns) == (25, 4) and u.name == f"upload-{sha[:8]}.csv"
    assert u.settings == {} and u.ref() is None
    assert (folder / f"{sha}.json").exists()                          # worked out once, then remembered
    (folder / f"{sha}.json").write_text("{not json")                  # damaged notes are rebuilt
    assert uploaded_csvs(tmp_path)[0].rows == 25


def test_missing_changed_or_unreadable_uploads_are_data_errors(tmp_path):
    data = table(n=30).encode()
    ds = load_csv(data, target="label", filename="gone.csv", home=tmp_path)
    sha = ds.ref.sha256
    stored = tmp_path / "datasets" / f"{sha}.csv"

    stored.write_bytes(data + b"1,2,3\n")
    with pytest.raises(DataError) as err:
        read_upload(tmp_path, sha)
    assert "'gone.csv'" in str(err.value) and "changed since it was uploaded" in str(err.value)

    stored.unlink()
    (u,) = uploaded_csvs(tmp_path)                                    # still listed, with the reason
    assert not u.ok and u.size is None
    assert "'gone.csv'" in u.problem and "no longer in the workspace" in u.problem and "remove it" in u.problem
    for call in (lambda: read_upload(tmp_path, sha), lambda: load_upload(tmp_path, sha, target="label")):
        with pytest.raises(DataError) as err:
            call()
        assert "'gone.csv'" in str(err.value) and "upload the file again" in str(err.value)

    for bad in ("../../etc/passwd", "ABC", None, "f" * 63):
        with pytest.raises(DataError) as err:
            read_upload(tmp_path, bad)
        assert "not the id of an uploaded file" in str(err.value)
    with pytest.raises(DataError) as err:
        upload_info(tmp_path, "e" * 64)
    assert "not in this workspace" in str(err.value)


def test_a_kept_file_that_is_not_a_table_is_listed_with_its_problem(tmp_path):
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / f"{hashlib_sha(data)}.csv").write_bytes(data)
    (u,) = uploaded_csvs(tmp_path)
    assert not u.ok and "cannot be read as a table" in u.problem and u.rows is None


def test_delete_upload_removes_the_csv_and_its_notes(tmp_path):
    keep = load_csv(table(n=30).encode(), target="label", filename="keep.csv", home=tmp_path)
    drop = load_csv(table(n=30, seed=2).encode(), target="label", filename="drop.csv", home=tmp_path)
    assert delete_upload(tmp_path, drop.ref.sha256) is True
    assert [u.name for u in uploaded_csvs(tmp_path)] == ["keep.csv"]
    assert sorted(p.name for p in (tmp_path / "datasets").iterdir()) == sorted(
        [f"{keep.ref.sha256}.csv", f"{keep.ref.sha256}.json"])
    assert delete_upload(tmp_path, drop.ref.sha256) is False          # already gone: nothing to do
    with pytest.raises(DataError) as err:
        load_dataset(drop.ref, home=tmp_path)
    assert "upload it again" in str(err.value)
    with pytest.raises(DataError):
        delete_upload(tmp_path, "../glassnet.db")
