"""What one person may ask of the server, in one place.

Every limit has a default that suits a classroom server and can be changed by whoever runs the server:
set the environment variable GLASSNET_<NAME> (e.g. GLASSNET_MAX_PARAMETERS=20000000) before starting the app
or the command line. Each limit is checked before the memory or time it guards is spent, and a request past
one gets a message that names the limit, the value asked for and what to change (`exceeded`).
`python -m core limits` prints the table in force.

Every check reads the limits in force through `current()` at the moment it checks, never a copy taken when
its module was imported, so replacing LIMITS (as the tests do) changes every check at once.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace

ENV_PREFIX = "GLASSNET_"


def _limit(default: int, what: str):
    return field(default=default, metadata={"what": what})


@dataclass(frozen=True)
class Limits:
    """The limits in force. Readable as attributes or as ``current()["max_rows"]``."""

    # an uploaded table
    max_upload_bytes: int = _limit(50 * 2**20, "size of an uploaded CSV file, in bytes")
    max_rows: int = _limit(200_000, "data rows of an uploaded table")
    max_columns: int = _limit(500, "columns of an uploaded table")
    max_categories: int = _limit(30, "distinct values of a text column (one with more is left out)")
    min_rows: int = _limit(20, "fewest rows a table needs (for training, validation and test rows)")
    max_classes: int = _limit(100, "classes of a target")
    # a dataset in memory
    max_inputs: int = _limit(2_000, "model inputs after one-hot encoding")
    max_cells: int = _limit(20_000_000, "rows × model inputs of a dataset in memory")
    # a network and its spec
    max_parameters: int = _limit(5_000_000, "parameters (weights and biases) of a network")
    max_spec_bytes: int = _limit(200_000, "characters of a spec file or pasted spec")
    max_spec_depth: int = _limit(8, "nesting of objects and lists in a spec's JSON")
    # a run
    max_steps: int = _limit(10_000_000, "training steps of a run (epochs × batches per epoch)")
    max_run_seconds: int = _limit(4 * 3600, "wall-clock seconds a run may take, pauses included")
    # what a run keeps on disk, however long it trains (core/runs/thinning.py, core/runs/retention.py)
    max_loss_points: int = _limit(20_000, "step losses a run keeps (older ones merged into means past it)")
    max_epoch_points: int = _limit(2_000, "logged epochs whose metrics a run keeps (spread over the run past it)")
    max_frames: int = _limit(200, "decision-boundary grids, and weight histograms, a run keeps of each")
    max_epoch_checkpoints: int = _limit(20, "epoch checkpoints a run keeps spread over its epochs (best and "
                                            "newest besides)")
    max_active_runs_per_person: int = _limit(3, "runs one person may have waiting, training or paused at once (a race or "
                                                "a grid counts as one)")
    max_grid_runs: int = _limit(24, "runs of one grid (the product of its settings' numbers of values)")
    # the server
    workers: int = _limit(os.cpu_count() or 1, "training worker processes of a workspace (runs training at once)")
    # explanations and audits
    max_lime_samples: int = _limit(20_000, "perturbed samples of one LIME explanation")
    max_explain_rows: int = _limit(2_000, "rows explained at once")
    max_background: int = _limit(1_000, "background rows of a SHAP explanation")
    max_bootstrap: int = _limit(5_000, "bootstrap resamples of a fairness confidence interval")
    max_inline_explain_seconds: int = _limit(3, "estimated seconds of an explanation the server computes itself "
                                                "(a longer one is asked for first and computed by a worker)")
    max_band_edges: int = _limit(20, "edges that cut a number column (age) into bands")
    # an uploaded ONNX model
    max_onnx_bytes: int = _limit(50 * 2**20, "size of an uploaded ONNX model, in bytes")
    onnx_seconds: int = _limit(30, "seconds to load an uploaded ONNX model, or to predict one batch with it")

    def __getitem__(self, key: str) -> int:
        if key not in self.names():
            raise KeyError(key)
        return getattr(self, key)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def env_name(name: str) -> str:
        return ENV_PREFIX + name.upper()

    @classmethod
    def from_env(cls, environ=None) -> tuple["Limits", list[str]]:
        """The defaults with any GLASSNET_<NAME> variable in `environ` (default os.environ) in force, and a
        sentence for each variable that is not a whole number above 0 (that limit keeps its default)."""
        environ = os.environ if environ is None else environ
        changed, problems = {}, []
        for name in cls.names():
            text = environ.get(cls.env_name(name))
            if text is None or not text.strip():
                continue
            try:
                value = int(text.strip().replace("_", ""))
            except ValueError:
                value = 0
            if value < 1:
                problems.append(f"{cls.env_name(name)}={text!r} is not a whole number above 0; the limit stays at "
                                f"its default, {getattr(cls, name):,}")
                continue
            changed[name] = value
        return replace(cls(), **changed), problems


LIMITS, PROBLEMS = Limits.from_env()
for _problem in PROBLEMS:       # said once, where whoever runs the server reads it
    print(f"glassnet: {_problem}", file=sys.stderr)


def current() -> Limits:
    """The limits in force now. Checks call this each time they check (`limits.current().max_rows`), so a
    limit replaced while the process runs is the one every check applies."""
    return LIMITS


@contextmanager
def override(**changes):
    """The limits in force changed for the length of a `with` block (benchmarks measure with other limits)."""
    global LIMITS
    saved = LIMITS
    LIMITS = replace(saved, **changes)
    try:
        yield LIMITS
    finally:
        LIMITS = saved


def exceeded(name: str, asked: str, fix: str) -> str:
    """The message for a request past limit `name`: what was asked, the limit, the fix, and how the person
    who runs the server can change it."""
    return (f"{asked}, more than the limit of {current()[name]:,}; {fix} (whoever runs the server can change the "
            f"limit with {Limits.env_name(name)})")


def nesting_depth(value) -> int:
    """How deeply JSON objects and lists nest in `value` (a scalar: 0), measured without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def table() -> list[dict]:
    """Each limit: its name, what it limits, its default, the value in force and the variable that sets it."""
    return [{"name": f.name, "what": f.metadata["what"], "default": f.default, "value": current()[f.name],
             "variable": Limits.env_name(f.name)} for f in fields(Limits)]
