"""Failures seen in the loss curves: divergence, a learning rate too low, overfitting and underfitting."""
from __future__ import annotations

import numpy as np

from .records import Diagnosis, RunLog, num

# The loss this many times its best so far (and above where it started): it went the wrong way and stayed.
# The same factor stops a run in core.training.diagnose.
FAR_ABOVE_BEST = 3.0
# Over at least FLAT_EPOCHS logged epochs the training loss fell by less than this share of where it started:
# it is not moving. A healthy run on the toy sets fell 10 % or more within its first 10 logged epochs.
FLAT_DROP = 0.02
FLAT_EPOCHS = 6       # logged epochs are at least 32 steps apart: 192 steps or more
# ...and no layer's weight norm changed by more than this share: the weights barely move (a net that has
# settled moves its weights too; at a learning rate of 1e-6 they moved 1e-4 in 40 epochs).
STILL_WEIGHTS = 0.01
# Validation loss this many times its lowest, with the training loss below FALLING_TRAIN × its value there and
# at least OVERFIT_AFTER logged epochs after the lowest: the net learns the training rows, not the task.
OVERFIT_RISE = 1.3
FALLING_TRAIN = 0.8
OVERFIT_AFTER = 3
# Underfitting: both losses at least this share of chance level, flat (below TAIL_DROP over the second half of
# the logged epochs), and a training accuracy below UNDERFIT_ACCURACY.
HIGH_LOSS = 0.5
TAIL_DROP = 0.05
UNDERFIT_ACCURACY = 0.8


def divergence(log: RunLog) -> Diagnosis | None:
    epochs, loss = log.get("train_loss")
    if not len(loss):
        return None
    broken = ~np.isfinite(loss)
    best = np.minimum.accumulate(np.where(broken, np.inf, loss))
    far = (loss > FAR_ABOVE_BEST * best) & (loss > loss[0])
    if not broken.any() and not (far[-1] or log.status == "diverged"):
        return None
    began = int(epochs[np.argmax(broken | far)]) if (broken | far).any() else int(epochs[-1])
    low = float(best[-1]) if np.isfinite(best[-1]) else float(loss[0])
    seen = (f"the training loss became {num(float(loss[broken][0]))} at epoch {began:,}" if broken.any() else
            f"the training loss rose from its best, {num(low)}, to {num(float(np.nanmax(loss)))} from epoch {began:,}")
    raised = [e for e in log.events if e.get("kind") == "lr" and e.get("epoch", 0) <= began
              and (e.get("detail") or {}).get("to", 0) > (e.get("detail") or {}).get("from", np.inf)]
    if raised:
        d = raised[-1]["detail"]
        seen += f", after the learning rate was raised from {d['from']:g} to {d['to']:g} at epoch {raised[-1]['epoch']:,}"
    return Diagnosis(
        "divergence", "Training diverged",
        cause="The updates overshoot: the learning rate is too high for this network and data, so the loss "
              "climbs away from its best (or stops being a number) instead of falling.",
        fix=f"Lower the Learning rate on the Train page (now {log.lr:g}; try a tenth) or turn on Gradient "
            "clipping, then train again.",
        evidence=f"{seen[0].upper()}{seen[1:]}; see the loss chart (marked).",
        severity="error", chart="loss", epochs=(began,),
        numbers={"best_loss": low, "began": began, "threshold": FAR_ABOVE_BEST})


def lr_too_low(log: RunLog) -> Diagnosis | None:
    epochs, loss = log.get("train_loss")
    if len(loss) < FLAT_EPOCHS or not np.isfinite(loss).all() or loss[0] < HIGH_LOSS * log.chance:
        return None
    drop = float((loss[0] - loss.min()) / loss[0])
    moved = _weights_moved(log)
    if drop >= FLAT_DROP or moved is None or moved >= STILL_WEIGHTS:
        return None
    return Diagnosis(
        "lr_too_low", "The learning rate is too low",
        cause="Each update moves the weights so little that the loss hardly changes: the network is learning, "
              "but far too slowly to get anywhere in this many epochs.",
        fix=f"Raise the Learning rate on the Train page (now {log.lr:g}; try 10× to 1000× more, e.g. 0.01 with "
            "Adam), then train again.",
        evidence=f"Over {len(loss)} logged epochs (epochs {int(epochs[0]):,}–{int(epochs[-1]):,}) the training "
                 f"loss fell by {100 * drop:.2g} % (from {num(float(loss[0]))} to {num(float(loss[-1]))}) and "
                 f"no layer's weights changed size by more than {100 * moved:.2g} %; see the loss chart.",
        severity="error", chart="loss", epochs=(int(epochs[0]), int(epochs[-1])),
        numbers={"drop": drop, "weights_moved": moved, "threshold": FLAT_DROP})


