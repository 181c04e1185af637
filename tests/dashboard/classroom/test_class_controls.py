"""Pause all, Resume all and Stop all on the Class page, through Streamlit's AppTest, act on every active run
of the class: two students' runs trained by real worker processes."""
from __future__ import annotations

import dataclasses

from streamlit.testing.v1 import AppTest

from core.data import load_builtin
from core.runs import class_keys, join, scoped, token_for
from core.runs import executor as jobs
from core.spec import NetworkSpec, TrainSpec
from tests.conftest import wait_for
from tests.dashboard.classroom.test_class_page import home  # noqa: F401  (the class-mode workspace)
from tests.helpers_runs import APP, shown

TIMEOUT = 120
LONG = TrainSpec(epochs=100_000, batch_size=8, device="cpu")


def statuses(store, run_ids) -> set:
    return {store.get_run(r).status for r in run_ids}


def test_pause_resume_and_stop_all_act_on_every_active_run(home, store):
    keys = class_keys(home)
    students = [join(store, name, keys.code) for name in ("Ada", "Bob")]
    teacher = token_for(store, join(store, "Ms L", keys.teacher_key))
    ref = load_builtin("spiral").ref.to_dict()
    runs = [jobs.submit(scoped(store, s), dataset=ref, network=NetworkSpec.dense([8]), train=LONG) for s in students]
    wait_for(lambda: statuses(store, runs) == {"running"}, TIMEOUT, what="both runs to train")

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["who"] = teacher
    at.run()
    at.switch_page("../pages/class.py").run()
    assert not at.exception, at.exception
    assert "2 runs of 2 students" in " ".join(c.value for c in at.caption)

    at.button(key="class.pause_all").click().run()
    assert "Paused 2 runs" in " ".join(s.value for s in at.success)
    wait_for(lambda: statuses(store, runs) == {"paused"}, TIMEOUT, what="both runs to pause")

    at.button(key="class.resume_all").click().run()
    wait_for(lambda: statuses(store, runs) == {"running"}, TIMEOUT, what="both runs to go on")

    at.button(key="class.stop_all").click().run()
    assert "Stop all 2 active runs" in " ".join(shown(w.value) for w in at.warning)
    at.button(key="class.stop_no").click().run()
    assert statuses(store, runs) == {"running"} and not at.warning           # cancelled: nothing stopped

    at.button(key="class.stop_all").click().run()
    at.button(key="class.stop_yes").click().run()
    assert not at.exception, at.exception
    wait_for(lambda: statuses(store, runs) == {"stopped"}, TIMEOUT, what="both runs to stop")
    assert all(store.get_run(r).epoch >= 1 for r in runs)


def test_the_queue_shows_who_waits_for_the_one_worker(home, store, monkeypatch):
    from core import limits
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, workers=1))
    keys = class_keys(home)
    ada, bob = (join(store, name, keys.code) for name in ("Ada", "Bob"))
    teacher = token_for(store, join(store, "Ms L", keys.teacher_key))
    ref = load_builtin("spiral").ref.to_dict()
    first = jobs.submit(scoped(store, ada), dataset=ref, network=NetworkSpec.dense([8]), train=LONG, name="Ada 1")
    wait_for(lambda: store.get_run(first).status == "running", TIMEOUT, what="the first run to train")
    for person, name in ((ada, "Ada 2"), (bob, "Bob 1")):
        jobs.submit(scoped(store, person), dataset=ref, network=NetworkSpec.dense([8]), train=LONG, name=name)

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["who"] = teacher
    at.run()
    at.switch_page("../pages/class.py").run()
    assert not at.exception, at.exception
    line = next(m.value for m in at.markdown if "Workers" in m.value)
    assert "1 of 1 busy" in shown(line) and "2 runs waiting" in shown(line)
    queue = at.dataframe[1].value                                  # after the leaderboard
    assert list(zip(queue["place"], queue["student"], queue["run"])) == [(1, "Bob", "Bob 1"), (2, "Ada", "Ada 2")]
    jobs.stop(store, first, wait=30)
