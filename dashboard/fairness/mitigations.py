"""Mitigations as variants of the run, each audited on the same rows: after training, a threshold per group
fitted to meet a fairness constraint (fairlearn's ThresholdOptimizer)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import fairness as F

from .groups import Audited, Groups
from .run import Scored, favourable_proba
from .session import cached
from .setup import Setup


@dataclass
class Variant:
    name: str
    kind: str                   # original | threshold | training
    accuracy: float
    demographic_parity_difference: float
    equalized_odds_difference: float
    selection: pd.Series        # group → selection rate
    detail: str = ""

    def as_report(self) -> dict:
        return {"name": self.name, "accuracy": self.accuracy,
                "demographic_parity_difference": self.demographic_parity_difference,
                "equalized_odds_difference": self.equalized_odds_difference}


def as_variant(name, kind, audit: F.Audit, detail="") -> Variant:
    return Variant(name, kind, audit.overall["accuracy"], audit.disparities["demographic_parity_difference"],
                   audit.disparities["equalized_odds_difference"], audit.groups["selection_rate"], detail)


def readable_rule(rule: str) -> str:
    """fairlearn's '[>0.4496150016784668] with probability 0.53, else [>0.33431…]' as
    'probability > 0.45 (53 % of the time), else > 0.33'."""
    rule = re.sub(r"\[>\s*(-?[0-9.]+(?:e-?\d+)?)\]", lambda m: f"> {float(m.group(1)):.2f}", str(rule))
    rule = re.sub(r"\[<\s*(-?[0-9.]+(?:e-?\d+)?)\]", lambda m: f"< {float(m.group(1)):.2f}", rule)
    rule = re.sub(r"with probability ([0-9.]+)", lambda m: f"({float(m.group(1)):.0%} of the time)", rule)
    return "probability " + rule


def threshold_variants(run, sc: Scored, g: Groups, setup: Setup, rows: Audited) -> tuple[list[Variant], list[str]]:
    """Group thresholds fitted (fairlearn's ThresholdOptimizer) on the training + validation rows for each
    constraint, audited on the chosen split. Returns (variants, problems in words)."""
    fit_splits = [s for s in ("train", "validation") if s in g.labels and len(sc.splits[s][0])]
    y_fit = np.concatenate([(sc.splits[s][1] == setup.favourable).astype(int) for s in fit_splits])
    p_fit = np.concatenate([favourable_proba(sc.splits[s][2], setup.favourable) for s in fit_splits])
    g_fit = np.concatenate([g.labels[s] for s in fit_splits])
    out, problems = [], []
    for constraint, label in F.CONSTRAINTS.items():
        key = (run.id, run.updated, repr(g.grouping), setup.favourable, setup.split, constraint)

        def compute(constraint=constraint):
            m = F.fit_thresholds(y_fit, p_fit, g_fit, constraint)
            pred = m.predict(rows.p, rows.labels, seed=0)
            a = F.audit(rows.y, rows.p, rows.labels, favourable=rows.favourable, grouping=g.grouping.name,
                        n_boot=0, predictions=pred)
            return a, m.thresholds()
        try:
            a, rules = cached("thresholds", key, compute)
        except (F.FairnessError, ValueError, KeyError) as e:
            problems.append(f"{label}: {e}")
            continue
        detail = "; ".join(f"{grp}: {readable_rule(rule)}" for grp, rule in rules.items())
        out.append(as_variant(f"{label} thresholds", "threshold", a, detail))
    return out, problems
