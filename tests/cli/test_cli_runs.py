"""`python -m core runs`: the workspace's runs."""
from __future__ import annotations

import json

import pytest

from tests.cli.cli_process import cli


def test_runs_json_lists_the_run(trained, cli_home):
    _, out = trained
    proc = cli("runs", "--json", home=cli_home)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout.strip().splitlines()[-1])
    mine = [r for r in rows if r["run_id"] == out["run_id"]]
    assert len(mine) == 1
    assert mine[0]["status"] == "finished" and mine[0]["dataset"] == "spiral" and mine[0]["epochs"] == 200
    assert mine[0]["test_accuracy"] == pytest.approx(out["metrics"]["test_accuracy"])

