"""The command line's tests share one workspace and one spiral run trained by the CLI."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.cli_process import cli, last_json


@pytest.fixture(scope="session")
def cli_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli_home")


@pytest.fixture(scope="session")
def trained(cli_home):
    """One spiral run trained by the CLI, shared by the tests that read it back."""
    proc = cli("train", "--dataset", "spiral", "--hidden", "16,16", "--activation", "tanh", "--epochs", "200", "--json",
               home=cli_home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, last_json(proc)
