"""`python -m core resume` and `python -m core stop`, and `epochs_redone` in `train`, `resume` and `runs --json`:
a run trained by the command line, killed, resumed to its end."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from tests.cli.cli_process import ROOT, cli, last_json
from tests.conftest import wait_for

TIMEOUT = 180


def runs_json(home) -> dict:
    proc = cli("runs", "--json", home=home)
    assert proc.returncode == 0, proc.stderr
    return {r["run_id"]: r for r in json.loads(proc.stdout.strip().splitlines()[-1])}


def one_error_line(proc, words: str) -> str:
    assert proc.returncode == 2, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in proc.stderr, proc.stderr
    assert words in lines[0], lines[0]
    return lines[0]


def test_a_killed_training_resumed_from_the_command_line_reports_the_epochs_redone(tmp_path):
    from core.runs import Store
    home = tmp_path
    env = {**os.environ, "GLASSNET_HOME": str(home), "PYTHONPATH": ROOT}
    train = subprocess.Popen([sys.executable, "-m", "core", "train", "--dataset", "spiral", "--hidden", "32,32",
                              "--batch-size", "8", "--epochs", "120", "--json"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        store = wait_for(lambda: (home / "glassnet.db").exists() and Store(home), TIMEOUT, what="the workspace")
        run_id = wait_for(lambda: [r.id for r in store.list_runs() if r.epoch >= 10], TIMEOUT, what="ten epochs")[0]
    finally:
        train.send_signal(signal.SIGKILL)
        train.communicate()
    reached = store.get_run(run_id).epoch
    assert reached < 120

    resumed = cli("resume", "--run", run_id, "--wait", "--json", home=home, timeout=TIMEOUT)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    out = last_json(resumed)
    assert out["status"] == "finished" and out["epochs"] == 120 and out["run_id"] == run_id
    assert set(out) == {"run_id", "status", "epochs", "seconds", "samples_per_second", "device", "metrics",
                        "epochs_redone", "diagnoses", "executor", "node"}
    event = [e["detail"] for e in store.events(run_id) if e["kind"] == "resume_from_checkpoint"]
    assert len(event) == 1 and out["epochs_redone"] == event[0]["epochs_redone"] == reached - event[0]["epoch"]
    assert out["metrics"]["test_accuracy"] > 0.5
    assert runs_json(home)[run_id]["epochs_redone"] == out["epochs_redone"]
    store.close()

    again = cli("resume", "--run", run_id, home=home)
    one_error_line(again, "is finished")


def test_stop_then_resume_from_the_command_line(tmp_path):
    from core.data import load_builtin
    from core.runs import Store, executor
    from core.spec import NetworkSpec, TrainSpec
    with Store(tmp_path) as store:
        spiral = load_builtin("spiral")
        run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NetworkSpec.dense([16, 16], "tanh"),
                                 train=TrainSpec(epochs=100000, batch_size=8), name="cli")
        wait_for(lambda: store.get_run(run_id).epoch >= 3, TIMEOUT, what="three epochs")

        stopped = cli("stop", "--run", run_id, "--json", home=tmp_path)
        assert stopped.returncode == 0, stopped.stderr[-2000:]
        out = last_json(stopped)
        assert (out["run_id"], out["status"], out["was"]) == (run_id, "stopped", "running")
        assert store.get_run(run_id).status == "stopped" and not executor.pid_alive(store.get_run(run_id).pid)

        resumed = cli("resume", "--run", run_id, "--json", home=tmp_path)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert last_json(resumed)["status"] in ("queued", "running")
        wait_for(lambda: store.get_run(run_id).status == "running", TIMEOUT, what="the resumed run to train")
        text = cli("stop", "--run", run_id, home=tmp_path)
        assert text.returncode == 0 and f"run {run_id}: stopped" in text.stdout, text.stderr[-2000:]
        assert "nothing to stop" in cli("stop", "--run", run_id, home=tmp_path).stdout

    one_error_line(cli("stop", "--run", "0123456789abcdef01234567", home=tmp_path), "0123456789abcdef01234567")
    one_error_line(cli("resume", "--run", "nope", home=tmp_path), "run id")
