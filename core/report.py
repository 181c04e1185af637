"""A fairness audit of a stored run as one self-contained HTML page: readable offline, printable.

    html = audit_report(store, run_id, "sex", favourable="good", mitigations=[...])

The page has no scripts, no external stylesheets, fonts or images: charts are inline SVG drawn
here, styles sit in one <style> element with print rules. Every string that comes from the user
or the data (run, dataset, column, group and class names, notes) is escaped.

Sections, each made by one function below: the header, the data, the model and its training,
performance on the test split, the per-group table, the disparities in words with the
four-fifths verdict, charts (selection rate with intervals, TPR/FPR, fairness over training),
explanations (mean |SHAP| and the per-group SHAP gap), proxies, and the mitigations tried.
No streamlit here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from html import escape

import numpy as np
import pandas as pd

from . import fairness as F

SHAP_ROWS = 200
TOP_COLUMNS = 8
TOP_PROXIES = 5
TOP_GAPS = 5
PALETTE = ("#3566a8", "#d2691e", "#2e8b57", "#8a4fb0", "#b03a48", "#5f7d8c")
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


class Raw(str):
    """HTML already built (and escaped) here: put in a table cell as it is."""


def _e(value) -> str:
    return value if isinstance(value, Raw) else escape(str(value), quote=True)


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float, np.floating, np.integer)) and math.isfinite(float(x))


def _pct(x, digits: int = 1) -> str:
    return f"{float(x) * 100:.{digits}f} %" if _finite(x) else "—"


def _num(x, digits: int = 3) -> str:
    return f"{float(x):.{digits}f}" if _finite(x) else "—"


# --------------------------------------------------------------------------------------
# What the sections read
# --------------------------------------------------------------------------------------


@dataclass
class Context:
    store: object
    run: object                   # core.runs.Run
    loaded: object                # core.runs.LoadedRun
    grouping: F.Grouping
    fav: int                      # index of the favourable class
    audit: F.Audit                # the test split at the chosen threshold
    labels: pd.Series             # every row of dataset.raw → its group
    preds: object                 # core.evaluate.Predictions on the test split
    threshold: float | dict

    @property
    def ds(self):
        return self.loaded.dataset

    @property
    def fav_name(self) -> str:
        return str(self.ds.class_names[self.fav])


def _training_bins(ds, grouping: F.Grouping, bins: dict | None) -> tuple[dict, list[str]]:
    """Band edges for numeric sensitive columns with many values, from the training rows, so the
    test split, the training rows and the explained rows all use the same bands."""
    bins, notes = dict(bins or {}), []
    train = ds.raw.iloc[ds.idx_train]
    for col in grouping.columns:
        if col in bins or col not in train.columns:
            continue
        values = pd.to_numeric(train[col], errors="coerce")
        if values.notna().all() and values.nunique() > F.MAX_GROUPS:
            edges = F.suggest_bins(values)
            if edges:
                bins[col] = edges
                notes.append(f"'{col}' has {values.nunique()} different values, so it was cut into bands at "
                             f"{', '.join(f'{e:g}' for e in edges)} (quantiles of the training rows).")
    return bins, notes


def _band_key(label: str) -> tuple:
    """Sort key that puts numeric bands ('< 27', '27–33', '≥ 42') in numeric order, other names by name,
    part by part for an intersection ('male × < 27')."""
    key = []
    for part in str(label).split(" × "):
        number = None
        for prefix in ("< ", "≥ "):
            if part.startswith(prefix):
                number = -math.inf if prefix == "< " else _to_float(part[2:])
        if number is None and "–" in part:
            number = _to_float(part.split("–")[0])
        key.append((0, number, "") if number is not None and not math.isnan(number) else (1, 0.0, part))
    return tuple(key)


def _to_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def build_context(store, run_id: str, sensitive, *, favourable=None, threshold=0.5, bins=None) -> Context:
    from .evaluate import predict_split
    from .runs import load_run
    loaded = load_run(store, run_id)
    ds = loaded.dataset
    if ds.task != "classification":
        raise F.FairnessError("A fairness audit compares decisions between groups; this run predicts a number "
                              "(regression). Train a classifier, e.g. on german_credit or biased_loans.")
    grouping = F.Grouping.of(sensitive)
    bins, notes = _training_bins(ds, grouping, bins)
    grouping = F.Grouping.of(sensitive, bins)
    audit = F.audit_run(store, run_id, sensitive, favourable=favourable, threshold=threshold, bins=bins)
    audit.notes[:0] = notes
    audit.groups = audit.groups.loc[sorted(audit.groups.index, key=_band_key)]
    labels, _ = F.group_labels(ds.raw, grouping)
    fav = F.favourable_index(list(ds.class_names), favourable)
    return Context(store, loaded.run, loaded, grouping, fav, audit, pd.Series(labels, index=ds.raw.index),
                   predict_split(loaded, "test"), threshold)


# --------------------------------------------------------------------------------------
# HTML pieces
# --------------------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list], cls: str = "", numeric_from: int = 1) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            kind = ' class="num"' if i >= numeric_from else ""
            cells.append(f"<td{kind}>{_e(v)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    cls_attr = f' class="{cls}"' if cls else ""
    return f"<table{cls_attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _dl(items: list[tuple[str, object]]) -> str:
    return "<dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items) + "</dl>"


def _section(title: str, body: str, sid: str) -> str:
    return f'<section id="{sid}"><h2>{_e(title)}</h2>{body}</section>'


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


# --------------------------------------------------------------------------------------
# Charts: inline SVG
# --------------------------------------------------------------------------------------


def _svg_open(width: int, height: int, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{_e(label)}" font-family="sans-serif" font-size="12">')


def _x_axis(x0: float, x1: float, y: float, ticks, fmt) -> str:
    parts = [f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#888"/>']
    for t, pos in ticks:
        parts.append(f'<line x1="{pos:.1f}" y1="{y}" x2="{pos:.1f}" y2="{y + 4}" stroke="#888"/>'
                     f'<text x="{pos:.1f}" y="{y + 16}" text-anchor="middle" fill="#444">{_e(fmt(t))}</text>')
    return "".join(parts)


def _nice_step(span: float, most: int) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that cuts `span` into at most `most` steps."""
    span = max(float(span), 1e-9)
    base = 10 ** math.floor(math.log10(span / most))
    for m in (1, 2, 2.5, 5, 10):
        if span / (m * base) <= most:
            return m * base
    return 10 * base


