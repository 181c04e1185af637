"""A server restart while a run trains, in a real browser: the restarted server finds the run where it was.

The training worker is its own process (core.runs.worker, own session), so killing the streamlit server
does not stop it: after the restart the run is still training and its charts carry on from where they
were. When the worker dies too (the machine went down, say), the executor's recover marks the run
'interrupted' on the next page view: its logged steps stay, and Resume continues it from its last
checkpoint.
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from bench.browser import Server
from core.runs import pid_alive
from dashboard.train import STATUS_BADGE
from dashboard.train.charts import MAX_POINTS

from .conftest import STEP_TIMEOUT as TIMEOUT
from .conftest import nav, screenshot, spiral_with_preset
from .test_train_live import DRAWN_JS, EPOCH_TRACE, POINTS_JS, STEP_TRACE, poll, see_loss_chart_grow, set_number


def workspace_processes(home: Path) -> list[int]:
    """Pids of the training workers (standby ones too) started for this workspace, read from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in argv]
        if "core.runs.worker" in args and "--home" in args:
            i = args.index("--home")
            if i + 1 < len(args) and args[i + 1] == str(home) and pid_alive(int(entry.name)):
                pids.append(int(entry.name))
    return pids


def crash(srv: Server) -> None:
    """Kill the streamlit server as a crash would (SIGKILL: no shutdown code runs)."""
    srv.proc.kill()
    srv.proc.wait(10)
    srv.log.close()
    srv.proc = None


@pytest.fixture
def own_server(tmp_path):
    """A server on its own workspace and port (the test kills it); at the end the server and every
    worker of the workspace are killed, whatever happened."""
    srv = Server(tmp_path)
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()
        for pid in workspace_processes(tmp_path):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        poll(lambda: not workspace_processes(tmp_path), 10, "the workers to exit")


def chart_points(page) -> tuple[int, int]:
    """How many points the loss chart draws: (epoch losses, step losses)."""
    return page.evaluate(POINTS_JS, EPOCH_TRACE), page.evaluate(POINTS_JS, STEP_TRACE)


def badge(main, status: str):
    """The run's status badge on the Train page, showing the label the page gives `status`."""
    return main.locator("span.stMarkdownBadge").filter(has_text=STATUS_BADGE[status][0])


def picture(page, name: str) -> None:
    """A screenshot tall enough for every chart, the pointer off the buttons' tooltips."""
    page.mouse.move(5, 5)
    page.set_viewport_size({"width": 1400, "height": 1500})
    poll(lambda: page.evaluate(DRAWN_JS) >= 5, 15, "all five charts to be drawn at once", interval=0.02)
    screenshot(page, name)
    page.set_viewport_size({"width": 1400, "height": 900})


@pytest.mark.parametrize("worker_survives", [True, False], ids=["worker-survives", "worker-lost"])
def test_a_server_restart_finds_the_run_where_it_was(own_server, page, worker_survives):
    from core.runs import Store

    srv, home = own_server, own_server.home
    store = Store(home)
    try:
        # spiral + a preset, then a long run (28 steps an epoch, 20,000 epochs): still training at the end
        spiral_with_preset(page, srv.url, "Playground default")
        main = nav(page, "Train")
        set_number(main, "Epochs", 20000)
        poll(lambda: "560,000 in all" in main.inner_text(), 15, "the preset's batch size and the epochs to apply")
        main.get_by_role("button", name="Start training").click()
        run_id = poll(lambda: next((r.id for r in store.list_runs()), None), 30, "the new run")
        # the run is in the URL, so a reload after the restart asks for it
        poll(lambda: f"run={run_id}" in page.evaluate("location.href"), 30, "the run id in the URL")

        see_loss_chart_grow(page, store, run_id, times=2, timeout=60)
        badge(main, "running").wait_for(timeout=TIMEOUT)
        # the epoch and the step losses are drawn by fragments of their own: until both show points
        epochs_seen, steps_seen = poll(lambda: min(seen := chart_points(page)) > 0 and seen, 30,
                                       "points in both the epoch and the step losses")
        worker = store.get_run(run_id).pid
        assert pid_alive(worker)

        crash(srv)
        if worker_survives:
            # the worker trains on without the server: its run's step moves on
            at_crash = store.get_run(run_id).step
            poll(lambda: store.get_run(run_id).step > at_crash, 30, "the worker to train on without the server")
            assert pid_alive(worker), "the training worker died with the server"
            assert store.get_run(run_id).status == "running"
        else:
            os.kill(worker, signal.SIGKILL)
            poll(lambda: not pid_alive(worker), 10, "the worker to die")
        logged = store.get_run(run_id).step
        assert logged >= steps_seen

        srv.start()                      # the same workspace and port
        page.reload()
        main = page.locator("[data-testid='stMain']").first
        main.get_by_role("heading", name="Train").wait_for(timeout=TIMEOUT)
        # the charts come back with at least what they showed before the restart
        poll(lambda: page.evaluate(POINTS_JS, EPOCH_TRACE) >= epochs_seen, 30, "the epoch losses after the restart")
        poll(lambda: page.evaluate(POINTS_JS, STEP_TRACE) >= steps_seen, 30, "the step losses after the restart")
        run = store.get_run(run_id)
        assert run.step >= logged
        main.get_by_role("heading", name=run.name).wait_for(timeout=TIMEOUT)
        assert page.locator("[data-testid='stException']").count() == 0

        if worker_survives:
            # the worker never stopped: still running under the same process, and the charts still grow
            assert run.status == "running" and run.pid == worker
            badge(main, "running").wait_for(timeout=TIMEOUT)
            see_loss_chart_grow(page, store, run_id, times=2, timeout=60)
            picture(page, "train-after-restart")
        else:
            # recover() on the new server's first page view: the worker is gone, the run interrupted
            poll(lambda: store.get_run(run_id).status == "interrupted", 15, "the run to be marked interrupted")
            badge(main, "interrupted").wait_for(timeout=TIMEOUT)
            main.get_by_text("This run was interrupted at epoch").wait_for(timeout=TIMEOUT)
            # nothing trains now: the charts show exactly what the store logged (per-step series thinned)
            logged_losses = len(store.metrics(run_id, ["loss"]))
            assert logged_losses >= steps_seen
            logged_epochs = len(store.metrics(run_id, ["train_loss"]))
            shown = (min(logged_epochs, MAX_POINTS), min(logged_losses, MAX_POINTS))
            poll(lambda: chart_points(page) == shown, 30, f"the charts to show the logged (epochs, steps) {shown}")
            picture(page, "train-after-restart-worker-lost")
            # Resume continues it from its last checkpoint, and the charts stream again
            main.get_by_role("button", name="Resume").click()
            poll(lambda: store.get_run(run_id).status == "running", 30, "the resumed run to train")
            badge(main, "running").wait_for(timeout=TIMEOUT)
            see_loss_chart_grow(page, store, run_id, times=2, timeout=60)

        # the Runs page lists it too
        main = nav(page, "Runs")
        main.get_by_text(run_id[:6], exact=False).first.wait_for(timeout=TIMEOUT)
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        store.close()
