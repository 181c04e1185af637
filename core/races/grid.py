"""Grids: several settings tried at every combination of their values — the same data, network and seed
otherwise — in one request, stored and read back as a race whose runs each try a combination.

A grid is written as `setting=values` items ("optimizer=sgd,adam", "lr=0.01,0.1"), or as {setting: values}; each
setting's values are read as a race's are (core/races/settings.py). It varies at least two settings, each with
2 to MAX_VALUES values, and takes at most the limit max_grid_runs runs (the product of the numbers of values),
checked before any spec is built.
"""
from __future__ import annotations

import itertools
import math

from .. import limits
from ..spec import NetworkSpec, TrainSpec
from .settings import SETTINGS, RaceError, apply, parse_values, setting
from .start import RacePlan

MIN_SETTINGS = 2


def read_axes(items) -> list[tuple[str, str]]:
    """(setting, values text) of each `setting=values` item (or each pair of a dict), in order; RaceError naming a
    malformed item, an unknown setting or a setting given twice."""
    pairs = list(items.items()) if isinstance(items, dict) else [_split(item) for item in items]
    seen = set()
    for key, _ in pairs:
        if key not in SETTINGS:
            raise RaceError(f"a grid cannot vary {key!r}; choose settings among {', '.join(SETTINGS)}")
        if key in seen:
            raise RaceError(f"{setting(key).title} ({key}) is given twice; give each setting once with all its "
                            f"values, e.g. {key}={_example(key)}")
        seen.add(key)
    if len(pairs) < MIN_SETTINGS:
        named = ", ".join(k for k, _ in pairs) or "none"
        raise RaceError(f"a grid varies at least {MIN_SETTINGS} settings (got {len(pairs)}: {named}); add another "
                        "setting=values, or race a single setting instead")
    return pairs


def _split(item) -> tuple[str, str]:
    text = str(item).strip()
    key, sep, values = text.partition("=")
    if not sep or not key.strip():
        raise RaceError(f"{text!r} is not setting=values; write each setting with its values, e.g. "
                        "optimizer=sgd,adam lr=0.01,0.1")
    return key.strip().lower(), values


def _example(key: str) -> str:
    s = SETTINGS[key]
    return (s.example or ", ".join(map(str, s.defaults))).replace(" ", "")


def parse_grid(items) -> list[tuple[str, list]]:
    """(setting, values) of each axis of the grid, checked (RaceError names the problem and the fix), the number
    of runs within max_grid_runs."""
    axes = [(key, parse_values(key, text, group="a grid")) for key, text in read_axes(items)]
    check_size([len(values) for _, values in axes])
    return axes


def check_size(counts: list[int]) -> int:
    """The number of runs of a grid with `counts` values per setting; RaceError past max_grid_runs."""
    total = math.prod(counts)
    if total > limits.current().max_grid_runs:
        product = " × ".join(map(str, counts))
        raise RaceError(limits.exceeded("max_grid_runs", f"A grid of {product} = {total} runs was asked for",
                                        "leave out some values or a setting"))
    return total


def label_of(keys: list[str], value) -> str:
    """A run's name within its group: 'Adam' in a race of optimisers, 'Adam lr=0.01' in a grid."""
    if len(keys) == 1:
        return setting(keys[0]).label(value)
    return " ".join(setting(k).label(value[k]) for k in keys)


def grid_title(keys: list[str]) -> str:
    return " × ".join(setting(k).title.lower() for k in keys)


def plan_grid(items, network: NetworkSpec, train: TrainSpec, data_name: str = "",
              name: str | None = None) -> RacePlan:
    """The runs of a grid, one per combination (the first setting's values vary slowest), each spec checked."""
    axes = parse_grid(items)
    keys = [k for k, _ in axes]
    network, train = network.validate(), train.validate()
    values, runs = [], []
    for combo in itertools.product(*(vals for _, vals in axes)):
        value = dict(zip(keys, combo))
        net_v, train_v = network, train
        for key, v in value.items():
            net_v, train_v = apply(key, v, net_v, train_v)
        values.append(value)
        runs.append((label_of(keys, value), net_v, train_v))
    where = f" on {data_name}" if data_name else ""
    title = grid_title(keys)
    return RacePlan(",".join(keys), values, runs, name or f"Grid of {title}{where}")


__all__ = ["MIN_SETTINGS", "check_size", "grid_title", "label_of", "parse_grid", "plan_grid", "read_axes"]
