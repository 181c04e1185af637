"""`python -m core sweep`: train one run per combination of several settings' values — same data, network and
seed — and say which did best.

    python -m core sweep --grid optimizer=sgd,adam lr=0.01,0.1 --dataset moons --epochs 30 --json
    python -m core sweep --list                           # the grids of the workspace
    python -m core sweep --sweep GRID_ID --json           # one grid's result as it stands

The grid is stored and run as a race is (core/races: planned by plan_grid, queued as one request through the
executor's pool, ranked by the same verdict); it takes the base options `race` takes. Exits 0 when every run
finished, 1 otherwise, 2 for bad input (an unknown setting, a bad value, a setting twice, more runs than
max_grid_runs).
"""
from __future__ import annotations

import sys

from .common import UsageError, add_home, print_json
from .race import add_base_options, base_specs, check_runs, wait_group


def register(sub) -> None:
    r = sub.add_parser("sweep", help="train one run per combination of several settings' values and say which "
                                     "did best")
    r.add_argument("--grid", nargs="+", metavar="SETTING=VALUES",
                   help="two or more settings with their comma-separated values, e.g. optimizer=sgd,adam "
                        "lr=0.01,0.1 (settings: optimizer, lr, batch_size, l2, dropout, init, activation)")
    add_base_options(r)
    r.add_argument("--name", help="a name for the grid")
    r.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for the runs (default 3600)")
    r.add_argument("--wait", action="store_true", help="wait for every run to end (the default; kept for scripts)")
    r.add_argument("--list", action="store_true", help="list the workspace's grids instead")
    r.add_argument("--sweep", help="show a stored grid's result instead of starting one")
    r.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    add_home(r)
    r.set_defaults(func=run)


def run(a) -> int:
    from ..races import parse_grid
    if not (a.list or a.sweep):
        if not a.grid:
            raise UsageError("say which settings to sweep, e.g. --grid optimizer=sgd,adam lr=0.01,0.1 (or --list "
                             "to see the workspace's grids)")
        parse_grid(a.grid)                 # a bad setting or value is named before the data and torch load
    from ..runs import Store, executor
    store = Store(a.home)
    executor.recover(store)
    if a.list:
        return _list(a, store)
    if a.sweep:
        return _report(a, _stored(store, a.sweep))
    grid_id, run_ids = _start(a, store)
    if not a.json:
        print(f"grid {grid_id}: {len(run_ids)} runs queued", file=sys.stderr, flush=True)
    try:
        result = wait_group(a, store, grid_id, show="sweep --sweep")
    except KeyboardInterrupt:
        for run_id in run_ids:
            executor.stop(store, run_id)
        print("error: sweep interrupted; its runs were stopped", file=sys.stderr)
        return 130
    from ..runs.pool import release_own
    release_own(store)
    return _report(a, result)


def _start(a, store):
    from ..races import plan_grid, start_race
    dataset, network, train = base_specs(a, store.home)
    plan = plan_grid(a.grid, network, train, dataset.name, a.name)
    check_runs(plan, dataset)
    return start_race(store, plan, dataset.ref.to_dict(), data_name=dataset.name)


def _stored(store, grid_id: str):
    from ..races import get_race, race_result
    found = get_race(store, grid_id)
    if found is None or found["kind"] != "grid":
        raise UsageError(f"no grid {grid_id} in {store.home}; list the grids with `python -m core sweep --list`")
    return race_result(store, grid_id)


def to_json(result) -> dict:
    """The grid as one object: its settings, the verdict, and one entry a run with its settings' values."""
    out = result.to_dict()
    out["sweep_id"] = out.pop("race_id")
    out.pop("setting", None)
    for run in out["runs"]:
        run["settings"] = run.pop("value")
    if out["winner"] is not None:
        out["winner"]["settings"] = out["winner"].pop("value")
    return out


def _report(a, result) -> int:
    if a.json:
        print_json(to_json(result))
    else:
        print(table(result))
        print(result.sentence)
    return 0 if all(e.status == "finished" for e in result.entries) else 1


def _cell(v, fmt: str = ".4g") -> str:
    return "—" if v is None else format(v, fmt)


def table(result) -> str:
    """One row per run: its settings, status, final training and validation loss, best validation loss and
    validation accuracy; the best run marked with *."""
    keys = result.settings
    widths = [max(len(k), *(len(str(e.value[k])) for e in result.entries)) for k in keys]
    head = "  ".join(f"{k:<{w}}" for k, w in zip(keys, widths))
    head += f"  {'status':<10} {'epochs':>9} {'train loss':>11} {'val loss':>9} {'best val':>9} {'val acc':>8}"
    lines = [head]
    best = result.winner or _lowest(result)
    for e in result.entries:
        line = "  ".join(f"{str(e.value[k]):<{w}}" for k, w in zip(keys, widths))
        acc = _cell(e.final_accuracy, ".1%")
        line += (f"  {e.status:<10} {f'{e.epoch}/{e.epochs}':>9} {_cell(e.final_train_loss):>11} "
                 f"{_cell(e.final_loss):>9} {_cell(e.best_loss):>9} {acc:>8}")
        lines.append(line + (" *" if e.run_id == best else ""))
    return "\n".join(lines)


def _lowest(result) -> str | None:
    scored = [e for e in result.entries if e.best_loss is not None]
    return min(scored, key=lambda e: e.best_loss).run_id if scored else None


def _list(a, store) -> int:
    from ..races import list_races, race_result
    rows = []
    for grid in list_races(store, kind="grid"):
        result = race_result(store, grid["id"])
        rows.append({"sweep_id": grid["id"], "name": grid["name"], "settings": grid["settings"],
                     "runs": [e.run_id for e in result.entries], "ended": result.ended, "sentence": result.sentence})
    if a.json:
        print_json(rows)
    elif not rows:
        print(f"no grids yet in {store.home}; start one with `python -m core sweep --grid optimizer=sgd,adam "
              "lr=0.01,0.1`")
    else:
        for r in rows:
            print(f"{r['sweep_id']}  {r['name']}: {r['sentence']}")
    return 0
