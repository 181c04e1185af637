"""Kill -9 at random moments (seeded): a run's worker ten times — during a step, during a checkpoint write,
during a database write — each followed by recover() and resume(); then a server that trains two runs, killed
while they train. Every run finishes; its metrics are strictly increasing in step, with no (step, name) twice
and no step missing; each kill redoes at most one logged epoch. `pytest -s` prints the figures."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

from core.runs import executor
from core.spec import NetworkSpec, TrainSpec

SEED = 20250611
TIMEOUT = 180
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# digits, batch 4: 316 steps an epoch, every epoch logged, a few hundred ms each — saving the weights (~10 ms with
# its fsyncs on this disk) is cheap next to it, so every logged epoch is a checkpoint
NET = NetworkSpec.dense([64, 64], "tanh")
SPEC = TrainSpec(epochs=40, batch_size=4, checkpoint_every=1000)


def consistency(store, run_id: str) -> dict:
    """What a run's metrics say about duplicates, order and gaps."""
    rows = store.db.execute("SELECT step, epoch, name FROM metrics WHERE run=? ORDER BY rowid", (run_id,)).fetchall()
    last: dict[str, int] = {}
    out_of_order = sum(1 for step, _, name in rows if last.get(name, -1) >= step or last.update({name: step}))
    pairs = [(step, name) for step, _, name in rows]
    run = store.get_run(run_id)
    losses = {step for step, _, name in rows if name == "loss"}
    epochs = {epoch for _, epoch, name in rows if name == "train_loss"}
    return {"rows": len(rows), "out_of_order": out_of_order, "duplicates": len(pairs) - len(set(pairs)),
            "steps_missing": len(set(range(1, run.step + 1)) - losses),
            "epochs_missing": len(set(range(1, run.epoch + 1)) - epochs)}


def assert_consistent(store, run_id: str) -> dict:
    found = consistency(store, run_id)
    assert found["out_of_order"] == found["duplicates"] == found["steps_missing"] == found["epochs_missing"] == 0, found
    return found


# ------------------------------------------------------------------ the moments
def during_a_step(store, run_id, pid, rng):
    time.sleep(rng.uniform(0.0, 0.3))        # the moment itself is the random part: most of the time is steps
    return True


def during_a_checkpoint_write(store, run_id, pid, rng):
    folder = str(store.run_dir(run_id))
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if any(e.name.endswith(".tmp") for e in os.scandir(folder)):
            return True
    return False


def during_a_database_write(store, run_id, pid, rng):
    """The worker holds the database's write lock: it is inside a transaction (an epoch's metrics, nearly always)."""
    probe = sqlite3.connect(store.path, timeout=0, isolation_level=None)
    try:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            except sqlite3.OperationalError:
                return True
            time.sleep(0.0002)
        return False
    finally:
        probe.close()


MOMENTS = {"step": during_a_step, "checkpoint": during_a_checkpoint_write, "metrics": during_a_database_write}


def kill_once(store, run_id, mode, rng, wait_for) -> dict:
    run = wait_for(lambda: (lambda r: r if r.status == "running" and r.pid and r.epoch > 0 else None)(
        store.get_run(run_id)), TIMEOUT, what="the run to train")
    start_epoch = run.epoch
    wait_for(lambda: store.get_run(run_id).epoch > start_epoch, TIMEOUT, what="a logged epoch after the start")
    pid = store.get_run(run_id).pid
    assert MOMENTS[mode](store, run_id, pid, rng), f"no {mode} moment came"
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not executor.pid_alive(pid), TIMEOUT, what="the killed worker to be gone")
    reached = store.get_run(run_id)
    tmp_left = [p.name for p in store.run_dir(run_id).glob(".*.tmp")]
    resumes = len([e for e in store.events(run_id) if e["kind"] == "resume_from_checkpoint"])
    assert run_id in executor.recover(store)
    assert store.get_run(run_id).status == "interrupted", store.get_run(run_id).error
    executor.resume(store, run_id)
    event = wait_for(lambda: [e for e in store.events(run_id) if e["kind"] == "resume_from_checkpoint"][resumes:],
                     TIMEOUT, what="the resume")[0]["detail"]
    if tmp_left:                                     # the new worker removed what the killed one left
        assert "removed unfinished files" in (store.run_dir(run_id) / "worker.log").read_text().split(
            "glassnet worker started:")[-1]
    redone = reached.epoch - event["epoch"]          # recorded epochs the resumed run trains again
    assert event.get("epochs_redone", redone) == redone
    return {"mode": mode, "killed_at_epoch": reached.epoch, "resumed_from": event["epoch"], "epochs_redone": redone,
            "steps_redone": event.get("steps_redone"),
            "tmp_left": len(tmp_left)}


