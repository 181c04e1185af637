"""The audit report: made on request (one self-contained HTML page), then offered as a download."""
from __future__ import annotations

import streamlit as st

from core.analysis import fairness as F
from dashboard import keys
from dashboard.state import dataset_for
from dashboard.text import md_plain as md

from .help import HELP
from .mitigations import Variant
from .setup import Setup


def show_report(store, run, setup: Setup, threshold, variants: list[Variant]) -> None:
    """The button that writes the report, then its download; the report is remade when the audit changes."""
    fav = str(run_dataset_classes(run)[setup.favourable])
    # the report audits the test rows; mitigations measured on other rows would not compare with it
    mitigations = [v.as_report() for v in variants if v.kind != "original"] if setup.split == "test" else []
    key = (run.id, run.updated, tuple(setup.columns), repr(sorted(setup.bins.items())), fav, repr(threshold),
           repr(mitigations))
    report = st.session_state.get(keys.FAIR_REPORT_MADE)
    ready = report is not None and report[0] == key
    c1, c2 = st.columns([1, 2], vertical_alignment="center")
    if c1.button("Prepare the audit report", key=keys.FAIR_REPORT, icon=":material/description:",
                 help=HELP["report"], disabled=ready):
        html = _write(store, run, setup, fav, threshold, mitigations)
        if html is None:
            return
        st.session_state[keys.FAIR_REPORT_MADE] = report = (key, html)
        ready = True
    if ready:
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in run.name)[:60] or "run"
        c2.download_button("Download the report (HTML)", report[1].encode("utf-8"), f"fairness-{stem}.html",
                           "text/html", key=keys.FAIR_REPORT_DOWNLOAD, icon=":material/download:", on_click="ignore",
                           help=HELP["report_download"], type="primary")
    else:
        c2.caption("One self-contained HTML page: the groups, the disparities in words, charts, SHAP, proxies and "
                   "the mitigations compared above, audited on the test rows. Printable."
                   + ("" if setup.split == "test" else " (Audit the test rows above to include the mitigations.)"))


def _write(store, run, setup: Setup, fav: str, threshold, mitigations: list[dict]) -> str | None:
    """The report's HTML, or None after saying why it could not be made."""
    from core.analysis.report import audit_report
    with st.spinner("Writing the report (with SHAP values of the test rows)…"):
        try:
            return audit_report(store, run.id, setup.columns if len(setup.columns) > 1 else setup.columns[0],
                                favourable=fav, threshold=threshold, bins=setup.bins or None,
                                mitigations=mitigations)
        except (F.FairnessError, ValueError, RuntimeError, OSError) as e:
            st.error(f"The report could not be made: {md(e)}")
            return None


def run_dataset_classes(run) -> list[str]:
    return list(dataset_for(run.dataset).class_names)
