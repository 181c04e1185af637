"""Deleting a run leaves nothing of it: no row in any table, no folder, no file — not even when its worker
or an explanation of it was still busy when it went; and the pages' caches forget it (AppTest)."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.analysis.explain import RunExplainer
from core.runs import Store, StoreError, executor
from core.runs.registry import trains
from core.spec import NetworkSpec, TrainSpec
from tests.helpers_runs import explained_inline_up_to, open_page, train_run

TABLES = ("metrics", "frames", "events", "artefacts")
TIMEOUT = 120


def left_of(store: Store, run_id: str) -> dict:
    """Every trace of a run in its workspace: rows per table (the runs row included) and its folder's files."""
    rows = {t: store.db.execute(f"SELECT count(*) FROM {t} WHERE run=?", (run_id,)).fetchone()[0] for t in TABLES}
    rows["runs"] = store.db.execute("SELECT count(*) FROM runs WHERE id=?", (run_id,)).fetchone()[0]
    folder = store.home / "runs" / run_id
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []
    return {"rows": {t: n for t, n in rows.items() if n}, "folder": folder.exists(), "files": files}


NOTHING = {"rows": {}, "folder": False, "files": []}


@pytest.mark.usefixtures("backend")
def test_a_run_deleted_while_its_worker_trains_leaves_nothing_behind(store, spiral, wait_for):
    spec = TrainSpec(epochs=100000, batch_size=8, checkpoint_every=5)
    run_id = executor.submit(store, dataset=spiral.ref.to_dict(), network=NetworkSpec.dense([16], "tanh"),
                             train=spec, name="doomed")
    run = wait_for(lambda: (lambda r: r if r.status == "running" and r.epoch >= 6 else None)(store.get_run(run_id)),
                   TIMEOUT, what="the run to train six epochs")
    assert left_of(store, run_id)["files"]
    store.delete_run(run_id)                 # its worker is not stopped first: it finds out by itself
    # a worker of its own ends; a pool worker lets the run go and waits for the next
    wait_for(lambda: not trains(store, run.pid, run_id), TIMEOUT, what="the worker to let the run go")
    assert left_of(store, run_id) == NOTHING


def test_an_explanation_finished_after_its_run_was_deleted_brings_back_no_folder(home, store):
    run_id = train_run(home, "spiral", epochs=3)
    explainer = RunExplainer.open(store, run_id)          # as the Explain page holds it while it computes
    executor.delete(store, run_id)
    attribution = explainer.shap(limit=5, background=5)
    assert attribution.values.shape[0] == 5
    assert left_of(store, run_id) == NOTHING


def test_deleting_on_the_runs_page_forgets_what_the_pages_hold_about_the_run(home, monkeypatch):
    keep = train_run(home, "spiral", epochs=3, name="keep")
    gone = train_run(home, "spiral", epochs=3, name="gone")
    run = Store(home).get_run(gone)
    explained_inline_up_to(monkeypatch, 10**9)  # the explanation starts at once
    at = open_page(home, monkeypatch, "explain", gone)
    explained = at.session_state["xp_checkpoint"]                # the weights each page loaded
    at.switch_page("../pages/evaluate.py").run()
    evaluated = at.session_state["eval_checkpoint"], at.session_state["eval_split"]
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    held = [name for name in ("_xp_cache", "_train_figures") if any(gone in repr(k) for k in at.session_state[name])]
    assert held == ["_xp_cache", "_train_figures"] and at.session_state["_train_feed"].run_id == gone
    from dashboard.evaluate.loading import _predictions
    from dashboard.explain.run_picker import _explainer
    from dashboard.people import cache_scope
    scope = cache_scope(Store(home))                     # the caches' key: the workspace and the person
    loaded = [(_explainer, (scope, gone, explained, run.updated)),
              (_predictions, (scope, gone, *evaluated, run.updated))]
    folder, aside = Path(home, "runs", gone), Path(home, "aside")
    folder.rename(aside)                                 # without its weights, only a cached entry still loads
    assert all(loader(*args, Store(home)) is not None for loader, args in loaded)
    aside.rename(folder)
    at.switch_page("../pages/runs.py").run()
    next(b for b in at.button if b.key == "runs_delete").click().run()
    next(b for b in at.button if b.key == "runs_delete_yes").click().run()
    assert not at.exception, at.exception
    assert [r.id for r in Store(home).list_runs()] == [keep]
    assert left_of(Store(home), gone) == NOTHING
    # this session's results, feed and figures of the run are gone …
    for name in ("_xp_cache", "_train_figures", "_fa_cache"):
        assert not any(gone in repr(k) for k in (at.session_state[name] if name in at.session_state else {}))
    assert "_train_feed" not in at.session_state or at.session_state["_train_feed"].run_id != gone
    # … and so are the server's loaded network and predictions: asked again, they are loaded again (and fail)
    for loader, args in loaded:
        with pytest.raises(StoreError):
            loader(*args, Store(home))
    assert Path(home, "runs", keep).is_dir()
