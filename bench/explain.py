"""Explanation benchmarks: `figures(quick)` returns one dict of timings and errors.

Every figure is measured in this call, against references and baselines measured in the same
call, with torch on the machine's two cores (the figures are stated for 2 cores; another busy
process on them slows two torch threads badly, so run it on a quiet machine). The headline pair (ours, KernelExplainer) is the best of
two repeats in a full run; the load average before and after is reported with the figures.

  shap_1000_rows_seconds   Glassnet's default SHAP (explain.shap_values, method "auto" = "sampling"
                           for breast cancer's 30 columns) of 1,000 rows, background 100 training rows,
                           on the "regularised" preset network trained 30 epochs; warmed up once.
  shap_1000_rows_error     median over rows of ||phi - phi_ref|| / ||phi_ref||, phi_ref from shap's own
                           PermutationExplainer with many evaluations on the same background
                           (`shap_reference`; its own error is `shap_reference_error`, from two halves
                           with different seeds).
  shap_methods             seconds (scaled to 1,000 rows) and error of every method affordable at
                           30 columns.
  shap_vs_kernel_speedup   shap.KernelExplainer at its default settings, timed on a few rows and
                           scaled to 1,000, over shap_1000_rows_seconds (its error: kernel_default_error).
  shap_vs_kernel_method_speedup, shap_vs_permutation_method_speedup, shap_vs_deep_method_speedup
                           the same for the "kernel" (l1_reg off) and "permutation" methods of
                           shap_methods (full run only).
  exact_shapley_seconds    exact Shapley values of 1,000 rows of diabetes (10 columns), background 100.
  lime_row_seconds         median seconds of one LIME explanation (5,000 samples) on breast cancer.
  digits_whole_model_seconds, digits_whole_model_error
                           the SHAP values behind the Explain page's whole-model view of digits (200 test
                           rows, background 100, the "small_cnn" preset, every class's log-odds) with the
                           default for images ("pixels"), and their median relative L2 error against a
                           reference of long Glassnet sampling runs (`digits_reference`).
  digits_old_default_seconds, digits_old_default_error, digits_vs_old_default_speedup
                           the same request as the former default ran it (adaptive "sampling" over the
                           convolutional network, every step evaluated), timed on a few rows and scaled to
                           200, in the same run; `digits_methods` has every candidate's time and error.

quick=True measures fewer rows (scaled to 1,000 in the figures), skips the slow shap
permutation/kernel methods and takes its reference from a long Glassnet sampling run instead of
shap's (whose numba compilation alone takes ~15 s); it is a smoke run, not a measurement.
"""
from __future__ import annotations

import os
import time

ROWS = 1000
BACKGROUND = 100
REFERENCE_ROWS = 40
REFERENCE_EVALS = 25_000          # per half; the reference averages two halves with different seeds
LIME_SAMPLES = 5000


def _train(name: str, epochs: int, preset_key: str = "regularised"):
    from core.data import load_builtin
    from core.presets import get_preset
    from core.spec import TrainSpec
    from core.training import train
    ds = load_builtin(name)
    preset = get_preset(preset_key)
    spec = TrainSpec.from_dict({**preset.train_spec().to_dict(), "epochs": epochs, "device": "cpu", "seed": 0})
    net, result = train(ds, preset.network(), spec)
    return ds, net, result


def _rows(ds, n: int):
    """The dataset's rows (train, val, test) repeated to n rows."""
    import numpy as np
    X = np.concatenate([ds.X_train, ds.X_val, ds.X_test]).astype(np.float32)
    return X[np.arange(n) % len(X)]


def _numpy_fn(model):
    import numpy as np
    import torch

    def f(x):
        with torch.inference_mode():
            return model.fn(torch.as_tensor(np.asarray(x, np.float32))).double().numpy()
    return f