def svg_rate_bars(names: list[str], series: list[tuple[str, list, list, list]], title: str,
                  reference: float | None = None) -> str:
    """Horizontal bars of rates (0..1) per group; `series` = [(label, values, lows, highs)], whiskers
    where the interval is known; an optional dashed reference line (e.g. the overall rate)."""
    label_w, plot_w, bar_h, gap = 150, 560, 18, 12
    block = bar_h * len(series) + gap
    legend_h = 22 if len(series) > 1 else 0
    height = 30 + legend_h + block * len(names) + 30
    x0 = label_w
    scale = lambda v: x0 + plot_w * min(max(float(v), 0.0), 1.0)   # noqa: E731
    out = [_svg_open(label_w + plot_w + 70, height, title),
           f'<text x="0" y="16" font-weight="bold" fill="#222">{_e(title)}</text>']
    if legend_h:
        for k, (lab, *_rest) in enumerate(series):
            lx = x0 + k * 120
            out.append(f'<rect x="{lx}" y="26" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>'
                       f'<text x="{lx + 14}" y="35" fill="#333">{_e(lab)}</text>')
    top = 30 + legend_h
    for i in range(6):
        pos = scale(i / 5)
        out.append(f'<line x1="{pos:.1f}" y1="{top}" x2="{pos:.1f}" y2="{top + block * len(names)}" '
                   'stroke="#e4e4e4"/>')
    for gi, name in enumerate(names):
        y = top + gi * block
        short = name if len(name) <= 22 else name[:21] + "…"
        out.append(f'<text x="{label_w - 8}" y="{y + block / 2:.1f}" text-anchor="end" dominant-baseline="middle" '
                   f'fill="#222">{_e(short)}<title>{_e(name)}</title></text>')
        for k, (lab, values, lows, highs) in enumerate(series):
            v = values[gi]
            by = y + k * bar_h + 2
            if not _finite(v):
                out.append(f'<text x="{x0 + 4}" y="{by + bar_h - 5}" fill="#777">no rows</text>')
                continue
            out.append(f'<rect x="{x0}" y="{by}" width="{scale(v) - x0:.1f}" height="{bar_h - 3}" '
                       f'fill="{PALETTE[k % len(PALETTE)]}" opacity="0.85"><title>{_e(f"{name}, {lab}: {_pct(v)}")}'
                       f'</title></rect>')
            lo, hi = lows[gi], highs[gi]
            if _finite(lo) and _finite(hi):
                cy = by + (bar_h - 3) / 2
                out.append(f'<path d="M{scale(lo):.1f},{cy:.1f}H{scale(hi):.1f}M{scale(lo):.1f},{cy - 4:.1f}V{cy + 4:.1f}'
                           f'M{scale(hi):.1f},{cy - 4:.1f}V{cy + 4:.1f}" stroke="#111" stroke-width="1.3" fill="none"/>')
            tx = (scale(hi) if _finite(hi) else scale(v)) + 6
            out.append(f'<text x="{tx:.1f}" y="{by + bar_h - 5}" fill="#333" font-size="11">{_pct(v)}</text>')
    if reference is not None and _finite(reference):
        pos = scale(reference)
        out.append(f'<line x1="{pos:.1f}" y1="{top - 4}" x2="{pos:.1f}" y2="{top + block * len(names)}" '
                   'stroke="#555" stroke-dasharray="4 3"/>')
    axis_y = top + block * len(names) + 2
    out.append(_x_axis(x0, x0 + plot_w, axis_y, [(i / 5, scale(i / 5)) for i in range(6)], lambda t: f"{t:.0%}"))
    out.append("</svg>")
    return "".join(out)


