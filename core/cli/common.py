"""What the commands share: the parser that turns mistakes into one line, the options several commands take,
reading the dataset and spec arguments, checking paths, printing JSON and error lines."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CHECKPOINT_HELP = "last | best | an epoch number"


class UsageError(Exception):
    """Bad command-line input."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line that names the command's help (exit 2 in main)."""

    def error(self, message):
        command = self.prog.split()[-1]
        raise UsageError(f"{message} (see `python -m core {command} --help`)" if command != "core"
                         else f"{message} (see `python -m core --help`)")


def user_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a person causes and can fix: printed as one `error:` line, exit 2."""
    from ..data import DataError
    from ..runs import JobError
    from ..spec import SpecError
    from ..runs import StoreError
    from ..training import TrainingError
    return (DataError, SpecError, StoreError, TrainingError, JobError, UsageError, FileNotFoundError,
            IsADirectoryError, PermissionError)


def database_errors() -> tuple[type[BaseException], ...]:
    """The errors of the run store's database, SQLite's or PostgreSQL's (read when one is raised: the engine is
    not loaded for --help)."""
    from ..runs.db import database_errors as errors
    return errors()


def workspace_error(args: argparse.Namespace | None, error: BaseException) -> BaseException | None:
    """A database or file error that is the workspace's (full, read-only, gone) as one WorkspaceError; any
    other database error as a StoreError naming the database; None for an error about something else."""
    from ..runs.db import database_errors, database_url, describe
    from ..runs.store import StoreError, default_home
    from ..runs.workspace import as_workspace_error
    if args is None or not hasattr(args, "home"):
        return None
    home = Path(args.home).expanduser() if args.home else default_home()
    if database_url() and isinstance(error, database_errors()):
        reason = " ".join(str(error).split())
        return StoreError(f"the run store's database {describe(home)} cannot be used ({reason}); check that "
                          "PostgreSQL runs there, or set GLASSNET_DATABASE_URL to another database")
    found = as_workspace_error(home, error)
    if found is None and isinstance(error, database_errors()):
        return StoreError(f"the workspace database {describe(home)} cannot be used ({error}); check the "
                          "folder, or set GLASSNET_HOME (or --home) to another one")
    return found


def error_line(error: BaseException) -> str:
    """The one line printed for a user error: its first line, or for a file the reason and the file."""
    msg = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, OSError) and error.filename:
        msg = f"{error.strerror}: {error.filename}"
    return f"error: {msg}"


# ------------------------------------------------------------------ options several commands take
def add_home(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", help="workspace folder (default: GLASSNET_HOME or the per-user data folder)")


def add_checkpoint(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", default="last", help=CHECKPOINT_HELP)


def read_checkpoint(args: argparse.Namespace) -> None:
    """`--checkpoint` as given: 'last', 'best', or an epoch number made an int."""
    if getattr(args, "checkpoint", None) in (None, "last", "best"):
        return
    try:
        args.checkpoint = int(args.checkpoint)
    except ValueError:
        raise UsageError(f"--checkpoint takes last, best or an epoch number (got {args.checkpoint!r})") from None


# ------------------------------------------------------------------ files
def existing_file(text: str) -> Path:
    """A file to read, e.g. `--csv`; a missing one is a UsageError."""
    path = Path(text)
    if not path.is_file():
        raise UsageError(f"no such file: {text}")
    return path


def out_path(text: str) -> Path:
    """A file to write: its folder must exist and it must not be a folder itself."""
    path = Path(text)
    if path.is_dir():
        raise UsageError(f"--out {text} is a folder; give a file name inside it")
    if not path.parent.is_dir():
        raise UsageError(f"--out: there is no folder {path.parent}; create it or choose another path")
    return path


def print_json(value) -> None:
    print(json.dumps(value))


def note(text: str) -> None:
    """A line for the person at the terminal, on stderr, so stdout stays the result."""
    print(text, file=sys.stderr)


# ------------------------------------------------------------------ dataset and spec arguments
def parse_value(text: str):
    """A dataset parameter's value: an int, a float, or the text itself."""
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def dataset_params(items: list[str] | None) -> dict:
    """`--param KEY=VALUE` (repeatable) → {key: value}."""
    params = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"--param takes KEY=VALUE (got {item!r}), e.g. --param noise=0.2")
        key, value = item.split("=", 1)
        params[key.strip()] = parse_value(value.strip())
    return params


def dataset_from_args(a: argparse.Namespace, home: Path):
    """The Dataset `--dataset`/`--param` or `--csv`/`--target` name, with `--scaling` and the seeds."""
    from ..data import Preprocess, load_builtin, load_csv
    pre = Preprocess(scaling=a.scaling, split_seed=a.split_seed)
    if a.csv:
        if not a.target:
            raise UsageError("--csv needs --target COL (the column to predict)")
        path = existing_file(a.csv)
        return load_csv(path.read_bytes(), target=a.target, task=a.task, filename=path.name,
                        sensitive=[s for s in (a.sensitive or "").split(",") if s], preprocess=pre, home=home)
    return load_builtin(a.dataset, seed=a.data_seed, preprocess=pre, **dataset_params(a.param))


def hidden_sizes(text: str | None) -> list[int]:
    """`--hidden 16,16` → [16, 16]."""
    try:
        return [int(u) for u in text.split(",") if u.strip()] if text else []
    except ValueError:
        raise UsageError(f"--hidden takes layer sizes separated by commas, e.g. 16,16 (got {text!r})") from None


def specs_from_args(a: argparse.Namespace):
    """(NetworkSpec, TrainSpec): from `--spec FILE` or `--hidden`/`--activation`, with the training options
    given on the command line taking precedence."""
    from ..spec import NetworkSpec, TrainSpec, loads_network, loads_train
    if a.spec:
        text = Path(a.spec).read_text()
        network = loads_network(text)
        data = json.loads(text)
        train = loads_train(text) if isinstance(data, dict) and "train" in data else TrainSpec()
    else:
        network = NetworkSpec.dense(hidden_sizes(a.hidden), a.activation)
        train = TrainSpec()
    overrides = {"optimizer": a.optimizer, "lr": a.lr, "batch_size": a.batch_size, "epochs": a.epochs,
                 "seed": a.seed, "device": a.device, "loss": a.loss, "resample": getattr(a, "resample", None)}
    merged = {**train.to_dict(), **{k: v for k, v in overrides.items() if v is not None}}
    return network, TrainSpec.from_dict(merged)
