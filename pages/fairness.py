"""Fairness: does the trained network treat groups (sex, age…) alike? Audit, explain the gap, mitigate."""
import streamlit as st

from dashboard.fairness import (AUDITABLE, SPLITS, as_variant, audit_of, audited_rows, groups_of, pick_run, scored,
                                settings, show_boundary, show_comparison, show_disparities, show_groups, show_report,
                                show_sources, show_sweep, threshold_settings, threshold_variants, training_controls,
                                training_variants, watch)
from dashboard.state import page, ready_to_train, store
from dashboard.text import md_plain as md
from dashboard.widgets import dataset_title

st.title("Fairness")
ready_to_train()
st.caption("Check whether a trained classifier treats groups of people alike. Pick a **sensitive attribute** (sex, "
           "age…): the page compares, group by group, how often the network gives the favourable outcome and how "
           "often it is wrong, and says in plain words where the gaps are. Then move the **decision threshold** to "
           "see what changes, find **where the gap comes from**, compare **mitigations** side by side, and download "
           "the audit as a report.")

runs = [r for r in store().list_runs() if r.status in AUDITABLE]
if not runs:
    st.info("Nothing to audit yet: no classification run has finished training. On the **Data** page pick "
            "**German credit**, **Biased loans** or **Two groups** — each has a sensitive column such as sex — then "
            "train a network on the **Train** page. It appears here as soon as it finishes.",
            icon=":material/balance:")
    c1, c2 = st.columns(2)
    c1.page_link(page("Data"), label="Go to Data →", icon=":material/table:")
    c2.page_link(page("Train"), label="Go to Train →", icon=":material/play_circle:")
    st.stop()

run = pick_run(runs)
sc = scored(store(), run)
if sc is None:
    st.stop()
ds = sc.dataset
if ds.task != "classification":
    st.info("This run predicts a number (regression). A fairness audit compares **decisions** between groups, so "
            "it needs a classifier: pick another run, or train one on a set under Fairness on the Data page.",
            icon=":material/balance:")
    st.page_link(page("Data"), label="Go to Data →", icon=":material/table:")
    st.stop()
if not ds.sensitive:
    st.caption(f"'{dataset_title(ds)}' has no column marked sensitive; any of its columns can be audited below. The "
               "fairness sets (German credit, Biased loans, Two groups) mark theirs.")
st.caption(f"Epoch {sc.epoch} · {dataset_title(ds)} · {len(ds.original_columns)} columns · classes: "
           + ", ".join(f"'{md(c)}'" for c in ds.class_names))

setup = settings(ds)
if setup is None:
    st.stop()
groups = groups_of(sc, setup)
if groups is None:
    st.stop()
rows = audited_rows(sc, groups, setup)

st.subheader("Groups")
threshold = threshold_settings(rows.names)
audit = audit_of(run, groups, setup, rows, threshold)
st.caption(f"{len(rows.labels)} {SPLITS[setup.split]} rows in {len(rows.names)} groups of "
           f"**{md(groups.grouping.name)}**; favourable: '{md(rows.favourable)}'.")
show_groups(audit, rows.favourable)

st.subheader("Disparities")
show_disparities(audit)
show_sweep(rows.y, rows.p, rows.labels, threshold)

st.subheader("Where the gap comes from")
show_sources(store(), run, sc, groups, setup)
show_boundary(sc, groups, setup, threshold)

st.subheader("Mitigations compared")
st.caption("**After training** — a threshold per group, fitted on the training and validation rows to meet a "
           "fairness constraint (instant). **Before / during training** — retrain with reweighed rows or with a "
           "penalty on the gap between groups. Every variant is audited on the same rows as above.")
original = as_variant("this run", "original", audit)
thresholds, problems = threshold_variants(run, sc, groups, setup, rows)
for p in problems:
    st.warning(f"Group thresholds for {md(p)}", icon=":material/warning:")
training_controls(store(), run, setup.columns[0], setup.bins.get(setup.columns[0]))
trained, pending = training_variants(store(), run, groups, setup, threshold, rows.favourable)
if pending:
    watch(store(), [r.id for r in pending])
variants = [original] + thresholds + trained
show_comparison(variants)

st.subheader("Report")
show_report(store(), run, setup, threshold, variants)

st.divider()
st.markdown("**Next:** see which columns drive the decisions on the Explain page, or train a variant and compare.")
n1, n2 = st.columns(2)
n1.page_link(page("Explain"), label="Explain this run →", icon=":material/psychology:")
n2.page_link(page("Runs"), label="Compare runs →", icon=":material/list:")
