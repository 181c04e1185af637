"""The Fairness page's words for a group's fitted thresholds, read from the rule's fields."""
from __future__ import annotations

import numpy as np
import pytest

from core.analysis.fairness import ThresholdRule, fit_thresholds
from dashboard.fairness.mitigations import readable_rule


def test_a_rule_reads_as_its_threshold_and_how_often_it_applies():
    assert readable_rule(ThresholdRule("a", ">", 0.4496150016784668)) == "probability > 0.45"
    mixed = ThresholdRule("b", ">", 0.4496150016784668, 0.53, "<", 0.33431)
    assert readable_rule(mixed) == "probability > 0.45 (53% of the time), else < 0.33"
    odds = ThresholdRule("c", ">", 0.5, constant_share=0.031, constant=0.0)
    assert readable_rule(odds) == "probability > 0.50; 3% of the time not favourable whatever the probability"
    coin = ThresholdRule("d", "<", 0.2, constant_share=0.1, constant=0.4)
    assert readable_rule(coin).endswith("; 10% of the time favourable with chance 40% whatever the probability")


@pytest.mark.parametrize("constraint", ["demographic_parity", "equalized_odds"])
def test_every_fitted_rule_has_words(constraint):
    rng = np.random.default_rng(2)
    g = np.where(rng.random(400) < 0.5, "a", "b")
    y = (rng.random(400) < np.where(g == "a", 0.7, 0.3)).astype(int)
    p = np.clip(0.5 * y + 0.6 * rng.random(400) - 0.1 * (g == "b"), 0, 1)
    rules = fit_thresholds(y, p, g, constraint).thresholds()
    for name, rule in rules.items():
        text = readable_rule(rule)
        assert text.startswith(f"probability {rule.operator} {rule.threshold:.2f}"), text
        assert (", else " in text) == (rule.other_operator is not None), text
        assert ("whatever the probability" in text) == (rule.constant_share > 0), text
