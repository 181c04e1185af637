"""The report's sections, one function each: the header, the data, the model and its training,
performance on the test split, the per-group table, the disparities in words with the four-fifths
verdict, charts (selection rate with intervals, TPR/FPR, fairness over training), explanations (mean
|SHAP| and the per-group SHAP gap), proxies, and the mitigations tried."""
from __future__ import annotations

from datetime import datetime
from html import escape

import numpy as np

from ..fairness import DISPARITY_LABELS, SMALL_GROUP, attribution_gaps, four_fifths, proxies
from .context import Context
from .html import Raw, esc, html_dl, html_figure, html_section, html_table, is_finite, num, pct
from .svg import svg_lines, svg_rate_bars, svg_value_bars

SHAP_ROWS = 200
TOP_COLUMNS = 8
TOP_PROXIES = 5
TOP_GAPS = 5
DISPARITY_HELP = {
    "demographic_parity_difference": "largest gap in selection rate between groups (0 = equal)",
    "demographic_parity_ratio": "lowest selection rate ÷ highest (1 = equal; < 0.8 fails the four-fifths rule)",
    "equalized_odds_difference": "largest gap in TPR or FPR between groups",
    "equalized_odds_ratio": "smallest ratio of TPR or FPR between groups",
    "equal_opportunity_difference": "largest gap in TPR (of the truly favourable, how many are recognised)",
    "predictive_parity_difference": "largest gap in precision (how often a favourable decision is right)",
}
LIVE_CURVES = (("fair/demographic_parity_difference", "demographic parity difference"),
               ("fair/equalized_odds_difference", "equalized odds difference"),
               ("fair/equal_opportunity_difference", "equal opportunity difference"))


def header(ctx: Context) -> str:
    run = ctx.run
    created = datetime.fromtimestamp(run.created).strftime("%Y-%m-%d %H:%M")
    now = datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f"<header><h1>Fairness audit: {esc(run.name)}</h1>"
            f'<p class="meta">Report made {esc(now)} · run <code>{esc(run.id)}</code> trained {esc(created)} · '
            f"sensitive column <strong>{esc(ctx.grouping.name)}</strong> · favourable outcome "
            f"<strong>{esc(ctx.fav_name)}</strong> · decision threshold {esc(_threshold_text(ctx.threshold))} · "
            "figures on the test split</p></header>")


def _threshold_text(threshold) -> str:
    if isinstance(threshold, dict):
        return ", ".join(f"{g}: {float(t):g}" for g, t in threshold.items())
    return f"{float(threshold):g}"


def data_section(ctx: Context) -> str:
    ds, s = ctx.ds, ctx.ds.summary()
    rows = s["rows"]
    balance = ", ".join(f"{name} {pct(share)}" for name, share in s["class_balance"].items())
    counts = ctx.labels.value_counts()
    groups = ", ".join(f"{g} ({int(n)} rows)" for g, n in counts.items())
    items = [("Dataset", ds.name), ("Target", ds.target),
             ("Rows", f"{s['n_rows']} — training {rows['train']}, validation {rows['val']}, test {rows['test']}"),
             ("Class balance", balance), ("Features", f"{len(ds.original_columns)} columns "
                                                      f"({ds.n_features} model inputs)"),
             ("Sensitive column", ctx.grouping.name), ("Its groups (all rows)", groups)]
    if ds.sensitive:
        items.append(("Marked sensitive in the data", ", ".join(ds.sensitive)))
    return html_section("Data", html_dl(items), "data")


def loss_words(loss: str, task: str) -> str:
    """'cross entropy', 'mse', … — and 'mse on one-hot targets' for a classifier."""
    return loss.replace("_", " ") + (" on one-hot targets" if loss == "mse" and task == "classification" else "")


