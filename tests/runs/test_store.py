"""core/runs/store.py: the run store on a real SQLite file under tmp_path and on a real PostgreSQL server — run rows, the reads a page polls
with, checkpoints, and workspaces made before the newest columns."""
from __future__ import annotations

import re

import pytest
import torch

from core.model import load_checkpoint
from core.runs import SCHEMA, Store, StoreError, new_run_id
from core.runs.db_postgres import connect

pytestmark = pytest.mark.usefixtures("backend")     # each test on SQLite and on PostgreSQL


def new_run(store, status: str = "running") -> str:
    return store.create_run(name="run", dataset={"kind": "builtin", "name": "spiral"}, network={}, train={},
                            status=status)


def save(store, run_id: str, kind: str, epoch: int) -> None:
    store.save_checkpoint(run_id, kind, epoch, {"w": torch.full((2,), float(epoch))}, {"epoch": epoch})


# ------------------------------------------------------------------ run rows
def test_run_ids_are_24_hex_characters_and_unique(store):
    ids = [store.create_run(name=f"r{i}", dataset={}, network={}, train={}) for i in range(50)]
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)
    assert len(set(ids)) == 50
    assert len({new_run_id() for _ in range(1000)}) == 1000
    assert {r.id for r in store.list_runs()} == set(ids)


def test_a_variant_knows_its_parent_and_an_older_workspace_gains_the_column(store, home, tmp_path, backend, request,
                                                                           monkeypatch):
    postgres_server = request.getfixturevalue("postgres_server") if backend == "postgres" else None
    parent = store.create_run(name="loans", dataset={}, network={}, train={})
    child = store.create_run(name="loans · reweighed", dataset={}, network={}, train={}, parent=parent)
    store.rename_run(child, "something else")
    assert store.get_run(child).parent == parent and store.get_run(parent).parent is None
    with pytest.raises(StoreError):
        store.create_run(name="x", dataset={}, network={}, train={}, parent="../not-a-run")

    old = tmp_path / "old-workspace"
    old.mkdir()
    if backend == "postgres":                       # a database of its own for the older workspace
        monkeypatch.setenv("GLASSNET_DATABASE_URL", postgres_server.new_database())
    db = connect(old)                               # the runs table as workspaces had it before `parent`
    db.script(SCHEMA.replace(",\n    parent TEXT", ""))
    assert "parent" not in db.columns("runs")
    db.execute("INSERT INTO runs (id, name, status, created, updated, dataset, network, train) "
               "VALUES ('0123456789abcdef01234567', 'kept', 'finished', 0, 0, '{}', '{}', '{}')")
    db.close()
    with Store(old) as reopened:
        run = reopened.get_run("0123456789abcdef01234567")
        assert run.name == "kept" and run.parent is None
        new = reopened.create_run(name="n", dataset={}, network={}, train={}, parent=run.id)
        assert reopened.get_run(new).parent == run.id


def test_get_run_of_an_unknown_id_raises_store_error(store):
    with pytest.raises(StoreError, match="no run"):
        store.get_run("0123456789abcdef01234567")
    for bad in ("nope", "../" * 8, "0123456789ABCDEF01234567", "", None):
        with pytest.raises(StoreError):
            store.get_run(bad)


def test_a_run_name_never_becomes_a_path(store, home):
    run_id = store.create_run(name="../../escape/../x", dataset={}, network={}, train={})
    assert store.get_run(run_id).name == "../../escape/../x"
    assert store.run_dir(run_id) == home / "runs" / run_id
    assert store.run_dir(run_id).is_dir()
    assert not (home.parent / "escape").exists() and not (home / "escape").exists()
    assert all("escape" not in str(p) for p in home.rglob("*"))
    with pytest.raises(StoreError):
        store.run_dir("../../escape")
    with pytest.raises(StoreError):
        store.checkpoint_path("../x", "epoch")


# ------------------------------------------------------------------ reads a page polls with
def test_metric_rows_and_last_frame_step_read_only_what_came_after(store):
    run_id = new_run(store)
    assert store.metric_rows(run_id) == [] and store.last_frame_step(run_id, "boundary") is None
    store.add_metrics(run_id, [(1, 1, "loss", 0.9), (2, 1, "loss", 0.8), (2, 1, "val_loss", 0.85)])
    store.add_frame(run_id, 2, 1, "boundary", b"a")
    store.add_frame(run_id, 5, 2, "boundary", b"b")
    rows = store.metric_rows(run_id)
    assert rows == [(1, 1, "loss", 0.9), (2, 1, "loss", 0.8), (2, 1, "val_loss", 0.85)]
    assert all(type(r) is tuple for r in rows)
    assert store.metric_rows(run_id, since_step=1) == rows[1:]
    assert store.last_frame_step(run_id, "boundary") == 5
    assert store.last_frame_step(run_id, "hist") is None


# ------------------------------------------------------------------ checkpoints
def test_a_runs_epoch_checkpoints_come_in_order_without_the_best_one(store):
    run_id = new_run(store)
    assert store.epoch_checkpoints(run_id) == [] and store.latest_checkpoint(run_id) is None
    for epoch in (20, 10, 30):
        save(store, run_id, "epoch", epoch)
    save(store, run_id, "best", 25)
    save(store, run_id, "epoch", 20)                 # saved again: still one entry
    assert store.epoch_checkpoints(run_id) == [10, 20, 30]
    assert store.latest_checkpoint(run_id) == 30
    other = new_run(store)
    save(store, other, "epoch", 40)
    assert store.latest_checkpoint(run_id) == 30 and store.epoch_checkpoints(other) == [40]


def test_checkpoint_path_needs_its_kind_and_names_what_is_missing(store):
    run_id = new_run(store)
    for epoch in (10, 20):
        save(store, run_id, "epoch", epoch)
    save(store, run_id, "best", 15)
    assert store.checkpoint_path(run_id, "epoch") == store.run_dir(run_id) / "epoch-000020.safetensors"
    tensors, meta = load_checkpoint(store.checkpoint_path(run_id, "epoch", 10))
    assert meta["epoch"] == "10" and tensors["w"].tolist() == [10.0, 10.0]
    assert store.checkpoint_path(run_id, "best").name == "best.safetensors"
    with pytest.raises(TypeError):
        store.checkpoint_path(run_id)                 # no default kind: say which weights
    with pytest.raises(ValueError, match="'epoch', 'best' or 'resume', not 'last'"):
        store.checkpoint_path(run_id, "last")
    with pytest.raises(ValueError, match="'epoch', 'best' or 'resume'"):
        save(store, run_id, "last", 20)
    with pytest.raises(StoreError, match="no epoch checkpoint at epoch 15"):
        store.checkpoint_path(run_id, "epoch", 15)
    with pytest.raises(StoreError, match="no best checkpoint"):
        store.checkpoint_path(new_run(store), "best")
