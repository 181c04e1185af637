"""`python -m core sweep`: a grid of several settings trained through the pool as one request, reported as one
table and the sentence naming the best, or as one JSON object; bad grids are one `error:` line and exit 2."""
from __future__ import annotations

import pytest

from core.runs import Store, executor
from tests.cli.cli_process import cli, last_json

TIMEOUT = 240
TINY = ("--dataset", "xor", "--param", "n=100", "--hidden", "8", "--epochs", "4")


def test_a_two_by_two_sweep_prints_one_json_object_with_each_runs_settings(tmp_path):
    proc = cli("sweep", "--grid", "optimizer=sgd,adam", "lr=0.01,0.1", *TINY, "--wait", "--json", home=tmp_path,
               timeout=TIMEOUT)
    try:
        assert proc.returncode == 0, proc.stderr[-2000:]
        out = last_json(proc)
        assert out["settings"] == ["optimizer", "lr"] and out["ended"] and out["kind"] == "grid"
        assert [r["settings"] for r in out["runs"]] == [
            {"optimizer": "sgd", "lr": 0.01}, {"optimizer": "sgd", "lr": 0.1},
            {"optimizer": "adam", "lr": 0.01}, {"optimizer": "adam", "lr": 0.1}]
        assert [r["label"] for r in out["runs"]] == ["SGD lr=0.01", "SGD lr=0.1", "Adam lr=0.01", "Adam lr=0.1"]
        assert {"run_id", "status", "final_train_loss", "final_loss", "best_loss", "final_accuracy"} <= set(out["runs"][0])
        with Store(tmp_path) as store:
            runs = [store.get_run(r["run_id"]) for r in out["runs"]]
            assert [(r.train["optimizer"], r.train["lr"]) for r in runs] == [
                (r["settings"]["optimizer"], r["settings"]["lr"]) for r in out["runs"]]
            assert all(r.status == "finished" and r.epoch == 4 for r in runs)
            best = {r.id: float(store.metrics(r.id, ["val_loss"])["value"].min()) for r in runs}
            last_train = {r.id: float(store.metrics(r.id, ["train_loss"])["value"].iloc[-1]) for r in runs}
        for entry in out["runs"]:
            assert abs(entry["best_loss"] - best[entry["run_id"]]) < 1e-9
            assert abs(entry["final_train_loss"] - last_train[entry["run_id"]]) < 1e-9
        lowest = min(best, key=best.get)
        assert out["winner"] is None or (out["winner"]["run_id"] == lowest and out["winner"]["settings"] ==
                                         next(r["settings"] for r in out["runs"] if r["run_id"] == lowest))
        assert out["sentence"].startswith(next(r["label"] for r in out["runs"] if r["run_id"] == lowest))
        listed = last_json(cli("sweep", "--list", "--json", home=tmp_path))
        assert [r["sweep_id"] for r in listed] == [out["sweep_id"]] and listed[0]["settings"] == ["optimizer", "lr"]
        assert last_json(cli("race", "--list", "--json", home=tmp_path)) == []
        again = cli("sweep", "--sweep", out["sweep_id"], "--json", home=tmp_path)
        assert again.returncode == 0 and last_json(again)["runs"] == out["runs"]
        table = cli("sweep", "--sweep", out["sweep_id"], home=tmp_path).stdout.strip().splitlines()
        assert table[0].split()[:4] == ["optimizer", "lr", "status", "epochs"]
        assert [line.split()[:2] for line in table[1:5]] == [["sgd", "0.01"], ["sgd", "0.1"], ["adam", "0.01"],
                                                              ["adam", "0.1"]]
        marked = [line for line in table[1:5] if line.endswith(" *")]
        assert len(marked) == 1 and marked[0].split()[:2] == [str(v) for v in next(
            r["settings"].values() for r in out["runs"] if r["run_id"] == lowest)]
        assert table[-1] == out["sentence"]
    finally:
        with Store(tmp_path) as store:
            executor.shutdown(store)


@pytest.mark.parametrize("args, said", [
    (["--grid", "lr=0.01,0.1"], "error: a grid varies at least 2 settings (got 1: lr)"),
    (["--grid", "speed=1,2", "lr=0.01,0.1"], "error: a grid cannot vary 'speed'"),
    (["--grid", "optimizer=sgd,adam", "lr=0.1,fast"], "error: Learning rate: 'fast' is not a number"),
    (["--grid", "lr=0.1,1", "optimizer=sgd,adam", "lr=0.3,3"], "error: Learning rate (lr) is given twice"),
    (["--grid", "optimizer=sgd,adam,rmsprop,adagrad,momentum", "lr=0.001,0.01,0.1,1,0.3"],
     "error: A grid of 5 × 5 = 25 runs was asked for, more than the limit of 24"),
    (["--grid", "optimizer=sgd,adam", "batch_size=8,-2"], "error: Batch size -2 cannot be used"),
    ([], "error: say which settings to sweep, e.g. --grid optimizer=sgd,adam lr=0.01,0.1"),
    (["--sweep", "nosuchgrid"], "error: no grid nosuchgrid in"),
])
def test_bad_sweeps_are_one_error_line_exit_2_and_start_nothing(tmp_path, args, said):
    proc = cli("sweep", *args, *TINY, home=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(said), lines
    with Store(tmp_path) as store:
        assert store.list_runs() == []


def test_the_grid_cap_follows_its_variable(tmp_path):
    proc = cli("sweep", "--grid", "optimizer=sgd,adam", "lr=0.01,0.1", *TINY, home=tmp_path,
               env={"GLASSNET_MAX_GRID_RUNS": "3"})
    assert proc.returncode == 2 and "limit of 3" in proc.stderr and "GLASSNET_MAX_GRID_RUNS" in proc.stderr
