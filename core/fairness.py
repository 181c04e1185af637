"""Is the classifier fair across groups? Per-group metrics and disparities, with fairlearn.

The metrics and disparities come from fairlearn (MetricFrame and its disparity functions);
this module forms the groups (a text column, a numeric column cut into bands, or the
intersection of two), adds bootstrap intervals, turns numbers into sentences, and applies
the after-training mitigation (group-specific thresholds, fairlearn's ThresholdOptimizer).

A multi-class task is audited one class against the rest: the favourable label is the
class whose prediction is the good outcome (a loan approved), everything else is not.
No streamlit here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MAX_GROUPS = 12            # more groups than this are refused (text) or cut into bands (numbers)
SMALL_GROUP = 30           # groups with fewer rows are flagged: their rates swing with a few rows
FOUR_FIFTHS = 0.8
MISSING = "(missing)"


class FairnessError(ValueError):
    """An audit that cannot be made as asked; the message names the problem and the fix."""


# --------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grouping:
    """How rows are put into groups: one or two columns; numeric columns cut at `bins` edges."""

    columns: tuple[str, ...]
    bins: tuple[tuple[str, tuple[float, ...]], ...] = ()

    @classmethod
    def of(cls, columns, bins: dict | None = None) -> "Grouping":
        cols = (columns,) if isinstance(columns, str) else tuple(columns)
        if not 1 <= len(cols) <= 2:
            raise FairnessError("Choose one sensitive column, or two for their intersection (e.g. sex × age band).")
        return cls(cols, tuple(sorted((k, tuple(float(e) for e in v)) for k, v in (bins or {}).items())))

    @property
    def name(self) -> str:
        return " × ".join(self.columns)

    def edges(self, column: str) -> tuple[float, ...] | None:
        return dict(self.bins).get(column)


def _nice(x: float) -> float:
    if x == 0 or not math.isfinite(x):
        return 0.0
    digits = 2 - int(math.floor(math.log10(abs(x))))
    return round(x, max(digits, 0)) if digits > 0 else float(round(x, digits))


def suggest_bins(values, bands: int = 4) -> tuple[float, ...]:
    """Inner cut points at the quantiles, rounded to readable numbers (e.g. age 27, 33, 42)."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(float)
    if v.size == 0:
        return ()
    qs = np.quantile(v, np.linspace(0, 1, bands + 1)[1:-1])
    if np.allclose(v, np.round(v)):
        qs = np.round(qs)
    edges = sorted({_nice(float(q)) for q in qs})
    return tuple(e for e in edges if v.min() < e <= v.max())


def _band_labels(edges: tuple[float, ...]) -> list[str]:
    def fmt(x):
        return f"{x:g}"
    labels = [f"< {fmt(edges[0])}"]
    labels += [f"{fmt(a)}–{fmt(b)}" for a, b in zip(edges[:-1], edges[1:])]
    labels.append(f"≥ {fmt(edges[-1])}")
    return labels


def _column_groups(series: pd.Series, column: str, edges: tuple[float, ...] | None, notes: list[str]) -> np.ndarray:
    missing = series.isna() | series.astype(str).str.strip().isin(["", "nan", "NaN", "None"])
    numeric = pd.to_numeric(series.where(~missing), errors="coerce")
    is_numeric = bool(numeric[~missing].notna().all()) and (~missing).any()
    distinct = series[~missing].astype(str).nunique()
    if is_numeric and (edges is not None or distinct > MAX_GROUPS):
        if edges is None:
            edges = suggest_bins(numeric[~missing])
            notes.append(f"'{column}' has {distinct} different values, so it was cut into bands at "
                         f"{', '.join(f'{e:g}' for e in edges)}; change the edges to compare other bands.")
        edges = tuple(sorted(edges))
        if not edges:
            raise FairnessError(f"'{column}' takes a single value, so there are no groups to compare; "
                                "choose another sensitive column.")
        labels = np.asarray(_band_labels(edges), dtype=object)
        index = np.searchsorted(np.asarray(edges), numeric.to_numpy(float), side="right")
        out = labels[np.clip(index, 0, len(labels) - 1)]
    else:
        if distinct > MAX_GROUPS:
            raise FairnessError(
                f"'{column}' has {distinct} different values; a fairness audit compares a few groups (at most "
                f"{MAX_GROUPS}). Choose a column with fewer values, or a numeric column that can be cut into bands.")
        out = series.astype(str).str.strip().to_numpy(object)
    if missing.any():
        out = np.where(missing.to_numpy(), MISSING, out)
        k = int(missing.sum())
        notes.append(f"{k} row{'s have' if k > 1 else ' has'} no '{column}'; they form their own group {MISSING!r}.")
    return out


