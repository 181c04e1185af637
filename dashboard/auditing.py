"""The Fairness page's pieces: which run, groups, favourable label and split; the audit at a
threshold (global or per group); where the gap comes from; mitigations compared; the report.

The page script (pages/fairness.py) calls these top to bottom. The numbers are core.fairness's;
here they are asked for, kept in the session (a widget move never refits), and shown.
The plain functions at the top need no Streamlit session and are tested directly.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core import fairness as F
from core.data import DataError
from core.spec import SpecError
from core.runs import StoreError
from dashboard.charts import fairness as charts
from dashboard.state import choose, choose_run, dataset_for, session_cache, set_current_run
from dashboard.text import md_plain as md
from dashboard.widgets import HELP

AUDITABLE = ("finished", "stopped", "interrupted")
SPLITS = {"test": "test", "validation": "validation", "train": "training"}
SWEEP = np.round(np.arange(0.05, 0.951, 0.05), 2)
SHAP_ROWS = 200                 # the same request as the report's, so either one fills the other's cache
SEP = " · "
PENALTIES = {"demographic_parity": "demographic parity (DP)", "equalized_odds": "equalized odds (EO)"}
PENALTY_SHORT = {"demographic_parity": "DP", "equalized_odds": "EO"}
CHART = {"displayModeBar": False}
PARETO_X = {"demographic_parity_difference": "DP difference", "equalized_odds_difference": "EO difference"}


# =====================================================================================
# Plain helpers (no Streamlit session needed)
# =====================================================================================


def parse_edges(text: str, column: str) -> tuple[float, ...] | None:
    """Band edges from 'a, b, c' (None when empty: every value its own group, or automatic bands)."""
    parts = [p.strip() for p in str(text or "").replace(";", ",").split(",") if p.strip()]
    if not parts:
        return None
    out = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            raise F.FairnessError(f"The band edges of '{column}' must be numbers separated by commas (e.g. 25, 35, 50); "
                                  f"{p!r} is not a number.") from None
        if not math.isfinite(v):
            raise F.FairnessError(f"The band edges of '{column}' must be ordinary numbers; {p!r} is not.")
        out.append(v)
    return tuple(sorted(set(out)))


def format_edges(edges) -> str:
    return ", ".join(f"{float(e):g}" for e in (edges or ()))


def column_options(dataset) -> list[str]:
    """Columns a fairness audit can group by: the dataset's sensitive ones first, then every other column
    of the table but the target."""
    cols = [str(c) for c in dataset.raw.columns if str(c) != str(dataset.target)]
    first = [c for c in dataset.sensitive if c in cols]
    return first + [c for c in cols if c not in first]


def is_numeric(dataset, column: str) -> bool:
    s = dataset.raw[column]
    values = pd.to_numeric(s.dropna(), errors="coerce")
    return bool(len(values)) and bool(values.notna().all()) and not pd.api.types.is_bool_dtype(s)


def default_edges(dataset, column: str) -> tuple[float, ...]:
    """The bands the training-time audit uses: cut at the training rows' quantiles when the column has
    many values, else none (each value its own group)."""
    try:
        return F.training_grouping(dataset, [column]).edges(column) or ()
    except F.FairnessError:
        return ()


def favourable_proba(proba: np.ndarray, fav: int) -> np.ndarray:
    p = np.asarray(proba, float)
    if p.ndim == 1:
        return p if fav == 1 else 1 - p
    return p[:, fav]


def rates_at(y: np.ndarray, pred: np.ndarray, groups: np.ndarray) -> dict:
    """Accuracy and the demographic parity / equalized odds / equal opportunity differences (largest gap
    between groups, as fairlearn defines them) of 0/1 decisions."""
    y, pred, groups = np.asarray(y).astype(int), np.asarray(pred).astype(int), np.asarray(groups).astype(str)
    sel, tpr, fpr = [], [], []
    for g in pd.unique(groups):
        m = groups == g
        yg, pg = y[m], pred[m]
        sel.append(pg.mean())
        tpr.append(pg[yg == 1].mean() if (yg == 1).any() else np.nan)
        fpr.append(pg[yg == 0].mean() if (yg == 0).any() else np.nan)

    def gap(v):
        v = np.asarray(v, float)
        v = v[np.isfinite(v)]
        return float(v.max() - v.min()) if len(v) else float("nan")
    tpr_gap, fpr_gap = gap(tpr), gap(fpr)
    return {"accuracy": float((y == pred).mean()), "demographic_parity_difference": gap(sel),
            "equalized_odds_difference": float(np.nanmax([tpr_gap, fpr_gap])) if np.isfinite([tpr_gap, fpr_gap]).any()
            else float("nan"), "equal_opportunity_difference": tpr_gap}


def sweep(y, proba, groups, thresholds=SWEEP) -> pd.DataFrame:
    """Accuracy and disparities at each global threshold."""
    p = np.asarray(proba, float)
    rows = [{"threshold": float(t), **rates_at(y, (p >= t).astype(int), groups)} for t in thresholds]
    return pd.DataFrame(rows)


def variant_name(run_name: str, kind: str, lam: float | None = None) -> str:
    if kind == "reweigh":
        return f"{run_name}{SEP}reweighed"
    return f"{run_name}{SEP}{PENALTY_SHORT.get(kind, kind)} penalty λ={lam:g}"


def variants_of(runs, run) -> list:
    """Runs started from this one on the Fairness page: their parent is this run (renaming either
    keeps the link). Runs from workspaces older than the parent link count when they are named
    '<run name> · …' and trained with a mitigation (reweighing or a fairness penalty)."""
    prefix = f"{run.name}{SEP}"
    out = []
    for r in runs:
        if r.id == run.id:
            continue
        if r.parent is not None:
            if r.parent == run.id:
                out.append(r)
            continue
        t = r.train or {}
        if r.name.startswith(prefix) and (t.get("reweigh") or t.get("fairness_penalty", "none") != "none"):
            out.append(r)
    return sorted(out, key=lambda r: r.created)


def readable_rule(rule: str) -> str:
    """fairlearn's '[>0.4496150016784668] with probability 0.53, else [>0.33431…]' as
    'probability > 0.45 (53 % of the time), else > 0.33'."""
    rule = re.sub(r"\[>\s*(-?[0-9.]+(?:e-?\d+)?)\]", lambda m: f"> {float(m.group(1)):.2f}", str(rule))
    rule = re.sub(r"\[<\s*(-?[0-9.]+(?:e-?\d+)?)\]", lambda m: f"< {float(m.group(1)):.2f}", rule)
    rule = re.sub(r"with probability ([0-9.]+)", lambda m: f"({float(m.group(1)):.0%} of the time)", rule)
    return "probability " + rule


def group_table(audit: F.Audit) -> pd.DataFrame:
    """The per-group table as shown: rates as numbers (formatted by the page), intervals as text."""
    g = audit.groups

    def ci(key):
        return [f"{lo:.0%}–{hi:.0%}" if np.isfinite(lo) and np.isfinite(hi) else "—"
                for lo, hi in zip(g[f"{key}_lo"], g[f"{key}_hi"])]
    return pd.DataFrame({
        "group": [str(n) for n in g.index], "rows": g["count"].astype(int).to_numpy(),
        "small": ["⚠ small" if s else "" for s in g["small"]],
        "base rate": g["base_rate"].to_numpy(float), "selection rate": g["selection_rate"].to_numpy(float),
        "selection 95% CI": ci("selection_rate"), "accuracy": g["accuracy"].to_numpy(float),
        "accuracy 95% CI": ci("accuracy"), "TPR": g["tpr"].to_numpy(float), "TPR 95% CI": ci("tpr"),
        "FPR": g["fpr"].to_numpy(float), "FPR 95% CI": ci("fpr"), "FNR": g["fnr"].to_numpy(float),
        "precision": g["precision"].to_numpy(float), "mean probability": g["mean_proba"].to_numpy(float),
    })


# =====================================================================================
# Session cache, predictions
# =====================================================================================


def cached(kind: str, key, compute):
    """compute()'s result kept in this session (the page's 24 most recently used results)."""
    return session_cache("_fa_cache", kind, key, compute, keep=24)


@dataclass
class Scored:
    """A run's predictions on every split: row ids, true class and class probabilities."""
    run: object
    dataset: object
    epoch: int
    splits: dict                 # split → (ids, y, proba [n, classes])
    grid: np.ndarray | None = None       # 2-D data: class probabilities over the plane [R, R, classes]
    extent: list | None = None           # that plane: [(x_lo, x_hi), (y_lo, y_hi)]


