"""Is a classifier fair across groups? Per-group rates, the disparities between groups, in numbers and words.

  group_rates, disparities, rates, RATES,    the rates of 0/1 decisions per group, and the one function
  DISPARITIES, DISPARITY_LABELS              of the gaps between groups, as fairlearn defines them    metrics.py
  audit, Audit, SMALL_GROUP, GROUP_METRICS   the audit: per-group table with bootstrap intervals,
                                             disparities, findings, notes                          audit.py
  Finding, four_fifths, FOUR_FIFTHS          a disparity in plain words with the numbers it states
                                             (Audit.findings); the four-fifths verdict             wording.py
  fit_thresholds, ThresholdMitigation,       group thresholds after training (fairlearn's
  ThresholdRule, CONSTRAINTS, reweighing     ThresholdOptimizer); reweighing the training rows     mitigation.py
  proxies, attribution_gaps                  where a gap comes from: proxies, SHAP per group       proxies.py
  audit_run, audit_loaded, favourable_index  a stored run's audit on one split                     run.py

The groups an audit compares are data (core.data.groups); their names are here too, for convenience:
Grouping, group_labels, group_order, row_groups, training_grouping, training_bins, suggest_bins,
MAX_GROUPS, MISSING, FairnessError. No streamlit here.
"""
from core.data import (MAX_GROUPS, MISSING, FairnessError, Grouping, group_labels, group_order, row_groups,
                       suggest_bins, training_bins, training_grouping)

from .audit import GROUP_METRICS, SMALL_GROUP, Audit, audit
from .metrics import DISPARITIES, DISPARITY_LABELS, RATES, disparities, group_rates, rates
from .mitigation import CONSTRAINTS, ThresholdMitigation, ThresholdRule, fit_thresholds, reweighing
from .proxies import attribution_gaps, proxies
from .run import audit_loaded, audit_run, favourable_index
from .wording import FOUR_FIFTHS, Finding, four_fifths

__all__ = [
    "CONSTRAINTS", "DISPARITIES", "DISPARITY_LABELS", "FOUR_FIFTHS", "GROUP_METRICS", "MAX_GROUPS", "MISSING",
    "RATES", "SMALL_GROUP", "Audit", "FairnessError", "Finding", "Grouping", "ThresholdMitigation", "ThresholdRule",
    "attribution_gaps", "audit", "audit_loaded", "audit_run", "disparities", "favourable_index", "fit_thresholds",
    "four_fifths", "group_labels", "group_order", "group_rates", "proxies", "rates", "reweighing", "row_groups",
    "suggest_bins", "training_bins", "training_grouping",
]
