"""The disparities of an audit in plain words, each sentence kept with the numbers it states.

    for f in audit.findings:   f.metric, f.low, f.high, f.low_value, f.high_value, f.value, f.sentence
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

FOUR_FIFTHS = 0.8


@dataclass(frozen=True)
class Finding:
    """One disparity in words. `rate` is the per-group rate compared (e.g. "selection_rate"), `low` and
    `high` the groups where it is lowest and highest with their values, `metric` the disparity it
    comes to (e.g. "demographic_parity_difference") and `value` its value."""

    metric: str
    rate: str
    low: str
    high: str
    low_value: float
    high_value: float
    value: float
    sentence: str

    @property
    def equal(self) -> bool:
        """Every group has the same rate."""
        return self.low_value == self.high_value


def _pts(x: float) -> str:
    return f"{abs(x) * 100:.1f} points"


def _spread(table: pd.DataFrame, rate: str):
    """(lowest group, highest group, their values), or None with fewer than two groups where the rate is defined."""
    v = table[rate].dropna()
    if len(v) < 2:
        return None
    hi, lo = v.idxmax(), v.idxmin()
    return str(lo), str(hi), float(v[lo]), float(v[hi])


def _parity(spread, gaps: dict, fav: str) -> Finding:
    lo, hi, low, high = spread
    if low == high:
        text = f"Every group is predicted {fav!r} equally often ({high:.1%}): demographic parity difference 0."
    else:
        text = (f"{lo!r} is predicted {fav!r} {_pts(high - low)} less often than {hi!r} ({low:.1%} vs {high:.1%}): "
                f"demographic parity difference {gaps['demographic_parity_difference']:.3f}.")
    return Finding("demographic_parity_difference", "selection_rate", *spread,
                   gaps["demographic_parity_difference"], text)


def _four_fifths(spread, gaps: dict) -> Finding | None:
    ratio = gaps["demographic_parity_ratio"]
    if not math.isfinite(ratio):
        return None
    verdict = ("below the four-fifths rule of thumb (0.8): a disparity regulators would question"
               if ratio < FOUR_FIFTHS else "within the four-fifths rule of thumb (≥ 0.8)")
    return Finding("demographic_parity_ratio", "selection_rate", *spread, ratio,
                   f"The lowest selection rate is {ratio:.0%} of the highest — {verdict}.")


def _opportunity(spread, gaps: dict, fav: str) -> Finding:
    lo, hi, low, high = spread
    found = (f"the model recognises {high:.1%} in every group" if low == high else
             f"the model recognises {low:.1%} in {lo!r} but {high:.1%} in {hi!r}")
    value = gaps["equal_opportunity_difference"]
    return Finding("equal_opportunity_difference", "tpr", *spread, value,
                   f"Of the rows that truly are {fav!r}, {found}: equal opportunity difference {value:.3f}.")


def _odds(spread, gaps: dict, fav: str) -> Finding:
    lo, hi, low, high = spread
    wrong = f"{high:.1%} in every group" if low == high else f"{high:.1%} in {hi!r} vs {low:.1%} in {lo!r}"
    value = gaps["equalized_odds_difference"]
    return Finding("equalized_odds_difference", "fpr", *spread, value,
                   f"Of the rows that are not {fav!r}, the model wrongly says {fav!r} for {wrong}; with the TPR "
                   f"gap this gives an equalized odds difference of {value:.3f}.")


def _precision(spread, gaps: dict, fav: str) -> Finding:
    lo, hi, low, high = spread
    right = (f"{high:.1%} of the time in every group" if low == high else
             f"{high:.1%} of the time for {hi!r} and {low:.1%} for {lo!r}")
    value = gaps["predictive_parity_difference"]
    return Finding("predictive_parity_difference", "precision", *spread, value,
                   f"When the model says {fav!r}, it is right {right}: predictive parity difference {value:.3f}.")


def findings(table: pd.DataFrame, gaps: dict, favourable: str) -> list[Finding]:
    """The disparities in plain words, e.g. "'female' is predicted 'good' 8.7 points less often than 'male'",
    from the per-group table (selection_rate, tpr, fpr, precision by group) and the disparities."""
    out: list[Finding | None] = []
    selection = _spread(table, "selection_rate")
    if selection:
        out += [_parity(selection, gaps, favourable), _four_fifths(selection, gaps)]
    for rate, finding in (("tpr", _opportunity), ("fpr", _odds), ("precision", _precision)):
        spread = _spread(table, rate)
        if spread:
            out.append(finding(spread, gaps, favourable))
    return [f for f in out if f is not None]


def four_fifths(ratio: float) -> tuple[str, str]:
    """(css class, verdict) of the four-fifths rule on the demographic parity ratio."""
    if ratio is None or not math.isfinite(float(ratio)):
        return "unknown", "The four-fifths rule cannot be applied: a group has no favourable predictions at all."
    if ratio >= FOUR_FIFTHS:
        return "pass", (f"Passes the four-fifths rule: the lowest selection rate is {ratio:.0%} of the highest "
                        "(at least 80 %).")
    return "fail", (f"Fails the four-fifths rule: the lowest selection rate is only {ratio:.0%} of the highest "
                    "(below 80 %), a disparity regulators would question.")
