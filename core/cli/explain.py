"""`python -m core explain`: why a run predicts what it does on its test rows — SHAP values or LIME weights per
original column, in the same unit as the Explain page."""
from __future__ import annotations

import time

from .common import UsageError, add_checkpoint, add_home, print_json

LIME_DEFAULT_ROWS = 20
SHAP_METHODS = ["auto", "exact", "sampling", "pixels", "deep", "gradient", "permutation", "kernel", "shap_exact"]


def register(sub) -> None:
    x = sub.add_parser("explain", help="explain a run's predictions on its test rows (SHAP or LIME)")
    x.add_argument("--run", required=True)
    x.add_argument("--method", required=True, choices=["shap", "lime"])
    x.add_argument("--rows", type=int, help=f"test rows to explain (default: up to 1000 for shap, "
                                            f"{LIME_DEFAULT_ROWS} for lime)")
    add_checkpoint(x)
    x.add_argument("--shap-method", default="auto", choices=SHAP_METHODS,
                   help="auto = exact up to 12 columns, else sampling; pixels for images")
    x.add_argument("--class", dest="class_name", metavar="NAME",
                   help="the class to explain (default: shap all classes' logits, lime each row's predicted class)")
    x.add_argument("--background", type=int, default=100, help="training rows SHAP compares against (default 100)")
    x.add_argument("--samples", type=int, help="LIME samples per row (default 5000)")
    x.add_argument("--seed", type=int, default=0)
    x.add_argument("--json", action="store_true", help="print one JSON object")
    add_home(x)
    x.set_defaults(func=run)


def run(a) -> int:
    from ..explain import ExplainError, RunExplainer
    from ..runs import Store
    for flag, value in (("--rows", a.rows), ("--background", a.background), ("--samples", a.samples)):
        if value is not None and value < 1:
            raise UsageError(f"{flag} takes a positive number (got {value})")
    with Store(a.home) as store:
        try:
            ex = RunExplainer.open(store, a.run, a.checkpoint)
            out = explain_shap(ex, a) if a.method == "shap" else explain_lime(ex, a)
        except ExplainError as e:
            raise UsageError(str(e)) from None
    out = {"run_id": a.run, "epoch": ex.loaded.epoch, **out}
    if a.json:
        print_json(out)
    else:
        print_explanation(out, a.run, ex.loaded.epoch)
    return 0


def class_index(ex, name: str | None) -> int | None:
    """The class `--class NAME` names (None without it); bad names are a UsageError."""
    if name is None:
        return None
    classes = ex.dataset.class_names
    if not classes:
        raise UsageError(f"--class applies to classification runs; run {ex.run_id} predicts a number")
    if name not in classes:
        raise UsageError(f"--class: the run has no class {name!r}; its classes are {', '.join(map(str, classes))}")
    return list(classes).index(name)


def explain_shap(ex, a) -> dict:
    """SHAP values of the test rows (stored in the run's cache, as the app does), summarised per column."""
    cls = class_index(ex, a.class_name)
    att = ex.shap(a.shap_method, limit=a.rows or 1000, background=a.background, seed=a.seed)
    out = att.summary()
    if cls is not None:                 # one output per class: the log-odds of that class
        out["importance"] = att.importance(cls)
        out["unit"] = att.unit(cls)
        out["class"] = ex.dataset.class_names[cls]
    return out


def explain_lime(ex, a) -> dict:
    """LIME's weights for each of the first test rows; the importance is the mean |weight| per column."""
    import numpy as np
    from ..explain import LIME_SAMPLES
    if a.shap_method != "auto":
        raise UsageError("--shap-method applies to --method shap; leave it out with --method lime")
    samples = a.samples or LIME_SAMPLES
    cls = class_index(ex, a.class_name)
    ds = ex.dataset
    ids, X = ex.rows("test", a.rows or LIME_DEFAULT_ROWS)
    codes = ds.codes(ds.raw.iloc[ids])
    outputs = explained_outputs(ex, X, cls)
    t0 = time.perf_counter()
    results = [ex.lime(codes[i], int(outputs[i]), samples=samples, seed=a.seed + i) for i in range(len(ids))]
    seconds = time.perf_counter() - t0
    features = list(ds.original_columns)
    imp = np.abs(np.stack([r.weights for r in results])).mean(0)
    order = np.argsort(-imp, kind="stable")
    return {"method": "lime", "algorithm": f"lime.lime_tabular.LimeTabularExplainer, {samples} samples per row",
            "rows": len(ids), "seconds": round(seconds, 4), "unit": lime_unit(ex, cls), "features": features,
            "importance": {features[j]: float(imp[j]) for j in order},
            "lime_r2": float(np.mean([r.score for r in results])), "samples": int(samples),
            "class": ("prediction" if ds.task == "regression" else
                      ds.class_names[cls] if cls is not None else "predicted class of each row")}


def explained_outputs(ex, X, cls: int | None):
    """The output LIME explains for each row: the value for a regression, `--class`, else the predicted class
    (why it predicted what it did)."""
    import numpy as np
    if ex.dataset.task == "regression":
        return np.zeros(len(X), dtype=int)
    if cls is not None:
        return np.full(len(X), cls)
    return np.asarray(ex.model.proba(X)).argmax(axis=1)


def lime_unit(ex, cls: int | None) -> str:
    from .. import units
    if ex.dataset.task == "regression":
        return units.unit_of(units.VALUE)
    if cls is not None:
        return units.unit_of(units.LOG_ODDS, ex.model.outputs[cls])
    return "log-odds of each row's predicted class"


def print_explanation(out: dict, run_id: str, epoch: int) -> None:
    """What was explained, how, in which unit, then one bar per column, largest first."""
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
    print_importance(out)


def print_importance(out: dict) -> None:
    width = max([len(str(c)) for c in out["importance"]] + [6])
    top = max(list(out["importance"].values()) + [1e-300])
    head = "mean |SHAP|" if out["method"] == "shap" else "mean |weight|"
    print(f"unit: {out['unit']}")
    print(f"\n{'column':<{width}}  {head:>13}")
    for column, value in out["importance"].items():
        bar = "#" * int(round(30 * value / top)) if top > 0 else ""
        print(f"{str(column):<{width}}  {value:>13.6g}  {bar}")