def training_grouping(dataset, columns, bins: dict | None = None) -> Grouping:
    """A Grouping whose bands (for numeric columns with many values) are cut at the training rows'
    quantiles, so every split — and the live audit during training — uses the same groups."""
    grouping = Grouping.of(columns, bins)
    edges = dict(grouping.bins)
    train = dataset.raw.iloc[dataset.idx_train]
    for c in grouping.columns:
        if c in edges or c not in train.columns:
            continue
        values = pd.to_numeric(train[c], errors="coerce")
        if values.notna().all() and values.nunique() > MAX_GROUPS:
            edges[c] = suggest_bins(values)
    return Grouping.of(grouping.columns, edges)


def row_groups(dataset, column: str) -> tuple[np.ndarray, list[str]]:
    """(the group of every row of dataset.raw, the groups in display order) for one column; numbers
    with many values are banded at the training rows' quantiles. Raises FairnessError when the column
    cannot form groups (one value, or too many texts)."""
    labels, _ = group_labels(dataset.raw, training_grouping(dataset, [column]))
    return labels, group_order(set(labels))


def _band_key(part: str):
    for prefix, rank in (("< ", 0), ("≥ ", 2)):
        if part.startswith(prefix):
            try:
                return (rank, float(part[len(prefix):]), "")
            except ValueError:
                break
    if "–" in part:
        try:
            return (1, float(part.split("–")[0]), "")
        except ValueError:
            pass
    return (3, 0.0, part)


def group_order(names) -> list[str]:
    """Groups in reading order: bands by their numbers, other values alphabetically, per column."""
    return sorted(names, key=lambda n: tuple(_band_key(p) for p in str(n).split(" × ")))


def group_labels(frame: pd.DataFrame, grouping: Grouping) -> tuple[np.ndarray, list[str]]:
    """(group name of every row, notes on what was done) for the rows of `frame`."""
    notes: list[str] = []
    absent = [c for c in grouping.columns if c not in frame.columns]
    if absent:
        raise FairnessError(f"The data has no column {absent[0]!r}; choose one of {', '.join(map(str, frame.columns))}.")
    parts = [_column_groups(frame[c], c, grouping.edges(c), notes) for c in grouping.columns]
    labels = parts[0] if len(parts) == 1 else np.asarray([f"{a} × {b}" for a, b in zip(*parts)], dtype=object)
    labels = labels.astype(str)
    present = pd.unique(labels)
    if len(present) < 2:
        raise FairnessError(f"Every row has the same {grouping.name} ({str(present[0])!r}), so there is nothing to "
                            "compare; choose another sensitive column or a larger split.")
    return labels, notes


# --------------------------------------------------------------------------------------
# The audit
# --------------------------------------------------------------------------------------

GROUP_METRICS = ("count", "base_rate", "selection_rate", "accuracy", "tpr", "fpr", "fnr", "precision", "mean_proba")
DISPARITIES = ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
               "equalized_odds_ratio", "equal_opportunity_difference", "predictive_parity_difference")
DISPARITY_LABELS = {
    "demographic_parity_difference": "Demographic parity difference",
    "demographic_parity_ratio": "Demographic parity ratio",
    "equalized_odds_difference": "Equalized odds difference",
    "equalized_odds_ratio": "Equalized odds ratio",
    "equal_opportunity_difference": "Equal opportunity difference",
    "predictive_parity_difference": "Predictive parity difference",
}