def _weights_moved(log: RunLog) -> float | None:
    """The largest relative change of a layer's weight norm from the first logged epoch to the last."""
    changes = [abs(v[-1] - v[0]) / v[0] for _, v in log.layers("weight_norm").values() if len(v) and v[0] > 0]
    return max(changes) if changes else None


def overfitting(log: RunLog) -> Diagnosis | None:
    ve, val = log.get("val_loss")
    te, train = log.get("train_loss")
    if len(val) < OVERFIT_AFTER + 2 or not np.isfinite(val).all():
        return None
    best = int(np.argmin(val))
    at_best = train[te == ve[best]]
    if (len(val) - 1 - best < OVERFIT_AFTER or val[-1] < OVERFIT_RISE * val[best] or not len(at_best)
            or not train[-1] <= FALLING_TRAIN * at_best[0]):
        return None
    return Diagnosis(
        "overfitting", "Overfitting: it learns the training rows, not the task",
        cause="The training loss keeps falling while the validation loss rises: the network is memorising the "
              "training rows (noise included) instead of the pattern.",
        fix="Turn on Early stopping or raise L2 on the Train page, or add Dropout on the Build page (fewer "
            "units or more data help too).",
        evidence=f"The validation loss was lowest at epoch {int(ve[best]):,} ({num(float(val[best]))}) and is "
                 f"{num(float(val[-1]))} at epoch {int(ve[-1]):,} ({val[-1] / val[best]:.1f}×), while the "
                 f"training loss fell from {num(float(at_best[0]))} to {num(float(train[-1]))}; see the loss "
                 "chart (marked).",
        severity="warning", chart="loss", epochs=(int(ve[best]),),
        numbers={"best_val_epoch": int(ve[best]), "rise": float(val[-1] / val[best]), "threshold": OVERFIT_RISE})


def underfitting(log: RunLog) -> Diagnosis | None:
    te, train = log.get("train_loss")
    _, val = log.get("val_loss")
    if len(train) < FLAT_EPOCHS or not len(val) or not np.isfinite(train).all():
        return None
    tail = train[len(train) // 2:]
    flat = (tail[0] - tail.min()) / tail[0] < TAIL_DROP
    high = min(train[-1], val[-1]) >= HIGH_LOSS * log.chance
    acc = log.summary.get("train_accuracy", log.last("val_accuracy"))
    if not (flat and high) or (acc is not None and acc >= UNDERFIT_ACCURACY):
        return None
    score = f" and the accuracy is {100 * acc:.0f} %" if acc is not None else ""
    return Diagnosis(
        "underfitting", "Underfitting: the network has stopped improving while still poor",
        cause="Both losses are high and have levelled off: the network is too small (or too constrained) for "
              "the pattern in the data.",
        fix="On the Build page add units or layers (or a non-linear activation); on the Train page lower L1/L2 "
            "or raise Epochs.",
        evidence=f"The training loss is {num(float(train[-1]))} and the validation loss {num(float(val[-1]))} "
                 f"at epoch {int(te[-1]):,} ({train[-1] / log.chance:.0%} of a guess's {num(log.chance)}){score}, "
                 f"and fell less than {100 * TAIL_DROP:.0f} % over epochs {int(te[len(te) // 2]):,}–"
                 f"{int(te[-1]):,}; see the loss chart.",
        severity="warning", chart="loss", epochs=(int(te[len(te) // 2]),),
        numbers={"train_loss": float(train[-1]), "chance": log.chance, "accuracy": acc})
