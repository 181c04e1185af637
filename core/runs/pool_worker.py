"""A worker of the pool: `python -m core.runs.worker --pool --home DIR`.

It imports torch and the data libraries once, then loops: claim the next queued run or analysis job (fair
share, see core/runs/queue.py), train or do it, repeat. It runs in a session of its own, so its runs train on when the
server dies; each run's output goes to that run's worker.log, as a worker of its own would write it.

When it leaves:
- idle (nothing queued) for ORPHAN_IDLE_S once the process that started it is gone (a server that died
  or a command that ended: nobody is there to hand it work soon), or for IDLE_S in any case;
- when its workspace is gone, or cannot take a run's end any more;
- recycled, after RECYCLE_RUNS runs or once its memory has grown RECYCLE_GROWTH_BYTES past what it held
  after its imports. A process keeps the memory of its biggest run: PyTorch's allocator and the C
  library's keep freed memory for reuse rather than hand it back, so a worker that once trained on a
  200,000-row table would hold that memory while it trains spirals for days; and the run count bounds
  whatever a run leaves behind that nobody frees. Recycling re-executes the same process (same pid, its
  row in the registry kept), so the pool never grows past its size while a worker renews itself.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from .job_table import JOB

POLL_S = 0.05                     # an idle worker looks for a queued run this often (one indexed read)
BEAT_S = 2.0                      # and notes that it is alive this often
IDLE_S = 30 * 60.0
ORPHAN_IDLE_S = 15.0
RECYCLE_RUNS = int(os.environ.get("GLASSNET_WORKER_RUNS", "50") or 50)   # settable for the tests of recycling
RECYCLE_GROWTH_BYTES = 512 * 2**20


def rss_bytes() -> int:
    """This process's resident memory now (0 where /proc cannot tell)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def say(text: str) -> None:
    """A line for the log (a log that cannot be written is no reason to stop)."""
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def serve(home: str, warm, train, job=None) -> int:
    """The worker's life: warm up (`warm()`), then train queued runs (`train(store, run_id, resume)`, which
    returns the worker's exit code for the run: core.runs.worker.train_claimed) and do analysis jobs
    (`job(store, job_id)`: core.runs.job_worker.do_job) until it is time to leave."""
    from . import registry
    from .store import Store

    warm()
    store, me = Store(home), os.getpid()
    starter = registry.started_again(store, me)
    baseline, done = rss_bytes(), 0
    say(f"pool worker {me} ready (workspace {home})")
    try:
        while True:
            run_id = _wait_for_run(store, me, starter)
            if run_id is None:
                return 0
            if run_id.startswith(JOB):
                job(store, run_id[len(JOB):])
            elif not train_logged(store, run_id, train):
                return 0
            done = registry.finished_one(store, me)
            if done >= RECYCLE_RUNS or rss_bytes() - baseline > RECYCLE_GROWTH_BYTES:
                say(f"pool worker {me} renews itself after {done} runs ({rss_bytes() / 2**20:.0f} MB)")
                store.close()
                _recycle(home)
    finally:
        try:
            store.close()          # its row stays until the process is gone: see registry.live_workers
        except Exception:
            pass


def _wait_for_run(store, me: int, starter: int) -> str | None:
    """The id of the next run this worker claimed, or None when it should leave."""
    from . import registry
    from .queue import claim
    idle_since = beat = time.monotonic()
    while True:
        if not store.path.exists():
            return None                                  # the workspace was deleted
        run_id = claim(store, me)
        if run_id is not None:
            return run_id
        now = time.monotonic()
        orphaned = os.getppid() != starter
        if now - idle_since >= (ORPHAN_IDLE_S if orphaned else IDLE_S):
            return None
        if now - beat >= BEAT_S:
            registry.beat(store, me)
            beat = now
        time.sleep(POLL_S)


def train_logged(store, run_id: str, train, way: str = "pool") -> bool:
    """Train a claimed run with its output in its own log; whether the worker can go on (the run trained, or
    failed with its reason recorded: codes 0 and 1). `way`: the executor, for the log (a Ray worker uses this
    too, core/runs/ray_worker.py)."""
    from .placements import try_record
    from .stopping import STARTED
    from .queue import to_resume
    resume = to_resume(store, run_id)
    if way == "pool":
        try_record(store, run_id, "pool")
    saved = os.dup(1), os.dup(2)
    try:
        with open(store.run_dir(run_id) / "worker.log", "ab") as log:
            sys.stdout.flush(), sys.stderr.flush()
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            say(f"{STARTED} run {run_id}, pid {os.getpid()} ({way}){' (resume)' if resume else ''}")
            code = train(store, run_id, resume)
            sys.stdout.flush(), sys.stderr.flush()
    except OSError as e:                                 # the run's folder cannot take its log
        code = -1
        say(f"run {run_id}: its log cannot be written ({e})")
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
    return code in (0, 1)


def _recycle(home: str) -> None:
    """Start afresh in the same process (see the module docstring)."""
    sys.stdout.flush(), sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "core.runs.worker", "--pool", "--home", str(Path(home))])

