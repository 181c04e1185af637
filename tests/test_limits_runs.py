"""The limits on a run: its training steps (max_steps), refused before the run starts on the Train page,
on the command line and in the worker; and its wall-clock time (max_run_seconds, pauses included), which
stops a run in the worker with a message that names the limit and what to do."""
from __future__ import annotations

import json

from core.limits import LIMITS
from core.runs import executor
from core.spec import NetworkSpec, TrainSpec
from dashboard.train.checks import check_settings
from tests.cli.cli_process import cli

NET = NetworkSpec.dense([16], "tanh")
TOO_MANY = TrainSpec(epochs=20000, batch_size=1, device="cpu")      # 20,000 × every training row of digits


def test_the_train_page_refuses_a_run_past_the_step_limit_naming_epochs_and_the_fix(digits):
    steps = 20000 * len(digits.X_train)                     # a batch of one row a step
    assert steps > LIMITS.max_steps
    problems = check_settings(TOO_MANY.to_dict(), digits)
    assert len(problems) == 1, problems
    said = problems[0]
    assert said.startswith("**Epochs**: 20,000 epochs ×") and f"{steps:,} training steps" in said
    assert "fewer epochs or a larger batch size" in said and "GLASSNET_MAX_STEPS" in said
    assert check_settings(TrainSpec(epochs=20000, batch_size=256, device="cpu").to_dict(), digits) == []


def test_the_command_line_refuses_a_run_past_the_step_limit_before_recording_it(tmp_path):
    proc = cli("train", "--dataset", "digits", "--epochs", "20000", "--batch-size", "1", home=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: epochs: 20,000 epochs ×"), lines
    assert "GLASSNET_MAX_STEPS" in lines[0] and "Traceback" not in proc.stderr
    assert json.loads(cli("runs", "--json", home=tmp_path).stdout) == []


def test_a_worker_given_a_run_past_the_step_limit_refuses_it_with_the_same_message(store, digits):
    run_id = executor.submit(store, dataset=digits.ref.to_dict(), network=NET, train=TOO_MANY)
    run = executor.wait(store, run_id, timeout=120)
    assert run.status == "failed" and run.step == 0
    assert "epochs: 20,000 epochs ×" in run.error and "GLASSNET_MAX_STEPS" in run.error


def test_a_run_past_its_wall_clock_limit_is_stopped_and_resuming_gives_it_another_period(store, spiral,
                                                                                         monkeypatch):
    monkeypatch.setenv("GLASSNET_MAX_RUN_SECONDS", "2")      # the workers read it
    spec = TrainSpec(epochs=100000, batch_size=8, checkpoint_every=5, device="cpu")
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=spec)
    run = executor.wait(store, run_id, timeout=120)
    assert run.status == "stopped", (run.status, run.error)
    assert "a run may take 2 s on the wall clock, pauses included" in run.error
    assert "resume it to train for another 2 s, or train for fewer epochs" in run.error
    assert "GLASSNET_MAX_RUN_SECONDS" in run.error
    first = run.epoch
    assert 0 < first < spec.epochs, (run.epoch, run.step, run.error)
    executor.resume(store, run_id)
    run = executor.wait(store, run_id, timeout=120)
    assert run.status == "stopped" and "GLASSNET_MAX_RUN_SECONDS" in run.error and run.epoch > first


def test_a_paused_run_counts_its_pause_against_the_wall_clock_limit(store, spiral, monkeypatch, wait_for):
    monkeypatch.setenv("GLASSNET_MAX_RUN_SECONDS", "3")
    spec = TrainSpec(epochs=100000, batch_size=8, checkpoint_every=5, device="cpu")
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=spec)
    wait_for(lambda: store.get_run(run_id).status == "running", 120, what="the run to start")
    executor.pause(store, run_id, wait=1.0)
    run = executor.wait(store, run_id, timeout=120)
    assert run.status == "stopped" and "pauses included" in run.error