def test_a_run_killed_ten_times_finishes_with_consistent_metrics(store, digits, wait_for):
    rng = random.Random(SEED)
    modes = ["step"] * 4 + ["checkpoint"] * 3 + ["metrics"] * 3
    rng.shuffle(modes)
    run_id = executor.submit(store, dataset=digits.ref.to_dict(), network=NET, train=SPEC, name="killed ten times")
    kills = [kill_once(store, run_id, mode, rng, wait_for) for mode in modes]
    run = executor.wait(store, run_id, timeout=TIMEOUT * 4)
    assert run.status == "finished" and run.epoch == SPEC.epochs, run.error
    found = assert_consistent(store, run_id)
    eval_every = next(e["detail"]["eval_every"] for e in store.events(run_id) if e["kind"] == "start")
    skipped = [e["detail"] for e in store.events(run_id) if e["kind"] == "checkpoint_skipped"]
    print(f"\nfault injection (seed {SEED}): {len(kills)} kills of the worker of a {SPEC.epochs}-epoch run "
          f"(eval every {eval_every} epoch)")
    for i, k in enumerate(kills, 1):
        print(f"  kill {i:2d} during a {k['mode']:<10} at epoch {k['killed_at_epoch']:3d}: resumed from epoch "
              f"{k['resumed_from']:3d}, epochs redone {k['epochs_redone']}, recorded steps redone {k['steps_redone']}, "
              f"temporary file left {k['tmp_left']}")
    print(f"  checkpoints passed over on resume: {len(skipped)} {[s['reason'][:40] for s in skipped]}")
    print(f"  metrics: {found}")
    assert all(k["epochs_redone"] <= eval_every for k in kills), kills          # at most one logged epoch a kill
    assert {k["mode"] for k in kills} == set(MOMENTS)


# ------------------------------------------------------------------ a killed server
SERVER = """
import json, sys, time
from pathlib import Path
from core.data import load_builtin
from core.runs import Store, executor
from core.spec import NetworkSpec, TrainSpec
home, ids_file = sys.argv[1], Path(sys.argv[2])
executor.keep_standby_worker(True)
store = Store(home)
executor.recover(store)
if not ids_file.exists():
    spec = TrainSpec(epochs=30, batch_size=4, checkpoint_every=1000)
    digits = load_builtin("digits").ref.to_dict()        # long enough a run to outlive three servers
    ids = [executor.submit(store, dataset=digits, network=NetworkSpec.dense([64, 64], "tanh"), train=spec, name=name)
           for name in ("first", "second")]
    ids_file.write_text(json.dumps(ids))
while True:                       # a server's pages: they look at the runs, and recover, a few times a second
    executor.recover(store)
    time.sleep(0.2)
"""


def server(home, ids_file):
    return subprocess.Popen([sys.executable, "-c", SERVER, str(home), str(ids_file)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": ROOT}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _training_or_done(run) -> bool:
    return (run.status == "running" and run.epoch >= 1) or run.status == "finished"


def test_runs_of_a_killed_server_train_on_and_finish(store, home, tmp_path, wait_for):
    rng = random.Random(SEED + 1)
    ids_file = tmp_path / "ids.json"
    kills, interrupted = [], []
    for _ in range(3):
        proc = server(home, ids_file)
        ids = wait_for(lambda: ids_file.exists() and json.loads(ids_file.read_text()), TIMEOUT, what="the two runs")
        wait_for(lambda: all(_training_or_done(store.get_run(r)) for r in ids), TIMEOUT, what="both runs to train")
        time.sleep(rng.uniform(0.0, 1.0))
        epochs = {r: store.get_run(r).epoch for r in ids}
        proc.send_signal(signal.SIGKILL)
        proc.wait(TIMEOUT)
        assert all(executor.pid_alive(run.pid) or run.status == "finished" for run in map(store.get_run, ids)), \
            "a worker died with its server"
        kills.append(epochs)
    interrupted = executor.recover(store)            # a new process: the workers still train, nothing is interrupted
    assert interrupted == []
    ended = [executor.wait(store, r, timeout=TIMEOUT * 2) for r in ids]
    assert [r.status for r in ended] == ["finished", "finished"] and all(r.epoch == 30 for r in ended)
    found = [assert_consistent(store, r) for r in ids]
    resumed = sum(e["kind"] == "resume_from_checkpoint" for r in ids for e in store.events(r))
    print(f"\nkilled server (seed {SEED + 1}): {len(kills)} servers killed while two runs trained, at epochs "
          f"{[list(k.values()) for k in kills]}; runs interrupted {len(interrupted)}, resumes {resumed}, "
          f"epochs redone 0; metrics {found}")
    assert resumed == 0
