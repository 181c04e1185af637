"""The reason a failed run records: a problem a person can fix in its own words (its class name only in the
worker's log), an unexpected error with its type. The page and the command line show the run's record."""
from __future__ import annotations

import pytest

from core.data import DataError, FairnessError
from core.runs import Store, executor
from core.runs.failures import failure_reason
from core.spec import NetworkSpec, SpecError, TrainSpec
from core.training import TrainingError
from tests.cli.cli_process import cli, last_json
from tests.helpers_runs import open_page, shown

NET = NetworkSpec.dense([16], "tanh")
TOO_MANY = TrainSpec(epochs=20000, batch_size=1, device="cpu")      # 20,000 × every training row of digits
TIMEOUT = 120


def worker_log(store, run_id) -> str:
    return (store.run_dir(run_id) / "worker.log").read_text(errors="replace")


def test_a_worker_refusing_a_spec_records_its_message_and_the_page_and_command_line_say_it_plainly(
        store, home, digits, monkeypatch):
    run_id = executor.submit(store, dataset=digits.ref.to_dict(), network=NET, train=TOO_MANY)
    run = executor.wait(store, run_id, timeout=TIMEOUT)
    assert run.status == "failed"
    assert run.error.startswith("epochs: 20,000 epochs ×") and "GLASSNET_MAX_STEPS" in run.error, run.error
    assert "SpecError" in worker_log(store, run_id)             # the class name is for the log

    at = open_page(home, monkeypatch, "train", run_id)
    said = next(shown(e.value) for e in at.error if "Training failed" in e.value)
    assert "Training failed: epochs: 20,000 epochs" in said and "SpecError" not in said

    resumed = cli("resume", "--run", run_id, "--wait", "--json", home=home)       # it refuses again
    out = last_json(resumed)
    assert out["status"] == "failed" and out["message"].startswith("epochs: 20,000 epochs ×"), out


def test_a_worker_whose_data_cannot_be_made_records_the_data_problem_in_its_words(store):
    run_id = store.create_run(name="broken", dataset={"kind": "builtin", "name": "no_such_set", "params": {}},
                              network=NET.to_dict(), train=TrainSpec(epochs=5).to_dict())
    executor._spawn(store, run_id)
    run = executor.wait(store, run_id, timeout=TIMEOUT)
    assert run.status == "failed" and "no_such_set" in run.error
    assert not run.error.startswith("DataError") and "DataError" in worker_log(store, run_id)


def missing_device() -> str:
    from core.training.devices import available_devices
    missing = [d for d in ("cuda", "mps") if d not in available_devices()]
    if not missing:
        pytest.skip("this machine has every device a spec can name")
    return missing[0]


def test_the_command_line_records_a_run_it_cannot_start_as_failed_with_the_reason(tmp_path):
    proc = cli("train", "--dataset", "spiral", "--device", missing_device(), "--epochs", "1", home=tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip().startswith("error: "), proc.stderr
    with Store(tmp_path) as store:
        [run] = store.list_runs()
    assert run.status == "failed", run.status
    assert run.error == proc.stderr.strip().splitlines()[-1].removeprefix("error: "), (run.error, proc.stderr)


@pytest.mark.parametrize("error", [
    SpecError.about("lr", ": the learning rate must be a number above 0 and at most 10 (got 50); try 0.01"),
    DataError("'y' has one class; choose another target."),
    FairnessError("Labels, probabilities and groups must have one entry per row."),
    TrainingError("device 'cuda' is not available on this machine (found: cpu); use auto or cpu"),
])
def test_a_problem_a_person_can_fix_is_recorded_as_its_message(tmp_path, error):
    assert failure_reason(tmp_path, error) == str(error)


@pytest.mark.parametrize("error, recorded", [
    (KeyError("weight"), "KeyError: 'weight'"),
    (RuntimeError("mat1 and mat2 shapes cannot be multiplied"), "RuntimeError: mat1 and mat2 shapes cannot be multiplied"),
    (ValueError("bad value"), "ValueError: bad value"),
])
def test_an_unexpected_error_keeps_its_type(tmp_path, error, recorded):
    assert failure_reason(tmp_path, error) == recorded