@st.cache_resource(show_spinner="Loading the network and predicting…", max_entries=24)
def _scored(home: str, run_id: str, updated: float, _store) -> Scored:
    from core.runs import load_run, predict_array
    loaded = load_run(_store, run_id)
    ds = loaded.dataset
    splits = {}
    for split in SPLITS:
        X, y = ds.split(split)
        ids = getattr(ds, f"idx_{'val' if split == 'validation' else split}")
        splits[split] = (np.asarray(ids), np.asarray(y),
                         predict_array(loaded.net, X) if len(X) else np.zeros((0, ds.n_classes or 1)))
    grid = extent = None
    if ds.is_2d and ds.task == "classification":
        from core.training import BOUNDARY_RESOLUTION, boundary_extent, boundary_points
        extent = boundary_extent(ds.X_train)
        grid = predict_array(loaded.net, boundary_points(extent)).reshape(
            BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, -1)
    return Scored(loaded.run, ds, loaded.epoch, splits, grid, extent)


def scored(store, run) -> Scored | None:
    try:
        return _scored(str(store.home), run.id, run.updated, store)
    except (StoreError, DataError, SpecError, ValueError, OSError, RuntimeError, KeyError) as e:
        st.error(f"This run cannot be audited: {e}")
        st.caption("Its data or weights could not be loaded; pick another run.")
        return None


