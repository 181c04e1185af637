"""The groups and their audit: each split's group labels, the audited rows as one decision (favourable or
not), and the per-group table with its charts."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core.analysis import fairness as F
from dashboard import keys
from dashboard.text import md_plain as md

from .charts import PLAIN, error_rates, selection_rates
from .run import Scored, favourable_proba
from .session import cached
from .setup import Setup


@dataclass
class Groups:
    grouping: F.Grouping
    labels: dict                # split → group of each row
    notes: list[str]


@dataclass
class Audited:
    """The audited split as one decision: favourable or not, for each row and its group."""
    favourable: str             # the favourable class's name
    y: np.ndarray               # 1 where the true class is the favourable one
    p: np.ndarray               # the network's probability of the favourable class
    labels: np.ndarray          # each row's group
    names: list[str]            # the groups, in order


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
        st.error(md(e), icon=":material/error:")
        return None


def audited_rows(sc: Scored, g: Groups, setup: Setup) -> Audited:
    """The rows of the chosen split, one class (the favourable one) against the rest."""
    _, y, proba = sc.splits[setup.split]
    labels = g.labels[setup.split]
    return Audited(str(sc.dataset.class_names[setup.favourable]), (y == setup.favourable).astype(int),
                   favourable_proba(proba, setup.favourable), labels, F.group_order(set(labels)))


def audit_of(run, g: Groups, setup: Setup, rows: Audited, threshold) -> F.Audit:
    """The audit of those rows at the threshold (one, or one per group), once per session."""
    return cached("audit", (run.id, run.updated, repr(g.grouping), setup.favourable, setup.split, repr(threshold)),
                  lambda: F.audit(rows.y, rows.p, rows.labels, threshold=threshold, favourable=rows.favourable,
                                  grouping=g.grouping.name, notes=g.notes))


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


def show_groups(audit: F.Audit, favourable: str) -> None:
    """The per-group table, then selection rates and error rates per group with their intervals."""
    table = group_table(audit)
    if not audit.groups["small"].any():
        table = table.drop(columns=["small"])
    st.dataframe(table, hide_index=True, width="stretch", column_config=_columns(favourable))
    c1, c2 = st.columns(2)
    c1.plotly_chart(selection_rates(audit.groups, favourable, audit.overall["selection_rate"]),
                    config=PLAIN, key=keys.FAIR_CHART_SELECTION)
    c2.plotly_chart(error_rates(audit.groups), config=PLAIN, key=keys.FAIR_CHART_ERRORS)
    st.caption("Bars: the rate in each group; whiskers: its 95 % bootstrap interval (rows resampled within the "
               "group); pale bars: small groups. Dashed line: the rate over all rows.")


def _columns(favourable: str) -> dict:
    """How the table's columns are shown, each with what it means."""
    pct = st.column_config.NumberColumn(format="percent")
    return {
        "group": st.column_config.TextColumn("group", help="The group's value(s) of the sensitive attribute."),
        "rows": st.column_config.NumberColumn("rows", help="How many rows of the audited split are in the group."),
        "small": st.column_config.TextColumn("⚠", help=f"Fewer than {F.SMALL_GROUP} rows: the rates swing with a "
                                                      "few rows — read the intervals."),
        "base rate": st.column_config.NumberColumn("base rate", format="percent",
                                                   help=f"Share of the group whose true label is '{md(favourable)}'."),
        "selection rate": st.column_config.NumberColumn("selection rate", format="percent",
                                                        help=f"Share of the group the model predicts '{md(favourable)}'."),
        "accuracy": pct, "TPR": st.column_config.NumberColumn(
            "TPR", format="percent", help=f"Of the truly '{md(favourable)}' rows, the share the model recognises."),
        "FPR": st.column_config.NumberColumn(
            "FPR", format="percent", help=f"Of the rows that are not '{md(favourable)}', the share wrongly favoured."),
        "FNR": st.column_config.NumberColumn("FNR", format="percent", help="1 − TPR: the truly favourable missed."),
        "precision": st.column_config.NumberColumn(
            "precision", format="percent", help=f"When the model says '{md(favourable)}', how often it is right."),
        "mean probability": st.column_config.NumberColumn(
            "mean probability", format="percent", help=f"The model's average probability of '{md(favourable)}'."),
    }