@dataclass
class Audit:
    grouping: str
    favourable: str
    threshold: float | dict
    groups: pd.DataFrame                  # one row per group: GROUP_METRICS + *_lo/*_hi intervals + small
    disparities: dict[str, float]
    overall: dict[str, float]
    sentences: list[str]
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """The CLI's JSON object."""
        groups = {}
        for name, row in self.groups.iterrows():
            groups[str(name)] = {k: (int(row[k]) if k == "count" else _num(row[k]))
                                 for k in ("count", "selection_rate", "tpr", "fpr", "accuracy", "base_rate",
                                           "precision", "fnr", "mean_proba")}
        out = {"sensitive": self.grouping, "favourable": self.favourable,
               "threshold": self.threshold if isinstance(self.threshold, float) else dict(self.threshold),
               "groups": groups, "overall": {k: _num(v) for k, v in self.overall.items()}}
        out.update({k: _num(v) for k, v in self.disparities.items()})
        out["sentences"] = list(self.sentences)
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def _num(v) -> float | None:
    v = float(v)
    return None if math.isnan(v) else v


def _rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.maximum(den, 1), np.nan)


def _bootstrap(y: np.ndarray, pred: np.ndarray, groups: np.ndarray, names, n_boot: int, seed: int) -> dict:
    """95 % percentile intervals of selection rate, accuracy, TPR and FPR per group: rows resampled
    within each group (numpy; fairlearn's own bootstrap takes seconds per audit)."""
    rng = np.random.default_rng(seed)
    out = {}
    for g in names:
        idx = np.flatnonzero(groups == g)
        take = idx[rng.integers(0, len(idx), size=(n_boot, len(idx)))]
        yt, yp = y[take], pred[take]
        pos, neg = yt.sum(1), (1 - yt).sum(1)
        stats = {"selection_rate": yp.mean(1), "accuracy": (yt == yp).mean(1),
                 "tpr": _rate((yt * yp).sum(1), pos), "fpr": _rate(((1 - yt) * yp).sum(1), neg)}
        out[g] = {k: np.nanpercentile(v, [2.5, 97.5]) if np.isfinite(v).any() else (np.nan, np.nan)
                  for k, v in stats.items()}
    return out


def _predictions(proba: np.ndarray, groups: np.ndarray, threshold) -> np.ndarray:
    if isinstance(threshold, dict):
        t = np.asarray([float(threshold.get(g, 0.5)) for g in groups])
    else:
        t = float(threshold)
    return (proba >= t).astype(int)


