"""core/runs/executor.py and core/runs/worker.py: real worker processes training into a real
SQLite run store under tmp_path. Every wait polls the store with a deadline."""
from __future__ import annotations

import os
import re
import signal
import time

import pytest

from core.model import network_for
from core.runs import Store, StoreError, executor, load_run
from core.runs.checkpoints import candidates
from core.spec import NetworkSpec, SpecError, TrainSpec
from core.training import StoreRecorder, Trainer, seed_everything

TIMEOUT = 120          # generous: CI has 2 cores shared by the test process and the workers
NET = NetworkSpec.dense([16, 16], "tanh")
LONG = TrainSpec(epochs=100000, batch_size=8, checkpoint_every=5)   # 35 steps an epoch, every epoch logged


def log_of(store, run_id) -> str:
    path = store.run_dir(run_id) / "worker.log"
    return path.read_text(errors="replace") if path.exists() else ""


def finished(store, run_id, timeout=TIMEOUT):
    return executor.wait(store, run_id, timeout=timeout)


def train_loss(store, run_id):
    return store.metrics(run_id, ["train_loss"])


def last_epoch(store, run_id) -> int:
    rows = train_loss(store, run_id)
    return int(rows.epoch.max()) if len(rows) else 0


def start_long_run(store, spiral, wait_for, min_epoch=2, **train):
    spec = TrainSpec(**{**LONG.to_dict(), **train})
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=spec, name="long")
    wait_for(lambda: store.get_run(run_id).status == "running" and last_epoch(store, run_id) >= min_epoch,
             TIMEOUT, what=f"run {run_id} to train {min_epoch} epochs (log: {log_of(store, run_id)[-500:]})")
    return run_id


# ------------------------------------------------------------------ a run from submit to finish
def test_submitted_run_finishes_with_metrics_in_epoch_order(store, spiral):
    spec = TrainSpec(epochs=40, checkpoint_every=10)
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=spec, name="first")
    assert re.fullmatch(r"[0-9a-f]{24}", run_id)
    run = finished(store, run_id)
    assert run.status == "finished", f"{run.status}: {run.error} / {log_of(store, run_id)}"
    assert run.epoch == 40 and run.step == 40 * 9 and run.pid is None and run.error is None
    assert run.device == "cpu" and run.name == "first"
    assert 0.5 < run.summary["test_accuracy"] <= 1 and run.summary["epochs"] == 40
    rows = train_loss(store, run_id)
    assert rows.epoch.is_monotonic_increasing and rows.epoch.is_unique
    assert rows.step.is_monotonic_increasing
    assert rows.epoch.iloc[-1] == 40
    assert len(store.metrics(run_id, ["loss"])) == run.step          # every step's loss was recorded
    kinds = [e["kind"] for e in store.events(run_id)]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert store.events(run_id)[-1]["detail"] == {"status": "finished"}
    kinds = {c["kind"] for c in store.checkpoints(run_id)}
    assert kinds == {"epoch", "best"}
    loaded = load_run(store, run_id)
    assert loaded.epoch == 40
    # requests that do not fit a finished run are refused
    with pytest.raises(executor.JobError):
        executor.resume(store, run_id)
    with pytest.raises(executor.JobError):
        executor.pause(store, run_id)
    with pytest.raises(executor.JobError):
        executor.step(store, run_id)
    with pytest.raises(SpecError):
        executor.set_lr(store, run_id, 0)


def test_submit_validates_specs_before_creating_a_run(store, spiral):
    with pytest.raises(SpecError):
        executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=TrainSpec(lr=-1))
    with pytest.raises(SpecError):
        executor.submit(store, dataset=spiral.ref.to_dict(), network=NetworkSpec.dense([0]), train=TrainSpec())
    assert store.list_runs() == []


