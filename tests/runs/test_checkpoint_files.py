"""Checkpoint files that survive crashes (core/runs/checkpoints.py): fsync, rename, fsync of the folder; no
temporary file left by a failed write or, once its worker starts again, by a killed one; and a torn or missing
newest checkpoint passed over for the one before it, by a resume and by loading a run, with an event."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import torch

from core.model import network_for
from core.training import StoreRecorder
from core.runs import Store, StoreError, executor, load_run
from core.spec import NetworkSpec, TrainSpec
from core.training import Trainer, seed_everything
from tests.runs.mounts import fill, tmpfs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NET = NetworkSpec.dense([8], "tanh")
TIMEOUT = 120

SAVE = """
import sys, torch
from core.runs import Store
store = Store(sys.argv[1])
run_id = store.create_run(name="f", dataset={}, network={}, train={})
print("FOLDER", store.run_dir(run_id), flush=True)
store.save_checkpoint(run_id, "epoch", 3, {"w": torch.ones(4)}, {"epoch": 3, "step": 30})
"""


def test_a_checkpoint_is_synced_to_the_disk_then_renamed_then_its_folder_synced(tmp_path):
    if not shutil.which("strace"):
        pytest.skip("strace is not installed: the system calls of a save cannot be watched")
    log = tmp_path / "strace.log"
    traced = "trace=openat,fsync,fdatasync,rename,renameat,renameat2"
    proc = subprocess.run(["strace", "-f", "-y", "-o", str(log), "-e", traced, sys.executable, "-c", SAVE, str(tmp_path / "ws")], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": ROOT})
    if proc.returncode != 0 and "ptrace" in proc.stderr:
        pytest.skip(f"strace cannot trace here: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    folder = re.search(r"FOLDER (\S+)", proc.stdout).group(1)
    calls = [line.split(None, 1)[1] for line in log.read_text().splitlines() if folder in line]
    tmp, final = f"{folder}/.epoch-000003.safetensors.tmp", f"{folder}/epoch-000003.safetensors"

    def first(pattern):
        found = [i for i, c in enumerate(calls) if re.match(pattern, c)]
        assert found, f"no {pattern} among\n" + "\n".join(calls)
        return found[0]

    synced = first(rf"fsync\(\d+<{re.escape(tmp)}>\)")
    renamed = first(rf"rename(at2?)?\(.*{re.escape(tmp)}.*{re.escape(final)}")
    folder_synced = first(rf"fsync\(\d+<{re.escape(folder)}>\)")
    assert synced < renamed < folder_synced, "\n".join(calls)


def new_run(store, spiral, spec):
    return store.create_run(name="c", dataset=spiral.ref.to_dict(), network=NET.to_dict(), train=spec.to_dict())


def test_a_write_that_fails_removes_its_temporary_file_and_keeps_the_older_checkpoint(tmp_path, spiral):
    with tmpfs(tmp_path / "ws", "4m") as home, Store(home) as store:
        run_id = new_run(store, spiral, TrainSpec())
        store.save_checkpoint(run_id, "epoch", 1, {"w": torch.ones(1000)}, {"epoch": 1, "step": 9})
        filler = fill(home / "runs")
        with pytest.raises(OSError) as failed:
            store.save_checkpoint(run_id, "epoch", 2, {"w": torch.ones(1_000_000)}, {"epoch": 2, "step": 18})
        assert failed.value.errno == 28                       # ENOSPC: the disk really was full
        assert sorted(p.name for p in store.run_dir(run_id).iterdir()) == ["epoch-000001.safetensors"]
        assert store.epoch_checkpoints(run_id) == [1]
        filler.unlink()


def test_a_worker_that_starts_removes_the_temporary_files_a_killed_one_left(store, spiral, wait_for):
    spec = TrainSpec(epochs=100000, batch_size=8)
    run_id = new_run(store, spiral, spec)
    folder = store.run_dir(run_id)
    for name in (".epoch-000005.safetensors.tmp", ".resume-000007.safetensors.tmp"):
        (folder / name).write_bytes(b"half a file")
    (folder / "notes.txt").write_text("not ours to remove")
    executor._spawn(store, run_id)
    wait_for(lambda: store.get_run(run_id).status == "running", TIMEOUT, what="the worker to start")
    assert not list(folder.glob(".*.tmp")) and (folder / "notes.txt").exists()
    assert "removed unfinished files" in (folder / "worker.log").read_text()
    executor.stop(store, run_id, wait=30)


def trained(store, spiral, epochs=12):
    """A run trained in this process, kept every 3 epochs, then marked interrupted as a killed one would be."""
    spec = TrainSpec(epochs=epochs, batch_size=8, checkpoint_every=3)
    run_id = new_run(store, spiral, spec)
    seed_everything(0)
    Trainer(network_for(NET, spiral), spiral, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
    return run_id


def skipped(store, run_id):
    return [e["detail"] for e in store.events(run_id) if e["kind"] == "checkpoint_skipped"]


def test_a_resume_passes_over_a_torn_and_a_missing_checkpoint_with_events(store, home, spiral):
    from core.runs.worker import run as worker_run
    run_id = trained(store, spiral)
    folder = store.run_dir(run_id)
    assert store.epoch_checkpoints(run_id) == [3, 6, 9, 12]
    torn = folder / "epoch-000012.safetensors"
    torn.write_bytes(torn.read_bytes()[:200])                  # a write cut short, as safetensors will find it
    (folder / "epoch-000009.safetensors").unlink()             # the row points at a file that is gone
    store.update_run(run_id, status="interrupted", epoch=10, step=350)
    store.update_run(run_id, train={**store.get_run(run_id).train, "epochs": 14})

    assert worker_run(run_id, str(home), resume=True) == 0
    run = store.get_run(run_id)
    assert run.status == "finished" and run.epoch == 14, run.error
    notes = skipped(store, run_id)
    assert [(n["epoch"], n["by"]) for n in notes] == [(12, "resume"), (9, "resume")]
    assert "torn" in notes[0]["reason"] and "missing" in notes[1]["reason"]
    resumed = [e["detail"] for e in store.events(run_id) if e["kind"] == "resume_from_checkpoint"]
    assert resumed[0]["epoch"] == 6
    losses = store.metrics(run_id, ["train_loss"])
    assert losses.epoch.tolist() == list(range(1, 15))           # epochs 7..12 trained again, each recorded once


def test_loading_the_newest_checkpoint_passes_over_a_torn_one(store, spiral):
    run_id = trained(store, spiral, epochs=6)
    folder = store.run_dir(run_id)
    (folder / "epoch-000006.safetensors").write_bytes(b"")
    loaded = load_run(store, run_id)                           # 'last', as the Evaluate and Explain pages ask
    assert loaded.epoch == 3
    assert [(n["epoch"], n["by"]) for n in skipped(store, run_id)] == [(6, "load")]
    assert load_run(store, run_id).epoch == 3 and len(skipped(store, run_id)) == 1    # noted once
    assert store.epoch_checkpoints(run_id) == [3]               # the torn one is forgotten
    (folder / "epoch-000003.safetensors").write_bytes(b"x" * 10)
    with pytest.raises(StoreError, match="checkpoint of epoch 3 .*torn"):
        load_run(store, run_id, 3)                             # a checkpoint asked for by its epoch: named, not replaced