def model_section(ctx: Context) -> str:
    from core.spec import NetworkSpec, TrainSpec
    from core.model import concrete_loss
    net_spec = NetworkSpec.from_dict(ctx.run.network)
    spec = TrainSpec.from_dict(ctx.run.train)
    n_params = sum(int(p.numel()) for p in ctx.loaded.net.parameters())
    layers = [f"input ({ctx.ds.n_features})"] + [l.describe() for l in net_spec.layers]
    layers.append(f"output ({ctx.loaded.net.n_outputs})")
    summary = ctx.run.summary or {}
    trained = f"{ctx.run.epoch} of {spec.epochs}" + (f" (early stopping patience {spec.early_stopping} epochs)"
                                                     if spec.early_stopping else "")
    items = [("Network", " → ".join(layers)), ("Parameters", f"{n_params:,}"),
             ("Optimiser", f"{spec.optimizer}, learning rate {spec.lr:g}, batch size {spec.batch_size}"
                           + (f", L2 {spec.l2:g}" if spec.l2 else "") + (f", L1 {spec.l1:g}" if spec.l1 else "")),
             ("Loss", loss_words(concrete_loss(spec.loss, ctx.ds.task), ctx.ds.task)
              + (", balanced class weights" if spec.class_weights == "balanced" else "")
              + (f", training rows {spec.resample}sampled to balance the classes" if spec.resample != "none" else "")),
             ("Epochs trained", trained), ("Status", ctx.run.status), ("Seed", spec.seed)]
    if summary.get("best_epoch"):
        items.append(("Best validation epoch", summary["best_epoch"]))
    mitigation = []
    if spec.reweigh:
        mitigation.append("reweighing (training rows weighted so that group and label are independent)")
    if spec.fairness_penalty != "none":
        mitigation.append(f"{spec.fairness_penalty.replace('_', ' ')} penalty, λ = {spec.fairness_lambda:g}")
    items.append(("Fairness mitigation in training", "; ".join(mitigation) if mitigation else "none"))
    if spec.reweigh or spec.fairness_penalty != "none" or spec.sensitive:
        items.append(("Sensitive column in training", spec.sensitive or (ctx.ds.sensitive or ["—"])[0]))
    items.append(("Weights audited", f"last checkpoint (epoch {ctx.loaded.epoch})"))
    return html_section("Model and training", html_dl(items), "model")


def metrics_section(ctx: Context) -> str:
    from ..evaluate import classification_report, roc_curves
    p = ctx.preds
    names = list(p.class_names)
    threshold = None
    if len(names) == 2 and not isinstance(ctx.threshold, dict):
        threshold = float(ctx.threshold) if ctx.fav == 1 else 1.0 - float(ctx.threshold)
    rep = classification_report(p.y_true, p.proba, names, threshold=threshold)
    items = [("Accuracy", pct(rep.accuracy)), ("Macro F1", num(rep.macro_f1)),
             ("Mean average precision", num(rep.mean_ap)), ("Rows", rep.n)]
    curves = roc_curves(p.y_true, p.proba, names)
    for c in curves.curves:
        items.append((f"ROC AUC ({c.label})" if len(names) > 2 else "ROC AUC", num(c.auc)))
    per_class = [[row["class"], num(row["precision"]), num(row["recall"]), num(row["f1"]), int(row["support"])]
                 for _, row in rep.per_class.iterrows()]
    body = html_dl(items) + html_table(["Class", "Precision", "Recall", "F1", "Rows"], per_class)
    if isinstance(ctx.threshold, dict):
        body += "<p class=\"note\">Accuracy here uses the most likely class; the group thresholds apply below.</p>"
    return html_section("Performance on the test split", body, "metrics")


def _with_interval(row, key: str) -> Raw:
    lo, hi = row.get(f"{key}_lo"), row.get(f"{key}_hi")
    ci = f'<span class="ci">[{pct(lo, 0)}–{pct(hi, 0)}]</span>' if is_finite(lo) and is_finite(hi) else ""
    return Raw(f"{escape(pct(row[key]))} {ci}")