# ------------------------------------------------------------------ control of a running worker
def test_pause_step_set_lr_resume_and_stop(store, spiral, wait_for):
    run_id = start_long_run(store, spiral, wait_for)

    executor.pause(store, run_id)
    run = executor.wait(store, run_id, timeout=TIMEOUT, statuses=("paused",))
    epoch, epoch_rows = run.epoch, len(train_loss(store, run_id))
    # the paused worker is alive: its heartbeat moves on (about a second later); no epoch passes meanwhile
    wait_for(lambda: store.get_run(run_id).heartbeat > run.heartbeat, TIMEOUT, what="a heartbeat while paused")
    again = store.get_run(run_id)
    assert (again.status, again.epoch) == ("paused", epoch)
    assert len(train_loss(store, run_id)) == epoch_rows and last_epoch(store, run_id) == epoch
    step = again.step

    # one step, exactly. (The first grant also flushes the steps trained since the last logged epoch,
    # see training/test_loop.py::test_a_paused_run_shows_the_step_it_paused_at; so count from the second grant.)
    executor.step(store, run_id)
    wait_for(lambda: store.get_run(run_id).step > step, TIMEOUT, what="the first granted step")
    first = store.get_run(run_id).step
    executor.step(store, run_id)
    wait_for(lambda: store.get_run(run_id).step != first, TIMEOUT, what="the second granted step")
    time.sleep(0.5)    # and then nothing more
    after_step = store.get_run(run_id)
    assert (after_step.status, after_step.step) == ("paused", first + 1)
    assert after_step.epoch - epoch in (0, 1)     # one more only if a granted step closed an epoch
    losses = store.metrics(run_id, ["loss"]).step.tolist()
    assert losses == list(range(1, first + 2))           # every step's loss, each once, none skipped

    # a new learning rate, then resume
    executor.set_lr(store, run_id, 0.002)
    executor.resume(store, run_id)
    lr_event = wait_for(lambda: [e for e in store.events(run_id) if e["kind"] == "lr"], TIMEOUT, what="an lr event")
    assert len(lr_event) == 1 and lr_event[0]["detail"] == {"from": 0.01, "to": 0.002}
    wait_for(lambda: store.get_run(run_id).status == "running" and last_epoch(store, run_id) > epoch + 1,
             TIMEOUT, what="training to continue")
    assert store.metrics(run_id, ["lr"]).value.iloc[-1] == pytest.approx(0.002)
    kinds = [e["kind"] for e in store.events(run_id)]
    assert "pause" in kinds and "step" in kinds and "resume" in kinds

    executor.stop(store, run_id)
    run = executor.wait(store, run_id, timeout=TIMEOUT)
    assert run.status == "stopped" and run.pid is None
    assert run.epoch < 100000


def training_interval(store, run_id) -> tuple[float, float]:
    """When the run's worker began and ended training: its own 'start' and 'end' events."""
    times = {e["kind"]: e["time"] for e in store.events(run_id)}
    return times["start"], times["end"]


def saved_during(store, run_id, interval) -> list[int]:
    """The epochs whose kept checkpoints the run wrote inside `interval` (the time each file was recorded)."""
    lo, hi = interval
    return [c["epoch"] for c in store.checkpoints(run_id) if c["kind"] == "epoch" and lo < c["created"] < hi]


def test_two_runs_at_once_both_finish(store, spiral, iris):
    # each trains for a few seconds (200 epochs of 35 steps; 600 of 14), far longer than a worker takes to start
    a = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, name="a",
                        train=TrainSpec(epochs=200, batch_size=8, checkpoint_every=5))
    b = executor.submit(store, dataset=iris.ref.to_dict(), network=NetworkSpec.dense([8]), name="b",
                        train=TrainSpec(epochs=600, batch_size=8, checkpoint_every=20))
    ra, rb = finished(store, a), finished(store, b)
    assert (ra.status, rb.status) == ("finished", "finished"), (ra.error, rb.error)
    assert (ra.epoch, rb.epoch) == (200, 600)
    assert train_loss(store, a).epoch.iloc[-1] == 200 and train_loss(store, b).epoch.iloc[-1] == 600
    assert ra.dataset["name"] == "spiral" and rb.dataset["name"] == "iris"
    assert "test_accuracy" in ra.summary and "test_accuracy" in rb.summary
    # each run's rows belong to it alone
    assert len(store.metrics(a, ["loss"])) == ra.step and len(store.metrics(b, ["loss"])) == rb.step
    # both trained at once, by their own clocks: their training intervals overlap, and each run saved
    # several of its kept epochs while the other was training (one after the other, none would fall inside)
    span = {r: training_interval(store, r) for r in (a, b)}
    overlap = min(span[a][1], span[b][1]) - max(span[a][0], span[b][0])
    shorter = min(end - start for start, end in span.values())
    assert overlap > shorter / 4, f"training intervals {span} overlap by {overlap:.2f} s"
    a_during_b, b_during_a = saved_during(store, a, span[b]), saved_during(store, b, span[a])
    assert len(a_during_b) >= 5 and len(b_during_a) >= 5, (a_during_b, b_during_a, span)