def svg_lines(x: list, series: list[tuple[str, list]], title: str, x_label: str = "epoch") -> str:
    """A small line chart of several series against x (values ≥ 0)."""
    left, plot_w, plot_h, top = 50, 660, 200, 46
    width, height = left + plot_w + 30, top + plot_h + 40
    xs = np.asarray(x, float)
    top_value = max([float(np.nanmax(v)) for _, v in series if np.isfinite(np.asarray(v, float)).any()] + [0.01])
    step = _nice_step(top_value, 5)
    ymax = step * math.ceil(top_value / step - 1e-9)
    xmin, xmax = float(xs.min()), float(xs.max()) if xs.max() > xs.min() else float(xs.min()) + 1
    sx = lambda v: left + plot_w * (v - xmin) / (xmax - xmin)   # noqa: E731
    sy = lambda v: top + plot_h * (1 - v / ymax)                  # noqa: E731
    out = [_svg_open(width, height, title), f'<text x="0" y="16" font-weight="bold" fill="#222">{_e(title)}</text>']
    for k, (lab, _) in enumerate(series):
        lx = left + k * 175
        out.append(f'<rect x="{lx}" y="26" width="12" height="3" fill="{PALETTE[k % len(PALETTE)]}"/>'
                   f'<text x="{lx + 14}" y="32" fill="#333" font-size="11">{_e(lab)}</text>')
    for v in np.arange(0, ymax + step / 2, step):
        out.append(f'<line x1="{left}" y1="{sy(v):.1f}" x2="{left + plot_w}" y2="{sy(v):.1f}" stroke="#e4e4e4"/>'
                   f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end" fill="#444" font-size="11">{v:g}</text>')
    for k, (lab, values) in enumerate(series):
        pts = [(sx(a), sy(b)) for a, b in zip(xs, np.asarray(values, float)) if math.isfinite(b)]
        if pts:
            d = "M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in pts)
            out.append(f'<path d="{d}" fill="none" stroke="{PALETTE[k % len(PALETTE)]}" stroke-width="2">'
                       f'<title>{_e(lab)}</title></path>')
    xstep = max(1, math.ceil(_nice_step(xmax - xmin, 8)))
    ticks = [t for t in range(int(math.ceil(xmin / xstep) * xstep), int(xmax) + 1, xstep)]
    out.append(_x_axis(left, left + plot_w, top + plot_h, [(t, sx(t)) for t in ticks], str))
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle" fill="#444">{_e(x_label)}</text>')
    out.append("</svg>")
    return "".join(out)


def svg_value_bars(items: list[tuple[str, float]], title: str, color: str = PALETTE[0]) -> str:
    """Horizontal bars of non-negative values (e.g. mean |SHAP| per column), largest first."""
    label_w, plot_w, bar_h = 170, 520, 22
    height = 30 + bar_h * len(items) + 10
    vmax = max([v for _, v in items if _finite(v)] + [1e-12])
    out = [_svg_open(label_w + plot_w + 70, height, title),
           f'<text x="0" y="16" font-weight="bold" fill="#222">{_e(title)}</text>']
    for i, (name, v) in enumerate(items):
        y = 28 + i * bar_h
        w = plot_w * float(v) / vmax if _finite(v) else 0
        short = name if len(name) <= 24 else name[:23] + "…"
        out.append(f'<text x="{label_w - 8}" y="{y + bar_h / 2:.1f}" text-anchor="end" dominant-baseline="middle" '
                   f'fill="#222">{_e(short)}<title>{_e(name)}</title></text>'
                   f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{bar_h - 6}" fill="{color}"/>'
                   f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h / 2:.1f}" dominant-baseline="middle" fill="#333" '
                   f'font-size="11">{_num(v)}</text>')
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------