def groups_section(ctx: Context) -> str:
    a = ctx.audit
    rows = []
    for name, row in a.groups.iterrows():
        flag = Raw('<span class="flag" title="fewer than 30 rows">small group</span>') if row["small"] else ""
        rows.append([name, int(row["count"]), pct(row["base_rate"]), _with_interval(row, "selection_rate"),
                     _with_interval(row, "tpr"), _with_interval(row, "fpr"), _with_interval(row, "accuracy"),
                     pct(row["precision"]), flag])
    overall = a.overall
    rows.append([Raw("<strong>all rows</strong>"), int(a.groups["count"].sum()), "", pct(overall["selection_rate"]),
                 pct(overall["tpr"]), pct(overall["fpr"]), pct(overall["accuracy"]), "", ""])
    legend = ("<p class=\"note\">Base rate: share truly " + esc(repr(ctx.fav_name)) + ". Selection rate: share "
              "predicted " + esc(repr(ctx.fav_name)) + ". TPR: of the truly favourable, share recognised. FPR: of the "
              "others, share wrongly favoured. Brackets: 95 % bootstrap intervals. Groups under "
              f"{SMALL_GROUP} rows are flagged: their rates swing with a few rows.</p>")
    table = html_table(["Group", "Rows", "Base rate", "Selection rate", "TPR", "FPR", "Accuracy", "Precision", ""],
                   rows, cls="groups")
    return html_section(f"Groups of {ctx.grouping.name}", table + legend, "groups")


def disparities_section(ctx: Context) -> str:
    a = ctx.audit
    cls, verdict = four_fifths(a.disparities["demographic_parity_ratio"])
    rows = [[DISPARITY_LABELS[k], num(v), DISPARITY_HELP[k]] for k, v in a.disparities.items()]
    sentences = "".join(f"<li>{esc(s)}</li>" for s in a.sentences)
    notes = "".join(f"<li>{esc(n)}</li>" for n in a.notes)
    body = (f'<p class="verdict {cls}">{esc(verdict)}</p><ul class="sentences">{sentences}</ul>'
            + html_table(["Disparity", "Value", "What it measures"], rows, cls="disparities", numeric_from=1))
    if notes:
        body += f'<h3>Notes</h3><ul class="notes">{notes}</ul>'
    return html_section("Disparities", body, "disparities")


def charts_section(ctx: Context) -> str:
    g = ctx.audit.groups
    names = [str(n) for n in g.index]
    col = lambda k: [float(v) for v in g[k]]   # noqa: E731
    selection = svg_rate_bars(names, [("selection rate", col("selection_rate"), col("selection_rate_lo"),
                                       col("selection_rate_hi"))],
                              f"Share predicted {ctx.fav_name!r} per group", ctx.audit.overall["selection_rate"])
    errors = svg_rate_bars(names, [("TPR", col("tpr"), col("tpr_lo"), col("tpr_hi")),
                                   ("FPR", col("fpr"), col("fpr_lo"), col("fpr_hi"))],
                           "True- and false-positive rates per group")
    body = (html_figure(selection, "Bars: selection rate; whiskers: 95 % bootstrap interval; dashed line: all rows.")
            + html_figure(errors, "Equal opportunity asks for equal TPR; equalized odds for equal TPR and FPR."))
    curve = training_curve(ctx)
    if curve:
        body += curve
    return html_section("Charts", body, "charts")


def training_curve(ctx: Context) -> str:
    """Fairness on the validation rows at each evaluated epoch, from the run's fair/* metrics."""
    frame = ctx.store.metrics(ctx.run.id, [name for name, _ in LIVE_CURVES])
    if frame.empty:
        return ""
    wide = frame.pivot_table(index="epoch", columns="name", values="value", aggfunc="last").sort_index()
    series = [(label, wide[name].tolist()) for name, label in LIVE_CURVES if name in wide]
    if len(wide) < 2 or not series:
        return ""
    svg = svg_lines(wide.index.tolist(), series, "Fairness during training (validation rows)")
    column = escape(str(ctx.run.train.get("sensitive") or (ctx.ds.sensitive or [""])[0]))
    return html_figure(svg, f"Measured at each evaluated epoch on the validation rows, groups of '{column}', "
                        "threshold 0.5.")


