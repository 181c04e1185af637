"""Where a gap between groups comes from: columns that carry the group (proxies), and the columns whose
SHAP values differ most between groups."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _correlation_ratio(x: np.ndarray, target: np.ndarray) -> float:
    """How much of a number's spread lies between the groups (0–1), NaN for a constant."""
    if np.std(x) == 0:
        return float("nan")
    means = pd.Series(x).groupby(target).mean()
    counts = pd.Series(target).value_counts().reindex(means.index)
    return float(np.sqrt(((counts * (means - x.mean()) ** 2).sum()) / (len(x) * np.var(x))))


def proxies(dataset, groups_train: np.ndarray, exclude=()) -> pd.DataFrame:
    """How much each feature column tells about the group (mutual information in bits, and for numbers
    the correlation ratio), on the training rows: features that carry the sensitive information."""
    from sklearn.feature_selection import mutual_info_classif
    frame = dataset.raw.iloc[dataset.indices("train")]
    codes = dataset.codes(frame)
    kinds = dataset.column_kinds()
    cols = [i for i, c in enumerate(dataset.original_columns) if c not in exclude]
    discrete = [kinds[dataset.original_columns[i]] is not None for i in cols]
    target = pd.factorize(np.asarray(groups_train).astype(str))[0]
    mi = mutual_info_classif(codes[:, cols], target, discrete_features=discrete, random_state=0) / math.log(2)
    rows = []
    for j, i in enumerate(cols):
        column = dataset.original_columns[i]
        eta = float("nan") if kinds[column] is not None else _correlation_ratio(codes[:, i], target)
        rows.append({"column": column, "mutual_information_bits": float(mi[j]), "correlation_ratio": eta})
    return pd.DataFrame(rows).sort_values("mutual_information_bits", ascending=False).reset_index(drop=True)


def attribution_gaps(values: np.ndarray, features: list[str], groups: np.ndarray) -> pd.DataFrame:
    """Per column, mean SHAP value in each group and the largest difference between groups."""
    g = np.asarray(groups).astype(str)
    table = pd.DataFrame(values, columns=features).groupby(g).mean().T
    table["gap"] = table.max(axis=1) - table.min(axis=1)
    return table.sort_values("gap", ascending=False)
