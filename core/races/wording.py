"""The sentence that says who won a race, by how much, and how sure it is.

verdict(entries, …) is pure: it reads the entries' scores (core/races/result.py) and returns the sentence,
the winner's run id (None when nobody clearly won) and whether the lead is within noise.
"""
from __future__ import annotations

from itertools import takewhile

from ..runs.store import ACTIVE

NOISE_FACTOR = 2.0       # a lead counts when larger than twice the noise of the two runs compared ...
MIN_LEAD = 0.01          # ... and than 1 % of the second's score
BROKEN = ("diverged", "failed")


def _num(v: float) -> str:
    return f"{v:.3g}"


def _times(low: float, high: float) -> str:
    """'3.1× lower than' or '0.02 lower than', whichever says more."""
    if low > 0 and high / low >= 1.5:
        return f"{high / low:.1f}× lower than"
    return f"{_num(high - low)} lower than"


def lead_threshold(first, second) -> float:
    """How far ahead of `second` `first` must be to have won, not just drawn lucky epochs."""
    noise = max(first.noise or 0.0, second.noise or 0.0)
    return max(NOISE_FACTOR * noise, MIN_LEAD * abs(second.best_loss))


def _still(entries) -> str:
    active = [e for e in entries if e.status in ACTIVE]
    if not active:
        return ""
    waiting = sum(e.status == "queued" for e in active)
    where = f", {waiting} waiting for a worker" if waiting else ""
    return f"Still training ({len(active)} of {len(entries)} runs{where}), so this may change. So far: "


def _left_out(entries) -> str:
    """Runs that ended without a score, or stopped short, in words."""
    notes = []
    for e in entries:
        if e.status in ("diverged", "failed") and e.best_loss is None:
            notes.append(f"{e.label} {e.status} without a usable loss and is left out")
        elif e.status in ("diverged", "failed"):
            notes.append(f"{e.label} {e.status} at epoch {e.epoch}")
        elif e.status in ("stopped", "interrupted") and e.epoch < e.epochs:
            notes.append(f"{e.label} was {e.status} at epoch {e.epoch} of {e.epochs}")
    return (" " + "; ".join(notes) + ".") if notes else ""


def _accuracy(ranked, winner) -> str:
    """The classifier's second opinion: who had the best validation accuracy."""
    scored = sorted((e for e in ranked if e.best_accuracy is not None), key=lambda e: -e.best_accuracy)
    if len(scored) < 2:
        return ""
    top, last = scored[0], scored[-1]
    shared = [e.label for e in scored if e.best_accuracy == top.best_accuracy]
    if winner is None and len(shared) > 1:
        return (f" {', '.join(shared[:-1])} and {shared[-1]} shared the best validation accuracy, "
                f"{top.best_accuracy:.1%} ({last.label}: {last.best_accuracy:.1%}).")
    if winner is None:
        return (f" The best validation accuracy was {top.label}'s, {top.best_accuracy:.1%} ({last.label}: "
                f"{last.best_accuracy:.1%}).")
    if top.run_id == winner.run_id or top.best_accuracy == winner.best_accuracy:
        return (f" By validation accuracy it led too: {winner.best_accuracy:.1%} against {last.label}'s "
                f"{last.best_accuracy:.1%}.")
    return (f" By validation accuracy, though, {top.label} led: {top.best_accuracy:.1%} against {winner.label}'s "
            f"{winner.best_accuracy:.1%}.")


def _tie(tied, rest, what: str) -> str:
    """The runs within noise of the leader, then the others (`rest`, best first)."""
    names = ", ".join(e.label for e in tied[:-1]) + f" and {tied[-1].label}"
    noise = max(e.noise or 0.0 for e in tied)
    text = (f"{names} are within noise of each other at the lowest {what} "
            f"({', '.join(_num(e.best_loss) for e in tied)}; it moves by about {_num(noise)} from epoch to "
            "epoch), so none clearly won")
    if len(rest) > 1:
        text += f"; next came {rest[0].label} ({_num(rest[0].best_loss)})"
    return text + ("." if not rest else f"; {rest[-1].label} came last at {_num(rest[-1].best_loss)}.")


def verdict(entries, metric: str, classifier: bool, ended: bool) -> tuple[str, str | None, bool]:
    """(sentence, winner's run id or None, within noise) for a race's entries."""
    what = "validation loss" if metric == "val_loss" else "training loss"
    scored = sorted((e for e in entries if e.best_loss is not None), key=lambda e: e.best_loss)
    ranked = [e for e in scored if e.status not in BROKEN] or scored    # a diverged run neither wins nor is
    prefix = _still(entries)                                            # the yardstick, unless all did
    if not ranked:
        if not ended:
            return "No results yet: the runs are waiting for a worker or have just started.", None, False
        return f"No run logged a {what}, so there is no winner." + _left_out(entries), None, False
    if len(ranked) == 1:
        only = ranked[0]
        text = f"only {only.label} has a {what}{'' if ended else ' yet'}: {_num(only.best_loss)}."
        return prefix + (text if prefix else text[0].upper() + text[1:]) + _left_out(entries), None, False
    first, second, last = ranked[0], ranked[1], ranked[-1]
    if second.best_loss - first.best_loss <= lead_threshold(first, second):
        tied = list(takewhile(lambda e: e.best_loss - first.best_loss <= lead_threshold(first, e), ranked))
        text = _tie(tied, ranked[len(tied):], what)
        text += " Train them again with another seed to tell them apart."
        return prefix + text + (_accuracy(ranked, None) if classifier else "") + _left_out(entries), None, True
    text = (f"{first.label} reached the lowest {what}, {_num(first.best_loss)}, "
            f"{_times(first.best_loss, last.best_loss)} {last.label}'s {_num(last.best_loss)}")
    text += "." if second is last else f"; {second.label} was second ({_num(second.best_loss)})."
    sentence = prefix + text + (_accuracy(ranked, first) if classifier else "") + _left_out(entries)
    return sentence, first.run_id, False
