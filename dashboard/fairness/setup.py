"""What to audit: the sensitive column(s) with their bands, the favourable label and the rows."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.analysis import fairness as F
from dashboard import keys
from dashboard.state import choose
from dashboard.text import md_plain as md

from .bands import default_edges, format_edges, is_numeric, parse_edges
from .help import HELP
from .run import SPLITS


@dataclass
class Setup:
    columns: list[str]
    bins: dict                  # column → edges (numeric columns with edges)
    favourable: int
    split: str


def column_options(dataset) -> list[str]:
    """Columns a fairness audit can group by: the dataset's sensitive ones first, then every other column
    of the table but the target."""
    cols = [str(c) for c in dataset.raw.columns if str(c) != str(dataset.target)]
    first = [c for c in dataset.sensitive if c in cols]
    return first + [c for c in cols if c not in first]


def settings(ds) -> Setup | None:
    """Sensitive column(s) with their band edges, favourable label and split; None after a message."""
    options = column_options(ds)
    before = st.session_state.get(keys.FAIR_SENSITIVE)
    chosen = [c for c in (before or []) if c in options][:2]
    if not chosen and options and (before is None or len(before)):    # first visit, or another dataset's columns
        chosen = [options[0]]
    st.session_state[keys.FAIR_SENSITIVE] = chosen
    names = list(ds.class_names)
    choose(keys.FAIR_FAVOURABLE, list(range(len(names))), F.favourable_index(names, None))
    choose(keys.FAIR_SPLIT, list(SPLITS), "test")
    c1, c2, c3 = st.columns([3, 2, 2])
    columns = c1.multiselect("Sensitive attribute(s)", options, key=keys.FAIR_SENSITIVE, max_selections=2,
                             help=HELP["sensitive"],
                             format_func=lambda c: f"{c} (marked sensitive)" if c in ds.sensitive else c)
    fav = c2.selectbox("Favourable label", list(range(len(names))), key=keys.FAIR_FAVOURABLE,
                       format_func=lambda k: names[k], help=HELP["favourable"])
    split = c3.radio("Rows to audit", list(SPLITS), key=keys.FAIR_SPLIT, format_func=lambda s: f"{SPLITS[s]} rows",
                     horizontal=True, help=HELP["split"])
    if len(names) > 2:
        st.info(f"This run has {len(names)} classes. A fairness audit compares one decision between groups, so "
                f"it is made **one class against the rest**: '{md(names[fav])}' counts as the favourable outcome, "
                "every other class as not. Pick another favourable label to audit another class.",
                icon=":material/call_split:")
    if not columns:
        st.warning("Choose a sensitive attribute above (for example sex or age) to compare its groups; pick a "
                   "second one to audit their intersection (e.g. sex × age band).", icon=":material/group:")
        return None
    bins = band_settings(ds, columns)
    return None if bins is None else Setup(list(columns), bins, int(fav), split)


def band_settings(ds, columns: list[str]) -> dict | None:
    """A band-edges box per numeric column, prefilled as the training-time audit cuts it; column → edges,
    or None after showing why the edges typed are not numbers."""
    bins = {}
    numeric = [c for c in columns if is_numeric(ds, c)]
    if not numeric:
        return bins
    for col, c in zip(st.columns(len(numeric)), numeric):
        key = keys.band_edges(ds.name, c)
        st.session_state.setdefault(key, format_edges(default_edges(ds, c)))
        st.session_state[key] = st.session_state[key]
        text = col.text_input(f"Band edges for '{md(c)}'", key=key, help=HELP["edges"],
                              placeholder="e.g. 25, 35, 50 (empty: one group per value)")
        try:
            edges = parse_edges(text, c)
        except F.FairnessError as e:
            st.error(md(e), icon=":material/error:")
            return None
        if edges:
            bins[c] = edges
    return bins
