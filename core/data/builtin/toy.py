"""The 2-D toy sets: points on a plane drawn from a seeded generator, for decision-boundary demos.

Each generator takes the random generator, the number of points and a noise level 0..1 and returns
the points (n x 2) and their labels (or, for the surface, its heights). The classifiers also take
`counts`, the points of each class, when the classes are not balanced (see ``class_counts``): with
counts None they draw exactly the points they drew before the minority knob existed.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd


def _shuffled(rng: np.random.Generator, x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(labels))
    return x[order], labels[order]


def _two_halves(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


def balanced_share(classes: int) -> float:
    """The share of each class when all `classes` are equally common: 0.5 for two, a third for three."""
    return 1.0 / classes


def class_counts(n: int, minority: float | None, classes: int = 2) -> tuple[int, ...] | None:
    """Points per class when the rarest class holds the share `minority` of `n`; None when balanced.

    The rarest class is the last one (label 1 of a two-class set): it gets round(minority * n) points,
    at least 2 so it can appear in training and in a held-out split; the other classes share the rest
    equally (the first ones take the odd points). A share at or above the balanced one (0.5 for two
    classes, a third for three) means balanced, today's data.
    """
    if minority is None or minority >= balanced_share(classes) - 1e-12:
        return None
    rare = min(n - (classes - 1), max(2, int(round(minority * n))))
    base, extra = divmod(n - rare, classes - 1)
    return tuple(base + (1 if i < extra else 0) for i in range(classes - 1)) + (rare,)


def _spiral(rng: np.random.Generator, n: int, noise: float, counts=None) -> tuple[np.ndarray, np.ndarray]:
    # Two interleaved arms, 1.75 turns each, radius 0..1; the second arm is the first turned by half a turn.
    parts, labels = [], []
    for label, m in enumerate(counts or _two_halves(n)):
        t = rng.random(m)
        r = 0.05 + 0.95 * t
        angle = 1.75 * 2 * np.pi * t + label * np.pi
        parts.append(np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
        labels.append(np.full(m, label))
    x = np.vstack(parts) + rng.normal(0.0, 0.25 * noise, (n, 2))
    return _shuffled(rng, x, np.concatenate(labels))


def _moons(rng: np.random.Generator, n: int, noise: float, counts=None) -> tuple[np.ndarray, np.ndarray]:
    m0, m1 = counts or _two_halves(n)
    a0, a1 = rng.uniform(0, np.pi, m0), rng.uniform(0, np.pi, m1)
    upper = np.column_stack([np.cos(a0), np.sin(a0)])
    lower = np.column_stack([1 - np.cos(a1), 0.5 - np.sin(a1)])
    x = np.vstack([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    return _shuffled(rng, x, np.concatenate([np.zeros(m0, int), np.ones(m1, int)]))


def _circles(rng: np.random.Generator, n: int, noise: float, counts=None) -> tuple[np.ndarray, np.ndarray]:
    # Class 1 fills a disc of radius 0.5; class 0 is a ring from 0.7 to 1.
    m0, m1 = counts or _two_halves(n)
    r = np.concatenate([rng.uniform(0.7, 1.0, m0), 0.5 * np.sqrt(rng.random(m1))])
    a = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([r * np.sin(a), r * np.cos(a)]) + rng.normal(0.0, 0.3 * noise, (n, 2))
    return _shuffled(rng, x, np.concatenate([np.zeros(m0, int), np.ones(m1, int)]))


def _xor(rng: np.random.Generator, n: int, noise: float, counts=None) -> tuple[np.ndarray, np.ndarray]:
    # Points in the four quadrants, kept a little away from the axes; 1 where x1 and x2 share a sign.
    if counts is None:
        u = rng.uniform(0.06, 1.0, (n, 2)) * rng.choice([-1.0, 1.0], (n, 2))
        labels = (u[:, 0] * u[:, 1] > 0).astype(int)
        return u + rng.normal(0.0, 0.3 * noise, (n, 2)), labels
    # so many points of each class: x1's sign at random, x2's sign the same (class 1) or the other (class 0)
    labels = np.repeat([0, 1], counts)
    sign1 = rng.choice([-1.0, 1.0], n)
    signs = np.column_stack([sign1, np.where(labels == 1, sign1, -sign1)])
    x = rng.uniform(0.06, 1.0, (n, 2)) * signs + rng.normal(0.0, 0.3 * noise, (n, 2))
    return _shuffled(rng, x, labels)


def _blobs(rng: np.random.Generator, n: int, noise: float, classes: int,
           counts=None) -> tuple[np.ndarray, np.ndarray]:
    labels = np.arange(n) % classes if counts is None else np.repeat(np.arange(classes), counts)
    angles = np.pi / 2 + 2 * np.pi * np.arange(classes) / classes
    centres = np.column_stack([np.cos(angles), np.sin(angles)])
    x = centres[labels] + rng.normal(0.0, 0.05 + 0.45 * noise, (n, 2))
    return _shuffled(rng, x, labels)


def _surface(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-1.0, 1.0, (n, 2))
    y = np.sin(np.pi * x[:, 0]) * np.cos(0.5 * np.pi * x[:, 1]) + 0.25 * x[:, 1]
    return x, y + rng.normal(0.0, noise, n)


def _toy_frame(x: np.ndarray, labels: np.ndarray, target: str) -> pd.DataFrame:
    return pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], target: labels})


_CLASSIFIERS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "spiral": _spiral,
    "moons": _moons,
    "circles": _circles,
    "xor": _xor,
    "blobs": _blobs,
}


def toy_table(name: str, rng: np.random.Generator, params: dict) -> tuple[pd.DataFrame, str]:
    """The table (x1, x2 and the target) of the toy set `name` and the target's name."""
    if name == "regression2d":
        x, y = _surface(rng, params["n"], params["noise"])
        return _toy_frame(x, y, "y"), "y"
    params = dict(params)
    minority = params.pop("minority", None)
    counts = class_counts(params["n"], minority, params.get("classes", 2))
    x, labels = _CLASSIFIERS[name](rng, counts=counts, **params)
    return _toy_frame(x, labels.astype(np.int64), "label"), "label"