# =====================================================================================
# The page's steps
# =====================================================================================


def pick_run(store, runs):
    """The run selector (the URL's run first); returns the chosen Run."""
    by_id = choose_run("fa_run", runs)
    run_id = st.selectbox("Run", list(by_id), key="fa_run", help=HELP["fair_run"],
                          format_func=lambda i: f"{by_id[i].name} · {by_id[i].dataset.get('name', '')} · "
                                                f"{by_id[i].status}")
    set_current_run(run_id)
    return by_id[run_id]


@dataclass
class Setup:
    columns: list[str]
    bins: dict                  # column → edges (numeric columns with edges)
    favourable: int
    split: str


def settings(ds) -> Setup | None:
    """Sensitive column(s) with their band edges, favourable label and split; None after a message."""
    options = column_options(ds)
    before = st.session_state.get("fa_sensitive")
    chosen = [c for c in (before or []) if c in options][:2]
    if not chosen and options and (before is None or len(before)):    # first visit, or another dataset's columns
        chosen = [options[0]]
    st.session_state["fa_sensitive"] = chosen
    names = list(ds.class_names)
    default_fav = F.favourable_index(names, None)
    choose("fa_fav", list(range(len(names))), default_fav)
    choose("fa_split", list(SPLITS), "test")
    c1, c2, c3 = st.columns([3, 2, 2])
    columns = c1.multiselect("Sensitive attribute(s)", options, key="fa_sensitive", max_selections=2,
                             help=HELP["fair_sensitive"],
                             format_func=lambda c: f"{c} (marked sensitive)" if c in ds.sensitive else c)
    fav = c2.selectbox("Favourable label", list(range(len(names))), key="fa_fav", format_func=lambda k: names[k],
                       help=HELP["fair_favourable"])
    split = c3.radio("Rows to audit", list(SPLITS), key="fa_split", format_func=lambda s: f"{SPLITS[s]} rows",
                     horizontal=True, help=HELP["fair_split"])
    if len(names) > 2:
        st.info(f"This run has {len(names)} classes. A fairness audit compares one decision between groups, so "
                f"it is made **one class against the rest**: '{md(names[fav])}' counts as the favourable outcome, "
                "every other class as not. Pick another favourable label to audit another class.",
                icon=":material/call_split:")
    if not columns:
        st.warning("Choose a sensitive attribute above (for example sex or age) to compare its groups; pick a "
                   "second one to audit their intersection (e.g. sex × age band).", icon=":material/group:")
        return None
    bins = {}
    numeric = [c for c in columns if is_numeric(ds, c)]
    if numeric:
        cols = st.columns(len(numeric))
        for col, c in zip(cols, numeric):
            key = f"fa_edges::{ds.name}::{c}"
            st.session_state.setdefault(key, format_edges(default_edges(ds, c)))
            st.session_state[key] = st.session_state[key]
            text = col.text_input(f"Band edges for '{c}'", key=key, help=HELP["fair_edges"],
                                  placeholder="e.g. 25, 35, 50 (empty: one group per value)")
            try:
                edges = parse_edges(text, c)
            except F.FairnessError as e:
                st.error(str(e), icon=":material/error:")
                return None
            if edges:
                bins[c] = edges
    return Setup(list(columns), bins, int(fav), split)