# ------------------------------------------------------------------ a killed worker
def test_killed_worker_is_recovered_as_interrupted_and_resumes_from_its_checkpoint(store, spiral, wait_for):
    run_id = start_long_run(store, spiral, wait_for, min_epoch=1)
    wait_for(lambda: len(store.epoch_checkpoints(run_id)) >= 2, TIMEOUT, what="two checkpoints")
    pid = store.get_run(run_id).pid
    seen_before_kill = last_epoch(store, run_id)
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not executor.pid_alive(pid), TIMEOUT, what="the killed worker to be gone")

    changed = executor.recover(store)
    assert run_id in changed
    run = store.get_run(run_id)
    assert run.status == "interrupted" and run.pid is None
    assert "resume" in run.error
    # nothing that was committed before the kill is lost
    assert last_epoch(store, run_id) >= seen_before_kill
    killed_at = last_epoch(store, run_id)
    before = train_loss(store, run_id)
    # the newest checkpoint (kept every 5 epochs, or a resume one) whose epoch's metrics were recorded
    recorded = store.recorded_step(run_id)
    ckpt = max(c.epoch for c in candidates(store, run_id) if c.step <= recorded)
    assert 5 <= ckpt <= killed_at

    executor.resume(store, run_id)
    wait_for(lambda: store.get_run(run_id).status == "running" and last_epoch(store, run_id) > killed_at + 2,
             TIMEOUT, what=f"the resumed run to pass epoch {killed_at} (log: {log_of(store, run_id)[-500:]})")
    resumed = [e for e in store.events(run_id) if e["kind"] == "resume_from_checkpoint"]
    assert len(resumed) == 1 and resumed[0]["detail"]["epoch"] == ckpt
    assert resumed[0]["detail"]["epochs_redone"] == killed_at - ckpt

    rows = train_loss(store, run_id)
    assert rows.epoch.is_unique, "duplicate train_loss rows for an epoch after resuming"
    assert rows.epoch.is_monotonic_increasing and rows.step.is_monotonic_increasing
    # rows up to the checkpoint are the originals; rows after it were truncated and trained again
    kept = before[before.epoch <= ckpt].reset_index(drop=True)
    assert rows[rows.epoch <= ckpt].reset_index(drop=True).equals(kept)
    redone = rows[(rows.epoch > ckpt) & (rows.epoch <= killed_at)]
    assert redone.epoch.tolist() == list(range(ckpt + 1, killed_at + 1))
    assert redone.step.tolist() == [e * 35 for e in redone.epoch]

    executor.stop(store, run_id)
    assert executor.wait(store, run_id, timeout=TIMEOUT).status == "stopped"


# ------------------------------------------------------------------ broken dataset references
def test_unknown_builtin_dataset_fails_with_the_reason(store):
    run_id = store.create_run(name="broken", dataset={"kind": "builtin", "name": "no_such_set", "params": {}},
                              network=NET.to_dict(), train=TrainSpec(epochs=5).to_dict())
    executor._spawn(store, run_id)
    run = finished(store, run_id)
    assert run.status == "failed"
    assert "no_such_set" in run.error
    assert run.pid is None


def test_csv_dataset_whose_file_is_gone_fails_with_the_reason(store):
    ref = {"kind": "csv", "name": "vanished.csv", "sha256": "ab" * 32, "params": {}}
    run_id = executor.submit(store, dataset=ref, network=NET, train=TrainSpec(epochs=5))
    run = finished(store, run_id)
    assert run.status == "failed"
    assert "vanished.csv" in run.error
    assert "Traceback" in log_of(store, run_id)       # the log keeps the details, the run the reason


def test_delete_removes_rows_and_folder(store, spiral):
    spec = TrainSpec(epochs=12, checkpoint_every=4)

    def recorded():
        rid = store.create_run(name="d", dataset=spiral.ref.to_dict(), network=NET.to_dict(), train=spec.to_dict())
        seed_everything(0)
        net = network_for(NET, spiral)
        Trainer(net, spiral, spec, callbacks=[StoreRecorder(store, rid)]).fit()
        return rid

    doomed, kept = recorded(), recorded()
    folder = store.run_dir(doomed)
    assert any(folder.glob("*.safetensors"))
    tables = ("metrics", "frames", "events", "artefacts")
    assert all(store.db.execute(f"SELECT count(*) FROM {t} WHERE run=?", (doomed,)).fetchone()[0] > 0 for t in tables)
    executor.delete(store, doomed)
    assert not folder.exists()
    for t in tables:
        assert store.db.execute(f"SELECT count(*) FROM {t} WHERE run=?", (doomed,)).fetchone()[0] == 0, t
    with pytest.raises(StoreError):
        store.get_run(doomed)
    # the other run is untouched
    assert store.get_run(kept).status == "finished" and store.run_dir(kept).is_dir()
    assert len(store.metrics(kept)) > 0 and store.checkpoints(kept)


