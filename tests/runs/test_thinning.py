"""A run's rows and files stay bounded however long it trains (core/runs/thinning.py, retention.py).

One real run — XOR at batch 1, a tiny network, real PyTorch writing to a real store — trains long enough
to pass small limits many times (set as the Limits object in force, as GLASSNET_<NAME> would), while a
second connection, as a page would, watches what the store holds after every write."""
from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest

from core import limits
from core.data import load_builtin
from core.model import network_for
from core.runs import Store
from core.runs.checkpoints import load_newest
from core.spec import NetworkSpec, TrainSpec
from core.training import StoreRecorder, Trainer, seed_everything

CAPS = {"max_loss_points": 256, "max_epoch_points": 16, "max_frames": 6, "max_epoch_checkpoints": 4}
EPOCHS = 600              # 14 training rows at batch 1: 8,400 steps, 200 logged epochs, 300 epoch checkpoints
NET = NetworkSpec.dense([8], "tanh")


def workspace_bytes(reader: Store, run_id: str) -> dict:
    """The database (its write-ahead log folded in first) and the run's folder, in bytes."""
    reader.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = sum(os.path.getsize(p) for p in reader.home.glob("glassnet.db*"))
    folder = sum(p.stat().st_size for p in reader.run_dir(run_id).rglob("*") if p.is_file())
    return {"db": db, "folder": folder}


class Watch:
    """After every write of the run: what a reader finds in the store; and every step loss the trainer had."""

    def __init__(self, reader: Store, run_id: str):
        self.reader, self.run_id = reader, run_id
        self.losses: list[float] = []
        self.seen: list[dict] = []
        self.sizes: dict[int, dict] = {}

    def _look(self, report) -> None:
        one = lambda q: self.reader.db.execute(q, (self.run_id,)).fetchone()[0]   # noqa: E731
        self.seen.append({
            "step": report.step,
            "loss_rows": one("SELECT count(*) FROM metrics WHERE run=? AND name='loss'"),
            "logged": one("SELECT count(DISTINCT step) FROM metrics WHERE run=? AND name!='loss'"),
            "frames": one("SELECT max(n) FROM (SELECT count(*) AS n FROM frames WHERE run=? GROUP BY kind)") or 0,
            "epoch_checkpoints": one("SELECT count(*) FROM artefacts WHERE run=? AND kind='epoch'")})

    def on_epoch(self, trainer, report) -> None:
        self.losses += report.step_losses
        self._look(report)
        if report.epoch in (EPOCHS // 4, EPOCHS // 2, EPOCHS):
            self.sizes[report.epoch] = workspace_bytes(self.reader, self.run_id)

    def on_steps(self, trainer, report) -> None:
        self.losses += report.step_losses
        self._look(report)


@pytest.fixture(scope="module")
def long_run(tmp_path_factory):
    home = tmp_path_factory.mktemp("long-run")
    ds = load_builtin("xor", n=20)
    spec = TrainSpec(epochs=EPOCHS, batch_size=1, lr=0.01, checkpoint_every=2, seed=0, device="cpu")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, **CAPS))
        store, reader = Store(home), Store(home)
        run_id = store.create_run(name="long", dataset=ds.ref.to_dict(), network=NET.to_dict(), train=spec.to_dict())
        watch = Watch(reader, run_id)
        seed_everything(0)
        result = Trainer(network_for(NET, ds), ds, spec, callbacks=[StoreRecorder(store, run_id), watch]).fit()
        assert result.status == "finished" and result.steps == EPOCHS * 14
        yield store, run_id, watch, ds
        reader.close()
        store.close()


def test_step_losses_stay_within_the_cap_and_each_kept_row_is_the_mean_of_the_steps_it_covers(long_run):
    store, run_id, watch, _ = long_run
    assert max(s["loss_rows"] for s in watch.seen) <= CAPS["max_loss_points"]       # after every write
    assert len(watch.losses) == EPOCHS * 14 > 30 * CAPS["max_loss_points"]           # passed many times over
    rows = store.db.execute("SELECT step, value FROM metrics WHERE run=? AND name='loss' ORDER BY rowid",
                            (run_id,)).fetchall()
    steps = np.array([s for s, _ in rows])
    assert (np.diff(steps) > 0).all()                            # in the order logged, by step, no step twice
    assert steps[-1] == EPOCHS * 14                              # up to the last step …
    assert steps[0] <= 4 * len(watch.losses) // CAPS["max_loss_points"]  # … from the first few
    true = np.asarray(watch.losses)
    covered_from = np.r_[0, steps[:-1]]
    expected = [true[a:b].mean() for a, b in zip(covered_from, steps)]
    np.testing.assert_allclose([v for _, v in rows], expected, rtol=1e-9)
    spans = np.diff(np.r_[0, steps])
    assert spans.max() > 1 and (spans[-20:] == 1).all()          # thinned, the newest steps as they were
    assert true.mean() == pytest.approx(float((np.array([v for _, v in rows]) * spans).sum() / spans.sum()))


