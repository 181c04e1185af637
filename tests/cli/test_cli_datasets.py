"""`python -m core datasets`: the built-in datasets, as JSON and as one line each."""
from __future__ import annotations

import json

from core.data import list_builtin
from tests.cli.cli_process import cli


def test_datasets_lists_every_builtin_set():
    builtin = json.loads(json.dumps(list_builtin()))
    as_json = cli("datasets", "--json")
    assert as_json.returncode == 0, as_json.stderr[-2000:]
    assert json.loads(as_json.stdout) == builtin
    text = cli("datasets")
    assert text.returncode == 0, text.stderr[-2000:]
    lines = text.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [[d["name"], d["task"]] for d in builtin]
    assert "spiral" in [d["name"] for d in builtin] and "german_credit" in [d["name"] for d in builtin]
