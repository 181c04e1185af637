"""Glassnet's benchmarks: `python -m bench [--json] [--quick]`.

Every figure is measured in this run, against baselines measured in the same run,
and reported as a ratio — machines differ, proportions travel. A figure and its
baseline are measured in interleaved repeats, the ratio is taken repeat by repeat,
and every ratio is reported as {median, min, max, repeats}: the median is the figure,
min and max show how much the machine disturbed it.

Training throughput (samples/s) on the same model, data, batch size and optimiser:
  glassnet     core.training.Trainer with its run store attached (live logging on)
  tensor_loop  a hand-written loop: data as tensors, minibatches by randperm, nothing logged
  dataloader   the textbook loop: DataLoader(TensorDataset(X, y), shuffle=True) and
               torch.optim.Adam(model.parameters(), lr) as most code writes it
The tensor loop uses the same optimiser construction as Glassnet (fused Adam), so
glassnet/tensor_loop shows the cost of live logging, less what Glassnet's loop
saves by resetting gradients directly rather than through Optimizer.zero_grad.
Each configuration runs for as many epochs as keep the tensor loop busy for at
least `min_repeat_s` seconds a repeat (calibrated on this machine), so a fast and a
slow machine both time long runs rather than the same few epochs.

Two runs training side by side in their own worker processes, against one alone: bench/workers.py.
The same run with and without the network drawing's frames: bench/diagram.py.
A class pressing Start together in real browsers, the pool against a worker per run: bench/classroom.py
(`python -m bench classroom --students 30`; `make bench` runs it with CLASS_SIZE students).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

from .spread import ratios, spread, worst


def _data(name: str):
    import numpy as np

    if name == "breast_cancer":
        from core.data import load_builtin
        return load_builtin("breast_cancer")
    # a 50,000-row synthetic table: 20 features, a non-linear two-class label
    from types import SimpleNamespace
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50_000, 20)).astype(np.float32)
    y = ((X[:, 0] * X[:, 1] + np.sin(X[:, 2]) + 0.3 * rng.normal(size=50_000)) > 0).astype(np.int64)
    n1, n2 = 35_000, 42_500
    ds = SimpleNamespace(name="synthetic50k", task="classification", n_classes=2, n_features=20, image_shape=None,
                         is_2d=False, sensitive=(), X_train=X[:n1], y_train=y[:n1], X_val=X[n1:n2], y_val=y[n1:n2],
                         X_test=X[n2:], y_test=y[n2:])
    ds.split = lambda s: {"train": (ds.X_train, ds.y_train), "val": (ds.X_val, ds.y_val),
                          "test": (ds.X_test, ds.y_test)}[s]
    return ds


def _setup(ds, batch: int, epochs: int):
    from core.model import network_for
    from core.spec import NetworkSpec, TrainSpec
    from core.training import seed_everything
    spec = TrainSpec(optimizer="adam", lr=0.001, batch_size=batch, epochs=epochs, seed=0,
                     device="cpu", checkpoint_every=max(1, epochs // 5))
    seed_everything(0)
    net = network_for(NetworkSpec.dense([32, 32], "relu"), ds, spec.loss)
    return net, spec


def run_glassnet(ds, batch, epochs, home) -> float:
    from core.runs import Store
    from core.training import StoreRecorder, Trainer
    net, spec = _setup(ds, batch, epochs)
    store = Store(home)
    run_id = store.create_run(name="bench", dataset={"name": getattr(ds, "name", "")}, network={}, train=spec.to_dict())
    result = Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
    store.close()
    return result.samples_per_second


def run_tensor_loop(ds, batch, epochs) -> float:
    import torch
    from core.training import make_optimizer
    net, spec = _setup(ds, batch, epochs)
    X = torch.as_tensor(ds.X_train)
    y = torch.as_tensor(ds.y_train)
    opt = make_optimizer(spec, net.parameters(), torch.device("cpu"))
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(0)
    n = len(X)
    net.train()
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            loss = loss_fn(net(X[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return n * epochs / (time.perf_counter() - t0)


def run_dataloader(ds, batch, epochs) -> float:
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    net, spec = _setup(ds, batch, epochs)
    loader = DataLoader(TensorDataset(torch.as_tensor(ds.X_train), torch.as_tensor(ds.y_train)),
                        batch_size=batch, shuffle=True, generator=torch.Generator().manual_seed(0))
    opt = torch.optim.Adam(net.parameters(), lr=spec.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    net.train()
    t0 = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader:
            loss = loss_fn(net(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return len(ds.X_train) * epochs / (time.perf_counter() - t0)


METHODS = ("glassnet", "tensor_loop", "dataloader")


def epochs_for(ds, batch: int, min_seconds: float) -> int:
    """Epochs that keep the tensor loop busy for at least `min_seconds` (Glassnet's loop takes about as
    long, the DataLoader loop longer). The loop is timed over doubling epoch counts until one run lasts
    an eighth of that (which warms it up as well), then scaled with a quarter to spare."""
    epochs = 1
    while True:
        seconds = len(ds.X_train) * epochs / run_tensor_loop(ds, batch, epochs)
        if seconds >= min_seconds / 8:
            return max(1, math.ceil(1.25 * epochs * min_seconds / seconds))
        epochs *= 2


def _run(method: str, ds, batch: int, epochs: int, home: Path) -> float:
    if method == "glassnet":
        return run_glassnet(ds, batch, epochs, home)
    if method == "tensor_loop":
        return run_tensor_loop(ds, batch, epochs)
    return run_dataloader(ds, batch, epochs)


def measure_config(name: str, ds, batch: int, min_seconds: float, repeats: int, tmp: Path) -> dict:
    """The three loops on one dataset and batch size, `repeats` times interleaved (the order turns each
    repeat, so drift in the machine's speed hits all three alike); ratios are taken repeat by repeat.

    A repeat in which any loop finished in less than `min_seconds` (the machine sped up after the
    calibration) is not counted: it is run again with more epochs (at most `repeats` extra runs)."""
    epochs = epochs_for(ds, batch, min_seconds)
    speed: dict = {m: [] for m in METHODS}
    epochs_used, shortest_used = [], []
    for attempt in range(2 * repeats):
        k = len(epochs_used)
        got = {m: _run(m, ds, batch, epochs, tmp / f"{name}{batch}-{attempt}") for m in METHODS[k % 3:] + METHODS[:k % 3]}
        shortest = min(len(ds.X_train) * epochs / s for s in got.values())
        if shortest < min_seconds and attempt < repeats + k:
            epochs = math.ceil(1.25 * epochs * min_seconds / shortest)
            continue
        for m, s in got.items():
            speed[m].append(s)
        epochs_used.append(epochs)
        shortest_used.append(shortest)
        if len(epochs_used) == repeats:
            break
    return {"epochs": epochs_used, "shortest_repeat_s": round(min(shortest_used), 2),
            "samples_per_s": {m: spread(v, 0) for m, v in speed.items()},
            "glassnet_vs_tensor_loop": spread(ratios(speed["glassnet"], speed["tensor_loop"])),
            "glassnet_vs_dataloader": spread(ratios(speed["glassnet"], speed["dataloader"]))}


def training_throughput(quick: bool) -> dict:
    """Every dataset × batch size, each timed for at least `min_repeat_s` a repeat. The headline ratios are
    the configuration with the lowest median: against the tensor loop over all four, against the DataLoader
    loop over batch 256 (at batch 32 the DataLoader's per-batch cost flatters any loop that avoids it)."""
    import torch
    torch.set_num_threads(1)       # as in the training worker
    min_seconds, repeats = (0.15, 3) if quick else (2.0, 5)
    out: dict = {"min_repeat_s": min_seconds, "configs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("breast_cancer", "synthetic50k"):
            ds = _data(name)
            for batch in (32, 256):
                out["configs"][f"{name}/batch{batch}"] = measure_config(name, ds, batch, min_seconds, repeats,
                                                                         Path(tmp))
    cfg = out["configs"]
    out["train_vs_tensor_loop"] = worst({k: c["glassnet_vs_tensor_loop"] for k, c in cfg.items()})
    out["train_vs_dataloader"] = worst({k: c["glassnet_vs_dataloader"] for k, c in cfg.items()
                                        if k.endswith("batch256")})
    return out


def data_loading(quick: bool) -> dict:
    """Reading a 10,000-row CSV (16 numbers, 3 text columns) into a Dataset, against pandas.read_csv
    of the same bytes (interleaved repeats, ratio repeat by repeat), and the time to make each 2-D toy set
    (best of the repeats)."""
    import io

    import numpy as np
    import pandas as pd
    from core.data import load_builtin, load_csv
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(10_000, 16)), columns=[f"f{i}" for i in range(16)])
    for i in range(3):
        frame[f"cat{i}"] = rng.choice(["red", "green", "blue", "grey", "pink"], 10_000)
    frame["label"] = rng.integers(0, 3, 10_000)
    data = frame.to_csv(index=False).encode()
    load_csv(data, target="label")                                 # warm imports
    repeats = 3 if quick else 7

    def timed(fn) -> float:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0
    ours, pandas = [], []
    for _ in range(repeats):
        ours.append(timed(lambda: load_csv(data, target="label")))
        pandas.append(timed(lambda: pd.read_csv(io.BytesIO(data))))
    toys = {name: round(min(timed(lambda: load_builtin(name, seed=11)) for _ in range(repeats)) * 1000, 2)
            for name in ("spiral", "moons", "circles", "xor", "blobs", "regression2d")}
    return {"csv_10k_rows_seconds": spread(ours, 4), "csv_10k_vs_pandas_read_csv": spread(ratios(ours, pandas), 2),
            "toy_set_ms": toys}


CLASS_SIZE = 10                  # students in `make bench`'s classroom burst


def _fmt(figure: dict) -> str:
    """A spread as 'median (min–max)'."""
    return f"{figure['median']:g} ({figure['min']:g}–{figure['max']:g})"


def print_text(result: dict, ui_keys=()) -> None:
    for key, c in result["training"]["configs"].items():
        sps = {m: f"{c['samples_per_s'][m]['median']:>9,.0f}/s" for m in METHODS}
        print(f"{key:<24} {c['epochs'][-1]:>5} epochs  glassnet {sps['glassnet']}  tensor loop {sps['tensor_loop']}"
              f"  DataLoader {sps['dataloader']}  ÷ tensor loop {_fmt(c['glassnet_vs_tensor_loop'])}"
              f"  ÷ DataLoader {_fmt(c['glassnet_vs_dataloader'])}")
    for key in ("train_vs_tensor_loop", "train_vs_dataloader"):
        print(f"{key} {_fmt(result[key])} ({result[key]['config']})")
    d = result["data"]
    print(f"csv 10k rows {_fmt(d['csv_10k_rows_seconds'])} s, ÷ pandas.read_csv {_fmt(d['csv_10k_vs_pandas_read_csv'])};"
          f" toy sets {d['toy_set_ms']} ms")
    for key, figure in result["health_cost"].items():
        print(f"epoch time with the units' health logged ÷ without ({key}) {_fmt(figure)}")
    from .diagram import print_text as print_diagram
    print_diagram(result)
    w = result["workers"]
    print(f"two workers at once ÷ one alone {_fmt(w['two_workers_vs_alone'])} ({w['epochs']} epochs)")
    if "disk_run_bytes" in result:
        print(f"disk: a run of {result['disk_run']['epochs']:,} epochs keeps {result['disk_run_bytes']:,} bytes, "
              f"÷ without limits {_fmt(result['disk_vs_unbounded'])}, growth over its last three quarters "
              f"{_fmt(result['disk_growth'])} (without limits {_fmt(result['disk_growth_unbounded'])})")
    for key in ui_keys:
        value = result[key]
        print(f"{key} {_fmt(value) if isinstance(value, dict) and 'median' in value else value}")
    if "classroom" in result:
        from .classroom import print_text as print_classroom
        print_classroom(result["classroom"])


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["classroom"]:
        from .classroom import main as classroom_main
        return classroom_main(argv[1:])
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="fewer, shorter measurements (a smoke run)")
    p.add_argument("--no-ui", action="store_true", help="skip the browser measurements")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    sections: dict = {}

    def timed(name: str, fn):
        start = time.perf_counter()
        value = fn()
        sections[name] = round(time.perf_counter() - start, 1)
        return value
    result = {"quick": a.quick, "training": timed("training", lambda: training_throughput(a.quick))}
    result["train_vs_tensor_loop"] = result["training"].pop("train_vs_tensor_loop")
    result["train_vs_dataloader"] = result["training"].pop("train_vs_dataloader")
    result["data"] = timed("data", lambda: data_loading(a.quick))
    from .workers import figures as worker_figures
    result["workers"] = timed("workers", lambda: worker_figures(a.quick))
    from .explain import figures as explain_figures
    result.update(timed("explain", lambda: explain_figures(a.quick)))
    from .diagnose import figures as health_figures
    result.update(timed("health", lambda: health_figures(a.quick)))
    from .diagram import figures as diagram_figures
    result.update(timed("diagram", lambda: diagram_figures(a.quick)))
    from .disk import figures as disk_figures
    result.update(timed("disk", lambda: disk_figures(a.quick)))
    ui: dict = {}
    if not a.no_ui:
        from .ui import ui_figures
        ui = timed("ui", lambda: ui_figures(a.quick))
        result.update(ui)
        from .classroom import classroom
        # a smaller class than `python -m bench classroom`'s thirty: the two bursts of thirty take minutes
        result["classroom"] = timed("classroom", lambda: classroom(3 if a.quick else CLASS_SIZE, quick=a.quick))
    result["seconds"] = round(time.perf_counter() - t0, 1)
    result["section_seconds"] = sections
    if a.json:
        print(json.dumps(result))
    else:
        print_text(result, ui)
    return 0


if __name__ == "__main__":
    sys.exit(main())
