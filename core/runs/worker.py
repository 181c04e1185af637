"""The training worker: `python -m core.runs.worker RUN_ID --home DIR [--resume]` trains one run;
`python -m core.runs.worker --pool --home DIR` is a worker of the workspace's pool, which trains queued
run after run and does analysis jobs (core/runs/pool_worker.py); `--job JOB_ID` does one job (the spawn way).

Started by the executor (core/runs/executor.py) in its own process and session, so it survives
a restart of the UI server. Everything it learns goes to the run store.

It claims its run first (a run already trained by another live worker is left alone), removes the
temporary files a killed worker left, and keeps a little disk space in reserve: if the workspace fills
up, the reserve is given back so that the run can still be marked failed with the reason. When even that
cannot be written (the workspace read-only or gone), its log says so on a line recover() reads, and it
exits with NOT_RECORDED.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback

from .stopping import STARTED, UNRECORDED

FAILED = 1              # the run failed, and says why in its row
NOT_RECORDED = 3        # the run's end could not be written to the store (the log says why)
TAKEN = 4               # another live worker trains this run already
RESERVE = ".reserve"
RESERVE_BYTES = 256 * 1024


def say(text: str) -> None:
    """A line for the log; a log that cannot be written (full or read-only disk) is not a reason to crash."""
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def run(run_id: str, home: str, resume: bool = False) -> int:
    from .store import Store, check_run_id
    say(f"{STARTED} run {check_run_id(run_id)}, pid {os.getpid()}{' (resume)' if resume else ''}")
    try:
        store = Store(home)
    except Exception as e:
        return _unrecorded(home, e, "the workspace could not be opened")
    try:
        if not _claim(store, run_id):
            return TAKEN
        return train_claimed(store, run_id, resume)
    finally:
        try:
            store.close()
        except Exception:
            pass


def train_claimed(store, run_id: str, resume: bool) -> int:
    """Train a run this process has claimed, to its end: 0, or FAILED (the reason in its row), or
    NOT_RECORDED (the workspace could not take the run's end; the log says why)."""
    try:
        _prepare_folder(store, run_id)
        _train(store, run_id, resume)
        _release_reserve(store, run_id)
        return 0
    except Exception as e:   # the run records why; the log keeps the traceback
        return _record_failure(store, run_id, e)


def _train(store, run_id: str, resume: bool) -> None:
    import torch

    from ..data import DatasetRef, load_dataset
    from ..model import network_for
    from ..spec import NetworkSpec, TrainSpec
    from ..training import NetworkFrames, StoreControl, StoreRecorder, Trainer, seed_everything
    from .resumes import resume_point

    torch.set_num_threads(1)          # several runs share the cores (see the executor)
    rec = store.get_run(run_id)
    dataset = load_dataset(DatasetRef.from_dict(rec.dataset), store.home)
    network, spec = NetworkSpec.from_dict(rec.network), TrainSpec.from_dict(rec.train)
    seed_everything(spec.seed)
    net = network_for(network, dataset, spec.loss)
    tensors, start_epoch, start_step = resume_point(store, run_id, net) if resume else (None, 0, 0)
    diagram = NetworkFrames.for_trainer_of(net, dataset)    # small dense nets on 2-D data: before the recorder
    trainer = Trainer(net, dataset, spec, callbacks=[*filter(None, [diagram]), StoreRecorder(store, run_id)],
                      control=StoreControl(store, run_id), start_epoch=start_epoch, start_step=start_step)
    if tensors is not None:
        trainer.load_optimizer_state(tensors)
    trainer.fit()


def _claim(store, run_id: str) -> bool:
    """Make this process the run's worker, unless another live worker is (compare-and-set on its pid)."""
    from .registry import trains
    me = os.getpid()
    for _ in range(5):
        pid = store.get_run(run_id).pid
        if pid not in (None, me) and trains(store, pid, run_id):
            say(f"run {run_id} is trained by worker {pid} already; this worker leaves it alone")
            return False
        if store.update_run_if(run_id, {"pid": pid}, pid=me):
            return True
    return False


def _prepare_folder(store, run_id: str) -> None:
    """Remove what a killed worker left (temporary files), and set the disk-space reserve aside."""
    from .checkpoints import clean_leftovers
    folder = store.run_dir(run_id)
    removed = clean_leftovers(folder)
    if removed:
        say(f"removed unfinished files a stopped worker left: {', '.join(removed)}")
    try:
        fd = os.open(folder / RESERVE, os.O_CREAT | os.O_WRONLY, 0o600)
        try:
            os.posix_fallocate(fd, 0, RESERVE_BYTES)
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        pass                            # no reserve: a full disk may then keep the reason from the run row


def _release_reserve(store, run_id: str) -> None:
    try:
        (store.run_dir(run_id) / RESERVE).unlink(missing_ok=True)
    except OSError:
        pass


def _record_failure(store, run_id: str, error: Exception) -> int:
    """Mark the run failed with the reason; if that cannot be written, say so in the log and exit NOT_RECORDED."""
    from .failures import failure_reason
    from .workspace import workspace_problem
    _release_reserve(store, run_id)     # room for the log line and the row, on a full disk
    problem = workspace_problem(store.home, error)
    try:
        traceback.print_exc()
    except (OSError, ValueError):
        pass
    reason = failure_reason(store.home, error)
    if problem and not store.path.exists():
        return _unrecorded(store.home, error, problem)
    try:
        store.update_run(run_id, status="failed", pid=None, error=reason)
    except Exception as e:
        return _unrecorded(store.home, e, reason)
    return FAILED


def _unrecorded(home, error: BaseException, reason: str) -> int:
    from .workspace import workspace_problem
    say(f"{UNRECORDED} {workspace_problem(home, error) or reason} ({type(error).__name__}: {error})")
    return NOT_RECORDED


def warm() -> None:
    """Import everything a run needs and take the first-time costs, so a run handed over trains at once."""
    import torch

    from .. import data, model, training  # noqa: F401  (core.runs itself came in with this module)
    data.load_builtin("spiral")           # warms the data path (scikit-learn's splitter)
    w = torch.nn.Parameter(torch.zeros(1))
    torch.optim.Adam([w], fused=True)     # the first optimiser pulls in torch's compiler stack (~1.7 s)


def standby(home: str) -> int:
    """Import everything a run needs, then wait for one line on stdin: 'RUN_ID [--resume]'.

    The app keeps one such worker ready so that pressing Start trains at once (the executor's `spawn`
    way; the pool's workers are core/runs/pool_worker.py). When the app goes away first, stdin closes
    and the standby exits without training anything.
    """
    from pathlib import Path

    warm()
    line = sys.stdin.readline().split()
    if not line:
        return 0
    run_id, resume = line[0], "--resume" in line[1:]
    from .store import check_run_id
    log = open(Path(home) / "runs" / check_run_id(run_id) / "worker.log", "ab")
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    return run(run_id, home, resume)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.runs.worker")
    p.add_argument("run_id", nargs="?")
    p.add_argument("--home", required=True)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--standby", action="store_true", help="start, import, then wait for a run id on stdin")
    p.add_argument("--pool", action="store_true", help="a worker of the workspace's pool: train queued runs")
    p.add_argument("--job", help="do this analysis job (the spawn way)")
    a = p.parse_args(argv)
    if a.standby:
        return standby(a.home)
    if a.pool:
        from .job_worker import do_job
        from .pool_worker import serve
        return serve(a.home, warm=warm, train=train_claimed, job=do_job)
    if a.job:
        from .job_worker import run_job
        return run_job(a.job, a.home)
    if not a.run_id:
        p.error("a run id is needed (or --standby, or --pool)")
    return run(a.run_id, a.home, a.resume)


if __name__ == "__main__":
    sys.exit(main())
