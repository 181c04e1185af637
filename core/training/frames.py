"""The pictures a run streams besides its numbers: the decision-boundary grid (2-D data) and the
weights' histograms, as the compact bytes the run store keeps.

A boundary grid is BOUNDARY_RESOLUTION × BOUNDARY_RESOLUTION cells over the inputs' range plus a
tenth on every side, one byte per class per cell (the probability × 255). A histogram frame is JSON:
{layer label: {"min", "max", "counts"}} with HIST_BINS bins per layer. Plain numpy; the histograms
read torch tensors through their own methods, so this module never imports torch itself.
"""
from __future__ import annotations

import json

import numpy as np

BOUNDARY_RESOLUTION = 100
HIST_BINS = 24


def encode_boundary(probs: np.ndarray) -> bytes:
    """A grid of class probabilities as compact bytes: uint8 per class per cell."""
    return np.clip(np.rint(probs * 255), 0, 255).astype(np.uint8).tobytes()


def decode_boundary(data: bytes, n_classes: int, resolution: int = BOUNDARY_RESOLUTION) -> np.ndarray:
    """[resolution, resolution, n_classes] probabilities (or values in 0..1 for regression)."""
    return np.frombuffer(data, dtype=np.uint8).reshape(resolution, resolution, n_classes).astype(np.float32) / 255


def boundary_extent(X: np.ndarray) -> list[tuple[float, float]]:
    """The plane the decision boundary is drawn on: the inputs' range plus a tenth on every side."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = (hi - lo) * 0.1 + 1e-6
    return [(float(lo[i] - pad[i]), float(hi[i] + pad[i])) for i in range(2)]


def boundary_points(extent, resolution: int = BOUNDARY_RESOLUTION) -> np.ndarray:
    """[resolution², 2] inputs covering `extent`, row by row (row = y from low to high, column = x)."""
    xs = np.linspace(*extent[0], resolution, dtype=np.float32)
    ys = np.linspace(*extent[1], resolution, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def histogram(t) -> dict:
    """A tensor's values in HIST_BINS equal bins between its smallest and largest value."""
    t = t.detach().float().flatten()
    lo, hi = float(t.min()), float(t.max())
    if hi <= lo:
        hi = lo + 1e-6
    counts = t.histc(bins=HIST_BINS, min=lo, max=hi)
    return {"min": lo, "max": hi, "counts": counts.long().tolist()}


def histogram_frame(layers: dict) -> bytes | None:
    """{label: weight tensor} → the 'hist' frame's bytes; None when there is no layer with weights."""
    hist = {label: histogram(w) for label, w in layers.items()}
    return json.dumps(hist).encode() if hist else None
