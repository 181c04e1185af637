"""The Train page while a run waits in line for a worker of the pool (AppTest, real pool workers, real store):
its badge, its place and the wait, a pause asked while it waits, and the run starting once a worker is free."""
from __future__ import annotations

import dataclasses
import time

import pytest
from streamlit.testing.v1 import AppTest

from core import limits
from core.data import load_builtin
from core.runs import Store
from core.runs import executor as jobs
from core.spec import NetworkSpec, TrainSpec
from dashboard.train.live.waiting import ordinal, waiting_text
from tests.conftest import wait_for
from tests.helpers_runs import APP

TIMEOUT = 120
NET = NetworkSpec.dense([8], "tanh")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A workspace whose pool has one worker; every worker of it ended at the end."""
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, workers=1))
    store = Store(tmp_path)
    yield tmp_path
    for run in store.list_runs():
        if run.status in ("queued", "running", "paused"):
            jobs.stop(store, run.id)
    jobs.shutdown(store)
    store.close()


def rerun_until(at: AppTest, condition, what: str):
    deadline = time.monotonic() + TIMEOUT
    while True:
        at.run()
        assert not at.exception, at.exception
        if condition():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {TIMEOUT} s waiting for {what}; the page says: {page_text(at)}")
        time.sleep(0.2)


def page_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def badge(at: AppTest) -> str:
    return " ".join(str(b.proto.body) for b in at.get("markdown") if "badge" in str(b.proto.body))


def test_ordinals_and_the_waiting_sentence():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 103, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd", "111th"]
    assert waiting_text(3, 40.2).startswith("**3rd in line**, about 40 s")
    assert waiting_text(2, 125).startswith("**2nd in line**, about 2 min 05 s")
    assert waiting_text(1, 12).startswith("**Next in line**, about 12 s")
    assert waiting_text(1, 0.0).startswith("**Next in line**: a worker is free")
    assert waiting_text(4, None).startswith("**4th in line** —")           # nothing timed yet: no guess
    assert waiting_text(2, 30, paused=True).endswith("It will start paused.")


def test_a_waiting_run_shows_its_place_and_starts_paused_when_a_worker_is_free(home):
    store = Store(home)
    spiral = load_builtin("spiral").ref.to_dict()
    for i in range(3):                             # recent runs trained 0.1 s an epoch
        done = store.create_run(name=f"done {i}", dataset=spiral, network=NET.to_dict(), train={}, status="finished")
        store.update_run(done, summary={"seconds": 2.0, "epochs": 20}, epoch=20)
    blocker = jobs.submit(store, dataset=spiral, network=NET, train=TrainSpec(epochs=100000, batch_size=8),
                          name="blocker")
    wait_for(lambda: store.get_run(blocker).status == "running", TIMEOUT, what="the blocker to hold the worker")
    first = jobs.submit(store, dataset=spiral, network=NET, train=TrainSpec(epochs=30), name="first")
    second = jobs.submit(store, dataset=spiral, network=NET, train=TrainSpec(epochs=30), name="second")

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["run"] = second
    at.run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert "**2nd in line**" in page_text(at) and "take turns" in page_text(at), page_text(at)
    assert "waiting" in badge(at)

    at.button(key="train.pause").click().run()     # paused while it waits: it will start paused
    rerun_until(at, lambda: "It will start paused." in page_text(at), "the page to say it starts paused")
    jobs.stop(store, blocker, wait=30)
    rerun_until(at, lambda: "**Next in line**, about" in page_text(at), "the run to be next, with a wait")
    rerun_until(at, lambda: store.get_run(second).status == "paused", "the run to start, paused")
    assert store.get_run(second).step == 0 and "in line" not in page_text(at)
    assert store.get_run(first).status == "finished"