def header(ctx: Context) -> str:
    run = ctx.run
    created = datetime.fromtimestamp(run.created).strftime("%Y-%m-%d %H:%M")
    now = datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f"<header><h1>Fairness audit: {_e(run.name)}</h1>"
            f'<p class="meta">Report made {_e(now)} · run <code>{_e(run.id)}</code> trained {_e(created)} · '
            f"sensitive column <strong>{_e(ctx.grouping.name)}</strong> · favourable outcome "
            f"<strong>{_e(ctx.fav_name)}</strong> · decision threshold {_e(_threshold_text(ctx.threshold))} · "
            "figures on the test split</p></header>")


def _threshold_text(threshold) -> str:
    if isinstance(threshold, dict):
        return ", ".join(f"{g}: {float(t):g}" for g, t in threshold.items())
    return f"{float(threshold):g}"


def data_section(ctx: Context) -> str:
    ds, s = ctx.ds, ctx.ds.summary()
    rows = s["rows"]
    balance = ", ".join(f"{name} {_pct(share)}" for name, share in s["class_balance"].items())
    counts = ctx.labels.value_counts()
    groups = ", ".join(f"{g} ({int(n)} rows)" for g, n in counts.items())
    items = [("Dataset", ds.name), ("Target", ds.target),
             ("Rows", f"{s['n_rows']} — training {rows['train']}, validation {rows['val']}, test {rows['test']}"),
             ("Class balance", balance), ("Features", f"{len(ds.original_columns)} columns "
                                                      f"({ds.n_features} model inputs)"),
             ("Sensitive column", ctx.grouping.name), ("Its groups (all rows)", groups)]
    if ds.sensitive:
        items.append(("Marked sensitive in the data", ", ".join(ds.sensitive)))
    return _section("Data", _dl(items), "data")


def model_section(ctx: Context) -> str:
    from .spec import NetworkSpec, TrainSpec
    from .model import concrete_loss
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
             ("Loss", concrete_loss(spec.loss, ctx.ds.task).replace("_", " ") + (", balanced class weights" if spec.class_weights == "balanced" else "")),
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
    return _section("Model and training", _dl(items), "model")


