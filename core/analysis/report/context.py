"""What the report's sections read: the run, its dataset and network, the audit of the test split, the
groups of every row and the test predictions."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.data import Grouping, group_labels, training_bins

from ..fairness import Audit, audit_loaded, favourable_index


@dataclass
class Context:
    store: object
    run: object                   # core.runs.Run
    loaded: object                # core.runs.LoadedRun
    grouping: Grouping
    fav: int                      # index of the favourable class
    audit: Audit                  # the test split at the chosen threshold
    labels: pd.Series             # every row of dataset.raw → its group
    preds: object                 # core.analysis.evaluate.Predictions on the test split
    threshold: float | dict

    @property
    def ds(self):
        return self.loaded.dataset

    @property
    def fav_name(self) -> str:
        return str(self.ds.class_names[self.fav])


def build_context(store, run_id: str, sensitive, *, favourable=None, threshold=0.5, bins=None) -> Context:
    """The run loaded once and its test split audited. Numeric sensitive columns with many values are cut
    at the training rows' quantiles (with a note), so the test split, the training rows and the explained
    rows all fall in the same bands."""
    from core.runs import load_run

    from ..evaluate import predict_split
    loaded = load_run(store, run_id)
    ds = loaded.dataset
    bins, notes = training_bins(ds, sensitive, bins)
    audit = audit_loaded(loaded, sensitive, favourable=favourable, threshold=threshold, bins=bins)
    audit.notes[:0] = notes
    grouping = Grouping.of(sensitive, bins)
    labels, _ = group_labels(ds.raw, grouping)
    fav = favourable_index(list(ds.class_names), favourable)
    return Context(store, loaded.run, loaded, grouping, fav, audit, pd.Series(labels, index=ds.raw.index),
                   predict_split(loaded, "test"), threshold)