def audit(y_true, proba, groups, *, threshold: float | dict = 0.5, favourable: str = "1",
          grouping: str = "group", n_boot: int = 200, seed: int = 0, predictions=None, notes=()) -> Audit:
    """Per-group metrics and disparities of a binary decision.

    y_true: 1 where the true label is the favourable one; proba: the model's probability of it;
    groups: each row's group; threshold: one number or {group: number}. `predictions` overrides
    the thresholding (e.g. a randomized ThresholdOptimizer's decisions)."""
    import fairlearn.metrics as fm
    from sklearn.metrics import accuracy_score, precision_score

    y = np.asarray(y_true).astype(int)
    p = np.asarray(proba, float)
    g = np.asarray(groups).astype(str)
    if not (len(y) == len(p) == len(g)):
        raise FairnessError("Labels, probabilities and groups must have one entry per row.")
    pred = _predictions(p, g, threshold) if predictions is None else np.asarray(predictions).astype(int)

    def base_rate(y_true, y_pred):
        return float(np.mean(y_true)) if len(y_true) else float("nan")

    def precision(y_true, y_pred):
        return precision_score(y_true, y_pred, zero_division=np.nan)

    metrics = {"count": fm.count, "base_rate": base_rate, "selection_rate": fm.selection_rate,
               "accuracy": accuracy_score, "tpr": fm.true_positive_rate, "fpr": fm.false_positive_rate,
               "fnr": fm.false_negative_rate, "precision": precision}
    frame = fm.MetricFrame(metrics=metrics, y_true=y, y_pred=pred, sensitive_features=pd.Series(g, name=grouping))
    calib = fm.MetricFrame(metrics={"mean_proba": fm.mean_prediction}, y_true=y, y_pred=p,
                           sensitive_features=pd.Series(g, name=grouping))
    table = frame.by_group.join(calib.by_group)
    table = table.loc[group_order(table.index)]
    table["count"] = table["count"].astype(int)
    names = list(table.index)
    boot = _bootstrap(y, pred, g, names, n_boot, seed) if n_boot else {}
    for k in ("selection_rate", "accuracy", "tpr", "fpr"):
        table[f"{k}_lo"] = [boot[n][k][0] if boot else np.nan for n in names]
        table[f"{k}_hi"] = [boot[n][k][1] if boot else np.nan for n in names]
    table["small"] = table["count"] < SMALL_GROUP

    kw = {"y_true": y, "y_pred": pred, "sensitive_features": g}
    disparities = {
        "demographic_parity_difference": fm.demographic_parity_difference(**kw),
        "demographic_parity_ratio": fm.demographic_parity_ratio(**kw),
        "equalized_odds_difference": fm.equalized_odds_difference(**kw),
        "equalized_odds_ratio": fm.equalized_odds_ratio(**kw),
        "equal_opportunity_difference": fm.equal_opportunity_difference(**kw),
        "predictive_parity_difference": fm.MetricFrame(metrics=precision, **kw).difference(),
    }
    disparities = {k: float(v) for k, v in disparities.items()}
    overall = {k: float(frame.overall[k]) for k in ("selection_rate", "accuracy", "tpr", "fpr")}
    notes = list(notes)
    small = [n for n in names if table.loc[n, "small"]]
    if small:
        notes.append(f"Small group{'s' if len(small) > 1 else ''} ({', '.join(map(repr, small))}: fewer than "
                     f"{SMALL_GROUP} rows): their rates can swing by many points with a few rows; read the intervals.")
    return Audit(grouping, favourable, threshold if isinstance(threshold, dict) else float(threshold), table,
                 disparities, overall, sentences(table, disparities, favourable), notes)


def _pts(x: float) -> str:
    return f"{abs(x) * 100:.1f} points"


def sentences(table: pd.DataFrame, disparities: dict, favourable: str) -> list[str]:
    """The disparities in plain words, e.g. "'female' gets 'good' 8.7 points less often than 'male'"."""
    out = []

    def spread(column: str):
        v = table[column].dropna()
        return (v, v.idxmax(), v.idxmin()) if len(v) >= 2 else (None, None, None)

    rates, hi, lo = spread("selection_rate")
    if rates is not None:
        if rates[hi] == rates[lo]:
            out.append(f"Every group is predicted {favourable!r} equally often ({rates[hi]:.1%}): "
                       "demographic parity difference 0.")
        else:
            out.append(f"{lo!r} is predicted {favourable!r} {_pts(rates[hi] - rates[lo])} less often than {hi!r} "
                       f"({rates[lo]:.1%} vs {rates[hi]:.1%}): demographic parity difference "
                       f"{disparities['demographic_parity_difference']:.3f}.")
        ratio = disparities["demographic_parity_ratio"]
        if math.isfinite(ratio):
            verdict = ("below the four-fifths rule of thumb (0.8): a disparity regulators would question"
                       if ratio < FOUR_FIFTHS else "within the four-fifths rule of thumb (≥ 0.8)")
            out.append(f"The lowest selection rate is {ratio:.0%} of the highest — {verdict}.")
    tpr, hi, lo = spread("tpr")
    if tpr is not None:
        found = (f"the model recognises {tpr[hi]:.1%} in every group" if tpr[hi] == tpr[lo] else
                 f"the model recognises {tpr[lo]:.1%} in {lo!r} but {tpr[hi]:.1%} in {hi!r}")
        out.append(f"Of the rows that truly are {favourable!r}, {found}: equal opportunity difference "
                   f"{disparities['equal_opportunity_difference']:.3f}.")
    fpr, hi, lo = spread("fpr")
    if fpr is not None:
        wrong = (f"{fpr[hi]:.1%} in every group" if fpr[hi] == fpr[lo] else
                 f"{fpr[hi]:.1%} in {hi!r} vs {fpr[lo]:.1%} in {lo!r}")
        out.append(f"Of the rows that are not {favourable!r}, the model wrongly says {favourable!r} for {wrong}; "
                   f"with the TPR gap this gives an equalized odds difference of "
                   f"{disparities['equalized_odds_difference']:.3f}.")
    prec, hi, lo = spread("precision")
    if prec is not None:
        right = (f"{prec[hi]:.1%} of the time in every group" if prec[hi] == prec[lo] else
                 f"{prec[hi]:.1%} of the time for {hi!r} and {prec[lo]:.1%} for {lo!r}")
        out.append(f"When the model says {favourable!r}, it is right {right}: predictive parity difference "
                   f"{disparities['predictive_parity_difference']:.3f}.")
    return out