def metrics_section(ctx: Context) -> str:
    from .evaluate import classification_report, roc_curves
    p = ctx.preds
    names = list(p.class_names)
    threshold = None
    if len(names) == 2 and not isinstance(ctx.threshold, dict):
        threshold = float(ctx.threshold) if ctx.fav == 1 else 1.0 - float(ctx.threshold)
    rep = classification_report(p.y_true, p.proba, names, threshold=threshold)
    items = [("Accuracy", _pct(rep.accuracy)), ("Macro F1", _num(rep.macro_f1)), ("Rows", rep.n)]
    curves = roc_curves(p.y_true, p.proba, names)
    for c in curves.curves:
        items.append((f"ROC AUC ({c.label})" if len(names) > 2 else "ROC AUC", _num(c.auc)))
    per_class = [[row["class"], _num(row["precision"]), _num(row["recall"]), _num(row["f1"]), int(row["support"])]
                 for _, row in rep.per_class.iterrows()]
    body = _dl(items) + _table(["Class", "Precision", "Recall", "F1", "Rows"], per_class)
    if isinstance(ctx.threshold, dict):
        body += "<p class=\"note\">Accuracy here uses the most likely class; the group thresholds apply below.</p>"
    return _section("Performance on the test split", body, "metrics")


def _with_interval(row, key: str) -> Raw:
    lo, hi = row.get(f"{key}_lo"), row.get(f"{key}_hi")
    ci = f'<span class="ci">[{_pct(lo, 0)}–{_pct(hi, 0)}]</span>' if _finite(lo) and _finite(hi) else ""
    return Raw(f"{escape(_pct(row[key]))} {ci}")


def groups_section(ctx: Context) -> str:
    a = ctx.audit
    rows = []
    for name, row in a.groups.iterrows():
        flag = Raw('<span class="flag" title="fewer than 30 rows">small group</span>') if row["small"] else ""
        rows.append([name, int(row["count"]), _pct(row["base_rate"]), _with_interval(row, "selection_rate"),
                     _with_interval(row, "tpr"), _with_interval(row, "fpr"), _with_interval(row, "accuracy"),
                     _pct(row["precision"]), flag])
    overall = a.overall
    rows.append([Raw("<strong>all rows</strong>"), int(a.groups["count"].sum()), "", _pct(overall["selection_rate"]),
                 _pct(overall["tpr"]), _pct(overall["fpr"]), _pct(overall["accuracy"]), "", ""])
    legend = ("<p class=\"note\">Base rate: share truly " + _e(repr(ctx.fav_name)) + ". Selection rate: share "
              "predicted " + _e(repr(ctx.fav_name)) + ". TPR: of the truly favourable, share recognised. FPR: of the "
              "others, share wrongly favoured. Brackets: 95 % bootstrap intervals. Groups under "
              f"{F.SMALL_GROUP} rows are flagged: their rates swing with a few rows.</p>")
    table = _table(["Group", "Rows", "Base rate", "Selection rate", "TPR", "FPR", "Accuracy", "Precision", ""],
                   rows, cls="groups")
    return _section(f"Groups of {ctx.grouping.name}", table + legend, "groups")


def four_fifths(ratio: float) -> tuple[str, str]:
    """(css class, verdict) of the four-fifths rule on the demographic parity ratio."""
    if not _finite(ratio):
        return "unknown", "The four-fifths rule cannot be applied: a group has no favourable predictions at all."
    if ratio >= F.FOUR_FIFTHS:
        return "pass", (f"Passes the four-fifths rule: the lowest selection rate is {ratio:.0%} of the highest "
                        "(at least 80 %).")
    return "fail", (f"Fails the four-fifths rule: the lowest selection rate is only {ratio:.0%} of the highest "
                    "(below 80 %), a disparity regulators would question.")


def disparities_section(ctx: Context) -> str:
    a = ctx.audit
    cls, verdict = four_fifths(a.disparities["demographic_parity_ratio"])
    rows = [[F.DISPARITY_LABELS[k], _num(v), DISPARITY_HELP[k]] for k, v in a.disparities.items()]
    sentences = "".join(f"<li>{_e(s)}</li>" for s in a.sentences)
    notes = "".join(f"<li>{_e(n)}</li>" for n in a.notes)
    body = (f'<p class="verdict {cls}">{_e(verdict)}</p><ul class="sentences">{sentences}</ul>'
            + _table(["Disparity", "Value", "What it measures"], rows, cls="disparities", numeric_from=1))
    if notes:
        body += f'<h3>Notes</h3><ul class="notes">{notes}</ul>'
    return _section("Disparities", body, "disparities")


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
    body = (_figure(selection, "Bars: selection rate; whiskers: 95 % bootstrap interval; dashed line: all rows.")
            + _figure(errors, "Equal opportunity asks for equal TPR; equalized odds for equal TPR and FPR."))
    curve = training_curve(ctx)
    if curve:
        body += curve
    return _section("Charts", body, "charts")


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
    return _figure(svg, f"Measured at each evaluated epoch on the validation rows, groups of '{column}', "
                        "threshold 0.5.")


