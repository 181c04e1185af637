"""A fairness audit of a stored run as one self-contained HTML page: readable offline, printable.

    html = audit_report(store, run_id, "sex", favourable="good", mitigations=[...])

The page has no scripts, no external stylesheets, fonts or images: charts are inline SVG, styles sit
in one <style> element with print rules. Every string that comes from the user or the data (run,
dataset, column, group and class names, notes) is escaped.

  audit_report   the page: the sections in order, the style sheet              page.py
Inside: what the sections read (the run loaded once, its audit; context.py), one function per section
(sections.py), the charts as inline SVG (svg.py), tables, lists and escaping (html.py). No streamlit here.
"""
from .page import audit_report

__all__ = ["audit_report"]
