"""The Train page says where a resume will really continue: the epoch the worker then starts from (its
rolling resume checkpoint, when that is the newest whole one), for an interrupted run and a stopped one."""
from __future__ import annotations

import os
import re
import signal

from core.runs import executor as jobs
from core.runs import Store
from core.runs.resumes import RESUMED
from core.spec import NetworkSpec, TrainSpec
from tests.conftest import wait_for
from tests.dashboard.train.test_page_train import home, rerun_until, train_page
from tests.helpers_runs import shown

__all__ = ["home"]     # the fixture, shared with the Train page's other tests

TIMEOUT = 120
NET = NetworkSpec.dense([8, 8], "tanh")
# kept epochs far apart: what a killed worker leaves to resume from is its rolling resume checkpoint
LONG = TrainSpec(epochs=100000, batch_size=8, checkpoint_every=50000, device="cpu")


def spiral_ref() -> dict:
    from core.data import load_builtin
    return load_builtin("spiral").ref.to_dict()


def resume_saves(store: Store, run_id: str) -> list[int]:
    return [c["epoch"] for c in store.checkpoints(run_id) if c["kind"] == "resume"]


def said_epoch(text: str, words: str) -> int:
    found = re.search(words + r" epoch ([\d,]+)", shown(text))
    assert found, text
    return int(found.group(1).replace(",", ""))


def test_an_interrupted_run_says_the_epoch_its_resume_continues_from(home):
    store = Store(home)
    run_id = jobs.submit(store, dataset=spiral_ref(), network=NET, train=LONG)
    wait_for(lambda: store.get_run(run_id).epoch >= 4 and resume_saves(store, run_id), TIMEOUT,
             what="a few epochs and a resume checkpoint")
    os.kill(store.get_run(run_id).pid, signal.SIGKILL)               # the worker dies (a crash, a reboot)
    wait_for(lambda: jobs.recover(store) or store.get_run(run_id).status == "interrupted", TIMEOUT,
             what="the run to be marked interrupted")
    assert store.epoch_checkpoints(run_id) == []                     # no kept epoch: only the rolling checkpoint

    at = train_page(run=run_id)
    warning = next(w.value for w in at.warning if "interrupted" in w.value)
    promised = said_epoch(warning, "Resume continues from")
    assert promised >= 1

    at.button(key="train.resume_interrupted").click().run()
    event = wait_for(lambda: next((e for e in store.events(run_id) if e["kind"] == RESUMED), None), TIMEOUT,
                     what="the resumed worker to load its checkpoint")
    assert event["detail"]["epoch"] == promised, (event, warning)
    jobs.stop(store, run_id, wait=30)


def test_a_stopped_run_says_the_epoch_continuing_picks_up_at(home):
    at = train_page()
    at.number_input(key="train.epochs").set_value(100000)
    at.number_input(key="train.batch_size").set_value(8)
    at.button(key="train.start").click().run()
    store = Store(home)
    run_id = store.list_runs()[0].id
    rerun_until(at, lambda: store.get_run(run_id).epoch >= 3, "a few epochs")
    at.button(key="train.stop").click().run()
    run = rerun_until(at, lambda: (r := store.get_run(run_id)).status == "stopped" and r, "the stop")
    at.run()
    info = next(i.value for i in at.info if "Stopped at epoch" in i.value)
    assert said_epoch(info, "Continuing picks up at") == run.epoch and "trained again" not in info