@dataclass
class Groups:
    grouping: F.Grouping
    labels: dict                # split → group of each row
    notes: list[str]


def groups_of(sc: Scored, setup: Setup) -> Groups | None:
    """Every split's group labels (bands cut as the user set them, else at the training rows' quantiles)."""
    ds = sc.dataset
    try:
        grouping = F.training_grouping(ds, setup.columns, setup.bins)
        labels, notes = {}, []
        for split, (ids, _, _) in sc.splits.items():
            if not len(ids):
                continue
            try:
                labels[split], n = F.group_labels(ds.raw.iloc[ids], grouping)
            except F.FairnessError:
                if split == setup.split:
                    raise
                continue
            if split == setup.split:
                notes = n
        return Groups(grouping, labels, notes)
    except F.FairnessError as e:
        st.error(str(e), icon=":material/error:")
        return None


def threshold_settings(names: list[str]) -> float | dict:
    """The global threshold slider and, in an expander, one slider per group; returns what applies."""
    st.session_state.setdefault("fa_threshold", 0.5)
    st.session_state["fa_threshold"] = st.session_state["fa_threshold"]
    t = st.slider("Decision threshold", 0.0, 1.0, key="fa_threshold", step=0.01, help=HELP["fair_threshold"])
    st.session_state.setdefault("fa_per_group", False)
    with st.expander("Per-group thresholds", icon=":material/tune:",
                     expanded=bool(st.session_state["fa_per_group"])):
        on = st.toggle("Use a threshold per group", key="fa_per_group", help=HELP["fair_per_group"])
        out = {}
        cols = st.columns(min(3, max(1, len(names))))
        for i, g in enumerate(names):
            key = f"fa_gt::{g}"
            if key not in st.session_state or not on:
                st.session_state[key] = float(t)
            st.session_state[key] = st.session_state[key]
            out[g] = cols[i % len(cols)].slider(f"Threshold for {g}", 0.0, 1.0, key=key, step=0.01, disabled=not on,
                                                help=HELP["fair_group_threshold"])
    return {g: float(v) for g, v in out.items()} if on else float(t)


def show_groups(audit: F.Audit, favourable: str) -> None:
    pct = st.column_config.NumberColumn(format="percent")
    table = group_table(audit)
    if not audit.groups["small"].any():
        table = table.drop(columns=["small"])
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "group": st.column_config.TextColumn("group", help="The group's value(s) of the sensitive attribute."),
        "rows": st.column_config.NumberColumn("rows", help="How many rows of the audited split are in the group."),
        "small": st.column_config.TextColumn("⚠", help=f"Fewer than {F.SMALL_GROUP} rows: the rates swing with a "
                                                      "few rows — read the intervals."),
        "base rate": st.column_config.NumberColumn("base rate", format="percent",
                                                   help=f"Share of the group whose true label is '{favourable}'."),
        "selection rate": st.column_config.NumberColumn("selection rate", format="percent",
                                                        help=f"Share of the group the model predicts '{favourable}'."),
        "accuracy": pct, "TPR": st.column_config.NumberColumn(
            "TPR", format="percent", help=f"Of the truly '{favourable}' rows, the share the model recognises."),
        "FPR": st.column_config.NumberColumn(
            "FPR", format="percent", help=f"Of the rows that are not '{favourable}', the share wrongly favoured."),
        "FNR": st.column_config.NumberColumn("FNR", format="percent", help="1 − TPR: the truly favourable missed."),
        "precision": st.column_config.NumberColumn(
            "precision", format="percent", help=f"When the model says '{favourable}', how often it is right."),
        "mean probability": st.column_config.NumberColumn(
            "mean probability", format="percent", help=f"The model's average probability of '{favourable}'."),
    })
    c1, c2 = st.columns(2)
    c1.plotly_chart(charts.selection_rates(audit.groups, favourable, audit.overall["selection_rate"]),
                    config=CHART, key="fa_chart_selection")
    c2.plotly_chart(charts.error_rates(audit.groups), config=CHART, key="fa_chart_errors")
    st.caption("Bars: the rate in each group; whiskers: its 95 % bootstrap interval (rows resampled within the "
               "group); pale bars: small groups. Dashed line: the rate over all rows.")