def explanations_section(ctx: Context) -> str:
    from .explain import RunExplainer
    att = RunExplainer.open(ctx.store, ctx.run.id).shap(limit=SHAP_ROWS)
    values, unit = att.of(ctx.fav), att.unit(ctx.fav)          # the log-odds of the favourable class
    importance = np.abs(values).mean(axis=0)
    order = np.argsort(-importance, kind="stable")[:TOP_COLUMNS]
    top = [(att.features[i], float(importance[i])) for i in order]
    fav = ctx.fav_name
    bars = svg_value_bars(top, f"Mean |SHAP| on the {unit}, top {len(top)} columns")
    body = _figure(bars, f"Average size of each column's push towards or away from {fav!r}, over "
                         f"{len(att.rows)} test rows ({att.method} Shapley values), in log-odds: "
                         "log(p / (1 − p)) of the favourable outcome.")
    direct = [(c, float(importance[att.features.index(c)])) for c in ctx.grouping.columns if c in att.features]
    for col, value in direct:
        rank = int((importance > value).sum()) + 1
        body += (f"<p class=\"note\"><strong>{_e(repr(col))} is itself a model input</strong>: it ranks "
                 f"{rank} of {len(att.features)} columns by mean |SHAP| ({value:.3f}), so the model's decisions "
                 "depend on the group directly, not only through proxies.</p>")
    groups = ctx.labels.loc[ctx.ds.raw.index[np.asarray(att.rows)]].to_numpy()
    if len(set(groups)) >= 2:
        gaps = F.attribution_gaps(values, att.features, groups).head(TOP_GAPS)
        group_cols = [c for c in gaps.columns if c != "gap"]
        rows = [[col] + [_num(gaps.loc[col, g]) for g in group_cols] + [_num(gaps.loc[col, "gap"])]
                for col in gaps.index]
        body += ("<h3>Where the groups are treated differently</h3>"
                 f"<p class=\"note\">Mean SHAP value per group, on the {_e(unit)} (positive pushes towards "
                 f"{_e(repr(fav))}); the "
                 "columns whose average push differs most between groups come first.</p>"
                 + _table(["Column"] + [str(g) for g in group_cols] + ["Gap"], rows, cls="gaps"))
    return _section("What drives the decisions", body, "explanations")


def proxies_section(ctx: Context) -> str:
    ds = ctx.ds
    train_groups = ctx.labels.loc[ds.raw.index[ds.idx_train]].to_numpy()
    table = F.proxies(ds, train_groups, exclude=ctx.grouping.columns).head(TOP_PROXIES)
    rows = [[r["column"], _num(r["mutual_information_bits"]), _num(r["correlation_ratio"])]
            for _, r in table.iterrows()]
    body = ("<p class=\"note\">Columns that carry information about the groups (on the training rows) can stand "
            "in for the sensitive column even when it is not a model input; the sensitive column itself is left "
            "out. Mutual information in bits (0 = tells nothing); "
            "correlation ratio for numeric columns (0–1).</p>"
            + _table(["Column", "Mutual information (bits)", "Correlation ratio"], rows, cls="proxies"))
    return _section("Possible proxies", body, "proxies")


