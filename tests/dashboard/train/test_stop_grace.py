"""A Stop the worker does not take up: the Train page, polling the run, ends the worker once the grace has
passed and shows the run stopped — with no second click (the Stop button is disabled meanwhile)."""
from __future__ import annotations

import os
import signal

from core.runs import executor as jobs
from core.runs import stopping
from tests.dashboard.train.test_page_train import badge, current_run, home, rerun_until, start_long_run, train_page

GRACE_S = 3.0          # longer than a click waits for its confirmation (controls.CONFIRM_WAIT_S), shorter than 10 s

__all__ = ["home"]     # the fixture, shared with the Train page's other tests


def test_a_worker_that_ignores_stop_is_ended_by_the_polling_page_once_the_grace_has_passed(home, monkeypatch):
    monkeypatch.setattr(stopping, "STOP_GRACE_S", GRACE_S)
    at = train_page()
    run = start_long_run(at, home)
    pid = run.pid
    os.kill(pid, signal.SIGSTOP)                     # alive, and deaf to the request
    try:
        at.button(key="train.stop").click().run()
        assert not at.exception, at.exception
        assert current_run(at, home).status == "running" and badge(at) == "stopping…"
        assert at.button(key="train.stop").disabled  # nothing more to click
        stopped = rerun_until(at, lambda: (r := current_run(at, home)).status == "stopped" and r,
                              "the page to end the worker", timeout=60)
        assert f"did not stop within {GRACE_S:g} s" in stopped.error and stopped.pid is None
        assert not jobs.pid_alive(pid)
        at.run()
        assert badge(at) == "stopped" and "Stopped at epoch" in at.info[0].value
        assert f"its worker did not stop within {GRACE_S:g} s of the request, so it was ended" in \
            at.info[0].value.replace("\\", "")                       # as the page draws its markdown
    finally:
        if jobs.pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