def four_fifths(ratio: float) -> tuple[str, str]:
    from core.report import four_fifths as verdict
    return verdict(ratio)


def show_disparities(audit: F.Audit) -> None:
    d = audit.disparities
    kind, verdict = four_fifths(d["demographic_parity_ratio"])
    {"pass": st.success, "fail": st.error}.get(kind, st.info)(
        verdict, icon=":material/check_circle:" if kind == "pass" else ":material/gavel:")
    cols = st.columns(3)
    for i, key in enumerate(("demographic_parity_difference", "demographic_parity_ratio",
                             "equalized_odds_difference", "equalized_odds_ratio", "equal_opportunity_difference",
                             "predictive_parity_difference")):
        v = d[key]
        cols[i % 3].metric(F.DISPARITY_LABELS[key], "—" if not np.isfinite(v) else f"{v:.3f}",
                           help=HELP[f"fair_{key}"])
    st.markdown("\n".join(f"- {md(s)}" for s in audit.sentences))
    for note in audit.notes:
        st.caption(f"Note: {md(note)}")


def show_sweep(y, proba, labels, threshold) -> None:
    frame = sweep(y, proba, labels)
    current = threshold if isinstance(threshold, float) else None
    st.plotly_chart(charts.threshold_sweep(frame, current), config=CHART, key="fa_chart_sweep")
    st.caption("Each point audits the same rows at one threshold for every group. Moving the threshold trades "
               "accuracy against the gaps; the group thresholds below (mitigations) move each group separately.")


# --------------------------------------------------------------------------- where the gap comes from


def show_sources(store, run, sc: Scored, g: Groups, setup: Setup) -> None:
    ds = sc.dataset
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Proxies:** columns that carry the group")
        train = g.labels.get("train")
        if train is None:
            st.info("The training rows could not be grouped, so proxies cannot be measured.")
        else:
            key = (run.id, run.updated, repr(g.grouping))
            try:
                table = cached("proxies", key, lambda: F.proxies(ds, train, exclude=g.grouping.columns))
            except (ValueError, F.FairnessError) as e:
                st.error(f"Proxies could not be measured: {e}")
                table = None
            if table is not None and len(table):
                st.plotly_chart(charts.proxies(table), config=CHART, key="fa_chart_proxies")
                st.caption("Mutual information with the group on the training rows (0 = tells nothing about it). "
                           "A model can learn the group from such columns even without the sensitive column itself.")
    with c2:
        st.markdown("**SHAP gap:** which columns push the groups differently")
        show_shap_gap(store, run, sc, g, setup)


def show_boundary(sc: Scored, g: Groups, setup: Setup, threshold) -> None:
    """2-D data: the plane coloured by what the network predicts, the audited rows coloured by group,
    and the line where the decision flips — one per group when each group has its own threshold."""
    from dashboard.train.charts import group_boundary_figure
    ds = sc.dataset
    X, _ = ds.split(setup.split)
    _, y, _ = sc.splits[setup.split]
    labels = g.labels.get(setup.split)
    if sc.grid is None or labels is None or not len(X):
        return
    fig = group_boundary_figure(sc.grid, sc.extent, class_names=ds.class_names,
                                points=[(X, y, labels, SPLITS[setup.split])], feature_names=ds.feature_names[:2],
                                lines=threshold, favourable=setup.favourable, height=460)
    st.markdown("**The decision boundary by group**")
    st.plotly_chart(fig, config=CHART, key="fa_chart_boundary")
    fav = md(ds.class_names[setup.favourable])
    how = ("one line per group: each is where that group's own threshold flips the decision"
           if isinstance(threshold, dict) else "the dashed line is where the decision flips at the threshold above")
    st.caption(f"Background: the network's prediction over the two inputs (scaled). Marks: the {SPLITS[setup.split]} "
               f"rows, colour = group, shape = true class; {how} (rows on its '{fav}' side get '{fav}'). The network "
               "never sees the "
               "group — if the groups sit in different places, the line can treat them differently all the same.")


