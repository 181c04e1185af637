"""A classifier that answers the majority class: imbalance."""
from __future__ import annotations

from .records import Diagnosis, RunLog

# The most common class holds at least this share of the validation rows: a constant answer already scores it.
IMBALANCED_SHARE = 0.7
# The accuracy within this of the majority share (or below it): the net does little better than that answer.
NEAR_MAJORITY = 0.05
# ...and some class is found this rarely: the minority is given up.
LOW_RECALL = 0.3


def imbalance(log: RunLog) -> Diagnosis | None:
    share, recall = log.last("val_majority_share"), log.last("val_min_recall")
    acc = log.last("val_accuracy")
    if None in (share, recall, acc) or share < IMBALANCED_SHARE:
        return None
    if acc > share + NEAR_MAJORITY or recall > LOW_RECALL:
        return None
    epochs, _ = log.get("val_min_recall")
    return Diagnosis(
        "imbalance", "Imbalanced classes: the rare class is given up",
        cause="One class is most of the data, so answering it almost always already scores well; the network "
              "settles there and rarely predicts the rare class.",
        fix="Make the rare class count: set Class weights to balanced, or Resampling to over (repeat the rare "
            "rows) or under (drop common ones), on the Train page (--class-weights balanced / --resample over on "
            "the command line), then train again; judge it by recall and F1, not accuracy.",
        evidence=f"The validation accuracy is {100 * acc:.0f} % while {100 * share:.0f} % of the rows are of the "
                 f"most common class, and the rarest class is found {100 * recall:.0f} % of the time (epoch "
                 f"{int(epochs[-1]):,}); see the accuracy chart.",
        severity="warning", chart="score", epochs=(int(epochs[-1]),),
        numbers={"accuracy": acc, "majority_share": share, "min_recall": recall})
