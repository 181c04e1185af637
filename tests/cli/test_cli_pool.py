"""`python -m core train` and the executor's queue: a workspace whose pool is up (a server runs it) trains the
command's run in a pool worker while the command waits; the per-person cap is one `error:` line."""
from __future__ import annotations

from core.runs import Store, executor, pool, registry
from tests.cli.cli_process import cli, last_json
from tests.conftest import wait_for

TIMEOUT = 180


def test_train_waits_for_a_pool_worker_when_the_workspace_has_a_pool(tmp_path):
    store = Store(tmp_path)
    try:
        assert pool.ensure(store, spare=1) == 1                          # as the app starts its pool
        worker = wait_for(lambda: registry.live_workers(store), TIMEOUT, what="the pool worker")[0]["pid"]
        proc = cli("train", "--dataset", "spiral", "--hidden", "8", "--epochs", "30", "--json", home=tmp_path,
                   timeout=TIMEOUT)
        assert proc.returncode == 0, proc.stderr[-2000:]
        out = last_json(proc)
        assert out["status"] == "finished" and out["epochs"] == 30 and out["metrics"]["test_accuracy"] > 0
        assert set(out) == {"run_id", "status", "epochs", "seconds", "samples_per_second", "device", "metrics",
                            "epochs_redone", "diagnoses", "executor", "node"}
        handed = [tuple(r) for r in store.db.execute("SELECT worker FROM claims WHERE run=?", (out["run_id"],))]
        assert handed == [(worker,)]                                     # the pool's worker trained it
        assert store.get_run(out["run_id"]).summary["test_accuracy"] == out["metrics"]["test_accuracy"]
    finally:
        executor.shutdown(store)
        store.close()


def test_train_with_no_pool_trains_in_its_own_process(tmp_path):
    proc = cli("train", "--dataset", "spiral", "--hidden", "8", "--epochs", "5", "--json", home=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with Store(tmp_path) as store:
        assert store.db.execute("SELECT count(*) FROM claims").fetchone()[0] == 0   # no pool worker took it
        assert registry.live_workers(store) == []                                # and no pool was started
        assert store.get_run(last_json(proc)["run_id"]).status == "finished"


def test_train_past_the_per_person_cap_is_one_error_line(tmp_path):
    with Store(tmp_path) as store:
        for i in range(3):
            store.create_run(name=f"waiting {i}", dataset={"kind": "builtin", "name": "spiral"}, network={},
                             train={}, status="queued")
    proc = cli("train", "--dataset", "spiral", "--epochs", "5", home=tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("error: You have 3 runs waiting or training") and "stop one" in lines[0]
    assert "GLASSNET_MAX_ACTIVE_RUNS_PER_PERSON" in lines[0]
    with Store(tmp_path) as store:
        assert len(store.list_runs()) == 3