def show_shap_gap(store, run, sc: Scored, g: Groups, setup: Setup) -> None:
    from dashboard.explaining import open_explainer
    ex = open_explainer(store, run, "last")
    if ex is None:
        return
    att = ex.shap(limit=SHAP_ROWS, cached_only=True)
    if att is None:
        box = st.empty()
        with box.container():
            st.caption(f"SHAP values of {SHAP_ROWS} test rows are not computed yet for this run (they take a few "
                       "seconds; the Explain page and the report use the same ones).")
            go = st.button("Compute the SHAP gap", key="fa_shap", icon=":material/calculate:", help=HELP["fair_shap"])
        if not go:
            return
        box.empty()
        with st.spinner("Computing SHAP values…"):
            try:
                att = ex.shap(limit=SHAP_ROWS)
            except (ValueError, RuntimeError, MemoryError) as e:
                st.error(f"SHAP values could not be computed: {e}")
                return
    ds = sc.dataset
    try:
        groups, _ = F.group_labels(ds.raw.iloc[np.asarray(att.rows)], g.grouping)
    except F.FairnessError as e:
        st.info(f"The explained rows cannot be compared by group: {e}")
        return
    values, unit = att.of(setup.favourable), att.unit(setup.favourable)   # log-odds of the favourable class
    gaps = F.attribution_gaps(values, att.features, groups)
    st.plotly_chart(charts.shap_gaps(gaps, unit=unit), config=CHART, key="fa_chart_shap_gap")
    fav = ds.class_names[setup.favourable]
    top = gaps.index[0]
    st.caption(f"Mean SHAP value per group over {len(att.rows)} test rows, on the {md(unit)} (positive pushes "
               f"towards '{md(fav)}'). "
               f"'{md(top)}' pushes the groups most differently (gap {gaps['gap'].iloc[0]:.3f}).")


# --------------------------------------------------------------------------- mitigations


@dataclass
class Variant:
    name: str
    kind: str                   # original | threshold | training
    accuracy: float
    demographic_parity_difference: float
    equalized_odds_difference: float
    selection: pd.Series        # group → selection rate
    detail: str = ""

    def as_report(self) -> dict:
        return {"name": self.name, "accuracy": self.accuracy,
                "demographic_parity_difference": self.demographic_parity_difference,
                "equalized_odds_difference": self.equalized_odds_difference}


def as_variant(name, kind, audit: F.Audit, detail="") -> Variant:
    return Variant(name, kind, audit.overall["accuracy"], audit.disparities["demographic_parity_difference"],
                   audit.disparities["equalized_odds_difference"], audit.groups["selection_rate"], detail)


def threshold_variants(run, sc: Scored, g: Groups, setup: Setup, fav_name: str) -> tuple[list[Variant], list[str]]:
    """Group thresholds fitted (fairlearn's ThresholdOptimizer) on the training + validation rows for each
    constraint, audited on the chosen split. Returns (variants, problems in words)."""
    fit_splits = [s for s in ("train", "validation") if s in g.labels and len(sc.splits[s][0])]
    y_fit = np.concatenate([(sc.splits[s][1] == setup.favourable).astype(int) for s in fit_splits])
    p_fit = np.concatenate([favourable_proba(sc.splits[s][2], setup.favourable) for s in fit_splits])
    g_fit = np.concatenate([g.labels[s] for s in fit_splits])
    _, y, proba = sc.splits[setup.split]
    y_fav = (y == setup.favourable).astype(int)
    p_fav = favourable_proba(proba, setup.favourable)
    labels = g.labels[setup.split]
    out, problems = [], []
    for constraint, label in F.CONSTRAINTS.items():
        key = (run.id, run.updated, repr(g.grouping), setup.favourable, setup.split, constraint)

        def compute(constraint=constraint):
            m = F.fit_thresholds(y_fit, p_fit, g_fit, constraint)
            pred = m.predict(p_fav, labels, seed=0)
            a = F.audit(y_fav, p_fav, labels, favourable=fav_name, grouping=g.grouping.name, n_boot=0,
                        predictions=pred)
            return a, m.thresholds()
        try:
            a, rules = cached("thresholds", key, compute)
        except (F.FairnessError, ValueError, KeyError) as e:
            problems.append(f"{label}: {e}")
            continue
        detail = "; ".join(f"{grp}: {readable_rule(rule)}" for grp, rule in rules.items())
        out.append(as_variant(f"{label} thresholds", "threshold", a, detail))
    return out, problems


