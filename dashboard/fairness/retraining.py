"""Mitigations before / during training: retrain the run with reweighed rows or a penalty on the gap, on
the groups the audit uses; the variants started so far, audited like the run once they finish."""
from __future__ import annotations

import streamlit as st

from core.analysis import fairness as F
from core.spec import SpecError
from core.runs import StoreError
from dashboard import keys
from dashboard.state import choose
from dashboard.text import md_plain as md

from .bands import format_edges
from .groups import Groups
from .help import HELP
from .mitigations import as_variant
from .run import AUDITABLE, favourable_proba, scored
from .session import cached
from .setup import Setup

SEP = " · "
PENALTIES = {"demographic_parity": "demographic parity (DP)", "equalized_odds": "equalized odds (EO)"}
PENALTY_SHORT = {"demographic_parity": "DP", "equalized_odds": "EO"}


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


def start_variant(store, run, kind: str, column: str, lam: float | None = None, edges=None) -> str:
    """Start a new run like `run` (same data, network and settings) with one in-training mitigation,
    on the groups of `column` (cut at `edges` when given, as the audit cuts them)."""
    from core.runs import executor as jobs
    from core.runs import owner_of
    from core.spec import NetworkSpec, TrainSpec
    spec = dict(run.train or {})
    spec.update(sensitive=column, reweigh=kind == "reweigh",
                fairness_penalty="none" if kind == "reweigh" else kind,
                sensitive_bands={column: [float(e) for e in edges]} if edges else {})
    if lam is not None:
        spec["fairness_lambda"] = float(lam)
    train = TrainSpec.from_dict(spec)
    return jobs.submit(store, dataset=run.dataset, network=NetworkSpec.from_dict(run.network), train=train,
                       name=variant_name(run.name, kind, lam), parent=run.id, owner=owner_of(store))


def training_controls(store, run, column: str, edges=None) -> None:
    """The retrain buttons (reweighed, or with the penalty and its weight chosen here)."""
    st.markdown("**Before / during training:** retrain this network with a mitigation")
    c1, c2, c3, c4 = st.columns([2, 2, 1.3, 2], vertical_alignment="bottom")
    go_reweigh = c1.button("Retrain reweighed", key=keys.FAIR_REWEIGH, icon=":material/balance:",
                           help=HELP["reweigh"], width="stretch")
    choose(keys.FAIR_PENALTY, list(PENALTIES), "demographic_parity")
    kind = c2.selectbox("Penalty on the gap", list(PENALTIES), key=keys.FAIR_PENALTY, format_func=PENALTIES.get,
                        help=HELP["penalty"])
    st.session_state.setdefault(keys.FAIR_LAMBDA, 0.3)
    st.session_state[keys.FAIR_LAMBDA] = st.session_state[keys.FAIR_LAMBDA]
    lam = c3.number_input("λ (weight)", min_value=0.0, max_value=100.0, step=0.1, key=keys.FAIR_LAMBDA,
                          help=HELP["lambda"])
    go_penalty = c4.button("Retrain with the penalty", key=keys.FAIR_PENALTY_GO, icon=":material/fitness_center:",
                           help=HELP["penalty_go"], width="stretch")
    if go_reweigh or go_penalty:
        try:
            new = (start_variant(store, run, "reweigh", column, edges=edges) if go_reweigh
                   else start_variant(store, run, kind, column, float(lam), edges=edges))
            st.success(f"Started **{md(store.get_run(new).name)}**: same data, network and settings, groups of "
                       f"'{md(column)}'. It joins the comparison when it finishes.", icon=":material/rocket_launch:")
        except (SpecError, StoreError, ValueError, OSError) as e:
            st.error(f"The variant could not be started: {md(e)}")
    bands = f" in the bands {format_edges(edges)}" if edges else ""
    st.caption(f"The retrained variants form groups from '{md(column)}'{md(bands)}, as audited above, and keep "
               "every other setting of this run.")


def training_variants(store, run, g: Groups, setup: Setup, threshold, fav_name: str):
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
    """The variants still training, refreshed every second; the page reruns once all have stopped."""
    runs = [store.get_run(i) for i in ids]
    for r in runs:
        st.caption(f"⏳ {md(r.name)} — {r.status}, epoch {r.epoch} of {(r.train or {}).get('epochs', '?')}")
    if all(r.status in AUDITABLE or r.status == "failed" for r in runs):
        st.rerun()
