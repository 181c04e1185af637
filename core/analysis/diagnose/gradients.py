"""Failures seen in the per-layer gradient norms across depth: vanishing and exploding gradients.

The norms are those of the last batch of each logged epoch (core.training.layers); the first layer's is
compared with the last's, epoch by epoch, and the median of those ratios is taken so one odd batch does
not decide."""
from __future__ import annotations

import numpy as np

from .records import Diagnosis, RunLog, num

# The first layer's gradient this many times smaller than the last layer's: the first layers barely learn.
# Healthy nets on the toy sets measured 0.1–10; eight sigmoid layers measured about 1e-5.
VANISH_RATIO = 1e-3
# ...or this many times larger: updates near the input blow up. Healthy nets stayed below 10.
EXPLODE_RATIO = 1e3
# The largest gradient norm grown this many times its first logged size: growing without bound.
GRAD_GROWTH = 1e3
# ...or a layer's gradient norm this large: the losses are of order 1 on standardised data, and healthy nets on
# the toy sets stayed below 5; weights started 4× too large measured 30–130 within ten epochs.
GRAD_HUGE = 100.0


def _ends(log: RunLog):
    """(first label, last label, epochs, first/last ratios) over the epochs where both are logged and the last
    is above 0; None with fewer than two layers."""
    layers = log.layers("grad_norm")
    if len(layers) < 2:
        return None
    (first, (e1, v1)), (last, (e2, v2)) = list(layers.items())[0], list(layers.items())[-1]
    common, i1, i2 = np.intersect1d(e1, e2, return_indices=True)
    a, b = v1[i1], v2[i2]
    ok = np.isfinite(a) & np.isfinite(b) & (b > 0)
    return first, last, common[ok], a[ok] / b[ok]


def vanishing_gradients(log: RunLog) -> Diagnosis | None:
    ends = _ends(log)
    if ends is None or not len(ends[3]):
        return None
    first, last, epochs, ratios = ends
    ratio = float(np.median(ratios))
    if ratio > VANISH_RATIO:
        return None
    return Diagnosis(
        "vanishing_gradients", "Vanishing gradients: the first layers barely learn",
        cause="The gradient shrinks on its way back through the layers (saturating activations such as sigmoid, "
              "or many layers), so the layers near the input hardly change.",
        fix="On the Build page use relu (or leaky_relu) instead of sigmoid/tanh, fewer layers or batch norm; on "
            "the Train page Adam helps too.",
        evidence=f"The gradient of {log.name(first)} was {num(ratio)}× that of {log.name(last)} (median over "
                 f"{len(ratios)} logged epochs, epochs {int(epochs[0]):,}–{int(epochs[-1]):,}); see the gradient "
                 "chart (log scale).",
        severity="error", chart="grads", epochs=(int(epochs[0]),),
        numbers={"ratio": ratio, "threshold": VANISH_RATIO})


def exploding_gradients(log: RunLog) -> Diagnosis | None:
    layers = log.layers("grad_norm")
    if not layers:
        return None
    epochs = np.unique(np.concatenate([e for e, _ in layers.values()]))
    top = np.zeros(len(epochs))                     # the largest layer's norm at each logged epoch (NaN stays NaN)
    for e, v in layers.values():
        np.maximum.at(top, np.searchsorted(epochs, e), v)
    ends = _ends(log)
    ratio = float(np.median(ends[3])) if ends is not None and len(ends[3]) else 1.0
    broke = ~np.isfinite(top)
    growth = float(top[-1] / top[0]) if top[0] > 0 and np.isfinite(top[-1]) else 1.0
    huge = np.isfinite(top) & (top >= GRAD_HUGE)
    if not broke.any() and not huge.any() and ratio < EXPLODE_RATIO and growth < GRAD_GROWTH:
        return None
    at = int(epochs[np.argmax(broke | huge)]) if (broke | huge).any() else int(epochs[-1])
    if broke.any() or huge.any():
        seen = (f"a layer's gradient norm reached {num(float(top[np.argmax(broke | huge)]))} at epoch {at:,} "
                f"(healthy ones stay below {GRAD_HUGE:g})")
    elif ratio >= EXPLODE_RATIO:
        seen = f"the first layer's gradient was {num(ratio)}× the last layer's (median over the logged epochs)"
    else:
        seen = f"the largest gradient grew {num(growth)}× from epoch {int(epochs[0]):,} to {int(epochs[-1]):,}"
    return Diagnosis(
        "exploding_gradients", "Exploding gradients",
        cause="The gradient grows on its way back through the layers or from one epoch to the next (weights "
              "started too large, or a learning rate too high), so updates overshoot.",
        fix="On the Train page turn on Gradient clipping (e.g. 1) and lower the Learning rate; on the Build page "
            "keep the default (or He/Xavier) initialisation.",
        evidence=f"{seen[0].upper()}{seen[1:]}; see the gradient chart.",
        severity="error", chart="grads", epochs=(at,),
        numbers={"ratio": ratio, "growth": growth, "largest": float(np.nanmax(np.where(np.isfinite(top), top, np.nan)))
                 if np.isfinite(top).any() else float("inf"), "threshold": GRAD_HUGE})
