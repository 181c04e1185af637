"""Fairness: does the trained network treat groups (sex, age…) alike? Audit, explain the gap, mitigate."""
import streamlit as st

from core.analysis import fairness as F
from dashboard import auditing as fa
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

runs = [r for r in store().list_runs() if r.status in fa.AUDITABLE]
if not runs:
    st.info("Nothing to audit yet: no classification run has finished training. On the **Data** page pick "
            "**German credit**, **Biased loans** or **Two groups** — each has a sensitive column such as sex — then "
            "train a network on the **Train** page. It appears here as soon as it finishes.",
            icon=":material/balance:")
    c1, c2 = st.columns(2)
    c1.page_link(page("Data"), label="Go to Data →", icon=":material/table:")
    c2.page_link(page("Train"), label="Go to Train →", icon=":material/play_circle:")
    st.stop()

run = fa.pick_run(store(), runs)
sc = fa.scored(store(), run)
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

setup = fa.settings(ds)
if setup is None:
    st.stop()
groups = fa.groups_of(sc, setup)
if groups is None:
    st.stop()
fav_name = str(ds.class_names[setup.favourable])
_, y, proba = sc.splits[setup.split]
y_fav = (y == setup.favourable).astype(int)
p_fav = fa.favourable_proba(proba, setup.favourable)
labels = groups.labels[setup.split]
names = F.group_order(set(labels))

st.subheader("Groups")
threshold = fa.threshold_settings(names)
audit = fa.cached("audit", (run.id, run.updated, repr(groups.grouping), setup.favourable, setup.split,
                            repr(threshold)),
                  lambda: F.audit(y_fav, p_fav, labels, threshold=threshold, favourable=fav_name,
                                  grouping=groups.grouping.name, notes=groups.notes))
st.caption(f"{len(labels)} {fa.SPLITS[setup.split]} rows in {len(names)} groups of **{md(groups.grouping.name)}**; "
           f"favourable: '{md(fav_name)}'.")
fa.show_groups(audit, fav_name)

st.subheader("Disparities")
fa.show_disparities(audit)
fa.show_sweep(y_fav, p_fav, labels, threshold)

st.subheader("Where the gap comes from")
fa.show_sources(store(), run, sc, groups, setup)
fa.show_boundary(sc, groups, setup, threshold)

st.subheader("Mitigations compared")
st.caption("**After training** — a threshold per group, fitted on the training and validation rows to meet a "
           "fairness constraint (instant). **Before / during training** — retrain with reweighed rows or with a "
           "penalty on the gap between groups. Every variant is audited on the same rows as above.")
original = fa.as_variant("this run", "original", audit)
thresholds, problems = fa.threshold_variants(run, sc, groups, setup, fav_name)
for p in problems:
    st.warning(f"Group thresholds for {md(p)}", icon=":material/warning:")
fa.training_controls(store(), run, setup.columns[0], setup.bins.get(setup.columns[0]))
trained, pending = fa.training_variants(store(), run, sc, groups, setup, threshold, fav_name)
if pending:
    fa.watch(store(), [r.id for r in pending])
variants = [original] + thresholds + trained
fa.show_comparison(variants)

st.subheader("Report")
fa.show_report(store(), run, setup, threshold, variants)

st.divider()
st.markdown("**Next:** see which columns drive the decisions on the Explain page, or train a variant and compare.")
n1, n2 = st.columns(2)
n1.page_link(page("Explain"), label="Explain this run →", icon=":material/psychology:")
n2.page_link(page("Runs"), label="Compare runs →", icon=":material/list:")
