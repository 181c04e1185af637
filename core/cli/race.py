"""`python -m core race`: train one run per value of a setting — same data, network and seed — and say who won.

    python -m core race                                   # the default optimiser race (SGD … Adam on a spiral)
    python -m core race --setting lr --values 0.001,0.01,0.1 --dataset spiral --epochs 50 --json
    python -m core race --list                            # the races of the workspace
    python -m core race --race RACE_ID --json             # one race's result as it stands

The runs go through the executor's pool (started for the race when no server runs one) and count as one
request against max_active_runs_per_person. Without --dataset or --csv the race uses the default race's data,
network and training settings, each overridable. Exits 0 when every run finished, 1 otherwise.
"""
from __future__ import annotations

import sys
import time

from .common import add_home, dataset_params, hidden_sizes, print_json

def register(sub) -> None:
    r = sub.add_parser("race", help="train one run per value of a setting and say which won")
    r.add_argument("--setting", default="optimizer",
                   help="optimizer | lr | batch_size | l2 | dropout | init | activation (default optimizer)")
    r.add_argument("--values", help="comma-separated values, e.g. sgd,momentum,adam or 0.001,0.01,0.1 "
                                    "(default: the setting's usual values)")
    add_base_options(r)
    r.add_argument("--name", help="a name for the race")
    r.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for the runs (default 3600)")
    r.add_argument("--list", action="store_true", help="list the workspace's races instead")
    r.add_argument("--race", help="show a stored race's result instead of starting one")
    r.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    add_home(r)
    r.set_defaults(func=run)


def add_base_options(r) -> None:
    """The data, network and training options every run of a race or grid starts from."""
    src = r.add_mutually_exclusive_group()
    src.add_argument("--dataset", help="a built-in dataset (default: the default race's spiral)")
    src.add_argument("--csv", help="a CSV file of your own")
    r.add_argument("--target", help="the column to predict (with --csv)")
    r.add_argument("--task", choices=["classification", "regression"], help="override the inferred task (with --csv)")
    r.add_argument("--sensitive", help="sensitive column(s), comma-separated (with --csv)")
    r.add_argument("--param", action="append", metavar="KEY=VALUE", help="dataset parameter, e.g. noise=0.2")
    r.add_argument("--data-seed", type=int, default=0)
    r.add_argument("--split-seed", type=int, default=0)
    r.add_argument("--scaling", default="standard", choices=["standard", "minmax", "none"])
    r.add_argument("--spec", help="a JSON spec file (network, or {network, train}) as the base of every run")
    r.add_argument("--hidden", help="hidden layer sizes, e.g. 16,16")
    r.add_argument("--activation", help="hidden activation")
    for name, kind in (("--optimizer", str), ("--lr", float), ("--batch-size", int), ("--epochs", int),
                       ("--loss", str), ("--seed", int), ("--device", str)):
        r.add_argument(name, type=kind)


def run(a) -> int:
    from ..races import parse_values, race_result, setting
    if not (a.list or a.race):            # a bad setting or value is named before the data and torch load
        a.values = parse_values(a.setting, a.values if a.values is not None else list(setting(a.setting).defaults))
    from ..runs import Store, executor
    store = Store(a.home)
    executor.recover(store)
    if a.list:
        return _list(a, store)
    if a.race:
        return _report(a, store, race_result(store, a.race))
    race_id, run_ids = _start(a, store)
    if not a.json:
        print(f"race {race_id}: {len(run_ids)} runs queued", file=sys.stderr, flush=True)
    try:
        result = wait_group(a, store, race_id)
    except KeyboardInterrupt:
        for run_id in run_ids:
            executor.stop(store, run_id)
        print("error: race interrupted; its runs were stopped", file=sys.stderr)
        return 130
    from ..runs.pool import release_own
    release_own(store)
    return _report(a, store, result, run_ids)