def test_logged_epochs_and_frames_stay_within_their_caps_evenly_spread_with_the_newest(long_run):
    store, run_id, watch, _ = long_run
    assert max(s["logged"] for s in watch.seen) <= CAPS["max_epoch_points"]
    assert max(s["frames"] for s in watch.seen) <= CAPS["max_frames"]
    dupes = store.db.execute("SELECT count(*) FROM (SELECT step, name FROM metrics WHERE run=? GROUP BY step, name "
                             "HAVING count(*) > 1)", (run_id,)).fetchone()[0]
    assert dupes == 0
    val = store.metrics(run_id, ["val_loss"])
    epochs = val.epoch.to_numpy()
    assert epochs[-1] == EPOCHS                                  # the newest kept
    widest = 2 * EPOCHS // (CAPS["max_epoch_points"] // 2)      # twice the spacing of a cap's half, evenly
    assert epochs[0] <= widest and np.diff(epochs).max() <= widest, epochs   # spread: no stretch left out
    per_epoch = store.metrics(run_id).query("name != 'loss'").groupby("epoch").name.nunique()
    assert per_epoch.nunique() == 1                              # a kept epoch keeps all its metrics together
    for kind in ("boundary", "hist"):
        frames = store.frames(run_id, kind)
        assert 1 < len(frames) <= CAPS["max_frames"]
        assert frames[-1][0] == EPOCHS * 14                      # the latest frame is the run's last


def test_epoch_checkpoints_keep_an_even_spread_the_newest_and_the_best(long_run):
    store, run_id, watch, ds = long_run
    # besides the spread: the newest recorded and the one before it (a resume's fallback), and those taken
    # since the last logged epoch (every 2 epochs, logged every 3: at most 2), which the next one records
    assert max(s["epoch_checkpoints"] for s in watch.seen) <= CAPS["max_epoch_checkpoints"] + 4
    kept = store.epoch_checkpoints(run_id)
    assert kept[0] == 2 and kept[-2:] == [EPOCHS - 2, EPOCHS]    # the first; the last and the one before it
    assert len(kept) <= CAPS["max_epoch_checkpoints"] + 2
    assert len(set(np.diff(kept[:-2]))) == 1 and kept[-3] >= EPOCHS // 2, kept     # spread evenly between them
    listed = {c["path"].name for c in store.checkpoints(run_id)}
    on_disk = {p.name for p in store.run_dir(run_id).glob("*.safetensors")}
    assert on_disk == listed and "best.safetensors" in listed   # a pruned checkpoint's file went with its row
    from core.analysis.explain import RunExplainer             # the drift view explains each kept checkpoint
    drift = RunExplainer.open(store, run_id).drift(rows=3, background=5)
    assert [d["epoch"] for d in drift] == kept
    assert all(set(d["importance"]) == set(ds.original_columns) for d in drift)


