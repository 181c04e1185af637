"""Glassnet's command line: the same engine as the app, headless.

    python -m core train --dataset spiral --hidden 8,8 --activation tanh --json
    python -m core race --setting optimizer --values sgd,momentum,adam --json
    python -m core sweep --grid optimizer=sgd,adam lr=0.01,0.1 --json
    python -m core runs
    python -m core resume --run ID --wait --json
    python -m core stop --run ID
    python -m core predict --run ID --split test --out predictions.csv
    python -m core export --run ID --format onnx --out model.onnx
    python -m core explain --run ID --method shap --rows 200 --json
    python -m core fairness --run ID --sensitive sex --json
    python -m core diagnose --run ID --json
    python -m core lessons --json
    python -m core lessons check NAME --run ID [--run ID …] --json
    python -m core datasets
    python -m core limits

  main(argv), build_parser   the surface; core/__main__.py calls main
  UsageError                 bad command-line input: one line `error: ...`, exit 2      common.py
  one module per command     register(sub) adds its subparser and handler, run(args)    train.py, race.py, sweep.py,
                                                                                        runs.py,
                                                                                        resume.py, stop.py, diagnose.py,
                                                                                        lessons.py, predict.py, export.py,
                                                                                        explain.py,
                                                                                        fairness.py, datasets.py,
                                                                                        limits.py

Exit codes: 0 success, 1 training did not finish (diverged/failed) or a lesson's check did not pass, 2 bad input or a workspace that cannot be
written — full, read-only or gone (one line `error: ...` on stderr, never a traceback), 130 training interrupted
from the keyboard. The engine is imported when a command runs: `--help`
and a mistake in the options answer without loading torch.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys

from . import (datasets, diagnose, explain, export, fairness, lessons, limits, predict, race, resume, runs, stop, sweep,
               train)
from .common import Parser, UsageError, error_line, read_checkpoint, user_errors, workspace_error

COMMANDS = (train, race, sweep, runs, resume, stop, diagnose, lessons, predict, export, explain, fairness, datasets,   # in --help's
            limits)                                                                                         # order

__all__ = ["UsageError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="core", description="Glassnet's engine, headless.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code."""
    args = None
    try:
        args = build_parser().parse_args(argv)
        read_checkpoint(args)
        return args.func(args)
    except SystemExit:              # --help: answered without loading the engine
        raise
    except UsageError as e:         # a mistake on the command line: named before the engine loads
        return _refuse(e)
    except (sqlite3.Error, OSError) as e:     # the workspace full, read-only or gone; or a file of the user's
        problem = workspace_error(args, e)
        if problem is None and not isinstance(e, user_errors()):
            raise
        return _refuse(problem or e)
    except user_errors() as e:
        return _refuse(e)


def _refuse(error: BaseException) -> int:
    print(error_line(error), file=sys.stderr)
    return 2