def mitigations_section(ctx: Context, mitigations: list[dict] | None) -> str:
    if not mitigations:
        return ""
    a = ctx.audit
    base = {"accuracy": a.overall["accuracy"], "demographic_parity_difference": a.disparities[
        "demographic_parity_difference"], "equalized_odds_difference": a.disparities["equalized_odds_difference"]}

    def cells(m: dict) -> list:
        out = []
        for key, fmt in (("accuracy", _pct), ("demographic_parity_difference", _num),
                         ("equalized_odds_difference", _num)):
            v = m.get(key)
            delta = ""
            if _finite(v) and _finite(base[key]):
                d = float(v) - float(base[key])
                size = f"{abs(d) * 100:.1f} pts" if key == "accuracy" else _num(abs(d))
                delta = f' <span class="delta">({"+" if d >= 0 else "−"}{size})</span>'
            out.append(Raw(escape(fmt(v)) + delta))
        return out

    rows = [[Raw("<em>this run, as audited above</em>")] + [Raw(escape(f(base[k]))) for k, f in
                                                           (("accuracy", _pct),
                                                            ("demographic_parity_difference", _num),
                                                            ("equalized_odds_difference", _num))]]
    rows += [[str(m.get("name", "(unnamed)"))] + cells(m) for m in mitigations]
    body = ("<p class=\"note\">Variants tried to reduce the disparities, with the change against this run in "
            "brackets. Lower differences are fairer; watch what accuracy they cost.</p>"
            + _table(["Variant", "Accuracy", "DP difference", "EO difference"], rows, cls="mitigations"))
    return _section("Mitigations tried", body, "mitigations")


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1d1d1f; background: #fff; margin: 0 auto; max-width: 980px; padding: 28px 32px 48px;
       line-height: 1.45; font-size: 15px; }
header { border-bottom: 3px solid #3566a8; margin-bottom: 8px; padding-bottom: 10px; }
h1 { font-size: 26px; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ddd; color: #23467a; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #555; margin: 0; font-size: 13px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0 0 12px; }
dt { color: #555; } dd { margin: 0; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13.5px; min-width: 55%; }
table.groups, table.disparities { width: 100%; }
th, td { padding: 5px 8px; border-bottom: 1px solid #e2e2e2; text-align: left; vertical-align: top; }
th { background: #f3f5f8; font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.groups tbody tr:last-child td { border-top: 2px solid #ccc; background: #fafafa; }
.ci { color: #777; font-size: 12px; }
.delta { color: #777; font-size: 12px; }
.flag { background: #fff2cc; color: #7a5a00; border: 1px solid #e6c65c; border-radius: 3px; padding: 0 5px;
        font-size: 12px; white-space: nowrap; }
.verdict { padding: 8px 12px; border-radius: 4px; font-weight: 600; margin: 6px 0 10px; }
.verdict.pass { background: #e7f5ec; border-left: 5px solid #2e8b57; }
.verdict.fail { background: #fdecea; border-left: 5px solid #b03a48; }
.verdict.unknown { background: #f1f1f1; border-left: 5px solid #888; }
.note { color: #555; font-size: 13px; margin: 4px 0 10px; }
ul.sentences li { margin-bottom: 4px; }
figure { margin: 12px 0 18px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #555; font-size: 12.5px; margin-top: 2px; }
footer { margin-top: 36px; color: #777; font-size: 12px; border-top: 1px solid #ddd; padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  table { font-size: 9pt; }
  td.num { white-space: normal; }
  .ci { display: block; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, table, dl, .verdict, ul.sentences { break-inside: avoid; page-break-inside: avoid; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .verdict, .flag, svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""


def audit_report(store, run_id: str, sensitive, *, favourable: str | None = None, threshold: float | dict = 0.5,
                 bins: dict | None = None, mitigations: list[dict] | None = None) -> str:
    """The fairness audit of a stored classification run as one self-contained HTML page."""
    ctx = build_context(store, run_id, sensitive, favourable=favourable, threshold=threshold, bins=bins)
    sections = [data_section(ctx), model_section(ctx), metrics_section(ctx), groups_section(ctx),
                disparities_section(ctx), charts_section(ctx), explanations_section(ctx), proxies_section(ctx),
                mitigations_section(ctx, mitigations)]
    title = f"Fairness audit: {ctx.run.name}"
    footer = ("<footer>Made by Glassnet. Metrics and disparities: fairlearn; intervals: 95 % bootstrap within each "
              "group; explanations: Shapley values of the log-odds of the favourable outcome, log(p / (1 − p)). "
              "A disparity is a signal to "
              "investigate, not by itself a proof of discrimination.</footer>")
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{CSS}</style></head><body>{header(ctx)}<main>{''.join(sections)}</main>{footer}</body></html>\n")
