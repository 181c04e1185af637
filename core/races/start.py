"""Starting a race: one run per value of a setting, on the same data, network and seed, through the executor.

Every run of a race has the base's seed, so the runs draw the same initial weights (for settings that do not
change how weights are drawn — all but init and activation) and see the training rows in the same order
(batch size aside). The race is one request against the person's max_active_runs_per_person: a race of five
starts where the cap is three, and counts as one active request until its runs end (see
core/runs/executor.py submit_race). A race takes at most MAX_VALUES runs.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..spec import NetworkSpec, TrainSpec
from .settings import RaceError, apply, parse_values, setting


@dataclass
class RacePlan:
    """What a race would start: the setting, its values, and (label, network, train) of each run."""

    setting: str
    values: list
    runs: list[tuple[str, NetworkSpec, TrainSpec]]
    name: str


def plan_race(setting_key: str, values, network: NetworkSpec, train: TrainSpec, data_name: str = "",
              name: str | None = None) -> RacePlan:
    """The runs of a race, each spec checked; RaceError (or SpecError for the base) says what to fix."""
    s = setting(setting_key)
    values = parse_values(setting_key, values)
    network, train = network.validate(), train.validate()
    runs = []
    for value in values:
        net_v, train_v = apply(setting_key, value, network, train)
        runs.append((s.label(value), net_v, train_v))
    where = f" on {data_name}" if data_name else ""
    return RacePlan(setting_key, values, runs, name or f"{s.title} race{where}")


def start_race(store, plan: RacePlan, dataset_ref: dict, owner: str | None = None, start: bool = True,
               data_name: str = "") -> tuple[str, list[str]]:
    """Queue every run of the plan (a race's or a grid's) as one request; (race id, run ids). Each run is named
    after the group and its value ("spiral race: Adam", "spiral grid: Adam lr=0.01")."""
    from ..runs import executor
    kind = "grid" if "," in plan.setting else "race"
    prefix = f"{data_name} {kind}" if data_name else kind
    runs = [(f"{prefix}: {label}", network, train) for label, network, train in plan.runs]
    return executor.submit_race(store, dataset=dataset_ref, runs=runs, race_name=plan.name, setting=plan.setting,
                                values=plan.values, owner=owner, start=start)


def initial_weights(store, run_id: str) -> dict:
    """The weights a run of the workspace starts from, drawn as its worker draws them (its seed, then its
    network built for its data); a dict of name → tensor. For checking that a race's runs start alike."""
    import torch

    from ..data import DatasetRef, load_dataset
    from ..model import network_for
    from ..training import seed_everything
    rec = store.get_run(run_id)
    dataset = load_dataset(DatasetRef.from_dict(rec.dataset), store.home)
    network, spec = NetworkSpec.from_dict(rec.network), TrainSpec.from_dict(rec.train)
    with torch.random.fork_rng():
        seed_everything(spec.seed)
        net = network_for(network, dataset, spec.loss)
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def same_start(store, run_ids: list[str]) -> bool:
    """Whether the runs start from identical weights: the same tensors, in order, of the same shapes and numbers
    (by order, not name: a dropout layer shifts the names of the layers after it, not their weights)."""
    import torch
    first = list(initial_weights(store, run_ids[0]).values())
    for run_id in run_ids[1:]:
        other = list(initial_weights(store, run_id).values())
        if len(other) != len(first) or not all(
                a.shape == b.shape and torch.equal(a, b) for a, b in zip(first, other)):
            return False
    return True


__all__ = ["RaceError", "RacePlan", "plan_race", "start_race", "initial_weights", "same_start"]