def start_variant(store, run, kind: str, column: str, lam: float | None = None, edges=None) -> str:
    """Start a new run like `run` (same data, network and settings) with one in-training mitigation,
    on the groups of `column` (cut at `edges` when given, as the audit cuts them)."""
    from core.runs import executor as jobs
    from core.spec import NetworkSpec, TrainSpec
    spec = dict(run.train or {})
    spec.update(sensitive=column, reweigh=kind == "reweigh",
                fairness_penalty="none" if kind == "reweigh" else kind,
                sensitive_bands={column: [float(e) for e in edges]} if edges else {})
    if lam is not None:
        spec["fairness_lambda"] = float(lam)
    train = TrainSpec.from_dict(spec)
    return jobs.submit(store, dataset=run.dataset, network=NetworkSpec.from_dict(run.network), train=train,
                       name=variant_name(run.name, kind, lam), parent=run.id)


def training_controls(store, run, column: str, edges=None) -> None:
    st.markdown("**Before / during training:** retrain this network with a mitigation")
    c1, c2, c3, c4 = st.columns([2, 2, 1.3, 2], vertical_alignment="bottom")
    go_reweigh = c1.button("Retrain reweighed", key="fa_reweigh", icon=":material/balance:",
                           help=HELP["fair_reweigh"], width="stretch")
    choose("fa_penalty", list(PENALTIES), "demographic_parity")
    kind = c2.selectbox("Penalty on the gap", list(PENALTIES), key="fa_penalty", format_func=PENALTIES.get,
                        help=HELP["fair_penalty"])
    st.session_state.setdefault("fa_lambda", 0.3)
    st.session_state["fa_lambda"] = st.session_state["fa_lambda"]
    lam = c3.number_input("λ (weight)", min_value=0.0, max_value=100.0, step=0.1, key="fa_lambda",
                          help=HELP["fair_lambda"])
    go_penalty = c4.button("Retrain with the penalty", key="fa_penalty_go", icon=":material/fitness_center:",
                           help=HELP["fair_penalty_go"], width="stretch")
    if go_reweigh or go_penalty:
        try:
            new = (start_variant(store, run, "reweigh", column, edges=edges) if go_reweigh
                   else start_variant(store, run, kind, column, float(lam), edges=edges))
            st.success(f"Started **{md(store.get_run(new).name)}**: same data, network and settings, groups of "
                       f"'{md(column)}'. It joins the comparison when it finishes.", icon=":material/rocket_launch:")
        except (SpecError, StoreError, ValueError, OSError) as e:
            st.error(f"The variant could not be started: {e}")
    bands = f" in the bands {format_edges(edges)}" if edges else ""
    st.caption(f"The retrained variants form groups from '{md(column)}'{md(bands)}, as audited above, and keep "
               "every other setting of this run.")


def training_variants(store, run, sc: Scored, g: Groups, setup: Setup, threshold, fav_name: str):
    """(finished variants audited like this run, variants still training)."""
    variants = variants_of(store.list_runs(), run)
    done, pending = [], []
    for r in variants:
        if r.status not in AUDITABLE:
            pending.append(r)
            continue
        other = scored(store, r)
        if other is None or setup.split not in other.splits:
            continue
        ids, y, proba = other.splits[setup.split]
        try:
            labels, _ = F.group_labels(other.dataset.raw.iloc[ids], g.grouping)
        except F.FairnessError:
            continue
        key = (r.id, r.updated, repr(g.grouping), setup.favourable, setup.split, repr(threshold))
        a = cached("variant", key, lambda: F.audit((y == setup.favourable).astype(int),
                                                    favourable_proba(proba, setup.favourable), labels,
                                                    threshold=threshold, favourable=fav_name,
                                                    grouping=g.grouping.name, n_boot=0))
        label = r.name[len(run.name) + len(SEP):] if r.name.startswith(run.name + SEP) else r.name
        done.append(as_variant(label, "training", a, r.status))
    return done, pending


@st.fragment(run_every=1.0)
def watch(store, ids: list[str]) -> None:
    runs = [store.get_run(i) for i in ids]
    for r in runs:
        st.caption(f"⏳ {md(r.name)} — {r.status}, epoch {r.epoch} of {(r.train or {}).get('epochs', '?')}")
    if all(r.status in AUDITABLE or r.status == "failed" for r in runs):
        st.rerun()


