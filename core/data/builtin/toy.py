"""The 2-D toy sets: points on a plane drawn from a seeded generator, for decision-boundary demos.

Each generator takes the random generator, the number of points and a noise level 0..1 and returns
the points (n x 2) and their labels (or, for the surface, its heights).
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


def _spiral(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Two interleaved arms, 1.75 turns each, radius 0..1; the second arm is the first turned by half a turn.
    parts, labels = [], []
    for label, m in enumerate(_two_halves(n)):
        t = rng.random(m)
        r = 0.05 + 0.95 * t
        angle = 1.75 * 2 * np.pi * t + label * np.pi
        parts.append(np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
        labels.append(np.full(m, label))
    x = np.vstack(parts) + rng.normal(0.0, 0.25 * noise, (n, 2))
    return _shuffled(rng, x, np.concatenate(labels))


def _moons(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    m0, m1 = _two_halves(n)
    a0, a1 = rng.uniform(0, np.pi, m0), rng.uniform(0, np.pi, m1)
    upper = np.column_stack([np.cos(a0), np.sin(a0)])
    lower = np.column_stack([1 - np.cos(a1), 0.5 - np.sin(a1)])
    x = np.vstack([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    return _shuffled(rng, x, np.concatenate([np.zeros(m0, int), np.ones(m1, int)]))


def _circles(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Class 1 fills a disc of radius 0.5; class 0 is a ring from 0.7 to 1.
    m0, m1 = _two_halves(n)
    r = np.concatenate([rng.uniform(0.7, 1.0, m0), 0.5 * np.sqrt(rng.random(m1))])
    a = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([r * np.sin(a), r * np.cos(a)]) + rng.normal(0.0, 0.3 * noise, (n, 2))
    return _shuffled(rng, x, np.concatenate([np.zeros(m0, int), np.ones(m1, int)]))


def _xor(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Points in the four quadrants, kept a little away from the axes; 1 where x1 and x2 share a sign.
    u = rng.uniform(0.06, 1.0, (n, 2)) * rng.choice([-1.0, 1.0], (n, 2))
    labels = (u[:, 0] * u[:, 1] > 0).astype(int)
    return u + rng.normal(0.0, 0.3 * noise, (n, 2)), labels


def _blobs(rng: np.random.Generator, n: int, noise: float, classes: int) -> tuple[np.ndarray, np.ndarray]:
    labels = np.arange(n) % classes
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
    x, labels = _CLASSIFIERS[name](rng, **params)
    return _toy_frame(x, labels.astype(np.int64), "label"), "label"
