"""The spread of repeated measurements: every figure is reported as its median with the smallest and
largest repeat, so a reader sees at once how much the machine disturbed it."""
from __future__ import annotations

import statistics


def spread(values, digits: int = 3) -> dict:
    """{"median", "min", "max", "repeats"} of `values` (at least one), rounded to `digits` decimals."""
    values = list(values)
    if not values:
        raise ValueError("no measurements to summarise")
    return {"median": round(statistics.median(values), digits), "min": round(min(values), digits),
            "max": round(max(values), digits), "repeats": len(values)}


def ratios(numerators, denominators) -> list[float]:
    """Repeat-by-repeat ratios of two interleaved series: each repeat's figure over its own baseline."""
    pairs = list(zip(numerators, denominators, strict=True))
    return [a / b for a, b in pairs]


def worst(figures: dict, keys=None) -> dict:
    """The spread whose median is lowest among `figures` (name → spread), with its name as "config"."""
    name = min(keys or figures, key=lambda k: figures[k]["median"])
    return {**figures[name], "config": name}
