"""`python -m core train`: a run trained, recorded and reported; a run that diverged says why."""
from __future__ import annotations

import json

import pytest

from tests.cli.cli_process import cli, last_json


def test_train_spiral_json_200_epochs(trained, cli_home):
    proc, out = trained
    assert set(out) == {"run_id", "status", "epochs", "seconds", "samples_per_second", "device", "metrics",
                        "epochs_redone", "diagnoses", "executor", "node"}
    assert out["epochs_redone"] == 0 and out["diagnoses"] == []       # a healthy run: nothing to say
    assert out["status"] == "finished" and out["epochs"] == 200 and out["device"] == "cpu"
    assert out["seconds"] > 0 and out["samples_per_second"] > 0
    assert set(out["metrics"]) == {"train_loss", "val_loss", "test_loss", "test_accuracy"}
    assert all(isinstance(v, float) for v in out["metrics"].values())
    assert out["metrics"]["test_accuracy"] >= 0.95
    assert "Traceback" not in proc.stderr
    from core.runs import Store
    with Store(cli_home) as store:
        run = store.get_run(out["run_id"])
        assert run.status == "finished" and run.epoch == 200
        assert run.summary["test_accuracy"] == pytest.approx(out["metrics"]["test_accuracy"])


def test_train_regression_reports_r2(tmp_path):
    proc = cli("train", "--dataset", "regression2d", "--hidden", "16", "--epochs", "20", "--json", "--home", tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc)
    assert out["status"] == "finished"
    assert set(out["metrics"]) == {"train_loss", "val_loss", "test_loss", "test_r2"}
    assert 0 < out["metrics"]["test_r2"] <= 1
    # --home was used, not a default folder
    assert (tmp_path / "glassnet.db").is_file() and (tmp_path / "runs" / out["run_id"]).is_dir()


def test_train_says_when_a_run_diverged_why_and_what_to_change(tmp_path):
    """A learning rate of 10 never makes the loss NaN here, yet the run is worthless: the command says so."""
    proc = cli("train", "--dataset", "moons", "--optimizer", "adam", "--lr", "10", "--json", home=tmp_path)
    assert proc.returncode == 1, proc.stderr[-2000:]
    out = last_json(proc)
    assert out["status"] == "diverged" and out["epochs"] < 100
    assert "the loss jumped to" in out["message"] and "their starting size" in out["message"]
    assert "Lower the learning rate (now 10; try 0.01)" in out["message"]
    text = cli("train", "--dataset", "moons", "--optimizer", "adam", "--lr", "10", home=tmp_path)
    assert "diverged after" in text.stdout and "Lower the learning rate" in text.stdout


def test_the_same_seed_gives_the_same_run_from_the_command_line(tmp_path):
    """Two `train --json` processes with one seed report the same metrics and store the same weights (every
    tensor of every kept checkpoint, bit for bit) and metric rows; a third with another seed differs."""
    from concurrent.futures import ThreadPoolExecutor

    from core.runs import Store
    from tests.helpers_runs import kept_weights, recorded_metrics, weight_differences

    def train(seed: int):
        return cli("train", "--dataset", "moons", "--hidden", "16,16", "--activation", "tanh", "--epochs", "30",
                   "--batch-size", "16", "--seed", seed, "--json", home=tmp_path)

    with ThreadPoolExecutor(max_workers=3) as pool:
        procs = list(pool.map(train, (5, 5, 6)))
    assert [p.returncode for p in procs] == [0, 0, 0], [p.stderr[-2000:] for p in procs]
    first, second, other = (last_json(p) for p in procs)
    assert len({first["run_id"], second["run_id"], other["run_id"]}) == 3
    assert first["epochs"] == second["epochs"] == other["epochs"] == 30
    assert first["metrics"] == second["metrics"]
    assert first["metrics"] != other["metrics"]
    with Store(tmp_path) as store:
        weights = {k: kept_weights(store, out["run_id"]) for k, out in (("first", first), ("second", second),
                                                                         ("other", other))}
        metrics = {k: recorded_metrics(store, out["run_id"]) for k, out in (("first", first), ("second", second),
                                                                             ("other", other))}
    assert ("epoch", 30) in weights["first"] and len(metrics["first"]) > 0
    assert weight_differences(weights["first"], weights["second"]) == []
    assert metrics["first"].equals(metrics["second"])
    last = ("epoch", 30)
    assert weight_differences({last: weights["first"][last]}, {last: weights["other"][last]}) != []
    assert not metrics["first"].equals(metrics["other"])


LOSS_THAT_DOES_NOT_FIT = {
    "a classification loss on a regression target": (["--dataset", "diabetes", "--loss", "cross_entropy"],
                                                     "loss: cross_entropy is for classification"),
    "a regression loss on classes": (["--dataset", "iris", "--loss", "mae"], "loss: mae is for regression"),
    "binary cross-entropy on three classes": (["--dataset", "iris", "--loss", "bce"],
                                              "binary cross-entropy needs exactly 2 classes"),
    "resampling a regression target": (["--dataset", "diabetes", "--resample", "over"],
                                       "resample: over-sampling balances the classes"),
}


@pytest.mark.parametrize("case", list(LOSS_THAT_DOES_NOT_FIT))
def test_a_loss_that_does_not_fit_the_data_is_refused_before_a_run_exists(case, tmp_path, capsys):
    """The network is made for the run's loss; a loss the data cannot take is one error line and no run."""
    from core.cli import main
    from core.runs import Store
    args, words = LOSS_THAT_DOES_NOT_FIT[case]
    code = main(["train", *args, "--epochs", "1", "--home", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], captured.err
    with Store(tmp_path) as store:
        assert store.list_runs() == []


def test_bce_on_two_classes_trains_a_network_with_one_output(tmp_path, capsys):
    """Two classes with binary cross-entropy: one output unit, and the run's predictions are still two columns."""
    from core.cli import main
    from core.runs import load_run
    from core.runs import Store
    code = main(["train", "--dataset", "moons", "--hidden", "8", "--loss", "bce", "--epochs", "3", "--json",
                 "--home", str(tmp_path)])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and out["status"] == "finished"
    with Store(tmp_path) as store:
        loaded = load_run(store, out["run_id"])
    assert loaded.net.n_outputs == 1
    assert loaded.dataset.n_classes == 2


def test_mse_on_one_hot_targets_and_resampling_from_the_command_line(tmp_path, capsys):
    """`--loss mse` trains a classifier with one output per class; `--resample under` trains on as many rows
    of each class as the rarest has, and the run records the counts before and after."""
    import numpy as np

    from core.data import load_builtin
    from core.cli import main
    from core.runs import Store, load_run
    code = main(["train", "--dataset", "breast_cancer", "--hidden", "8", "--loss", "mse", "--resample", "under",
                 "--epochs", "3", "--json", "--home", str(tmp_path)])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and out["status"] == "finished"
    counts = np.bincount(load_builtin("breast_cancer").y_train)
    with Store(tmp_path) as store:
        run = store.get_run(out["run_id"])
        loaded = load_run(store, out["run_id"])
    assert run.train["loss"] == "mse" and run.train["resample"] == "under"
    assert sorted(run.summary["resampled"]["before"].values()) == sorted(counts.tolist())
    assert list(run.summary["resampled"]["after"].values()) == [int(counts.min())] * 2
    assert loaded.net.n_outputs == 2