def explanations_section(ctx: Context) -> str:
    from ..explain import RunExplainer
    att = RunExplainer.open(ctx.store, ctx.run.id).shap(limit=SHAP_ROWS)
    values, unit = att.of(ctx.fav), att.unit(ctx.fav)          # the log-odds of the favourable class
    importance = np.abs(values).mean(axis=0)
    order = np.argsort(-importance, kind="stable")[:TOP_COLUMNS]
    top = [(att.features[i], float(importance[i])) for i in order]
    fav = ctx.fav_name
    bars = svg_value_bars(top, f"Mean |SHAP| on the {unit}, top {len(top)} columns")
    body = html_figure(bars, f"Average size of each column's push towards or away from {fav!r}, over "
                         f"{len(att.rows)} test rows ({att.method} Shapley values), in log-odds: "
                         "log(p / (1 − p)) of the favourable outcome.")
    direct = [(c, float(importance[att.features.index(c)])) for c in ctx.grouping.columns if c in att.features]
    for col, value in direct:
        rank = int((importance > value).sum()) + 1
        body += (f"<p class=\"note\"><strong>{esc(repr(col))} is itself a model input</strong>: it ranks "
                 f"{rank} of {len(att.features)} columns by mean |SHAP| ({value:.3f}), so the model's decisions "
                 "depend on the group directly, not only through proxies.</p>")
    groups = ctx.labels.loc[ctx.ds.raw.index[np.asarray(att.rows)]].to_numpy()
    if len(set(groups)) >= 2:
        gaps = attribution_gaps(values, att.features, groups).head(TOP_GAPS)
        group_cols = [c for c in gaps.columns if c != "gap"]
        rows = [[col] + [num(gaps.loc[col, g]) for g in group_cols] + [num(gaps.loc[col, "gap"])]
                for col in gaps.index]
        body += ("<h3>Where the groups are treated differently</h3>"
                 f"<p class=\"note\">Mean SHAP value per group, on the {esc(unit)} (positive pushes towards "
                 f"{esc(repr(fav))}); the "
                 "columns whose average push differs most between groups come first.</p>"
                 + html_table(["Column"] + [str(g) for g in group_cols] + ["Gap"], rows, cls="gaps"))
    return html_section("What drives the decisions", body, "explanations")


def proxies_section(ctx: Context) -> str:
    ds = ctx.ds
    train_groups = ctx.labels.loc[ds.raw.index[ds.indices("train")]].to_numpy()
    table = proxies(ds, train_groups, exclude=ctx.grouping.columns).head(TOP_PROXIES)
    rows = [[r["column"], num(r["mutual_information_bits"]), num(r["correlation_ratio"])]
            for _, r in table.iterrows()]
    body = ("<p class=\"note\">Columns that carry information about the groups (on the training rows) can stand "
            "in for the sensitive column even when it is not a model input; the sensitive column itself is left "
            "out. Mutual information in bits (0 = tells nothing); "
            "correlation ratio for numeric columns (0–1).</p>"
            + html_table(["Column", "Mutual information (bits)", "Correlation ratio"], rows, cls="proxies"))
    return html_section("Possible proxies", body, "proxies")


def mitigations_section(ctx: Context, mitigations: list[dict] | None) -> str:
    if not mitigations:
        return ""
    a = ctx.audit
    base = {"accuracy": a.overall["accuracy"], "demographic_parity_difference": a.disparities[
        "demographic_parity_difference"], "equalized_odds_difference": a.disparities["equalized_odds_difference"]}

    def cells(m: dict) -> list:
        out = []
        for key, fmt in (("accuracy", pct), ("demographic_parity_difference", num),
                         ("equalized_odds_difference", num)):
            v = m.get(key)
            delta = ""
            if is_finite(v) and is_finite(base[key]):
                d = float(v) - float(base[key])
                size = f"{abs(d) * 100:.1f} pts" if key == "accuracy" else num(abs(d))
                delta = f' <span class="delta">({"+" if d >= 0 else "−"}{size})</span>'
            out.append(Raw(escape(fmt(v)) + delta))
        return out

    rows = [[Raw("<em>this run, as audited above</em>")] + [Raw(escape(f(base[k]))) for k, f in
                                                           (("accuracy", pct),
                                                            ("demographic_parity_difference", num),
                                                            ("equalized_odds_difference", num))]]
    rows += [[str(m.get("name", "(unnamed)"))] + cells(m) for m in mitigations]
    body = ("<p class=\"note\">Variants tried to reduce the disparities, with the change against this run in "
            "brackets. Lower differences are fairer; watch what accuracy they cost.</p>"
            + html_table(["Variant", "Accuracy", "DP difference", "EO difference"], rows, cls="mitigations"))
    return html_section("Mitigations tried", body, "mitigations")