# --------------------------------------------------------------------------------------
# Mitigation after training: group-specific thresholds
# --------------------------------------------------------------------------------------

CONSTRAINTS = {"demographic_parity": "demographic parity", "true_positive_rate_parity": "equal opportunity",
               "equalized_odds": "equalized odds"}


def _prefit(classes=(0, 1)):
    """A fitted classifier whose input is already the probability of the favourable label (column 0)."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Scores(ClassifierMixin, BaseEstimator):
        def fit(self, X, y=None):
            self.classes_ = np.asarray(classes)
            return self

        def __sklearn_is_fitted__(self):
            return True

        def predict_proba(self, X):
            p = np.asarray(X, float)[:, 0]
            return np.stack([1 - p, p], axis=1)

        def predict(self, X):
            return (np.asarray(X, float)[:, 0] >= 0.5).astype(int)
    return Scores().fit(None)


@dataclass
class ThresholdMitigation:
    constraint: str
    optimizer: object

    def predict(self, proba, groups, seed: int = 0) -> np.ndarray:
        return np.asarray(self.optimizer.predict(np.asarray(proba, float).reshape(-1, 1),
                                                 sensitive_features=np.asarray(groups).astype(str),
                                                 random_state=seed)).astype(int)

    def thresholds(self) -> dict[str, str]:
        """Each group's rule in words (fairlearn may mix two thresholds at random for a group)."""
        out = {}
        for g, rule in getattr(self.optimizer, "interpolated_thresholder_", None).interpolation_dict.items():
            p0, t0, p1, t1 = rule["p0"], rule["operation0"], rule["p1"], rule["operation1"]
            out[str(g)] = (f"{t0}" if p1 == 0 else f"{t0} with probability {p0:.2f}, else {t1}")
        return out


def fit_thresholds(y_true, proba, groups, constraint: str = "demographic_parity") -> ThresholdMitigation:
    """fairlearn's ThresholdOptimizer on the model's probabilities (fit on validation rows)."""
    from fairlearn.postprocessing import ThresholdOptimizer
    if constraint not in CONSTRAINTS:
        raise FairnessError(f"Unknown constraint {constraint!r}; use one of {', '.join(CONSTRAINTS)}.")
    y = np.asarray(y_true).astype(int)
    g = np.asarray(groups).astype(str)
    for name in np.unique(g):
        labels = np.unique(y[g == name])
        if len(labels) < 2:      # fairlearn needs both labels in every group, whatever the constraint
            raise FairnessError(f"Group {str(name)!r} has only one label in these rows, so {CONSTRAINTS[constraint]} "
                                "thresholds cannot be fitted; fit on more rows (e.g. training and validation together).")
    opt = ThresholdOptimizer(estimator=_prefit(), constraints=constraint, prefit=True,
                             predict_method="predict_proba", objective="accuracy_score")
    opt.fit(np.asarray(proba, float).reshape(-1, 1), y, sensitive_features=g)
    return ThresholdMitigation(constraint, opt)


def reweighing(y, groups) -> np.ndarray:
    """Sample weights that make group and label independent: w = P(group) P(label) / P(group, label)."""
    y = np.asarray(y)
    g = np.asarray(groups).astype(str)
    w = np.ones(len(y))
    n = len(y)
    for name in np.unique(g):
        in_g = g == name
        for label in np.unique(y):
            cell = in_g & (y == label)
            if cell.any():
                w[cell] = (in_g.sum() / n) * ((y == label).sum() / n) / (cell.sum() / n)
    return w