def show_comparison(variants: list[Variant]) -> None:
    choose("fa_pareto_x", list(PARETO_X), "demographic_parity_difference")
    x = st.radio("Fairness axis", list(PARETO_X), key="fa_pareto_x", format_func=PARETO_X.get, horizontal=True,
                 help=HELP["fair_pareto_x"])
    points = pd.DataFrame([{"name": v.name, "kind": v.kind, "accuracy": v.accuracy,
                            "demographic_parity_difference": v.demographic_parity_difference,
                            "equalized_odds_difference": v.equalized_odds_difference} for v in variants])
    c1, c2 = st.columns([1, 1])
    c1.plotly_chart(charts.pareto(points, x, PARETO_X[x]), config=CHART, key="fa_chart_pareto")
    summary = points.rename(columns={"name": "variant", "demographic_parity_difference": "DP difference",
                                     "equalized_odds_difference": "EO difference"}).drop(columns=["kind"])
    c2.dataframe(summary, hide_index=True, width="stretch", key="fa_variants",
                 column_config={"variant": st.column_config.TextColumn(width="medium"),
                                "accuracy": st.column_config.NumberColumn(format="percent", width="small"),
                                "DP difference": st.column_config.NumberColumn("DP diff.", format="%.3f",
                                                                               width="small"),
                                "EO difference": st.column_config.NumberColumn("EO diff.", format="%.3f",
                                                                               width="small")})
    st.markdown("**Selection rate per group, variant by variant**")
    rates = pd.DataFrame({v.name: v.selection for v in variants})
    rates.index = [str(i) for i in rates.index]
    st.dataframe(rates.rename_axis("group").reset_index(), hide_index=True, width="stretch",
                 column_config={v.name: st.column_config.NumberColumn(format="percent") for v in variants})
    details = [v for v in variants if v.detail and v.kind == "threshold"]
    if details:
        with st.expander("The fitted group thresholds", icon=":material/rule:"):
            for v in details:
                st.markdown(f"- **{md(v.name)}** — {md(v.detail)}")
            st.caption("fairlearn may mix two thresholds at random for a group to meet the constraint exactly.")


# --------------------------------------------------------------------------- report


def show_report(store, run, setup: Setup, threshold, variants: list[Variant]) -> None:
    from core.report import audit_report
    fav = str(run_dataset_classes(store, run)[setup.favourable])
    # the report audits the test rows; mitigations measured on other rows would not compare with it
    mitigations = [v.as_report() for v in variants if v.kind != "original"] if setup.split == "test" else []
    key = (run.id, run.updated, tuple(setup.columns), repr(sorted(setup.bins.items())), fav, repr(threshold),
           repr(mitigations))
    report = st.session_state.get("_fa_report")
    ready = report is not None and report[0] == key
    c1, c2 = st.columns([1, 2], vertical_alignment="center")
    if c1.button("Prepare the audit report", key="fa_report", icon=":material/description:",
                 help=HELP["fair_report"], disabled=ready):
        with st.spinner("Writing the report (with SHAP values of the test rows)…"):
            try:
                html = audit_report(store, run.id, setup.columns if len(setup.columns) > 1 else setup.columns[0],
                                    favourable=fav, threshold=threshold, bins=setup.bins or None,
                                    mitigations=mitigations)
            except (F.FairnessError, ValueError, RuntimeError, OSError) as e:
                st.error(f"The report could not be made: {e}")
                return
        st.session_state["_fa_report"] = report = (key, html)
        ready = True
    if ready:
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in run.name)[:60] or "run"
        c2.download_button("Download the report (HTML)", report[1].encode("utf-8"), f"fairness-{stem}.html",
                           "text/html", key="fa_report_download", icon=":material/download:", on_click="ignore",
                           help=HELP["fair_report_download"], type="primary")
    else:
        c2.caption("One self-contained HTML page: the groups, the disparities in words, charts, SHAP, proxies and "
                   "the mitigations compared above, audited on the test rows. Printable."
                   + ("" if setup.split == "test" else " (Audit the test rows above to include the mitigations.)"))


def run_dataset_classes(store, run) -> list[str]:
    return list(dataset_for(run.dataset).class_names)
