"""The Fairness page's tooltips, by widget (the disparities' by their name in core.fairness)."""

HELP = {
    "run": "A trained classification run to audit. Runs that are still training appear once they finish "
           "or are stopped; variants started from this page appear here too.",
    "sensitive": "The column whose groups are compared, e.g. sex or age. Columns the data marks as sensitive "
                 "come first, but any column works. Pick a second one to compare their intersection "
                 "(e.g. female × under 30).",
    "edges": "Numbers are cut into bands at these values, e.g. '30, 45' gives under 30, 30–45 and 45 or "
             "more. Prefilled with the training rows' quartiles. Leave it empty to make each value its own "
             "group (only for columns with a few values).",
    "favourable": "The outcome that is good for the person (credit 'good', loan 'yes'). Rates are counted "
                  "for this label; with more than two classes it is this class against all the others.",
    "split": "Which rows to audit. Test rows were never used in training: the honest choice. Validation "
             "and training rows show whether the gaps were already there while learning.",
    "threshold": "The network says the favourable label when its probability is at least this value. "
                 "Lower it and more people get the favourable outcome; watch how the gaps and the accuracy "
                 "move.",
    "per_group": "Give each group its own threshold (below) instead of the one above: a simple way to close "
                 "a gap after training, at some cost in accuracy.",
    "group_threshold": "This group's threshold: its rows get the favourable label when the network's "
                       "probability is at least this value.",
    "demographic_parity_difference": "The largest gap in selection rate (share given the favourable label) "
                                     "between two groups. 0 means every group is selected equally often.",
    "demographic_parity_ratio": "The lowest selection rate divided by the highest. 1 is equal; below 0.8 "
                                "fails the 'four-fifths rule' used in US hiring law.",
    "equalized_odds_difference": "The largest gap between groups in the true-positive rate or the "
                                 "false-positive rate: does the model make the same kinds of mistakes for "
                                 "everyone? 0 is equal.",
    "equalized_odds_ratio": "The smallest ratio between groups of the true- or false-positive rate. 1 is "
                            "equal.",
    "equal_opportunity_difference": "The largest gap in true-positive rate: of the people who truly deserve "
                                    "the favourable label, does every group get it equally often?",
    "predictive_parity_difference": "The largest gap in precision: when the model says favourable, is it "
                                    "right equally often for every group?",
    "shap": "Compute SHAP values (how much each column pushed each decision) for 200 test rows, then compare "
            "their average per group. Takes a few seconds; kept for the next visit.",
    "reweigh": "Start a new run with the same data, network and settings, whose training rows are weighted "
               "so that group and label are independent (rows of under-favoured combinations count more).",
    "penalty": "Which gap the new run is penalised for while it trains: demographic parity (different "
               "selection rates) or equalized odds (different error rates).",
    "lambda": "How much the penalty weighs against the usual loss. 0 = no penalty; larger closes the gap "
              "more but costs more accuracy. Try 0.3, then 1.",
    "penalty_go": "Start a new run with the same data, network and settings plus the penalty on the gap "
                  "chosen on the left. It joins the comparison when it finishes.",
    "pareto_x": "Which disparity to put on the chart's horizontal axis. Points further left are fairer, "
                "higher up more accurate: the best variants sit top left.",
    "report": "Write the whole audit as one HTML page (groups, disparities in words, charts, SHAP, proxies, "
              "the mitigations compared) to download, share or print.",
    "report_download": "Save the audit report: one self-contained HTML file that opens in any browser, "
                       "offline.",
}