def _rel_l2(values, ref):
    """Median over rows of ||values - ref|| / ||ref|| (values and ref [n, p, k])."""
    import numpy as np
    n = len(ref)
    num = np.linalg.norm((np.asarray(values) - ref).reshape(n, -1), axis=1)
    return float(np.median(num / np.maximum(np.linalg.norm(ref.reshape(n, -1), axis=1), 1e-12)))


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _timed_cpu(fn):
    """(result, wall seconds, CPU seconds of this process): on a shared machine the CPU time shows the
    work itself when other processes stretch the wall time."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def figures(quick: bool = False) -> dict:
    import numpy as np
    import shap
    import torch

    from core.analysis import explain, shapley
    from core.analysis.explain.shap_explainers import _as_outputs

    t_start = time.perf_counter()
    threads = torch.get_num_threads()
    cores = min(2, os.cpu_count() or 1)           # the figures are stated for 2 cores
    torch.set_num_threads(cores)
    out: dict = {"quick": bool(quick), "torch_threads": cores, "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    try:
        # ---------------------------------------------------------------- breast cancer, 30 columns
        epochs = 10 if quick else 30
        ds, net, result = _train("breast_cancer", epochs)
        model = explain.model_of(net, ds.class_names)
        features, groups, _ = explain.column_groups(ds)
        bg = explain.background_rows(ds, BACKGROUND, 0)
        n = 100 if quick else ROWS
        scale = ROWS / n
        X = _rows(ds, n)
        out["model"] = {"dataset": "breast_cancer", "columns": len(features), "preset": "regularised", "epochs": epochs,
                        "test_accuracy": result.metrics.get("test_accuracy"), "background": len(bg)}

        explain.shap_values(model, X[:10], bg, features, groups, "auto")           # warm-up
        repeats = 1 if quick else 2              # best of the repeats: the one least disturbed by other load
        ours, seconds = min((_timed(lambda: explain.shap_values(model, X, bg, features, groups, "auto"))
                             for _ in range(repeats)), key=lambda timed: timed[1])
        out["shap_method"] = ours.method
        out["shap_1000_rows_seconds"] = round(seconds * scale, 3)
        out["shap_rows_measured"] = n
        out["shap_additivity_max_error"] = ours.additivity_max_error
        out["shap_estimated_error"] = ours.estimated_error()
        out["shap_mean_rounds"] = ours.settings.get("mean_rounds")

        # the reference: shap's PermutationExplainer, many evaluations, same background, distinct rows
        r = 5 if quick else REFERENCE_ROWS
        f = _numpy_fn(model)
        if quick:       # shap's permutation explainer compiles with numba first (~15 s): too slow for a smoke run
            ref, _, stderr, _ = shapley.sampling(model.fn, X[:r], bg, groups, min_rounds=32, max_rounds=32, seed=1)
            out["shap_reference"] = f"quick run: Glassnet sampling, 32 rounds, seed 1 (not shap), {r} distinct rows"
            out["shap_reference_error"] = _rel_l2(ref + stderr, ref)
        else:
            masker = shap.maskers.Independent(bg, max_samples=len(bg))
            halves = []
            for seed in (0, 1):
                res = shap.explainers.Permutation(f, masker, seed=seed)(X[:r], max_evals=REFERENCE_EVALS, silent=True)
                halves.append(_as_outputs(res.values, len(model.outputs), r, len(features)))
            ref = (halves[0] + halves[1]) / 2
            out["shap_reference"] = (f"shap.PermutationExplainer, Independent masker ({len(bg)} background rows), "
                                     f"2 x {REFERENCE_EVALS} evaluations per row (seeds 0 and 1, averaged), "
                                     f"{r} distinct rows")
            # each half has error e, their difference sqrt(2) e, their average e / sqrt(2) = |a - b| / 2
            out["shap_reference_error"] = _rel_l2(ref + (halves[0] - halves[1]) / 2, ref)
        out["shap_1000_rows_error"] = _rel_l2(ours.values[:r], ref)

        # ---------------------------------------------------------------- every affordable method
        methods: dict = {"sampling": {"seconds_1000_rows": out["shap_1000_rows_seconds"],
                                      "error": out["shap_1000_rows_error"], "rows_measured": n}}
        plan = [("deep", n), ("gradient", 20 if quick else 200)]
        if not quick:
            plan += [("permutation", 20), ("kernel", 20)]
        for method, m in plan:
            att, sec = _timed(lambda: explain.shap_values(model, X[:m], bg, features, groups, method))
            e = min(m, r)
            methods[method] = {"seconds_1000_rows": round(sec * ROWS / m, 3), "error": _rel_l2(att.values[:e], ref[:e]),
                               "additivity_max_error": att.additivity_max_error, "rows_measured": m}
        for method in ("exact", "shap_exact"):
            methods[method] = {"skipped": f"2^{len(features)} coalitions per row"}
        out["shap_methods"] = methods

        # ---------------------------------------------------------------- shap's KernelExplainer, defaults
        k = 2 if quick else 20
        kernel = shap.KernelExplainer(f, bg)
        raw, sec = min((_timed(lambda: kernel.shap_values(X[:k], silent=True)) for _ in range(repeats)),
                       key=lambda timed: timed[1])
        kv = _as_outputs(raw, len(model.outputs), k, len(features))
        out["kernel_default_seconds_1000_rows"] = round(sec * ROWS / k, 3)
        out["kernel_default_error"] = _rel_l2(kv[:min(k, r)], ref[:min(k, r)])
        out["kernel_default_rows_measured"] = k
        out["shap_vs_kernel_speedup"] = round(out["kernel_default_seconds_1000_rows"] / out["shap_1000_rows_seconds"], 2)
        for method in ("kernel", "permutation", "deep"):   # shap's explainers as Glassnet runs them (shap_methods)
            if method in methods:
                out[f"shap_vs_{method}_method_speedup"] = round(
                    methods[method]["seconds_1000_rows"] / out["shap_1000_rows_seconds"], 2)

        # ---------------------------------------------------------------- LIME, one row at a time
        codes = ds.codes(ds.raw.iloc[ds.idx_test])
        times = []
        for i in range(3 if quick else 10):
            _, sec = _timed(lambda: explain.lime_row(model, ds, codes[i], 1, samples=LIME_SAMPLES, seed=i))
            times.append(sec)
        out["lime_row_seconds"] = round(float(np.median(times)), 4)

        # ---------------------------------------------------------------- exact, 10 columns
        dsd, netd, _ = _train("diabetes", 5 if quick else 30)
        md = explain.model_of(netd, None)
        fd, gd, _ = explain.column_groups(dsd)
        bgd = explain.background_rows(dsd, BACKGROUND, 0)
        nd = 10 if quick else ROWS
        Xd = _rows(dsd, nd)
        explain.shap_values(md, Xd[:2], bgd, fd, gd, "exact")                     # warm-up
        att, sec = _timed(lambda: explain.shap_values(md, Xd, bgd, fd, gd, "exact"))
        out["exact_shapley_seconds"] = round(sec * ROWS / nd, 3)
        out["exact_shapley_rows_measured"] = nd
        out["exact_shapley_additivity_max_error"] = att.additivity_max_error

        out.update(digits_figures(quick))
    finally:
        torch.set_num_threads(threads)
    out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    out["seconds"] = round(time.perf_counter() - t_start, 1)
    return out


DIGITS_ROWS = 200                 # the Explain page's default request: its whole-model view of 200 rows


def _digits_reference(model, X, bg, groups, quick: bool, out: dict):
    """Long sampling runs with every step evaluated (two seeds, averaged) on the first rows; says what it
    is and its own error in `out`."""
    from core.analysis import shapley
    r, rounds = (2, 4) if quick else (20, 32)
    halves = [shapley.sampling(model.fn, X[:r], bg, groups, min_rounds=rounds, max_rounds=rounds, seed=s,
                               skip_unchanged=False)[0] for s in (101, 102)]
    ref = (halves[0] + halves[1]) / 2
    out["digits_reference"] = (f"Glassnet sampling, every step evaluated, 2 x {rounds} rounds (seeds 101 and 102, "
                               f"averaged), {r} distinct rows, same background")
    out["digits_reference_error"] = _rel_l2(ref + (halves[0] - halves[1]) / 2, ref)
    return ref


def digits_figures(quick: bool = False) -> dict:
    """The whole-model view of 8×8 digits: the default for images against the former default and the
    other candidates, every error against the same reference, every time in this run (scaled to 200 rows
    where measured on fewer)."""
    import numpy as np
    import torch

    from core.analysis import explain, shapley, units
    from core.analysis.explain.model import _fused

    ds, net, result = _train("digits", 2 if quick else 30, "small_cnn")
    model = explain.model_of(net, ds.class_names)
    former = torch.nn.Sequential(_fused(net.body), units.LogOdds())   # as the former default ran it
    features, groups, _ = explain.column_groups(ds)
    bg = explain.background_rows(ds, BACKGROUND, 0)
    X = ds.X_test[:DIGITS_ROWS].astype(np.float32)
    out: dict = {"digits_model": {"dataset": "digits", "preset": "small_cnn", "epochs": 2 if quick else 30,
                                  "test_accuracy": result.metrics.get("test_accuracy"), "background": len(bg),
                                  "rows": len(X), "outputs": len(model.outputs)}}

    ref = _digits_reference(model, X, bg, groups, quick, out)
    r = len(ref)

    explain.shap_values(model, X[:2], bg, features, groups, "pixels")                    # warm-up
    methods: dict = {}

    def record(name: str, run, rows: int, values=None, **extra) -> None:
        result, wall, cpu = run
        values = result.values if values is None else values
        e = min(rows, r)
        methods[name] = {"seconds_200_rows": round(wall * DIGITS_ROWS / rows, 3),
                         "cpu_seconds_200_rows": round(cpu * DIGITS_ROWS / rows, 3), "rows_measured": rows,
                         "error": _rel_l2(values[:e], ref[:e]), **extra}
        if hasattr(result, "additivity_max_error"):
            methods[name]["additivity_max_error"] = result.additivity_max_error

    n = 20 if quick else len(X)
    record("pixels", min((_timed_cpu(lambda: explain.shap_values(model, X[:n], bg, features, groups, "pixels"))
                          for _ in range(1 if quick else 2)), key=lambda timed: timed[1]), n)
    m = 1 if quick else 6
    budget = {"min_rounds": 2, "max_rounds": 2} if quick else {}          # a smoke run cannot afford 12 rounds
    run = _timed_cpu(lambda: shapley.sampling(former, X[:m], bg, groups, skip_unchanged=False, **budget))
    record("former_default", run, m, values=run[0][0], rounds=int(run[0][3].max()),
           what="adaptive sampling on the convolutional network, every step evaluated")
    for method in () if quick else ("sampling", "deep", "gradient"):       # the other candidates: full run only
        record(method, _timed_cpu(lambda: explain.shap_values(model, X[:10], bg, features, groups, method)), 10)
    if not quick:                      # exact Shapley values of 8 superpixels (4x2 blocks), spread over their pixels
        blocks = [[8 * (4 * (b // 4) + i) + 2 * (b % 4) + j for i in range(4) for j in range(2)] for b in range(8)]
        run = _timed_cpu(lambda: shapley.exact(model.fn, X[:10], bg, blocks))
        spread = np.zeros((10, 64, len(model.outputs)))
        for g, cols in enumerate(blocks):
            spread[:, cols] = run[0][0][:, g:g + 1] / len(cols)
        record("superpixels_exact", (None, run[1], run[2]), 10, values=spread,
               what="exact Shapley values of 8 blocks of 4x2 pixels, each block's value shared by its pixels")
    out["digits_methods"] = methods
    out["digits_whole_model_seconds"] = methods["pixels"]["seconds_200_rows"]
    out["digits_whole_model_error"] = methods["pixels"]["error"]
    out["digits_old_default_seconds"] = methods["former_default"]["seconds_200_rows"]
    out["digits_old_default_error"] = methods["former_default"]["error"]
    out["digits_vs_old_default_speedup"] = round(out["digits_old_default_seconds"] / out["digits_whole_model_seconds"], 1)
    out["digits_vs_old_default_cpu_speedup"] = round(methods["former_default"]["cpu_seconds_200_rows"]
                                                     / methods["pixels"]["cpu_seconds_200_rows"], 1)
    return out