def base_specs(a, home):
    """(dataset, network, train) of the race: the options given, over the default race's where no data is named."""
    from ..data import Preprocess, load_builtin
    from ..races import default_race
    from ..spec import NetworkSpec, TrainSpec
    from .common import dataset_from_args, specs_from_args
    if a.dataset or a.csv:
        a.hidden = a.hidden or "16,16"
        a.activation = a.activation or "relu"
        return (dataset_from_args(a, home), *specs_from_args(a))
    data, network, train = default_race()
    params = {**data["params"], **dataset_params(a.param)}
    dataset = load_builtin(data["name"], seed=a.data_seed, preprocess=Preprocess(scaling=a.scaling,
                                                                                 split_seed=a.split_seed), **params)
    if a.hidden or a.activation:
        network = NetworkSpec.dense(hidden_sizes(a.hidden) if a.hidden else [32, 32], a.activation or "relu")
    overrides = {"optimizer": a.optimizer, "lr": a.lr, "batch_size": a.batch_size, "epochs": a.epochs,
                 "seed": a.seed, "device": a.device, "loss": a.loss}
    train = TrainSpec.from_dict({**train.to_dict(), **{k: v for k, v in overrides.items() if v is not None}})
    return dataset, network, train


def _start(a, store):
    from ..races import plan_race, start_race
    dataset, network, train = base_specs(a, store.home)
    plan = plan_race(a.setting, a.values, network, train, dataset.name, a.name)
    check_runs(plan, dataset)
    return start_race(store, plan, dataset.ref.to_dict(), data_name=dataset.name)


def check_runs(plan, dataset) -> None:
    """Each run of a race or grid checked as `train` would check it, before anything is recorded."""
    from ..model import network_for
    from ..training.budget import check_steps
    for _, net_v, train_v in plan.runs:
        check_steps(train_v, len(dataset.X_train))
        network_for(net_v, dataset, train_v.loss)


def wait_group(a, store, race_id: str, show: str = "race --race"):
    """The race (or grid) once every run has ended (or as it stands after --timeout seconds: its runs go on),
    printing the standing about every 2 s (not with --json)."""
    from ..races import race_result
    from ..runs import executor
    deadline, shown = time.monotonic() + a.timeout, 0.0
    while True:
        executor.recover(store)
        result = race_result(store, race_id)
        if result.ended:
            return result
        if time.monotonic() > deadline:
            print(f"error: the runs still train after {a.timeout:g} s; they go on (see them with "
                  f"`python -m core {show} {race_id}`)", file=sys.stderr)
            return result
        if not a.json and time.monotonic() - shown >= 2.0:
            shown = time.monotonic()
            epochs = "; ".join(f"{e.label} {e.epoch}/{e.epochs}" for e in result.entries)
            print(f"epochs: {epochs}", file=sys.stderr, flush=True)
        time.sleep(0.2)


def _report(a, store, result, run_ids: list[str] | None = None) -> int:
    out = result.to_dict()
    if run_ids is not None:
        from ..races import same_start
        out["same_initial_weights"] = same_start(store, run_ids)
    if a.json:
        print_json(out)
    else:
        print(_table(result))
        print(result.sentence)
    return 0 if all(e.status == "finished" for e in result.entries) else 1


def _table(result) -> str:
    what = "val loss" if result.metric == "val_loss" else "train loss"
    head = f"{'run':<26} {'value':<10} {'status':<10} {'epochs':>7} {'best ' + what:>15} {'final':>9}"
    head += f" {'best val acc':>13}" if result.classifier else ""
    lines = [head]
    for e in result.entries:
        best = "—" if e.best_loss is None else f"{e.best_loss:.4g} @{e.best_epoch}"
        final = "—" if e.final_loss is None else f"{e.final_loss:.4g}"
        line = f"{e.run_id:<26} {e.label:<10} {e.status:<10} {e.epoch:>7} {best:>15} {final:>9}"
        if result.classifier:
            line += f" {'—' if e.best_accuracy is None else f'{e.best_accuracy:.1%}':>13}"
        lines.append(line)
    return "\n".join(lines)


def _list(a, store) -> int:
    from ..races import list_races, race_result
    rows = []
    for race in list_races(store, kind="race"):
        result = race_result(store, race["id"])
        rows.append({"race_id": race["id"], "name": race["name"], "setting": race["setting"],
                     "values": race["values"], "runs": [e.run_id for e in result.entries], "ended": result.ended,
                     "sentence": result.sentence})
    if a.json:
        print_json(rows)
    elif not rows:
        print(f"no races yet in {store.home}; start one with `python -m core race`")
    else:
        for r in rows:
            print(f"{r['race_id']}  {r['name']}: {r['sentence']}")
    return 0
