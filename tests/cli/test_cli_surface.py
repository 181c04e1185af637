"""The command line as a package: its surface, one module per command, and a parser that needs no torch."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from tests.cli.cli_process import ROOT

COMMANDS = ["train", "race", "sweep", "runs", "resume", "stop", "diagnose", "lessons", "predict", "export", "explain", "fairness",
            "datasets", "limits"]


@pytest.mark.parametrize("name", ["main", "build_parser", "UsageError"])
def test_public_names_import_from_core_cli(name):
    import core.cli

    assert getattr(core.cli, name) is not None
    assert name in core.cli.__all__


def test_each_command_is_registered_by_its_own_module_in_the_help_order():
    from core.cli import build_parser
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == COMMANDS
    for name, parser in sub.choices.items():
        assert parser.prog == f"core {name}"
        assert parser.get_default("func").__module__ == f"core.cli.{name}"


HELP_WITHOUT_TORCH = """
import json, sys
from core.cli import build_parser
parser = build_parser()
texts = [parser.format_help()]
for name in %r:
    try:
        parser.parse_args([name, "--help"])
    except SystemExit as e:
        texts.append(e.code)
print(json.dumps({"exits": texts[1:], "torch": "torch" in sys.modules}))
"""


def test_the_parser_and_its_help_load_no_torch():
    """The engine is imported when a command runs, not when the parser is built or asked for help."""
    code = HELP_WITHOUT_TORCH % COMMANDS
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"exits": [0] * len(COMMANDS), "torch": False}
    for name in COMMANDS:
        assert f"usage: core {name}" in proc.stdout


HELP_AND_MISTAKES = """
import contextlib, io, json, sys
from core.cli import main
codes = []
for argv in %r:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            codes.append(main(argv))
        except SystemExit as e:
            codes.append(e.code)
print(json.dumps({"codes": codes, "torch": "torch" in sys.modules}))
"""


def test_help_and_a_mistake_in_the_options_answer_without_loading_torch():
    """`python -m core train --help` and `python -m core train` (no dataset) need none of the engine: torch,
    seconds to import, is loaded only when a command runs."""
    argvs = [["--help"], *([name, "--help"] for name in COMMANDS), ["train"], ["explain", "--run", "x"],
             ["predict", "--run", "x", "--split", "test", "--out", "p.csv", "--checkpoint", "first"]]
    proc = subprocess.run([sys.executable, "-c", HELP_AND_MISTAKES % argvs], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"codes": [0] * (1 + len(COMMANDS)) + [2, 2, 2], "torch": False}
