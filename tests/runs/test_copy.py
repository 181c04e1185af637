"""`python -m core db copy --to postgresql://…` (core/runs/copying.py): a SQLite workspace with real trained runs
— metrics, frames, events, checkpoints — and a class's people, a race, an analysis job, the pool's worker and
claim rows and the class hand-out, copied into a fresh database on a real PostgreSQL server and read back
through the Store as the same runs; a second copy into the filled database is refused."""
from __future__ import annotations

import os

import pytest

from core.cli import main
from core.classroom.handout import current_handout, hand_out
from core.runs import Store, class_keys, class_members, join, queue, registry, scoped
from core.runs.job_table import insert, read
from core.runs.race_table import get_race, race_members, record_race
from tests.helpers_runs import train_run


def snapshot(store: Store, teacher) -> dict:
    """Everything a person can read back of the workspace through the store and its parts."""
    runs = store.list_runs()
    view = scoped(store, teacher)
    race = [r for (r,) in store.db.execute("SELECT id FROM races").fetchall()][0]
    job = store.db.execute("SELECT id FROM jobs").fetchone()[0]
    per_run = {r.id: {"metrics": store.metric_rows(r.id), "events": store.events(r.id),
                      "checkpoints": store.checkpoints(r.id), "epochs": store.epoch_checkpoints(r.id),
                      "boundary": store.frames(r.id, "boundary"), "names": sorted(store.metric_names(r.id))}
               for r in runs}
    return {"runs": runs, "per_run": per_run, "people": class_members(store), "race": get_race(store, race),
            "members": race_members(store, race), "job": read(store, job), "handout": current_handout(view),
            "workers": [dict(w) for w in store.db.execute("SELECT * FROM workers ORDER BY pid")],
            "claims": [tuple(c) for c in store.db.execute("SELECT run, owner, worker, time FROM claims ORDER BY rowid")]}


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A SQLite workspace holding two trained runs and a queued one, a class, a race, a job and a claim."""
    monkeypatch.delenv("GLASSNET_DATABASE_URL", raising=False)
    home = tmp_path / "ws"
    first = train_run(home, "spiral", epochs=4, name="spiral adam")
    second = train_run(home, "xor", epochs=3, optimizer="sgd", lr=0.1, name="xor sgd", parent=None)
    with Store(home) as store:
        keys = class_keys(home)
        ada = join(store, "Ada", keys.code)
        teacher = join(store, "Grace", keys.teacher_key)
        run = store.get_run(first)
        queued = store.create_run(name="waiting", dataset=run.dataset, network=run.network, train=run.train,
                                  owner=ada.id)
        with store.transaction():
            record_race(store, name="lr race", owner=ada.id, setting="lr", values=[0.01, 0.1], run_ids=[first, second])
        insert(store, ada.id, "shap", {"run": first, "rows": 5})
        registry.register(store, os.getpid())
        assert queue.claim(store, os.getpid()) == queued
        hand_out(scoped(store, teacher), run.dataset, run.network, run.train)
        before = snapshot(store, teacher)
    assert len(before["runs"]) == 3 and before["per_run"][first]["metrics"] and before["per_run"][first]["boundary"]
    assert before["per_run"][first]["checkpoints"] and len(before["people"]) == 2 and before["claims"]
    return home, before, teacher


def test_a_sqlite_workspace_copied_into_postgresql_reads_back_the_same(workspace, postgres_server, monkeypatch,
                                                                        capsys):
    home, before, teacher = workspace
    url = postgres_server.new_database().replace("postgres@", "postgres:s3cret@")   # trust: the password is not asked
    assert main(["db", "copy", "--to", url, "--home", str(home)]) == 0
    said = capsys.readouterr().out
    assert "3 runs" in said and "s3cret" not in said and "postgres:***@" in said

    monkeypatch.setenv("GLASSNET_DATABASE_URL", url)
    with Store(home) as copied:
        assert copied.db.dialect == "postgresql"
        after = snapshot(copied, teacher)
        assert after == before
        run_id = before["runs"][-1].id                          # the copy is a working store: it takes new rows
        copied.add_metrics(run_id, [(10_000, 99, "loss", 0.25)])
        assert copied.metric_rows(run_id, since_step=9_999) == [(10_000, 99, "loss", 0.25)]

    assert main(["db", "copy", "--to", url, "--home", str(home)]) == 2      # never merged into a filled database
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "already holds rows" in err and "s3cret" not in err and "***" in err


def test_copying_a_folder_without_a_workspace_or_to_a_non_postgresql_address_says_what_to_do(tmp_path, capsys):
    assert main(["db", "copy", "--to", "sqlite:///x.db", "--home", str(tmp_path)]) == 2
    assert "is not a PostgreSQL address" in capsys.readouterr().err
    assert main(["db", "copy", "--to", "postgresql://nobody@127.0.0.1:1/none", "--home", str(tmp_path)]) == 2
    assert "there is no glassnet.db" in capsys.readouterr().err
