"""A workspace that cannot be written, on real file systems (a tmpfs mounted for the test): every command says
so in one line `error: ...` that names the problem — no space left, read-only, the folder gone — and the fix,
exit 2, never a traceback."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.cli.cli_process import ROOT, cli
from tests.conftest import wait_for
from tests.runs.mounts import fill, remount, tmpfs

TIMEOUT = 180
FULL = "no space left on the device that holds the workspace"
READ_ONLY = "is read-only; remount it read-write"
GONE = "is gone"


def one_error_line(proc, words: str) -> str:
    assert proc.returncode == 2, f"exit {proc.returncode}: {proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr[-3000:]
    assert words in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def disk(tmp_path):
    with tmpfs(tmp_path / "ws", "24m") as home:
        yield home


def epochs_trained(home) -> int:
    """The furthest epoch any run in the workspace has recorded, read without writing anything."""
    import sqlite3
    if not (home / "glassnet.db").exists():
        return 0
    db = sqlite3.connect(f"file:{home / 'glassnet.db'}?mode=ro", uri=True, timeout=30)
    try:
        return int(db.execute("SELECT coalesce(max(epoch), 0) FROM runs").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        db.close()


def training(home, *options):
    """`python -m core train` on spiral, for a long time, in a process of its own, once it has trained two epochs."""
    env = {**os.environ, "GLASSNET_HOME": str(home), "PYTHONPATH": ROOT}
    proc = subprocess.Popen([sys.executable, "-m", "core", "train", "--dataset", "spiral", "--batch-size", "8",
                             "--epochs", "100000", *options], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    wait_for(lambda: proc.poll() is not None or epochs_trained(home) >= 2, TIMEOUT, what="two epochs")
    assert proc.poll() is None, proc.communicate()[1][-2000:]
    return proc


def ended(proc) -> subprocess.CompletedProcess:
    """The command's end, its progress lines left out of its stderr."""
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
    lines = [line for line in err.strip().splitlines() if not line.startswith("epoch ")]
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, "\n".join(lines))


def trained_run(home) -> str:
    from tests.helpers_runs import train_run
    return train_run(home, epochs=3)


def test_a_full_disk_is_one_error_line_for_train_and_resume(disk):
    run_id = trained_run(disk)
    filler = fill(disk)
    try:
        line = one_error_line(cli("train", "--dataset", "spiral", "--epochs", "50", home=disk, timeout=TIMEOUT), FULL)
        assert str(disk) in line and "free some space" in line
        one_error_line(cli("resume", "--run", run_id, home=disk), FULL)
    finally:
        filler.unlink()


def test_a_full_disk_while_the_command_line_trains_is_one_error_line(disk):
    proc = training(disk)
    filler = fill(disk)
    done = ended(proc)
    filler.unlink()
    one_error_line(done, FULL)


def test_a_read_only_workspace_is_one_error_line_for_every_command_that_writes(disk):
    run_id = trained_run(disk)
    remount(disk, "ro")
    try:
        for args in (["train", "--dataset", "spiral", "--epochs", "5"], ["resume", "--run", run_id],
                     ["stop", "--run", run_id], ["runs"]):
            line = one_error_line(cli(*args, home=disk, timeout=TIMEOUT), READ_ONLY)
            assert str(disk) in line and "GLASSNET_HOME" in line
    finally:
        remount(disk, "rw")


def test_a_workspace_deleted_while_the_command_line_trains_is_one_error_line(tmp_path):
    home = tmp_path / "soon-gone"
    proc = training(home, "--json")
    for _ in range(100):                 # the command may write a file while the folder is being removed
        shutil.rmtree(home, ignore_errors=True)
        if not home.exists():
            break
    one_error_line(ended(proc), GONE)
    assert not home.exists()
