"""The Fairness page: does a trained classifier treat groups (sex, age…) alike? Audit it, find where the gap
comes from, compare mitigations, download the audit as a report.

The numbers are core.fairness's; here they are asked for, kept in the session (session.py: a widget move
never refits them) and shown.

Public surface:
    AUDITABLE, SPLITS                     the run statuses that can be audited; split → its name in words
    pick_run(runs) -> Run                 the run selector (the URL's run first)
    scored(store, run) -> Scored | None   the run's class probabilities on every split (once per server process)
    settings(dataset) -> Setup | None     sensitive column(s) with their bands, favourable label, rows
    groups_of(scored, setup) -> Groups | None        each split's group labels
    audited_rows(scored, groups, setup) -> Audited   the audited rows as one decision, favourable or not
    threshold_settings(group names) -> threshold     one for all, or one per group
    audit_of(run, groups, setup, rows, threshold) -> Audit, show_groups(audit, favourable)   the group table
    show_disparities(audit), show_sweep(y, p, labels, threshold)   the gaps in numbers and words; the sweep
    show_sources(store, run, scored, groups, setup)  proxies and the SHAP gap
    show_boundary(scored, groups, setup, threshold)  2-D data: the decision boundary by group
    as_variant, threshold_variants, training_controls, training_variants, watch, show_comparison
                                          mitigations after and during training, compared
    show_report(store, run, setup, threshold, variants)   the audit report to download
    plain helpers (no session): parse_edges, format_edges, sweep, variant_name, variants_of
    charts: selection_rates, error_rates, threshold_sweep, proxies, shap_gaps, pareto
            (pure: data in, a plotly figure out)
"""
from .bands import format_edges, parse_edges
from .boundary import show_boundary
from .charts import error_rates, pareto, proxies, selection_rates, shap_gaps, threshold_sweep
from .comparison import show_comparison
from .disparities import show_disparities
from .groups import audit_of, audited_rows, groups_of, show_groups
from .mitigations import as_variant, threshold_variants
from .report import show_report
from .retraining import training_controls, training_variants, variant_name, variants_of, watch
from .run import AUDITABLE, SPLITS, pick_run, scored
from .setup import settings
from .sources import show_sources
from .thresholds import show_sweep, sweep, threshold_settings

__all__ = ["AUDITABLE", "SPLITS", "as_variant", "audit_of", "audited_rows", "error_rates", "format_edges",
           "groups_of", "pareto", "parse_edges", "pick_run", "proxies", "scored", "selection_rates", "settings",
           "shap_gaps", "show_boundary", "show_comparison", "show_disparities", "show_groups", "show_report",
           "show_sources", "show_sweep", "sweep", "threshold_settings", "threshold_sweep", "threshold_variants",
           "training_controls", "training_variants", "variant_name", "variants_of", "watch"]
