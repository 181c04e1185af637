"""The audit of a stored classification run on one of its splits."""
from __future__ import annotations

import numpy as np

from core.data import FairnessError, group_labels, training_grouping

from .audit import Audit, audit

FAVOURABLE_NAMES = ("yes", "good", "approved", "1", "true", "granted", "positive")


def favourable_index(class_names: list[str], favourable: str | None) -> int:
    """The class counted as the good outcome: as given, else 'yes'/'good'/'approved'/'1'-like, else the last."""
    if favourable is not None:
        if str(favourable) not in class_names:
            raise FairnessError(f"There is no class {favourable!r}; the classes are {', '.join(map(repr, class_names))}.")
        return class_names.index(str(favourable))
    for name in FAVOURABLE_NAMES:
        for i, c in enumerate(class_names):
            if str(c).lower() == name:
                return i
    return len(class_names) - 1


def audit_loaded(loaded, sensitive, *, favourable: str | None = None, split: str = "test",
                 threshold: float | dict = 0.5, bins: dict | None = None, n_boot: int = 200) -> Audit:
    """Audit a loaded run (core.runs.LoadedRun) on one split; bands of numeric columns with many values
    are cut at the training rows' quantiles unless `bins` gives them."""
    from core.runs import predict_array
    ds = loaded.dataset
    if ds.task != "classification":
        raise FairnessError("A fairness audit compares decisions between groups; this run predicts a number "
                            "(regression). Train a classifier, e.g. on german_credit or biased_loans.")
    grouping = training_grouping(ds, sensitive, bins)
    X, y = ds.split(split)
    labels, notes = group_labels(ds.raw.iloc[ds.indices(split)], grouping)
    fav = favourable_index(list(ds.class_names), favourable)
    proba = predict_array(loaded.net, X)[:, fav]
    return audit((np.asarray(y) == fav).astype(int), proba, labels, threshold=threshold,
                 favourable=str(ds.class_names[fav]), grouping=grouping.name, n_boot=n_boot, notes=notes)


def audit_run(store, run_id: str, sensitive, *, favourable: str | None = None, split: str = "test",
              threshold: float | dict = 0.5, bins: dict | None = None, checkpoint: str | int = "last",
              n_boot: int = 200) -> Audit:
    """Audit a stored classification run on one split."""
    from core.runs import load_run
    return audit_loaded(load_run(store, run_id, checkpoint), sensitive, favourable=favourable, split=split,
                        threshold=threshold, bins=bins, n_boot=n_boot)