# --------------------------------------------------------------------------------------
# Where the gap comes from
# --------------------------------------------------------------------------------------


def proxies(dataset, groups_train: np.ndarray, exclude=()) -> pd.DataFrame:
    """How much each feature column tells about the group (mutual information in bits, and for numbers
    the correlation ratio), on the training rows: features that carry the sensitive information."""
    from sklearn.feature_selection import mutual_info_classif
    frame = dataset.raw.iloc[dataset.idx_train]
    codes = dataset.codes(frame)
    kinds = dataset.column_kinds()
    cols = [i for i, c in enumerate(dataset.original_columns) if c not in exclude]
    discrete = [kinds[dataset.original_columns[i]] is not None for i in cols]
    target = pd.factorize(np.asarray(groups_train).astype(str))[0]
    mi = mutual_info_classif(codes[:, cols], target, discrete_features=discrete, random_state=0) / math.log(2)
    rows = []
    for j, i in enumerate(cols):
        x = codes[:, i]
        eta = float("nan")
        if kinds[dataset.original_columns[i]] is None and np.std(x) > 0:
            means = pd.Series(x).groupby(target).mean()
            counts = pd.Series(target).value_counts().reindex(means.index)
            eta = float(np.sqrt(((counts * (means - x.mean()) ** 2).sum()) / (len(x) * np.var(x))))
        rows.append({"column": dataset.original_columns[i], "mutual_information_bits": float(mi[j]),
                     "correlation_ratio": eta})
    return pd.DataFrame(rows).sort_values("mutual_information_bits", ascending=False).reset_index(drop=True)


def attribution_gaps(values: np.ndarray, features: list[str], groups: np.ndarray) -> pd.DataFrame:
    """Per column, mean SHAP value in each group and the largest difference between groups."""
    g = np.asarray(groups).astype(str)
    table = pd.DataFrame(values, columns=features).groupby(g).mean().T
    table["gap"] = table.max(axis=1) - table.min(axis=1)
    return table.sort_values("gap", ascending=False)


# --------------------------------------------------------------------------------------
# A stored run
# --------------------------------------------------------------------------------------


def favourable_index(class_names: list[str], favourable: str | None) -> int:
    """The class counted as the good outcome: as given, else 'yes'/'good'/'approved'/'1'-like, else the last."""
    if favourable is not None:
        if str(favourable) not in class_names:
            raise FairnessError(f"There is no class {favourable!r}; the classes are {', '.join(map(repr, class_names))}.")
        return class_names.index(str(favourable))
    for name in ("yes", "good", "approved", "1", "true", "granted", "positive"):
        for i, c in enumerate(class_names):
            if str(c).lower() == name:
                return i
    return len(class_names) - 1


def audit_run(store, run_id: str, sensitive, *, favourable: str | None = None, split: str = "test",
              threshold: float | dict = 0.5, bins: dict | None = None, checkpoint: str | int = "last",
              n_boot: int = 200) -> Audit:
    """Audit a stored classification run on one split."""
    from .runs import load_run, predict_array
    loaded = load_run(store, run_id, checkpoint)
    ds = loaded.dataset
    if ds.task != "classification":
        raise FairnessError("A fairness audit compares decisions between groups; this run predicts a number "
                            "(regression). Train a classifier, e.g. on german_credit or biased_loans.")
    grouping = training_grouping(ds, sensitive, bins)
    X, y = ds.split(split)
    ids = getattr(ds, f"idx_{'val' if split == 'validation' else split}")
    labels, notes = group_labels(ds.raw.iloc[ids], grouping)
    fav = favourable_index(list(ds.class_names), favourable)
    proba = predict_array(loaded.net, X)[:, fav]
    return audit((np.asarray(y) == fav).astype(int), proba, labels, threshold=threshold,
                 favourable=str(ds.class_names[fav]), grouping=grouping.name, n_boot=n_boot, notes=notes)
