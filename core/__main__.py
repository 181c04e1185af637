"""Glassnet's command line: the same engine as the app, headless.

    python -m core train --dataset spiral --hidden 8,8 --activation tanh --json
    python -m core runs
    python -m core predict --run ID --split test --out predictions.csv
    python -m core export --run ID --format onnx --out model.onnx
    python -m core explain --run ID --method shap --rows 200 --json
    python -m core datasets

Exit codes: 0 success, 1 training did not finish (diverged/failed), 2 bad input
(one line `error: ...` on stderr, never a traceback).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


class UsageError(Exception):
    """Bad command-line input."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):   # one line, exit 2
        raise UsageError(f"{message} (see `python -m core {self.prog.split()[-1]} --help`)"
                         if self.prog.split()[-1] != "core" else f"{message} (see `python -m core --help`)")


def _parse_value(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _user_errors():
    from .data import DataError
    from .jobs import JobError
    from .spec import SpecError
    from .store import StoreError
    from .training import TrainingError
    return (DataError, SpecError, StoreError, TrainingError, JobError, UsageError, FileNotFoundError,
            IsADirectoryError, PermissionError)


# ------------------------------------------------------------------ train
def _dataset_from_args(a, home: Path):
    from .data import Preprocess, load_builtin, load_csv
    pre = Preprocess(scaling=a.scaling, split_seed=a.split_seed)
    if a.csv:
        if not a.target:
            raise UsageError("--csv needs --target COL (the column to predict)")
        path = Path(a.csv)
        if not path.is_file():
            raise UsageError(f"no such file: {a.csv}")
        return load_csv(path.read_bytes(), target=a.target, task=a.task, filename=path.name,
                        sensitive=[s for s in (a.sensitive or "").split(",") if s], preprocess=pre, home=home)
    params = {}
    for item in a.param or []:
        if "=" not in item:
            raise UsageError(f"--param takes KEY=VALUE (got {item!r}), e.g. --param noise=0.2")
        k, v = item.split("=", 1)
        params[k.strip()] = _parse_value(v.strip())
    return load_builtin(a.dataset, seed=a.data_seed, preprocess=pre, **params)


def _specs_from_args(a):
    from .spec import NetworkSpec, TrainSpec, loads_network, loads_train
    if a.spec:
        text = Path(a.spec).read_text()
        network = loads_network(text)
        data = json.loads(text)
        train = loads_train(text) if isinstance(data, dict) and "train" in data else TrainSpec()
    else:
        try:
            hidden = [int(u) for u in a.hidden.split(",") if u.strip()] if a.hidden else []
        except ValueError:
            raise UsageError(f"--hidden takes layer sizes separated by commas, e.g. 16,16 (got {a.hidden!r})") from None
        network = NetworkSpec.dense(hidden, a.activation)
        train = TrainSpec()
    overrides = {"optimizer": a.optimizer, "lr": a.lr, "batch_size": a.batch_size, "epochs": a.epochs,
                 "seed": a.seed, "device": a.device, "loss": a.loss}
    merged = {**train.to_dict(), **{k: v for k, v in overrides.items() if v is not None}}
    return network, TrainSpec.from_dict(merged)


class _Progress:
    """Prints a progress line to stderr about once a second."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.last = 0.0

    def on_epoch(self, trainer, report):
        now = time.monotonic()
        if self.quiet or (now - self.last < 1.0 and report.epoch < trainer.spec.epochs):
            return
        self.last = now
        m = report.metrics
        acc = m.get("val_accuracy", m.get("val_r2"))
        extra = f"  val {m['val_loss']:.4f}" if "val_loss" in m else ""
        extra += f"  {'acc' if 'val_accuracy' in m else 'r2'} {acc:.3f}" if acc is not None else ""
        print(f"epoch {report.epoch:>5}/{trainer.spec.epochs}  loss {m.get('train_loss', float('nan')):.4f}{extra}",
              file=sys.stderr, flush=True)


def cmd_train(a) -> int:
    from .model import build_network, concrete_loss
    from .store import Store
    from .training import StoreRecorder, Trainer, seed_everything

    store = Store(a.home)
    dataset = _dataset_from_args(a, store.home)
    network, spec = _specs_from_args(a)
    seed_everything(spec.seed)
    net, _ = build_network(network, dataset, concrete_loss(spec.loss, dataset.task))
    name = a.name or f"{dataset.name} {spec.optimizer} lr={spec.lr:g}"
    run_id = store.create_run(name=name, dataset=dataset.ref.to_dict(), network=network.to_dict(),
                              train=spec.to_dict(), status="queued")
    trainer = Trainer(net, dataset, spec, callbacks=[StoreRecorder(store, run_id), _Progress(a.json)])
    try:
        result = trainer.fit()
    except KeyboardInterrupt:
        store.update_run(run_id, status="stopped", pid=None, error="interrupted from the keyboard")
        print("error: training interrupted", file=sys.stderr)
        return 130
    m = result.metrics
    metrics = {k: m.get(k) for k in ("train_loss", "val_loss", "test_loss")}
    metrics["test_accuracy" if dataset.task == "classification" else "test_r2"] = m.get(
        "test_accuracy" if dataset.task == "classification" else "test_r2")
    out = {"run_id": run_id, "status": result.status, "epochs": result.epochs, "seconds": round(result.seconds, 3),
           "samples_per_second": round(result.samples_per_second, 1), "device": result.device, "metrics": metrics}
    if result.message:
        out["message"] = result.message
    if a.json:
        print(json.dumps(out))
    else:
        score = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items() if v is not None)
        print(f"run {run_id}: {result.status} after {result.epochs} epochs in {result.seconds:.1f} s "
              f"({result.samples_per_second:,.0f} samples/s on {result.device}); {score}")
        if result.message:
            print(result.message)
    return 0 if result.status == "finished" else 1


# ------------------------------------------------------------------ runs / predict / export
def _out_path(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise UsageError(f"--out {text} is a folder; give a file name inside it")
    if not path.parent.is_dir():
        raise UsageError(f"--out: there is no folder {path.parent}; create it or choose another path")
    return path


def cmd_runs(a) -> int:
    from .jobs import recover
    from .store import Store
    store = Store(a.home)
    recover(store)
    runs = store.list_runs()
    rows = [{"run_id": r.id, "name": r.name, "status": r.status, "dataset": r.dataset.get("name"),
             "epochs": r.epoch, "device": r.device, "created": r.created,
             "test_accuracy": r.summary.get("test_accuracy"), "test_r2": r.summary.get("test_r2")} for r in runs]
    if a.json:
        print(json.dumps(rows))
        return 0
    if not rows:
        print(f"no runs yet in {store.home}; train one with `python -m core train --dataset spiral`")
        return 0
    for r in rows:
        score = r["test_accuracy"] if r["test_accuracy"] is not None else r["test_r2"]
        print(f"{r['run_id']}  {r['status']:<11} {r['epochs']:>6} ep  {r['dataset'] or '':<14} "
              f"{'' if score is None else f'{score:.3f}':>6}  {r['name']}")
    return 0


def cmd_predict(a) -> int:
    from .data import read_csv_bytes
    from .runs import load_run, predictions_frame
    from .store import Store
    out_path = _out_path(a.out)
    store = Store(a.home)
    loaded = load_run(store, a.run, a.checkpoint)
    ds = loaded.dataset
    if a.csv:
        path = Path(a.csv)
        if not path.is_file():
            raise UsageError(f"no such file: {a.csv}")
        frame, _ = read_csv_bytes(path.read_bytes(), filename=path.name)
        X = ds.encode(frame)
        original = frame
    else:
        X, _ = ds.split(a.split)
        original = ds.raw.iloc[getattr(ds, f"idx_{a.split}")]
    out = predictions_frame(loaded, X, original)
    out.to_csv(out_path, index=False)
    print(f"wrote {len(out)} predictions to {a.out}", file=sys.stderr)
    return 0


def cmd_export(a) -> int:
    from .runs import export
    from .store import Store
    path = export(Store(a.home), a.run, a.format, _out_path(a.out), a.checkpoint)
    print(f"wrote {a.format} to {path}", file=sys.stderr)
    return 0


# ------------------------------------------------------------------ explain
LIME_DEFAULT_ROWS = 20


def _class_index(ex, name: str | None) -> int | None:
    """The class `--class NAME` names (None without it); bad names are a UsageError."""
    if name is None:
        return None
    classes = ex.dataset.class_names
    if not classes:
        raise UsageError(f"--class applies to classification runs; run {ex.run_id} predicts a number")
    if name not in classes:
        raise UsageError(f"--class: the run has no class {name!r}; its classes are {', '.join(map(str, classes))}")
    return list(classes).index(name)


def _explain_shap(ex, a) -> dict:
    cls = _class_index(ex, a.class_name)
    att = ex.shap(a.shap_method, limit=a.rows or 1000, background=a.background, seed=a.seed)
    out = att.summary()
    if cls is not None:                 # one output per class: the log-odds of that class
        out["importance"] = att.importance(cls)
        out["unit"] = att.unit(cls)
        out["class"] = ex.dataset.class_names[cls]
    return out


def _explain_lime(ex, a) -> dict:
    import numpy as np
    from . import units
    from .explain import LIME_SAMPLES
    if a.shap_method != "auto":
        raise UsageError("--shap-method applies to --method shap; leave it out with --method lime")
    samples = a.samples or LIME_SAMPLES
    cls = _class_index(ex, a.class_name)
    ds = ex.dataset
    ids, X = ex.rows("test", a.rows or LIME_DEFAULT_ROWS)
    codes = ds.codes(ds.raw.iloc[ids])
    if ds.task == "regression":
        outputs = np.zeros(len(ids), dtype=int)
    elif cls is not None:
        outputs = np.full(len(ids), cls)
    else:                               # each row's predicted class: why it predicted what it did
        outputs = np.asarray(ex.model.proba(X)).argmax(axis=1)
    t0 = time.perf_counter()
    results = [ex.lime(codes[i], int(outputs[i]), samples=samples, seed=a.seed + i) for i in range(len(ids))]
    seconds = time.perf_counter() - t0
    features = list(ds.original_columns)
    unit = (units.unit_of(units.VALUE) if ds.task == "regression" else
            units.unit_of(units.LOG_ODDS, ex.model.outputs[cls]) if cls is not None else
            "log-odds of each row's predicted class")
    weights = np.abs(np.stack([r.weights for r in results]))
    imp = weights.mean(0)
    order = np.argsort(-imp, kind="stable")
    return {"method": "lime", "algorithm": f"lime.lime_tabular.LimeTabularExplainer, {samples} samples per row",
            "rows": len(ids), "seconds": round(seconds, 4), "unit": unit, "features": features,
            "importance": {features[j]: float(imp[j]) for j in order},
            "lime_r2": float(np.mean([r.score for r in results])), "samples": int(samples),
            "class": ("prediction" if ds.task == "regression" else
                      ds.class_names[cls] if cls is not None else "predicted class of each row")}


def _print_explanation(out: dict, run_id: str, epoch: int) -> None:
    what = "SHAP values" if out["method"] == "shap" else "LIME weights"
    print(f"{what} of {out['rows']} test rows of run {run_id} (epoch {epoch}) in {out['seconds']:.2f} s")
    print(f"method: {out['algorithm']}")
    if out["method"] == "shap":
        explained = f"class {out['class']!r}" if out.get("class") else ", ".join(out["outputs"])
        line = f"explains: {explained}; background {out['background']} training rows; " \
               f"base + sum = output within {out['additivity_max_error']:.1e}"
        if "estimated_error" in out:
            line += f"; estimated error {100 * out['estimated_error']:.1f} %"
        print(line)
    else:
        print(f"explains: {out['class']}; mean local fidelity (R\u00b2 of LIME's linear fit) {out['lime_r2']:.3f}")
    width = max([len(str(c)) for c in out["importance"]] + [6])
    top = max(list(out["importance"].values()) + [1e-300])
    head = "mean |SHAP|" if out["method"] == "shap" else "mean |weight|"
    print(f"unit: {out['unit']}")
    print(f"\n{'column':<{width}}  {head:>13}")
    for column, value in out["importance"].items():
        bar = "#" * int(round(30 * value / top)) if top > 0 else ""
        print(f"{str(column):<{width}}  {value:>13.6g}  {bar}")


def cmd_explain(a) -> int:
    from .explain import ExplainError, RunExplainer
    from .store import Store
    for flag, value in (("--rows", a.rows), ("--background", a.background), ("--samples", a.samples)):
        if value is not None and value < 1:
            raise UsageError(f"{flag} takes a positive number (got {value})")
    with Store(a.home) as store:
        try:
            ex = RunExplainer.open(store, a.run, a.checkpoint)
            out = _explain_shap(ex, a) if a.method == "shap" else _explain_lime(ex, a)
        except ExplainError as e:
            raise UsageError(str(e)) from None
    out = {"run_id": a.run, "epoch": ex.loaded.epoch, **out}
    if a.json:
        print(json.dumps(out))
    else:
        _print_explanation(out, a.run, ex.loaded.epoch)
    return 0


def _bins(text: str | None) -> dict | None:
    """--bins age=30,45,60 [--bins income=...] → {column: edges}."""
    if not text:
        return None
    out = {}
    for item in text:
        column, _, edges = item.partition("=")
        try:
            out[column.strip()] = [float(e) for e in edges.split(",") if e.strip()]
        except ValueError:
            raise UsageError(f"--bins takes COLUMN=EDGE,EDGE,... with numbers, e.g. age=30,45,60 (got {item!r})") from None
        if not column.strip() or not out[column.strip()]:
            raise UsageError(f"--bins takes COLUMN=EDGE,EDGE,..., e.g. age=30,45,60 (got {item!r})")
    return out


def cmd_fairness(a) -> int:
    from .fairness import FairnessError, audit_run
    from .store import Store
    if not 0 <= a.threshold <= 1:
        raise UsageError(f"--threshold is a probability from 0 to 1 (got {a.threshold})")
    sensitive = [c.strip() for c in a.sensitive.split(",") if c.strip()]
    bins = _bins(a.bins)
    with Store(a.home) as store:
        try:
            result = audit_run(store, a.run, sensitive, favourable=a.favourable, split=a.split,
                               threshold=a.threshold, bins=bins, checkpoint=a.checkpoint)
            if a.report:
                from .report import audit_report
                html = audit_report(store, a.run, sensitive, favourable=a.favourable, threshold=a.threshold,
                                    bins=bins)
                _out_path(a.report).write_text(html, encoding="utf-8")
                print(f"wrote the audit report to {a.report}", file=sys.stderr)
        except FairnessError as e:
            raise UsageError(str(e)) from None
    out = {"run_id": a.run, "split": a.split, **result.summary()}
    if a.json:
        print(json.dumps(out))
        return 0
    print(f"Fairness of run {a.run} on its {a.split} rows, by {out['sensitive']} (favourable: {out['favourable']!r})")
    print(f"\n{'group':<24} {'count':>6} {'selected':>9} {'accuracy':>9} {'TPR':>7} {'FPR':>7}")
    for name, g in out["groups"].items():
        cells = [f"{g[k]:.3f}" if g[k] is not None else "—" for k in ("selection_rate", "accuracy", "tpr", "fpr")]
        print(f"{name:<24} {g['count']:>6} {cells[0]:>9} {cells[1]:>9} {cells[2]:>7} {cells[3]:>7}")
    print()
    for sentence in out["sentences"]:
        print(f"- {sentence}")
    for note in out.get("notes", []):
        print(f"note: {note}")
    return 0


def cmd_datasets(a) -> int:
    from .data import list_builtin
    items = list_builtin()
    if a.json:
        print(json.dumps(items))
    else:
        for d in items:
            print(f"{d['name']:<15} {d['task']:<15} {d.get('description', '')}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="core", description="Glassnet's engine, headless.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def home(sp):
        sp.add_argument("--home", help="workspace folder (default: GLASSNET_HOME or the per-user data folder)")

    t = sub.add_parser("train", help="train a network and record the run")
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", help="a built-in dataset (see `python -m core datasets`)")
    src.add_argument("--csv", help="a CSV file of your own")
    t.add_argument("--target", help="the column to predict (with --csv)")
    t.add_argument("--task", choices=["classification", "regression"], help="override the inferred task (with --csv)")
    t.add_argument("--sensitive", help="sensitive column(s), comma-separated (with --csv)")
    t.add_argument("--param", action="append", metavar="KEY=VALUE", help="dataset parameter, e.g. noise=0.2 (repeatable)")
    t.add_argument("--data-seed", type=int, default=0, help="seed of a generated dataset")
    t.add_argument("--split-seed", type=int, default=0, help="seed of the train/validation/test split")
    t.add_argument("--scaling", default="standard", choices=["standard", "minmax", "none"])
    t.add_argument("--spec", help="a JSON spec file (network, or {network, train})")
    t.add_argument("--hidden", default="16,16", help="hidden layer sizes, e.g. 16,16 (ignored with --spec)")
    t.add_argument("--activation", default="relu", help="hidden activation (ignored with --spec)")
    t.add_argument("--optimizer")
    t.add_argument("--lr", type=float)
    t.add_argument("--batch-size", type=int)
    t.add_argument("--epochs", type=int)
    t.add_argument("--loss")
    t.add_argument("--seed", type=int)
    t.add_argument("--device", help="auto | cpu | cuda | mps")
    t.add_argument("--name", help="a name for the run")
    t.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    home(t)
    t.set_defaults(func=cmd_train)

    r = sub.add_parser("runs", help="list runs")
    r.add_argument("--json", action="store_true")
    home(r)
    r.set_defaults(func=cmd_runs)

    pr = sub.add_parser("predict", help="predict with a trained run")
    pr.add_argument("--run", required=True)
    g = pr.add_mutually_exclusive_group(required=True)
    g.add_argument("--split", choices=["train", "val", "test"])
    g.add_argument("--csv")
    pr.add_argument("--out", required=True)
    pr.add_argument("--checkpoint", default="last", help="last | best | an epoch number")
    home(pr)
    pr.set_defaults(func=cmd_predict)

    e = sub.add_parser("export", help="export a run's model")
    e.add_argument("--run", required=True)
    e.add_argument("--format", required=True, choices=["pytorch", "onnx", "safetensors", "spec"],
                   help="pytorch: a script whose preprocess(rows) takes the original columns; onnx: the network with "
                        "its preprocessing, one input per original column; safetensors: the weights; spec: JSON")
    e.add_argument("--out", required=True)
    e.add_argument("--checkpoint", default="last", help="last | best | an epoch number")
    home(e)
    e.set_defaults(func=cmd_export)

    x = sub.add_parser("explain", help="explain a run's predictions on its test rows (SHAP or LIME)")
    x.add_argument("--run", required=True)
    x.add_argument("--method", required=True, choices=["shap", "lime"])
    x.add_argument("--rows", type=int, help=f"test rows to explain (default: up to 1000 for shap, "
                                            f"{LIME_DEFAULT_ROWS} for lime)")
    x.add_argument("--checkpoint", default="last", help="last | best | an epoch number")
    x.add_argument("--shap-method", default="auto",
                   choices=["auto", "exact", "sampling", "pixels", "deep", "gradient", "permutation", "kernel",
                            "shap_exact"],
                   help="auto = exact up to 12 columns, else sampling; pixels for images")
    x.add_argument("--class", dest="class_name", metavar="NAME",
                   help="the class to explain (default: shap all classes' logits, lime each row's predicted class)")
    x.add_argument("--background", type=int, default=100, help="training rows SHAP compares against (default 100)")
    x.add_argument("--samples", type=int, help="LIME samples per row (default 5000)")
    x.add_argument("--seed", type=int, default=0)
    x.add_argument("--json", action="store_true", help="print one JSON object")
    home(x)
    x.set_defaults(func=cmd_explain)

    f = sub.add_parser("fairness", help="audit a classification run's decisions across groups of a column")
    f.add_argument("--run", required=True)
    f.add_argument("--sensitive", required=True, metavar="COL[,COL]",
                   help="the column whose groups are compared; two, comma-separated, for their intersection")
    f.add_argument("--threshold", type=float, default=0.5, help="decision threshold on the favourable class's "
                                                                  "probability (default 0.5)")
    f.add_argument("--favourable", metavar="CLASS", help="the class that is the good outcome (default: yes/good/..., "
                                                          "else the last class)")
    f.add_argument("--split", default="test", choices=["test", "val", "train"])
    f.add_argument("--bins", action="append", metavar="COL=E1,E2,...",
                   help="cut a numeric column at these edges (default: at the training rows' quartiles)")
    f.add_argument("--checkpoint", default="last", help="last | best | an epoch number")
    f.add_argument("--report", metavar="FILE.html", help="also write the self-contained HTML audit report")
    f.add_argument("--json", action="store_true", help="print one JSON object")
    home(f)
    f.set_defaults(func=cmd_fairness)

    d = sub.add_parser("datasets", help="list the built-in datasets")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_datasets)
    return p


def main(argv=None) -> int:
    try:
        a = build_parser().parse_args(argv)
        if getattr(a, "checkpoint", None) not in (None, "last", "best"):
            try:
                a.checkpoint = int(a.checkpoint)
            except ValueError:
                raise UsageError(f"--checkpoint takes last, best or an epoch number (got {a.checkpoint!r})") from None
        return a.func(a)
    except _user_errors() as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if isinstance(e, OSError) and e.filename:
            msg = f"{e.strerror}: {e.filename}"
        print(f"error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
