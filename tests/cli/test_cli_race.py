"""`python -m core race`: a race submitted through the pool, waited for, and reported as a table and a sentence,
or as one JSON object with one entry per run and the winner; bad values are one `error:` line."""
from __future__ import annotations

from core.runs import Store, executor
from tests.cli.cli_process import cli, last_json

TIMEOUT = 240


def test_race_json_has_one_entry_per_run_and_the_winner_from_the_store(tmp_path):
    proc = cli("race", "--setting", "optimizer", "--values", "sgd,adam,rmsprop", "--dataset", "spiral",
               "--hidden", "16,16", "--activation", "tanh", "--epochs", "15", "--json", home=tmp_path,
               timeout=TIMEOUT)
    try:
        assert proc.returncode == 0, proc.stderr[-2000:]
        out = last_json(proc)
        assert [r["label"] for r in out["runs"]] == ["SGD", "Adam", "RMSprop"]
        assert [r["value"] for r in out["runs"]] == ["sgd", "adam", "rmsprop"]
        assert out["setting"] == "optimizer" and out["ended"] and out["same_initial_weights"] is True
        with Store(tmp_path) as store:
            runs = [store.get_run(r["run_id"]) for r in out["runs"]]
            assert [r.train["optimizer"] for r in runs] == ["sgd", "adam", "rmsprop"]
            assert all(r.status == "finished" and r.epoch == 15 for r in runs)
            best = {r.id: float(store.metrics(r.id, ["val_loss"])["value"].min()) for r in runs}
        for entry in out["runs"]:
            assert abs(entry["best_loss"] - best[entry["run_id"]]) < 1e-9
        lowest = min(best, key=best.get)
        assert out["winner"] is None or out["winner"]["run_id"] == lowest
        assert out["sentence"].startswith(next(r["label"] for r in out["runs"] if r["run_id"] == lowest))
        listed = cli("race", "--list", "--json", home=tmp_path)
        assert [r["race_id"] for r in last_json(listed)] == [out["race_id"]]
    finally:
        with Store(tmp_path) as store:
            executor.shutdown(store)


def test_race_prints_a_table_and_the_sentence(tmp_path):
    proc = cli("race", "--setting", "lr", "--values", "0.001,0.1", "--dataset", "xor", "--hidden", "8",
               "--epochs", "5", home=tmp_path, timeout=TIMEOUT)
    try:
        assert proc.returncode == 0, proc.stderr[-2000:]
        lines = proc.stdout.strip().splitlines()
        assert lines[0].split()[:4] == ["run", "value", "status", "epochs"]
        assert [line.split()[1] for line in lines[1:3]] == ["lr=0.001", "lr=0.1"]
        assert "validation loss" in lines[-1]
    finally:
        with Store(tmp_path) as store:
            executor.shutdown(store)


def test_bad_race_values_are_one_error_line_and_start_nothing(tmp_path):
    proc = cli("race", "--setting", "batch_size", "--values", "32,-4", "--dataset", "spiral", home=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: Batch size -4 cannot be used: it must be a whole number from 1 to 65536 "
                                   "(got -4)")
    proc = cli("race", "--setting", "speed", "--values", "1,2", "--dataset", "spiral", home=tmp_path)
    assert proc.returncode == 2 and "choose one of optimizer, lr" in proc.stderr
    with Store(tmp_path) as store:
        assert store.list_runs() == []
