"""Failures seen in a layer's units: all alike (symmetry), or switched off (dead ReLUs)."""
from __future__ import annotations

from .records import Diagnosis, RunLog, num

# Units whose incoming weights differ by less than this share of the layer's largest weight compute the same
# thing. Random initialisations give about 1 (measured 0.76–1.2 on the toy sets); zeros and constant ones
# give exactly 0, and gradient steps keep identical units identical to the last bit.
SYMMETRY_SPREAD = 1e-4
# A ReLU layer with at least this share of its units silent on every probed training row has lost most of its
# capacity. Healthy ReLU nets on the toy sets had 5–30 % silent units; a learning rate of 10 or a bias of -10
# switches off 90–100 %.
DEAD_SHARE = 0.5


def symmetry(log: RunLog) -> Diagnosis | None:
    """A hidden layer whose units are identical at the last logged epoch."""
    alike = _layers_now(log, "unit_spread", lambda v: v <= SYMMETRY_SPREAD)
    if not alike:
        return None
    label, (epochs, values) = next(iter(alike.items()))
    since = _since(epochs, values <= SYMMETRY_SPREAD)
    names = ", ".join(log.name(lb) for lb in alike)
    return Diagnosis(
        "symmetry", "Every unit of a layer is the same",
        cause=f"The units of {names} started with identical weights (zeros or constant initialisation), so they "
              "get identical gradients and stay copies of one another: the layer works like a single unit.",
        fix="On the Build page set the layers' Initialisation to a random one (default, He or Xavier), then "
            "train again.",
        evidence=f"The units' weights of {log.name(label)} differ by {100 * float(values[-1]):.2g} % of its largest "
                 f"weight at epoch {int(epochs[-1]):,} (a random initialisation gives about 100 %), at every "
                 f"logged epoch since epoch {since:,}; see the weights chart.",
        severity="error", chart="weights", epochs=(since,),
        numbers={"layers": list(alike), "spread": float(values[-1]), "threshold": SYMMETRY_SPREAD})


def dead_relu(log: RunLog) -> Diagnosis | None:
    """A ReLU layer with most of its units silent at the last logged epoch."""
    dead = _layers_now(log, "dead_share", lambda v: v >= DEAD_SHARE)
    if not dead:
        return None
    label, (epochs, values) = max(dead.items(), key=lambda kv: kv[1][1][-1])
    since = _since(epochs, values >= DEAD_SHARE)
    return Diagnosis(
        "dead_relu", "Dead ReLUs: most units never fire",
        cause="Most ReLU units of a layer output 0 for every training row, so no gradient flows through them "
              "and they never recover — usually a learning rate too high or biases pushed far below 0.",
        fix="Lower the Learning rate on the Train page (e.g. a tenth), or choose leaky_relu as the activation "
            "on the Build page, then train again.",
        evidence=f"{100 * float(values[-1]):.0f} % of {log.name(label)} gave 0 on every one of 256 "
                 f"training rows at epoch {int(epochs[-1]):,} (at least {100 * DEAD_SHARE:.0f} % since epoch "
                 f"{since:,}); see the gradient chart.",
        severity="error", chart="grads", epochs=(since,),
        numbers={"layers": {lb: float(ev[1][-1]) for lb, ev in dead.items()}, "threshold": DEAD_SHARE})


def _layers_now(log: RunLog, name: str, test) -> dict:
    """The layers whose per-layer series `name` passes `test` at its last logged epoch: label → (epochs, values)."""
    return {label: ev for label, ev in log.layers(name).items() if len(ev[1]) and test(ev[1][-1])}


def _since(epochs, flags) -> int:
    """The first epoch of the run of True flags that reaches the last one."""
    i = len(flags) - 1
    while i > 0 and flags[i - 1]:
        i -= 1
    return int(epochs[i])