def read_while_a_writer_holds_the_database(reader, home, run_id) -> int:
    """The rows of `run_id` `reader` reads while another connection holds an exclusive write transaction with
    a row not yet committed. (A store whose readers wait for writers fails here: the read gives up with
    'database is locked' once its busy timeout has passed.)"""
    import sqlite3
    writer = sqlite3.connect(home / "glassnet.db", isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        writer.execute("INSERT INTO metrics (run, step, epoch, name, value) VALUES (?, ?, 0, 'uncommitted', 0)",
                       (run_id, 10**9))
        seen = reader.metrics(run_id)
        assert "uncommitted" not in set(seen.name), "a reader saw a row that was never committed"
        return len(seen)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_readers_do_not_block_while_a_worker_trains(store, spiral, home, wait_for):
    run_id = start_long_run(store, spiral, wait_for, min_epoch=1)
    reader = Store(home)
    try:
        start_epoch = reader.get_run(run_id).epoch
        counts, reads = [], 0
        deadline = time.monotonic() + TIMEOUT
        while reads < 50 or reader.get_run(run_id).epoch < start_epoch + 10:
            assert time.monotonic() < deadline, f"the worker did not advance 10 epochs ({reads} reads)"
            frame = reader.metrics(run_id)
            reader.frames(run_id, "boundary", last=True)
            reader.get_run(run_id)
            counts.append(len(frame))
            reads += 1
            time.sleep(0.01)     # a page polling briskly
        assert counts == sorted(counts), "a reader saw rows disappear"
        assert counts[-1] > counts[0], "a reader did not see new rows arrive"
        # a write transaction held open (as a worker holds one while it records an epoch) does not keep a
        # reader waiting: it reads what was committed, never the rows still being written
        assert read_while_a_writer_holds_the_database(reader, home, run_id) >= counts[-1]
        # whole epochs only: every epoch a reader sees has its train_loss and val_loss together
        rows = reader.metrics(run_id, ["train_loss", "val_loss"])
        per_epoch = rows.groupby("epoch").name.nunique()
        assert (per_epoch == 2).all()
    finally:
        reader.close()
    executor.delete(store, run_id)           # deleting an active run stops its worker first
    with pytest.raises(StoreError):
        store.get_run(run_id)
    assert not store.run_dir(run_id).exists()


def thread_cpu_ticks(pid: int) -> dict[int, int]:
    """CPU time (user + system, in clock ticks) each thread of process `pid` has used so far."""
    ticks = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:                # the thread ended meanwhile
            continue
        ticks[int(task)] = int(fields[11]) + int(fields[12])
    return ticks


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="per-thread CPU time is read from Linux's /proc")
def test_a_training_worker_computes_on_one_thread(store, spiral, wait_for):
    """Several runs share the cores, so each worker trains on one thread: while it trains, its main thread
    does the work and no other thread of it takes CPU time (an OpenMP pool left at its default spins a
    thread per core in every worker, and two runs on two cores then slow each other down many times over).
    How fast two workers train side by side is measured by `python -m bench` (two_workers_vs_alone)."""
    run_id = start_long_run(store, spiral, wait_for, min_epoch=2)
    pid = store.get_run(run_id).pid
    before = thread_cpu_ticks(pid)
    second = os.sysconf("SC_CLK_TCK")
    used = wait_for(lambda: (d := {t: n - before.get(t, 0) for t, n in thread_cpu_ticks(pid).items()})
                    and d.get(pid, 0) >= 2 * second and d, TIMEOUT, what="two seconds of the worker's CPU time")
    busy = {t: n for t, n in used.items() if n > 0.1 * used[pid]}
    assert busy == {pid: used[pid]}, f"CPU ticks per thread of the worker while it trained: {used}"
    assert store.get_run(run_id).status == "running"