def test_the_workspace_stops_growing_once_the_caps_are_reached(long_run):
    *_, watch, _ = long_run
    quarter, half, end = (watch.sizes[e] for e in (EPOCHS // 4, EPOCHS // 2, EPOCHS))
    print(f"\nworkspace bytes at epochs {EPOCHS // 4}, {EPOCHS // 2}, {EPOCHS}: {quarter}, {half}, {end}")
    assert end["folder"] <= 1.2 * quarter["folder"]              # four times the training, the same files …
    assert end["db"] <= 1.2 * quarter["db"]                      # … and the same database


@pytest.mark.usefixtures("backend")
def test_pruning_keeps_what_a_resume_falls_back_to(store, tmp_path):
    """Checkpoints newer than the recorded metrics, the newest recorded one and the one before it survive any
    pruning, so a resume whose newest file is torn still finds the one before it."""
    import torch

    from core.runs.retention import prune_epoch_points
    run_id = store.create_run(name="p", dataset={}, network={}, train={})
    for epoch in range(1, 11):
        store.save_checkpoint(run_id, "epoch", epoch, {"w": torch.full((2,), float(epoch))},
                              {"epoch": epoch, "step": 10 * epoch})
    store.add_metrics(run_id, [(80, 8, "loss", 0.5)])            # metrics recorded up to epoch 8
    removed = prune_epoch_points(store, run_id, every=1, cap=2)
    kept = store.epoch_checkpoints(run_id)
    assert {7, 8, 9, 10} <= set(kept) and removed and set(kept) | set(removed) == set(range(1, 11))
    assert 1 in kept and len(kept) <= 2 + 4
    assert not any((store.run_dir(run_id) / f"epoch-{e:06d}.safetensors").exists() for e in removed)
    newest = store.checkpoint_path(run_id, "epoch", 8)
    newest.write_bytes(newest.read_bytes()[:20])                 # the newest recorded file torn
    _, meta, ckpt = load_newest(store, run_id, max_step=80, by="resume")
    assert ckpt.epoch == 7 and int(meta["step"]) == 70


@pytest.mark.usefixtures("backend")
def test_a_resume_inside_a_merged_block_keeps_every_step_before_it_covered(store):
    from core.runs.thinning import cut_at, thin_losses
    run_id = store.create_run(name="cut", dataset={}, network={}, train={})
    truth = np.linspace(2.0, 1.0, 1000)
    store.add_metrics(run_id, [(s, s // 10, "loss", float(truth[s - 1])) for s in range(1, 1001)])
    with store.transaction():
        thin_losses(store.db, run_id, 100)                      # blocks of 32 steps up to step 992
    with store.transaction():                                   # a resume from the checkpoint at step 900
        cut_at(store.db, run_id, 900, 90)
        store.truncate_rows_after(run_id, 900)
    steps = [s for (s,) in store.db.execute("SELECT step FROM metrics WHERE run=? AND name='loss' ORDER BY rowid",
                                            (run_id,))]
    assert steps[-2:] == [896, 900] and steps == sorted(steps)   # the block 897–928 now ends at the cut
    store.add_metrics(run_id, [(s, s // 10, "loss", 0.5) for s in range(901, 911)])
    rows = store.metrics(run_id, ["loss"])
    assert rows.step.is_unique and rows.step.is_monotonic_increasing and rows.step.iloc[-1] == 910
    assert (rows.step.diff().dropna() <= 32).all()              # no stretch of steps left without a row


@pytest.mark.usefixtures("backend")
def test_a_thinned_run_killed_and_resumed_keeps_its_metrics_in_order(store, spiral, wait_for, monkeypatch):
    """Through real worker processes (which take the limits from GLASSNET_<NAME>, as a server passes them)."""
    import signal

    from core.runs import executor
    for name, value in {"GLASSNET_MAX_LOSS_POINTS": "300", "GLASSNET_MAX_EPOCH_POINTS": "8",
                        "GLASSNET_MAX_FRAMES": "4", "GLASSNET_MAX_EPOCH_CHECKPOINTS": "3"}.items():
        monkeypatch.setenv(name, value)
    spec = TrainSpec(epochs=30, batch_size=1, checkpoint_every=2)   # 280 steps an epoch, every epoch logged
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=spec, name="killed")
    run = wait_for(lambda: (lambda r: r if r.status == "running" and r.epoch >= 10 else None)(store.get_run(run_id)),
                   180, what="ten epochs")
    os.kill(run.pid, signal.SIGKILL)
    wait_for(lambda: not executor.pid_alive(run.pid), 60, what="the killed worker to be gone")
    executor.recover(store)
    executor.resume(store, run_id)
    run = executor.wait(store, run_id, timeout=300)
    assert run.status == "finished" and run.epoch == 30, run.error
    rows = store.db.execute("SELECT step, name FROM metrics WHERE run=? ORDER BY rowid", (run_id,)).fetchall()
    last: dict[str, int] = {}
    for step, name in rows:                                      # logged in step order, no (step, name) twice
        assert step > last.get(name, 0), (step, name)
        last[name] = step
    assert last["loss"] == run.step == 30 * 280
    assert sum(name == "loss" for _, name in rows) <= 300
    assert len({step for step, name in rows if name == "val_loss"}) <= 8
    assert len(store.epoch_checkpoints(run_id)) <= 3 + 2
